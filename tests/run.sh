#!/usr/bin/env bash
# All tests on a fresh machine: install what is missing, build twice (release,
# and AddressSanitizer + UndefinedBehaviorSanitizer), run the suite on both.
# Tests needing ../shared skip cleanly when it is absent.
# Usage: tests/run.sh [release|asan]   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
kinds=("${@:-release asan}")
read -r -a kinds <<<"${kinds[*]}"
status=0
for kind in "${kinds[@]}"; do
  dir=$(scripts/build.sh "$kind")
  echo "== tests: $kind build ($dir)"
  # The sanitizer build runs every unit and golden test; the end-to-end runs
  # that only time real work (kill/resume, MPI) run in the release build.
  exclude=()
  [ "$kind" = asan ] && exclude=(-E 'cli_(resume|mpi)$')
  # ASan: leaks are errors; UBSan: stop at the first report.
  LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ctest --test-dir "$dir" --output-on-failure -j2 "${exclude[@]}" || status=1
done
# Every fuzz target for a few seconds over its seed corpus and saved
# regressions (clang's libFuzzer; longer campaigns: docs/fuzzing.md).
echo "== fuzz: 5 s per target"
tests/fuzz/run.sh 5 || status=1
exit $status
