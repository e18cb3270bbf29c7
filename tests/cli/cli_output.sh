#!/usr/bin/env bash
# The output file is never another run's or an input (issue 12):
#   - `-o` naming one of the inputs (an image, the labels CSV, the prompts
#     file) is refused before anything is opened for writing: the input is
#     byte-identical afterwards, exit non-zero, a message naming both;
#   - an output locked by another writer (flock, as entropy-lens holds it)
#     makes a second run fail at once with a message, without truncating or
#     appending to the file, for profile and text, with and without --resume.
# Uses the tiny fixture models only (no ../shared).
#
# Usage: tests/cli/cli_output.sh path/to/entropy-lens   (ctest passes it; 77 = skip)
set -uo pipefail
bin=${1:?usage: cli_output.sh path/to/entropy-lens}
root=$(cd "$(dirname "$0")/../.." && pwd)
vit=$root/tests/fixtures/tiny/vit-hf-f32
lm=$root/samples/models/fortune-gpt2
[ -d "$vit" ] && [ -d "$lm" ] || { echo "cli_output: fixture models missing, skipping" >&2; exit 77; }
command -v flock >/dev/null || { echo "cli_output: no flock(1), skipping" >&2; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/el-output.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "cli_output: FAIL: $*" >&2; fail=1; }
cp "$root/tests/fixtures/tiny/pattern.png" "$tmp/a.png"
cp "$root/tests/fixtures/tiny/pattern_odd.png" "$tmp/b.png"
printf 'file,class_index\na.png,1\n' >"$tmp/labels.csv"
printf '{"prompt": "hello"}\n{"prompt": "world"}\n' >"$tmp/prompts.jsonl"
cp "$tmp/a.png" "$tmp/a.orig"; cp "$tmp/labels.csv" "$tmp/labels.orig"; cp "$tmp/prompts.jsonl" "$tmp/prompts.orig"

# -o names an input.
"$bin" profile "$tmp/a.png" "$tmp/b.png" --model "$vit" -q -o "$tmp/a.png" 2>"$tmp/err"
[ $? -ne 0 ] || bad "profile -o INPUT: exit 0"
cmp -s "$tmp/a.png" "$tmp/a.orig" || bad "profile -o INPUT truncated the image"
grep -q "is one of the inputs" "$tmp/err" || bad "profile -o INPUT: message: $(cat "$tmp/err")"
"$bin" profile "$tmp" --model "$vit" -q -o "$tmp/./b.png" --resume 2>/dev/null
[ $? -ne 0 ] || bad "profile DIR -o DIR/b.png --resume: exit 0"
cmp -s "$tmp/b.png" "$root/tests/fixtures/tiny/pattern_odd.png" || bad "profile DIR -o DIR/b.png changed the image"
"$bin" profile "$tmp/a.png" --model "$vit" -q --labels "$tmp/labels.csv" -o "$tmp/labels.csv" 2>/dev/null
[ $? -ne 0 ] || bad "profile -o LABELS: exit 0"
cmp -s "$tmp/labels.csv" "$tmp/labels.orig" || bad "profile -o LABELS truncated the labels"
"$bin" text --model "$lm" --prompts "$tmp/prompts.jsonl" -n 2 -q -o "$tmp/prompts.jsonl" 2>"$tmp/err"
[ $? -ne 0 ] || bad "text -o PROMPTS: exit 0"
cmp -s "$tmp/prompts.jsonl" "$tmp/prompts.orig" || bad "text -o PROMPTS truncated the prompts"
grep -q "is one of the inputs" "$tmp/err" || bad "text -o PROMPTS: message: $(cat "$tmp/err")"

# A locked output: the second writer fails at once and leaves the file alone.
echo 'held by another run' >"$tmp/locked.jsonl"
cp "$tmp/locked.jsonl" "$tmp/locked.orig"
for args in "profile $tmp/a.png --model $vit" "profile $tmp/a.png --model $vit --resume" \
            "text --model $lm --prompt hi -n 2" "text --model $lm --prompt hi -n 2 --resume"; do
  # shellcheck disable=SC2086
  flock -n "$tmp/locked.jsonl" timeout 20 "$bin" $args -q -o "$tmp/locked.jsonl" 2>"$tmp/err"
  code=$?
  [ $code -ne 0 ] && [ $code -ne 124 ] || bad "$args: exit $code on a locked output"
  grep -q "another entropy-lens run is writing this file" "$tmp/err" || bad "$args: message: $(cat "$tmp/err")"
  cmp -s "$tmp/locked.jsonl" "$tmp/locked.orig" || bad "$args: the locked file changed"
done
# Unlocked, the same file is written as usual.
"$bin" profile "$tmp/a.png" --model "$vit" -q -o "$tmp/locked.jsonl" || bad "unlocked output refused"
grep -q '"file"' "$tmp/locked.jsonl" || bad "unlocked output has no record"

[ "$fail" = 0 ] && echo "cli_output: ok"
exit "$fail"
