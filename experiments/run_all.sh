#!/usr/bin/env bash
# Every experiment on the sample models and, when ../shared is present, on
# its real models (aidreams260K, ViT-Tiny on imagenet-sample): the runs
# behind the numbers in docs/experiments.md. Output under --out DIR
# (default experiments/out/all), one folder and one log per run.
#
# Usage: experiments/run_all.sh [--out DIR] [--tiny]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$here/out/all
tiny=()
while [ $# -gt 0 ]; do
    case $1 in --out) out=$2; shift ;; --tiny) tiny=(--tiny) ;; *) echo "run_all.sh: unknown $1" >&2; exit 2 ;; esac
    shift
done
shared=$here/../../shared
A=$shared/models/aidreams260K/aidreams260K.bin
V=$shared/models/vit-tiny-patch16-224
I=$shared/images/imagenet-sample
mkdir -p "$out"
failed=0
run() { # name script args...
    local name=$1
    shift
    echo "== $name" >&2
    bash "$here/$1" "${@:2}" "${tiny[@]+"${tiny[@]}"}" --out "$out/$name" >"$out/$name.log" 2>&1 ||
        { echo "   FAILED (see $out/$name.log)" >&2; failed=1; }
}
run task_type_gpt2 task_type.sh
run format_gpt2 format.sh
run corr_mcq_gpt2 correctness.sh
run corr_cloze_gpt2 correctness.sh --task cloze
run family family.sh
run vit_class_fashion vit_class.sh
run vit_corr_fashion vit_correctness.sh
run vit_family vit_family.sh
if [ -f "$A" ]; then
    run task_type_aid task_type.sh --model "$A"
    run format_aid format.sh --model "$A"
    run corr_cloze_aid correctness.sh --task cloze --model "$A"
    run vit_corr_imagenet vit_correctness.sh --model "$V" --images "$I" --labels "$I/labels.csv"
else
    echo "SKIP: ../shared not found: the real-model runs are left out" >&2
fi
echo "logs and results in $out" >&2
exit $failed
