#!/usr/bin/env bash
# ViT counterpart of family signatures: does each image model leave its own
# shape in the CLS entropy profile, whatever the image?
#
# For every --model (default: the sample fashion-vit and, when ../shared is
# present, ViT-Tiny): `profile` of the same image folder (default
# samples/images). Models of different depths (4 and 12 blocks) are compared
# on the paper's normalised depth l/L (--depth-axis fraction, resampled onto
# 32 points): the profile plot by model, a t-SNE map and classify --by model.
#
# Usage: experiments/vit_family.sh [--model DIR]... [--images DIR] [--out DIR] [--tiny]
source "$(dirname "$0")/lib.sh"
exp_parse vit_family "$@"
if [ ${#MODELS[@]} -eq 0 ]; then
    MODELS=("$EXP_ROOT/samples/models/fashion-vit")
    shared=$EXP_ROOT/../shared/models/vit-tiny-patch16-224
    [ -d "$shared" ] && MODELS+=("$shared")
fi
IMAGES=${IMAGES:-$EXP_ROOT/samples/images}
if [ $TINY = 1 ]; then
    mkdir -p "$OUT/tiny"
    find "$IMAGES" -type f \( -name '*.png' -o -name '*.jpg' -o -name '*.JPEG' \) | sort | head -n 8 |
        while read -r f; do cp "$f" "$OUT/tiny/$(basename "$(dirname "$f")")_$(basename "$f")"; done
    IMAGES=$OUT/tiny
fi
files=()
for i in "${!MODELS[@]}"; do
    f="$OUT/records_$i.jsonl"
    "$EL" profile "$IMAGES" --model "${MODELS[$i]}" -q -o "$f"
    files+=("$f")
    echo "$(grep -vc '"error"' "$f") images through ${MODELS[$i]}" | tee -a "$OUT/summary.txt"
done
exp_compare_models "Image model signatures" "${files[@]}"
