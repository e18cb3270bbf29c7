#!/usr/bin/env bash
# ViT counterpart of task type / family: do the CLS-token entropy profiles
# of an image classifier tell the image classes apart?
#
# `profile` on an image folder (labels: the first folder below it, or
# --labels FILE.csv), then classify --by label (k = 29, at most the images
# per class - 1; 10 stratified folds, or fewer when a class has fewer
# images), the profile plot by class and a t-SNE map.
# Default: the sample model fashion-vit on samples/images (Fashion-MNIST).
#
# Usage: experiments/vit_class.sh [--model DIR] [--images DIR] [--labels CSV] [--out DIR] [--tiny]
source "$(dirname "$0")/lib.sh"
exp_parse vit_class "$@"
IMAGES=${IMAGES:-$EXP_ROOT/samples/images}
if [ $TINY = 1 ]; then
    mkdir -p "$OUT/tiny"
    for d in "$IMAGES"/*/; do
        c=$(basename "$d")
        mkdir -p "$OUT/tiny/$c"
        ls "$d" | head -n 2 | while read -r f; do cp "$d/$f" "$OUT/tiny/$c/"; done
    done
    IMAGES=$OUT/tiny
fi
exp_profile_images
n=$(grep -vc '"error"' "$OUT/records.jsonl" || true)
echo "$n images from $IMAGES through $MODEL" | tee "$OUT/summary.txt"
# folds: at most the size of the smallest class (and 10)
folds=$(grep -o '"label":"[^"]*"' "$OUT/records.jsonl" | sort | uniq -c | awk 'NR == 1 || $1 < m { m = $1 } END { print (m < 10 ? m : 10) }')
[ "${folds:-0}" -ge 2 ] || folds=2
# k = 29 (the paper), but at most one less than the images per class: with a
# handful of images per class a larger k only counts the other classes.
classes=$(grep -o '"label":"[^"]*"' "$OUT/records.jsonl" | sort -u | wc -l)
k=$((n / (classes > 0 ? classes : 1) - 1))
[ $k -gt 29 ] && k=29
[ $k -lt 1 ] && k=1
exp_table classify_label classify "$OUT/records.jsonl" --by label --k $k --folds "$folds"
"$EL" plot "$OUT/records.jsonl" --by label --overlay --depth-axis fraction --no-band --title "Image classes: CLS entropy profiles" \
    -o "$OUT/profiles.png"
"$EL" embed "$OUT/records.jsonl" --by label --method tsne -o "$OUT/tsne.png" 2>/dev/null
echo "figures: $OUT/profiles.png $OUT/tsne.png"
