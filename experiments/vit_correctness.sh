#!/usr/bin/env bash
# ViT counterpart of correctness: does the CLS profile know when the
# classifier's top-1 answer is right, better than the last layer's entropy
# or the top-1 probability alone?
#
# `profile` on labelled images (folder names or --labels FILE.csv; records
# carry `correct`), then `correctness` (k-NN, stratified folds: 10, or fewer
# when wrong answers are few) with its two baselines, and the report.
# The paper uses augmented ImageNet images to have enough wrong answers;
# here any labelled folder (default: fashion-vit on samples/images).
#
# Usage: experiments/vit_correctness.sh [--model DIR] [--images DIR] [--labels CSV] [--out DIR] [--tiny]
source "$(dirname "$0")/lib.sh"
exp_parse vit_correctness "$@"
MODEL=${MODELS[0]:-$EXP_ROOT/samples/models/fashion-vit}
IMAGES=${IMAGES:-$EXP_ROOT/samples/images}
args=(--model "$MODEL" -q -o "$OUT/records.jsonl")
[ -n "$LABELS" ] && args+=(--labels "$LABELS")
"$EL" profile "$IMAGES" "${args[@]}"
right=$(grep -c '"correct":true' "$OUT/records.jsonl" || true)
wrong=$(grep -c '"correct":false' "$OUT/records.jsonl" || true)
echo "$((right + wrong)) labelled images through $MODEL: $right right, $wrong wrong" | tee "$OUT/summary.txt"
folds=10
min=$((right < wrong ? right : wrong))
[ $min -lt $folds ] && folds=$((min < 2 ? 2 : min))
k=29
[ $TINY = 1 ] && k=3
exp_table correctness correctness "$OUT/records.jsonl" --folds $folds --k $k
"$EL" report "$OUT/records.jsonl" --folds $folds --k $k --no-tsne -o "$OUT/report.html" 2>/dev/null || true
echo "report: $OUT/report.html"
