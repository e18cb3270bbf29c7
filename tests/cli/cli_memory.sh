#!/usr/bin/env bash
# Memory under a stream of corrupt images: `entropy-lens profile` over
# thousands of corrupt files (truncated and byte-flipped PNG, interlaced and
# 16-bit PNG, baseline/progressive/CMYK/gray JPEG, PPM/PGM), made on the fly
# by tests/tools/make_corrupt.c.
#
# What runs depends on the binary ctest passes (tests/run.sh builds both):
#   ASan build:    3000 corrupt files with LeakSanitizer on: exit code 1 (some
#                  failed), no leak or sanitizer report, 3000 valid records.
#                  First a 5-line leaking probe proves LeakSanitizer works
#                  here (it does not under ptrace, for one); if not: skip.
#   release build: peak RSS (ru_maxrss, via tests/tools/peak_rss.c) for 300
#                  and for 3000 corrupt files must differ by less than
#                  EL_MEM_SLACK_KB (default 3072 KiB): per-file leaks or
#                  buffers that grow with the run show up as a slope. The
#                  list of 3000 paths itself costs ~0.3 MB.
#
# Usage: tests/cli/cli_memory.sh path/to/entropy-lens   (ctest passes it; 77 = skip)
set -uo pipefail
bin=${1:?usage: cli_memory.sh path/to/entropy-lens}
root=$(cd "$(dirname "$0")/../.." && pwd)
model=$root/tests/fixtures/tiny/vit-hf-f32
src=$root/tests/fixtures/imageio/src
n_big=${EL_MEM_FILES:-3000}
n_small=$((n_big / 10))
slack=${EL_MEM_SLACK_KB:-3072}
[ -x "$bin" ] || { echo "cli_memory: $bin is not executable" >&2; exit 1; }
[ -d "$model" ] && [ -d "$src" ] || { echo "cli_memory: fixtures missing, skipping" >&2; exit 77; }
cc=${CC:-cc}
command -v "$cc" >/dev/null || { echo "cli_memory: no C compiler for the helpers, skipping" >&2; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/el-memory.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "cli_memory: FAIL: $*" >&2; fail=1; }

cjson_flags=$(pkg-config --cflags --libs libcjson 2>/dev/null || echo -lcjson)
for tool in make_corrupt peak_rss jsonl_check; do
  libs=""
  [ "$tool" = jsonl_check ] && libs=$cjson_flags
  # shellcheck disable=SC2086
  "$cc" -std=c11 -O1 -o "$tmp/$tool" "$root/tests/tools/$tool.c" $libs 2>"$tmp/cc.err" ||
    { cat "$tmp/cc.err" >&2; echo "cli_memory: cannot build tests/tools/$tool.c" >&2; exit 1; }
done

sources=()
for f in png_rgb8.png png_rgb8_interlaced.png png_rgba16.png png_pal8.png png_gray16_interlaced.png \
         jpg_420.jpg jpg_progressive.jpg jpg_cmyk_progressive.jpg jpg_gray.jpg pnm_p6.ppm pnm_p5_16bit.pgm; do
  [ -f "$src/$f" ] && sources+=("$src/$f")
done
mkdir -p "$tmp/big" "$tmp/small"
"$tmp/make_corrupt" "$tmp/big" "$n_big" "${sources[@]}" || { echo "cli_memory: make_corrupt failed" >&2; exit 1; }

sanitizer_report() { grep -qE 'LeakSanitizer|ERROR: AddressSanitizer|runtime error:|SUMMARY: .*Sanitizer' "$1"; }

if grep -qa '__asan_report_load' "$bin"; then
  # ---------------------------------------------------------------- ASan: leaks
  printf '#include <stdlib.h>\nvoid *volatile p;\nint main(void) { p = malloc(77); p = 0; return 0; }\n' >"$tmp/probe.c"
  if ! "$cc" -fsanitize=address -g -O0 -o "$tmp/probe" "$tmp/probe.c" 2>/dev/null; then
    echo "cli_memory: cannot build an ASan probe, skipping the leak check" >&2
    exit 77
  fi
  ASAN_OPTIONS=detect_leaks=1 "$tmp/probe" 2>"$tmp/probe.err"
  if ! grep -q 'LeakSanitizer' "$tmp/probe.err"; then
    echo "cli_memory: LeakSanitizer does not work here (a known leak went unreported), skipping:" >&2
    head -5 "$tmp/probe.err" >&2
    exit 77
  fi
  start=$SECONDS
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1" \
    "$bin" profile "$tmp/big" -q --threads 2 --model "$model" -o "$tmp/big.jsonl" 2>"$tmp/big.err"
  rc=$?
  [ "$rc" -eq 1 ] || bad "profile on $n_big corrupt files exited $rc, expected 1 (23 is LeakSanitizer's exit code)"
  if sanitizer_report "$tmp/big.err"; then
    bad "sanitizer report on $n_big corrupt files:"
    grep -E -A12 'LeakSanitizer|AddressSanitizer|runtime error:' "$tmp/big.err" | head -60 >&2
  fi
  "$tmp/jsonl_check" "$tmp/big.jsonl" --records "$n_big" --layers 2 || bad "output of the ASan run is not $n_big valid records"
  errors=$(grep -c '"error":' "$tmp/big.jsonl")
  [ "$fail" -eq 0 ] && echo "cli_memory: ok (ASan: $n_big corrupt files, $errors failed to decode, no leak; $((SECONDS - start)) s)"
else
  # ---------------------------------------------------------------- release: flat peak RSS
  # The small set is the first n_small files of the big one (hard links).
  all=("$tmp"/big/*)
  ln "${all[@]:0:n_small}" "$tmp/small/" 2>/dev/null || cp "${all[@]:0:n_small}" "$tmp/small/"
  declare -A rss
  for set in small big; do
    n=$n_small
    [ "$set" = big ] && n=$n_big
    "$tmp/peak_rss" "$tmp/$set.rss" "$bin" profile "$tmp/$set" -q --threads 2 --model "$model" \
      -o "$tmp/$set.jsonl" 2>"$tmp/$set.err"
    rc=$?
    [ "$rc" -eq 1 ] || bad "profile on $n corrupt files exited $rc, expected 1"
    sanitizer_report "$tmp/$set.err" && bad "sanitizer report on $n files"
    "$tmp/jsonl_check" "$tmp/$set.jsonl" --records "$n" --layers 2 || bad "output for $n files is not $n valid records"
    rss[$set]=$(cat "$tmp/$set.rss")
  done
  growth=$((rss[big] - rss[small]))
  echo "cli_memory: peak RSS ${rss[small]} KiB for $n_small corrupt files, ${rss[big]} KiB for $n_big (growth $growth KiB, limit $slack)"
  [ "$growth" -lt "$slack" ] || bad "peak RSS grew by $growth KiB from $n_small to $n_big corrupt files (limit $slack KiB)"
  [ "$fail" -eq 0 ] && echo "cli_memory: ok (release: peak RSS flat over $n_small vs $n_big corrupt files)"
fi
exit $fail
