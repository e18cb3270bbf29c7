#!/usr/bin/env bash
# Run every fuzz target (or the ones named) for SECONDS each over its seed
# corpus and its saved regressions; fail if any target finds a crash, a
# sanitizer report, a leak, a timeout or an out-of-memory.
#
# Usage: tests/fuzz/run.sh [SECONDS] [TARGET...]      (default 30 s each)
#
# Builds with tests/fuzz/build.sh first (into build-fuzz/, or $EL_FUZZ_BUILD).
# Without clang/libFuzzer it prints why and exits 0 ("skipped"), unless
# EL_FUZZ_REQUIRED=1, then it exits 77.
#
# The seed corpus (tests/fuzz/corpus/<target>/) and the regressions
# (tests/fuzz/regressions/<target>/) are only read: new inputs go to a scratch
# folder, deleted at the end unless EL_FUZZ_WORK=DIR names a folder to keep
# the grown corpora in (DIR/<target>/), for longer campaigns across runs.
# Crash inputs and each target's last log are kept in $EL_FUZZ_ARTIFACTS
# (default build-fuzz/artifacts/).
#
# Other knobs: EL_FUZZ_FORK=N runs N worker processes per target (libFuzzer
# -fork=N, which also goes on past crashes and collects them all);
# EL_FUZZ_LENIENT=1 makes the targets' contract checks report without
# aborting (memory errors still abort); EL_FUZZ_ARGS adds libFuzzer flags.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-30}
shift $(($# > 0 ? 1 : 0))
case $secs in '' | *[!0-9]*) echo "usage: tests/fuzz/run.sh [SECONDS] [TARGET...]" >&2; exit 2 ;; esac

build=$("$here/build.sh" "${EL_FUZZ_BUILD:-$root/build-fuzz}")
rc=$?
if [ $rc -eq 77 ]; then
  echo "fuzz: SKIPPED (no usable clang/libFuzzer; see the message above)" >&2
  [ "${EL_FUZZ_REQUIRED:-0}" = 1 ] && exit 77
  exit 0
elif [ $rc -ne 0 ]; then
  echo "fuzz: build failed" >&2
  exit 1
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$here"/fuzz_*.c; do targets+=("$(basename "$f" .c)"); done
fi
arts=${EL_FUZZ_ARTIFACTS:-$build/artifacts}
mkdir -p "$arts"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/el-fuzz-run.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/tmp"

# Leaks are errors (libFuzzer's -detect_leaks=1 is the default; LSan needs
# ASan's leak detection on too); UBSan stops at the first report.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

status=0
summary=()
for t in "${targets[@]}"; do
  bin=$build/$t
  if [ ! -x "$bin" ]; then
    echo "fuzz: no target $t in $build" >&2
    status=1
    continue
  fi
  if [ -n "${EL_FUZZ_WORK:-}" ]; then work=$EL_FUZZ_WORK/$t; else work=$scratch/corpus/$t; fi
  mkdir -p "$work"
  dirs=("$work")
  [ -d "$here/corpus/$t" ] && dirs+=("$here/corpus/$t")
  [ -d "$here/regressions/$t" ] && dirs+=("$here/regressions/$t")
  args=(-max_total_time="$secs" -timeout=30 -rss_limit_mb=2048 -max_len=262144 -print_final_stats=1
        -artifact_prefix="$arts/$t-")
  [ -f "$here/$t.dict" ] && args+=(-dict="$here/$t.dict")
  # Aspect-ratio bombs must cost the crop, never the resize target.
  [ "$t" = fuzz_preprocess ] && args+=(-malloc_limit_mb=300)
  [ -n "${EL_FUZZ_FORK:-}" ] && args+=(-fork="$EL_FUZZ_FORK" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  # shellcheck disable=SC2206
  [ -n "${EL_FUZZ_ARGS:-}" ] && args+=($EL_FUZZ_ARGS)
  log=$scratch/$t.log
  echo "== fuzz: $t for ${secs}s (corpus: ${dirs[*]#$root/})" >&2
  TMPDIR=$scratch/tmp "$bin" "${args[@]}" "${dirs[@]}" >"$log" 2>&1
  trc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  # fork mode prints no final stats: take the last "#N:" progress line
  [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -o '[0-9]*')
  crashes=$(grep -cE '^==[0-9]+==ERROR|^SUMMARY: |runtime error:|contract violated|deadly signal|Test unit written' "$log")
  if [ $trc -ne 0 ] || { [ -n "${EL_FUZZ_FORK:-}" ] && [ "$crashes" -gt 0 ]; }; then
    status=1
    summary+=("$t: FAILED (exit $trc) after ${execs:-?} runs; artifacts: $arts/$t-*")
    echo "fuzz: $t FAILED (exit $trc). Log tail:" >&2
    grep -E -m5 -A25 '==ERROR|runtime error:|contract|deadly signal|out-of-memory|timeout' "$log" | head -60 >&2
  else
    summary+=("$t: ok, ${execs:-?} runs, cov ${cov:-?}")
  fi
  cp "$log" "$arts/$t.log"
done
echo "== fuzz summary (${secs}s per target)" >&2
printf '  %s\n' "${summary[@]}" >&2
exit $status
