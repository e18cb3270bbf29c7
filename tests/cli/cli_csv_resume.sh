#!/usr/bin/env bash
# `text --format csv --resume` counts records with a CSV reader: generated
# text holds newlines inside quoted fields, and counting lines dropped prompts
# (issue 12). The full file is cut after each whole record and, for a torn
# write, inside the record that follows; --resume must give back the
# uninterrupted run's bytes every time (0 lost, 0 duplicated).
# Uses the sample model samples/models/fortune-gpt2 (its fortunes have newlines);
# --batch 1, since a resumed run batches other prompts together and batched
# GEMMs may differ in the last float digit.
#
# Usage: tests/cli/cli_csv_resume.sh path/to/entropy-lens   (77 = skip)
set -uo pipefail
bin=${1:?usage: cli_csv_resume.sh path/to/entropy-lens}
root=$(cd "$(dirname "$0")/../.." && pwd)
lm=$root/samples/models/fortune-gpt2
[ -d "$lm" ] || { echo "cli_csv_resume: sample model missing, skipping" >&2; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/el-csvres.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "cli_csv_resume: FAIL: $*" >&2; fail=1; }
printf '{"prompt":"%s"}\n' "Q:" "A fortune" "You will" "Beware" "Love" "Today" >"$tmp/p.jsonl"
run() { "$bin" text --model "$lm" --prompts "$tmp/p.jsonl" -n 24 --batch 1 --threads 1 -q --format csv "$@"; }
run -o "$tmp/full.csv" || { bad "reference run"; exit 1; }
lines=$(wc -l <"$tmp/full.csv")
[ "$lines" -gt 7 ] || { echo "cli_csv_resume: no newline in generated text, cannot test, skipping" >&2; exit 77; }
# Byte offsets just after each record's terminating newline (outside quotes).
ends=$(awk 'BEGIN{RS="\0"} {q=0; for(i=1;i<=length($0);i++){c=substr($0,i,1); if(c=="\"") q=!q; else if(c=="\n" && !q) print i}}' "$tmp/full.csv")
prev=0
for e in $ends; do
  for cut in "$e" $(( (prev + e) / 2 )); do
    head -c "$cut" "$tmp/full.csv" >"$tmp/cut.csv"; cp "$tmp/full.csv.run.json" "$tmp/cut.csv.run.json"
    run -o "$tmp/cut.csv" --resume 2>"$tmp/err" || bad "resume after $cut bytes: exit $?: $(cat "$tmp/err")"
    cmp -s "$tmp/full.csv" "$tmp/cut.csv" || bad "resume after $cut of $(wc -c <"$tmp/full.csv") bytes differs from the uninterrupted run"
  done
  prev=$e
done
[ "$fail" = 0 ] && echo "cli_csv_resume: ok"
exit "$fail"
