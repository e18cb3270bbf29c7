#!/usr/bin/env bash
# Hostile prompts files for `text --prompts` (issue 12):
#   - a line with a field the tool writes itself (`entropy`, `model`, ...) is
#     refused: it gets an error record naming the line and the field, and no
#     record carries the fake value;
#   - a line with a NUL byte is refused clearly (an error record), the others run;
#   - a directory, /dev/zero, a FIFO or an empty file is an error (exit 3 with
#     a one-line message), not "exit 0 with nothing done"; a FIFO never blocks.
# Uses the sample model samples/models/fortune-gpt2 only.
#
# Usage: tests/cli/cli_prompts.sh path/to/entropy-lens   (ctest passes it; 77 = skip)
set -uo pipefail
bin=${1:?usage: cli_prompts.sh path/to/entropy-lens}
root=$(cd "$(dirname "$0")/../.." && pwd)
lm=$root/samples/models/fortune-gpt2
[ -d "$lm" ] || { echo "cli_prompts: fixture model missing, skipping" >&2; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/el-prompts.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "cli_prompts: FAIL: $*" >&2; fail=1; }
text() { timeout 30 "$bin" text --model "$lm" -n 2 -q "$@"; }

printf '{"prompt": "a", "entropy": [9,9]}\n{"prompt": "b", "model": "fake"}\n{"prompt": "c", "id": 7}\n' >"$tmp/p.jsonl"
text --prompts "$tmp/p.jsonl" -o "$tmp/out.jsonl" 2>"$tmp/err"
code=$?
[ $code -eq 1 ] || bad "reserved fields: exit $code, want 1 (some prompts failed)"
[ "$(wc -l <"$tmp/out.jsonl")" -eq 3 ] || bad "reserved fields: want 3 records"
grep -q 'p.jsonl:1: field \\"entropy\\" is reserved' "$tmp/out.jsonl" || bad "no error record for field entropy"
grep -q 'p.jsonl:2: field \\"model\\" is reserved' "$tmp/out.jsonl" || bad "no error record for field model"
grep -q '"fake"\|\[9,9\]' "$tmp/out.jsonl" && bad "a fake output value reached the records"
grep -q '"prompt":"c","label":null,"id":7,"generated"' "$tmp/out.jsonl" || bad "an extra field is not kept: $(cat "$tmp/out.jsonl")"

printf '{"prompt": "x\0y"}\n{"prompt": "ok"}\n' >"$tmp/nul.jsonl"
text --prompts "$tmp/nul.jsonl" -o "$tmp/nul.out" 2>"$tmp/err"
code=$?
[ $code -eq 1 ] || bad "NUL: exit $code, want 1"
grep -q 'nul.jsonl:1: NUL byte in the line' "$tmp/nul.out" || bad "NUL: no error record: $(cat "$tmp/nul.out")"
grep -q '"prompt":"ok"' "$tmp/nul.out" || bad "NUL: the good line did not run"

mkfifo "$tmp/fifo"
: >"$tmp/empty.jsonl"
for f in "$tmp" /dev/zero "$tmp/fifo" "$tmp/empty.jsonl"; do
  text --prompts "$f" -o "$tmp/x.jsonl" 2>"$tmp/err"
  code=$?
  [ $code -eq 3 ] || bad "--prompts $f: exit $code, want 3"
  [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "$f" "$tmp/err" || bad "--prompts $f: message: $(cat "$tmp/err")"
done

[ "$fail" = 0 ] && echo "cli_prompts: ok"
exit "$fail"
