#!/usr/bin/env bash
# Format (the paper's second experiment): do the profiles of a long
# generation tell a poem from a scientific piece from a chat log?
#
# Prompts (OUT/prompts.jsonl, `label` = format, `topic`): for each topic of
# a built-in list, "Write a poem about T.", "Write a scientific article
# about T. Abstract:" and "A chat log about T. User:". `text` generates
# greedily (the paper: 256 tokens; here min(256, context - 48) rounded down
# to a multiple of 8, room for the prompt), averaged in 8 windows (entropy is 8 x L), with Renyi
# entropies alpha = 0.5 and 5 (alpha = 1 is the Shannon `entropy`). Then
# classify --by label with unshuffled stratified folds (--no-shuffle, as the
# paper) for k = 3, 5, 7 and alpha = 0.5, 1, 5: OUT/grid.txt holds the
# accuracy table. Plus the profile plot by format.
#
# Usage: experiments/format.sh [--model PATH] [--out DIR] [--tiny]
source "$(dirname "$0")/lib.sh"
exp_parse format "$@"
MODEL=${MODELS[0]:-$EXP_ROOT/samples/models/fortune-gpt2}
CTX=$(exp_context "$MODEL")
N=256
[ -n "$CTX" ] && [ $((CTX - 48)) -lt $N ] && N=$(((CTX - 48) / 8 * 8))
TOPICS="the sea|the moon|a forest|winter|the city|music|friendship|the sun|a river|mountains|time|the stars|rain|a garden|fire|the wind|memory|a journey|the night|birds|bread|a library|the desert|snow|a clock|the ocean floor|light|a bridge|dreams|the harvest"
FOLDS=10
if [ $TINY = 1 ]; then N=8; TOPICS="the sea|the moon|a forest|winter"; FOLDS=2; fi

printf '%s\n' "$TOPICS" | tr '|' '\n' | awk '{
    printf "{\"prompt\":\"Write a poem about %s.\\n\",\"label\":\"poem\",\"topic\":\"%s\"}\n", $0, $0
    printf "{\"prompt\":\"Write a scientific article about %s.\\nAbstract:\",\"label\":\"scientific\",\"topic\":\"%s\"}\n", $0, $0
    printf "{\"prompt\":\"A chat log about %s.\\nUser:\",\"label\":\"chat\",\"topic\":\"%s\"}\n", $0, $0
}' >"$OUT/prompts.jsonl"

exp_text --model "$MODEL" --bos always --prompts "$OUT/prompts.jsonl" -n $N --windows 8 --alpha 0.5,5 -q -o "$OUT/records.jsonl"
echo "$(wc -l <"$OUT/records.jsonl") records from $MODEL, $N greedy tokens in 8 windows" | tee "$OUT/summary.txt"
{
    printf '%-8s %-10s %-10s %-10s\n' k "alpha=0.5" "alpha=1" "alpha=5"
    for k in 3 5 7; do
        row="$k"
        for f in renyi:0.5 cls renyi:5; do
            acc=$("$EL" classify "$OUT/records.jsonl" --by label --k $k --folds $FOLDS --no-shuffle --features $f 2>/dev/null |
                awk '/^k-NN accuracy/ { print $3 }')
            row="$row ${acc:-n/a}"
        done
        echo "$row" | awk '{ printf "%-8s %-10s %-10s %-10s\n", $1, $2, $3, $4 }'
    done
} | tee "$OUT/grid.txt"
echo "(k-NN accuracy, mean over $FOLDS unshuffled stratified folds; chance = 1/3)" | tee -a "$OUT/grid.txt"
"$EL" plot "$OUT/records.jsonl" --by label --depth-axis fraction --title "Format: entropy profiles (mean over windows)" \
    -o "$OUT/profiles.png"
echo "figure: $OUT/profiles.png"
