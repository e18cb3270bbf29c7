#!/usr/bin/env bash
# Correctness (the paper's third experiment, MMLU there): does the profile
# of an answer know whether the answer is right, better than the model's own
# output entropy or its top-1 probability?
#
# Questions (OUT/prompts.jsonl), --task:
#   mcq (default)  multiple-choice arithmetic made here (the paper uses MMLU,
#                  which is not shipped): "Question: What is a + b?", options
#                  A-D with the right one at a cycling letter, "Answer:"; each
#                  line has "answer"; `correct` by the default rule (the first
#                  standalone capital A-E generated; null when none);
#   cloze          for small models that do not answer questions: the first
#                  half of a fortune (Debian's fortunes package, the corpus
#                  the sample model learnt), "answer" = its next word,
#                  "extract" = the first word generated.
# `text` generates greedily (4 tokens; the profile is their mean). Then
# `correctness` (k-NN on the profiles, 10 stratified folds, or fewer when
# answers are few) with the two baselines beside its AUC, and the report.
#
# Usage: experiments/correctness.sh [--model PATH] [--out DIR] [--tiny] [--task mcq|cloze] [--questions N]
source "$(dirname "$0")/lib.sh"
exp_parse correctness "$@"
MODEL=${MODELS[0]:-$EXP_ROOT/samples/models/fortune-gpt2}
NQ=200 TASK=mcq
set -- "${EXTRA_ARGS[@]+"${EXTRA_ARGS[@]}"}"
while [ $# -gt 0 ]; do
    case $1 in --questions) NQ=$2; shift ;; --task) TASK=$2; shift ;; *) echo "correctness.sh: unknown $1" >&2; exit 2 ;; esac
    shift
done
[ $TINY = 1 ] && NQ=24
FORTUNES=/usr/share/games/fortunes/fortunes

if [ "$TASK" = cloze ]; then
    [ -r $FORTUNES ] || { echo "correctness.sh: --task cloze needs Debian's fortunes ($FORTUNES)" >&2; exit 77; }
    awk -v n="$NQ" 'BEGIN { RS = "%\n" }
    function esc(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return s }
    { gsub(/\n/, " "); gsub(/[ \t]+/, " "); sub(/^ /, ""); sub(/ $/, "") }
    NF >= 6 && NF <= 16 && k < n {
        k++; h = int(NF / 2); p = $1
        for (i = 2; i <= h; i++) p = p " " $i
        printf "{\"prompt\":\"%s\",\"label\":\"cloze\",\"answer\":\"%s\",\"extract\":\"^\\\\s*(\\\\S+)\"}\n", esc(p), esc($(h + 1))
    }' $FORTUNES >"$OUT/prompts.jsonl"
else
awk -v n="$NQ" 'BEGIN {
    split("A B C D", L, " ")
    for (i = 0; i < n; i++) {
        a = 2 + (i * 7) % 23; b = 1 + (i * 11) % 17; s = a + b
        r = i % 4 + 1                       # the right letter
        split((s - 1) " " (s + 2) " " (s + 1) " " (s - 3), wrong, " ")
        q = "Question: What is " a " + " b "?\\n"
        w = 0
        for (k = 1; k <= 4; k++) q = q L[k] ". " (k == r ? s : wrong[++w]) "\\n"
        printf "{\"prompt\":\"%sAnswer:\",\"label\":\"add\",\"answer\":\"%s\"}\n", q, L[r]
    }
}' >"$OUT/prompts.jsonl"
fi

exp_text --model "$MODEL" --bos always --prompts "$OUT/prompts.jsonl" -n 4 -q -o "$OUT/records.jsonl"
exp_correct_folds
echo "$(wc -l <"$OUT/records.jsonl") questions to $MODEL: $RIGHT right, $WRONG wrong, the rest nothing extracted" | tee "$OUT/summary.txt"
folds=$FOLDS
exp_table correctness correctness "$OUT/records.jsonl" --folds $folds --k 29
"$EL" report "$OUT/records.jsonl" --folds $folds --no-tsne -o "$OUT/report.html" 2>/dev/null || true
echo "report: $OUT/report.html"
