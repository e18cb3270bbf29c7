#!/usr/bin/env bash
# A run killed with SIGKILL mid-way leaves whole records only; --resume
# finishes it with no duplicates and no losses: the file is byte-identical to
# an uninterrupted run. Ctrl-C (SIGINT) stops after the current batch with
# exit code 130 and a summary. Needs ../shared (ViT-Tiny: slow enough to kill).
set -u
cli=${1:?usage: cli_resume.sh path/to/entropy-lens}
shared=$(cd "$(dirname "$0")/../../.." && pwd)/shared
[ -d "$shared" ] || { echo "SKIP: ../shared not found"; exit 77; }
model=$shared/models/vit-tiny-patch16-224
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/in"
i=0
for n in 1 2 3 4; do for f in "$shared"/images/imagenet-sample/*.JPEG; do
  i=$((i + 1)); ln -s "$f" "$tmp/in/$(printf '%04d' $i).jpg"; done; done
fail=0
# exec: a backgrounded run's $! is then the binary itself, which kill must hit.
run() { (exec "$cli" profile "$tmp/in" --model "$model" --batch 4 --threads 1 -q "$@"); }
lines() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }

run -o "$tmp/full.jsonl" || { echo "FAIL: reference run"; fail=1; }
total=$(wc -l < "$tmp/full.jsonl")

# SIGKILL once a quarter of the records are out.
exec_bg() { "$cli" profile "$tmp/in" --model "$model" --batch 4 --threads 1 -q "$@" & pid=$!; }
exec_bg -o "$tmp/killed.jsonl"
while [ "$(lines "$tmp/killed.jsonl")" -lt $((total / 4)) ]; do sleep 0.05; done
kill -9 $pid; wait $pid 2>/dev/null
got=$(wc -l < "$tmp/killed.jsonl")
[ "$got" -lt "$total" ] || { echo "FAIL: run finished before the kill"; fail=1; }
[ -z "$(tail -c 1 "$tmp/killed.jsonl")" ] || { echo "FAIL: killed file ends mid-record"; fail=1; }
# A crash could also leave half a line: append one, resume must drop it.
printf '{"file":"half a rec' >> "$tmp/killed.jsonl"
run -o "$tmp/killed.jsonl" --resume 2>"$tmp/err" || { echo "FAIL: resume exit $?"; fail=1; }
grep -q "dropping a partial last record" "$tmp/err" || { echo "FAIL: partial record not reported"; fail=1; }
cmp -s "$tmp/full.jsonl" "$tmp/killed.jsonl" || { echo "FAIL: resumed file differs from uninterrupted run"; fail=1; }
# Resuming a finished run does nothing.
run -o "$tmp/killed.jsonl" --resume || fail=1
cmp -s "$tmp/full.jsonl" "$tmp/killed.jsonl" || { echo "FAIL: second resume changed the file"; fail=1; }
# CSV resumes too (header written once).
run -o "$tmp/full.csv" --format csv
exec_bg -o "$tmp/k.csv" --format csv
while [ "$(lines "$tmp/k.csv")" -lt $((total / 3)) ]; do sleep 0.05; done
kill -9 $pid; wait $pid 2>/dev/null
run -o "$tmp/k.csv" --format csv --resume
cmp -s "$tmp/full.csv" "$tmp/k.csv" || { echo "FAIL: resumed CSV differs"; fail=1; }

# Ctrl-C: clean stop after the current batch, exit 130, summary printed.
"$cli" profile "$tmp/in" --model "$model" --batch 4 --threads 1 -o "$tmp/int.jsonl" 2>"$tmp/err" & pid=$!
while [ "$(lines "$tmp/int.jsonl")" -lt 8 ]; do sleep 0.05; done
kill -INT $pid; wait $pid; code=$?
[ $code -eq 130 ] || { echo "FAIL: SIGINT exit code $code, want 130"; fail=1; }
grep -q "interrupted" "$tmp/err" || { echo "FAIL: no interrupted summary"; cat "$tmp/err"; fail=1; }
n=$(wc -l < "$tmp/int.jsonl")
[ $((n % 4)) -eq 0 ] && [ "$n" -lt "$total" ] || { echo "FAIL: $n records after SIGINT (whole batches expected)"; fail=1; }
head -n "$n" "$tmp/full.jsonl" | cmp -s - "$tmp/int.jsonl" || { echo "FAIL: interrupted file is not a prefix"; fail=1; }
# --resume needs -o.
"$cli" profile "$tmp/in" --model "$model" --resume 2>/dev/null; [ $? -eq 2 ] || { echo "FAIL: --resume without -o"; fail=1; }

[ $fail -eq 0 ] && echo "cli_resume: all checks passed"
exit $fail
