#!/usr/bin/env bash
# Ctrl-C during a read that hangs (a stuck network file system; simulated
# with the test hook EL_TEST_BLOCK_READ=NAME, under which reading a file whose
# path ends with NAME hangs until the run is stopping, then fails as an
# interrupted read does) leaves no record behind (issue 12):
#   - profile, JSONL and CSV: exit 130, the output holds exactly the records of
#     the images before the hung one (byte-identical to the uninterrupted run's
#     first records), no error record for the hung image; --resume then gives
#     the uninterrupted run's bytes;
#   - text, Ctrl-C while the model's files load: an existing output resumed
#     with --resume is left byte for byte as it was.
# Uses the committed tiny fixtures only.
set -u
cli=${1:?usage: cli_interrupt.sh path/to/entropy-lens}
root=$(cd "$(dirname "$0")/../.." && pwd)
model=$root/tests/fixtures/tiny/vit-hf-f32
src=$root/tests/fixtures/imageio/src
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/in"
for n in 1 2 3 4; do cp "$src/png_gray8.png" "$tmp/in/a$n.png"; done
cp "$src/jpg_420.jpg" "$tmp/in/b_hang.jpg"
for n in 1 2 3; do cp "$src/jpg_444.jpg" "$tmp/in/c$n.jpg"; done
fail=0
lines() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }
for fmt in jsonl csv; do
  args=(profile "$tmp/in" --model "$model" --batch 1 --threads 1 -q --format "$fmt")
  "$cli" "${args[@]}" -o "$tmp/ref.$fmt" || { echo "FAIL: $fmt: reference run"; fail=1; }
  before=$(grep -c '^' "$tmp/ref.$fmt")
  # Records before the hung image: 4 (plus the CSV header line).
  want=$((before - 4))
  EL_TEST_BLOCK_READ=/b_hang.jpg "$cli" "${args[@]}" -o "$tmp/int.$fmt" 2>"$tmp/err" & pid=$!
  for _ in $(seq 400); do [ "$(lines "$tmp/int.$fmt")" -ge "$want" ] && break; sleep 0.05; done
  sleep 0.3 # now in the hung read
  kill -INT $pid
  wait $pid; code=$?
  [ $code -eq 130 ] || { echo "FAIL: $fmt: exit $code after Ctrl-C (want 130)"; cat "$tmp/err"; fail=1; }
  head -n "$want" "$tmp/ref.$fmt" | cmp -s - "$tmp/int.$fmt" ||
    { echo "FAIL: $fmt: interrupted output is not the first $want lines of the full run"; diff <(head -n "$want" "$tmp/ref.$fmt") "$tmp/int.$fmt" | head -5; fail=1; }
  ! grep -q 'b_hang\|interrupted' "$tmp/int.$fmt" || { echo "FAIL: $fmt: a record for the hung image was written"; fail=1; }
  "$cli" "${args[@]}" -o "$tmp/int.$fmt" --resume; code=$?
  [ $code -eq 0 ] || { echo "FAIL: $fmt: resume exit $code"; fail=1; }
  cmp -s "$tmp/ref.$fmt" "$tmp/int.$fmt" || { echo "FAIL: $fmt: resumed output differs from the uninterrupted run"; fail=1; }
done

# text: Ctrl-C while the model loads leaves a resumed file untouched.
lm=$root/samples/models/fortune-gpt2
if [ -d "$lm" ]; then
  printf '{"prompt":"Once upon"}\n{"prompt":"The cat"}\n' > "$tmp/p.txt"
  targs=(text --model "$lm" --prompts "$tmp/p.txt" -n 4 --batch 1 --threads 1 -q)
  "$cli" "${targs[@]}" -o "$tmp/t.jsonl" || { echo "FAIL: text reference run"; fail=1; }
  head -n 1 "$tmp/t.jsonl" > "$tmp/t1.jsonl"; cp "$tmp/t1.jsonl" "$tmp/t1.orig"
  hang=vocab.json
  # Job control on: a background job of a plain script starts with SIGINT
  # ignored, and the tokenizer loads before the run installs its handler.
  set -m
  EL_TEST_BLOCK_READ="/$hang" "$cli" "${targs[@]}" -o "$tmp/t1.jsonl" --resume 2>"$tmp/err" & pid=$!
  set +m
  sleep 1
  kill -INT $pid; wait $pid; code=$?
  [ $code -ne 0 ] || { echo "FAIL: text: exit 0 after Ctrl-C while loading"; fail=1; }
  cmp -s "$tmp/t1.orig" "$tmp/t1.jsonl" || { echo "FAIL: text: Ctrl-C while loading changed the output"; fail=1; }
fi

[ $fail -eq 0 ] && echo "cli_interrupt: all checks passed"
exit $fail
