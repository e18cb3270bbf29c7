#!/usr/bin/env bash
# Family signatures (the paper's fourth experiment): does each model family
# leave its own shape in the entropy profile, whatever it generates?
#
# For every --model (one per family; default: the sample model and, when
# ../shared is present, the llama2.c model aidreams260K): 64 samples of 32
# tokens at T = 0.7 from a BOS-only prompt (`--prompt "" --bos always
# --samples 64`). Models of different depths are compared on the paper's
# normalised depth l/L (--depth-axis fraction, profiles resampled onto 32
# points): the profile plot by model, a t-SNE map by model, and classify
# --by model.
#
# Usage: experiments/family.sh [--model PATH]... [--out DIR] [--tiny]
source "$(dirname "$0")/lib.sh"
exp_parse family "$@"
if [ ${#MODELS[@]} -eq 0 ]; then
    MODELS=("$EXP_ROOT/samples/models/fortune-gpt2")
    shared=$EXP_ROOT/../shared/models/aidreams260K/aidreams260K.bin
    [ -f "$shared" ] && MODELS+=("$shared")
fi
S=64 T=32
[ $TINY = 1 ] && S=6 T=4
files=()
for i in "${!MODELS[@]}"; do
    f="$OUT/records_$i.jsonl"
    exp_text --model "${MODELS[$i]}" --prompt "" --bos always --samples $S -n $T --temperature 0.7 --seed 42 -q -o "$f"
    files+=("$f")
    echo "$(wc -l <"$f") samples from ${MODELS[$i]}" | tee -a "$OUT/summary.txt"
done
exp_compare_models "Family signatures (BOS-only prompt)" "${files[@]}"
