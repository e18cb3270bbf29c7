#!/usr/bin/env bash
# Task type (the paper's first experiment): can a k-NN on entropy profiles
# tell which task a prompt asks for, whatever the order of its words?
#
# Prompts (written to OUT/prompts.jsonl, `label` = task, `variant`):
#   story     a TinyStories-style story opening and "Continue the story:";
#   counting  "Count from N to M:";
#   semantic  an instruction about a word ("Give a synonym of happy:", ...);
# each in 4 variants of its words: base, reversed, scrambled (the words at
# even positions, then those at odd positions) and scrambled-reversed.
# `text` samples 8 tokens (T = 1) per prompt, BOS first (--bos always, as
# TransformerLens prepends it); then classify --by label (task)
# and --by variant (k = 29, 10 folds, or fewer when there are few prompts),
# the profile plot by task and a t-SNE map.
#
# Usage: experiments/task_type.sh [--model PATH] [--out DIR] [--tiny] [--per-task N]
source "$(dirname "$0")/lib.sh"
exp_parse task_type "$@"
MODEL=${MODELS[0]:-$EXP_ROOT/samples/models/fortune-gpt2}
PER=40
[ "${EXTRA_ARGS[0]:-}" = --per-task ] && PER=${EXTRA_ARGS[1]}
[ $TINY = 1 ] && PER=4
K=29 FOLDS=10
[ $TINY = 1 ] && K=3 FOLDS=2

awk -v per="$PER" '
function esc(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return s }
function variant(s, v,    w, n, i, o, k) {
    n = split(s, w, " ")
    if (v == "base") return s
    o = ""
    if (v == "reversed") { for (i = n; i >= 1; i--) o = o (o == "" ? "" : " ") w[i]; return o }
    k = 0
    for (i = 2; i <= n; i += 2) sc[++k] = w[i]
    for (i = 1; i <= n; i += 2) sc[++k] = w[i]
    if (v == "scrambled") { for (i = 1; i <= n; i++) o = o (o == "" ? "" : " ") sc[i]; return o }
    for (i = n; i >= 1; i--) o = o (o == "" ? "" : " ") sc[i]
    return o
}
BEGIN {
    ns = split("Once upon a time there was a little dog named Max.|Lily found a red ball in the park one sunny day.|Tom and his sister built a big castle out of sand.|A small bird could not fly, so it asked the wise owl for help.|The little girl wanted to bake a cake for her mom.|One day a cat saw a fish jumping in the pond.|Ben lost his blue hat and looked for it everywhere.|There was a kind bear who loved to share honey.|Sara went to the zoo and saw a tall giraffe.|The boy had a toy car that could go very fast.", story, "|")
    nw = split("happy|big|cold|fast|bright|quiet|old|soft|angry|small|green|sweet|loud|dark|empty", word, "|")
    ni = split("Give a synonym of|Give the opposite of|Use in a sentence the word|Name something that is", instr, "|")
    nv = split("base reversed scrambled scrambled-reversed", vv, " ")
    for (i = 0; i < per; i++) {
        p["story"] = story[i % ns + 1] " Continue the story:"
        a = 1 + (i * 7) % 50
        p["counting"] = "Count from " a " to " a + 5 + i % 5 ":"
        p["semantic"] = instr[i % ni + 1] " " word[int(i / ni) % nw + 1] ":"
        for (t in p) for (j = 1; j <= nv; j++)
            printf "{\"prompt\":\"%s\",\"label\":\"%s\",\"variant\":\"%s\"}\n", esc(variant(p[t], vv[j])), t, vv[j]
    }
}' | sort -t'"' -k8,8 -s >"$OUT/prompts.jsonl"

exp_text --model "$MODEL" --bos always --prompts "$OUT/prompts.jsonl" -n 8 --temperature 1 --seed 42 -q -o "$OUT/records.jsonl"
echo "$(wc -l <"$OUT/records.jsonl") records from $MODEL" | tee "$OUT/summary.txt"
exp_table classify_task classify "$OUT/records.jsonl" --by label --k $K --folds $FOLDS
exp_table classify_variant classify "$OUT/records.jsonl" --by variant --k $K --folds $FOLDS
"$EL" plot "$OUT/records.jsonl" --by label --depth-axis fraction --title "Task type: entropy profiles" -o "$OUT/profiles.png"
"$EL" embed "$OUT/records.jsonl" --by label --method tsne -o "$OUT/tsne.png" 2>/dev/null ||
    "$EL" embed "$OUT/records.jsonl" --by label --method pca -o "$OUT/tsne.png"
echo "figures: $OUT/profiles.png $OUT/tsne.png"
