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
exp_profile_images
exp_correct_folds
echo "$((RIGHT + WRONG)) labelled images through $MODEL: $RIGHT right, $WRONG wrong" | tee "$OUT/summary.txt"
folds=$FOLDS
k=29
[ $TINY = 1 ] && k=3
exp_table correctness correctness "$OUT/records.jsonl" --folds $folds --k $k
"$EL" report "$OUT/records.jsonl" --folds $folds --k $k --no-tsne -o "$OUT/report.html" 2>/dev/null || true
echo "report: $OUT/report.html"
