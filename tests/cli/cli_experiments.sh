#!/usr/bin/env bash
# Every experiment script (experiments/*.sh) runs end to end in its --tiny
# configuration (seconds) and writes its records, numbers and figures, so the
# scripts do not rot. Uses the sample models; the family script adds the
# llama2.c model of ../shared when present.
#
# Usage: tests/cli/cli_experiments.sh path/to/entropy-lens   (ctest passes it; 77 = skip)
set -uo pipefail
bin=${1:?usage: cli_experiments.sh path/to/entropy-lens}
root=$(cd "$(dirname "$0")/../.." && pwd)
[ -d "$root/samples/models/fortune-gpt2" ] && [ -d "$root/samples/models/fashion-vit" ] ||
  { echo "cli_experiments: sample models missing, skipping" >&2; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/el-experiments.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "cli_experiments: FAIL: $*" >&2; fail=1; }
export EL_BIN=$bin

# script, extra args, files it must write (non-empty), a line its output must hold
check() {
  local name=$1 args=$2 files=$3 want=$4 out=$tmp/$1$5
  timeout 300 bash "$root/experiments/$name.sh" --tiny --out "$out" $args >"$out.log" 2>&1 ||
    { bad "$name $args: exit $? ($(tail -n 3 "$out.log"))"; return; }
  for f in $files; do [ -s "$out/$f" ] || bad "$name $args: no $f"; done
  grep -q -- "$want" "$out.log" || bad "$name $args: output lacks '$want': $(tail -n 5 "$out.log")"
}
check task_type "" "prompts.jsonl records.jsonl profiles.png tsne.png classify_task.txt" "^k-NN accuracy" ""
check format "" "records.jsonl grid.txt profiles.png" "^3  *[0-9.]* " ""
check correctness "" "prompts.jsonl records.jsonl report.html" "questions to" "_mcq"
if [ -r /usr/share/games/fortunes/fortunes ]; then
  check correctness "--task cloze" "records.jsonl report.html correctness.txt" "baseline: max prob" "_cloze"
fi
check family "" "records_0.jsonl profiles.png" "samples from" ""
check vit_family "" "records_0.jsonl profiles.png" "images through" ""
check vit_class "" "records.jsonl profiles.png tsne.png classify_label.txt" "^k-NN accuracy" ""
check vit_correctness "" "records.jsonl report.html correctness.txt" "baseline: last layer" ""
# The prompt variants of task_type are what they claim.
grep -q '"prompt":"6: to 1 from Count","label":"counting","variant":"reversed"' "$tmp/task_type/prompts.jsonl" ||
  bad "task_type: the reversed variant of 'Count from 1 to 6:' is not there"
grep -q '"prompt":"from to Count 1 6:","label":"counting","variant":"scrambled"' "$tmp/task_type/prompts.jsonl" ||
  bad "task_type: the scrambled variant (even then odd positions) is not there"

[ "$fail" = 0 ] && echo "cli_experiments: ok"
exit "$fail"
