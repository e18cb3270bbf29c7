#!/usr/bin/env bash
# Hostile inputs end to end: `entropy-lens profile DIR --recursive` over the
# folder tools/fixtures/make_hostile_inputs.sh writes (zero-byte, truncated, random and
# mislabelled files, a 100000x100000 PNG header, broken and looping symlinks,
# a non-UTF-8 file name, a folder named like an image, an unreadable file).
#
# Checks: exit code 1 (some inputs failed); exactly one "entropy-lens: error:"
# line on stderr per bad file, naming it, and none for good files; a normal
# record for every good image and an error record (with the expected reason)
# for every bad one, nothing else; the output is valid JSONL (checked by
# tests/tools/jsonl_check.c, built here with cc + cJSON); the non-UTF-8 name
# comes out as \udcXX escapes; --max-pixels turns a normal image into a
# limit error record, exactly at the boundary; no sanitizer report.
#
# Usage: tests/cli/cli_hostile.sh path/to/entropy-lens   (ctest passes it; 77 = skip)
set -uo pipefail
bin=${1:?usage: cli_hostile.sh path/to/entropy-lens}
root=$(cd "$(dirname "$0")/../.." && pwd)
model=$root/tests/fixtures/tiny/vit-hf-f32
layers=2
[ -x "$bin" ] || { echo "cli_hostile: $bin is not executable" >&2; exit 1; }
[ -d "$model" ] || { echo "cli_hostile: fixture model $model missing, skipping" >&2; exit 77; }
cc=${CC:-cc}
command -v "$cc" >/dev/null || { echo "cli_hostile: no C compiler for the JSONL checker, skipping" >&2; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/el-hostile.XXXXXX")
cleanup() { chmod -R u+rwX "$tmp" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail=0
bad() { echo "cli_hostile: FAIL: $*" >&2; fail=1; }

cjson_flags=$(pkg-config --cflags --libs libcjson 2>/dev/null || echo -lcjson)
# shellcheck disable=SC2086
if ! "$cc" -std=c11 -O1 -o "$tmp/jsonl_check" "$root/tests/tools/jsonl_check.c" $cjson_flags 2>"$tmp/cc.err"; then
  cat "$tmp/cc.err" >&2
  echo "cli_hostile: cannot build tests/tools/jsonl_check.c" >&2
  exit 1
fi
check=$tmp/jsonl_check

in=$tmp/in
"$root/tools/fixtures/make_hostile_inputs.sh" "$in" 2>/dev/null || { echo "cli_hostile: make_hostile_inputs.sh failed" >&2; exit 1; }
exp=$in/.expected
n_err=$(grep -c '^error' "$exp")
n_ok=$(grep -c '^ok' "$exp")

no_sanitizer_report() { # file what
  if grep -qE 'runtime error:|ERROR: (Address|Leak|Undefined)Sanitizer|SUMMARY: .*Sanitizer' "$1"; then
    bad "$2: sanitizer report:"
    grep -E -A3 'runtime error:|Sanitizer' "$1" | head -30 >&2
  fi
}

# ------------------------------------------------------------ the folder
"$bin" profile "$in" --recursive --model "$model" -o "$tmp/out.jsonl" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] || bad "profile on the hostile folder exited $rc, expected 1 (some inputs failed)"
no_sanitizer_report "$tmp/err" "profile on the hostile folder"
"$check" "$tmp/out.jsonl" --expect "$exp" "$in" --layers "$layers" --ok "$n_ok" --errors "$n_err" ||
  bad "records do not match $exp (see jsonl_check lines above)"

# One error line per bad file, naming it ("entropy-lens: error: PATH: reason").
got_lines=$(grep -c '^entropy-lens: error: ' "$tmp/err")
[ "$got_lines" -eq "$n_err" ] || bad "$got_lines error lines on stderr, expected $n_err (one per bad file)"
while IFS=$'\t' read -r kind path _; do
  n=$(grep -cF -- "entropy-lens: error: $in/$path: " "$tmp/err")
  if [ "$kind" = error ] && [ "$n" -ne 1 ]; then bad "stderr has $n error lines for bad file $path, expected 1"; fi
  if [ "$kind" = ok ] && [ "$n" -ne 0 ]; then bad "stderr has an error line for good file $path"; fi
done <"$exp"
# The walk itself: loop and non-image name are warnings, not errors.
grep -qF "$in/odd/loopdir/up: folder already visited" "$tmp/err" || bad "no warning for the folder symlink loop odd/loopdir/up"
grep -qF "$in/odd/notes.txt: not an image file name, skipped" "$tmp/err" || bad "no warning for odd/notes.txt"
grep -qF ".hidden.png" "$tmp/out.jsonl" "$tmp/err" && bad "the hidden file odd/.hidden.png was not skipped silently"

# The non-UTF-8 name: written with surrogate escapes, decoded back by the
# checker above to the original bytes (so the record matched its expectation).
grep -qF "\"file\":\"$in/odd/\\udcff\\udcfe.png\"" "$tmp/out.jsonl" ||
  bad "the file name with bytes ff fe is not written as \\udcff\\udcfe"

# ------------------------------------------------------------ named on the command line
# Files named explicitly are always tried: a missing one, a folder named like
# an image given as a path is walked, a broken symlink.
"$bin" profile "$in/good/pattern.png" "$in/missing.png" "$in/bad/random.png" --model "$model" \
  -o "$tmp/explicit.jsonl" 2>"$tmp/explicit.err"
rc=$?
[ "$rc" -eq 1 ] || bad "profile on explicit paths exited $rc, expected 1"
no_sanitizer_report "$tmp/explicit.err" "profile on explicit paths"
printf 'ok\tgood/pattern.png\t\nerror\tmissing.png\tNo such file\nerror\tbad/random.png\tnot a PNG\n' >"$tmp/explicit.exp"
"$check" "$tmp/explicit.jsonl" --expect "$tmp/explicit.exp" "$in" --layers "$layers" ||
  bad "explicit paths: records do not match"

# ------------------------------------------------------------ --max-pixels
# pattern.png is 45 x 37 = 1665 pixels (read from its IHDR here).
img=$in/good/pattern.png
read -r w h < <(od -An -tu1 -j16 -N8 "$img" | awk '{print $3 * 256 + $4, $7 * 256 + $8}')
px=$((w * h))
for limit in 1000 $((px - 1)) "$px"; do
  "$bin" profile "$img" --model "$model" --max-pixels "$limit" -o "$tmp/max.jsonl" 2>"$tmp/max.err"
  rc=$?
  no_sanitizer_report "$tmp/max.err" "--max-pixels $limit"
  if [ "$limit" -lt "$px" ]; then
    [ "$rc" -eq 1 ] || bad "--max-pixels $limit on a ${w}x$h image exited $rc, expected 1"
    "$check" "$tmp/max.jsonl" --errors 1 --ok 0 --error-contains "exceeds the limit of $limit pixels" ||
      bad "--max-pixels $limit: expected one limit error record"
    grep -qF "entropy-lens: error: $img: " "$tmp/max.err" || bad "--max-pixels $limit: no error line naming the file"
  else
    [ "$rc" -eq 0 ] || bad "--max-pixels $limit (exactly ${w}x$h) exited $rc, expected 0"
    "$check" "$tmp/max.jsonl" --errors 0 --ok 1 --layers "$layers" || bad "--max-pixels $limit: expected a normal record"
  fi
done

if [ "$fail" -ne 0 ]; then
  echo "cli_hostile: stderr of the folder run:" >&2
  head -80 "$tmp/err" >&2
  exit 1
fi
echo "cli_hostile: ok ($n_ok good, $n_err bad inputs; explicit paths; --max-pixels boundary at $px)"
