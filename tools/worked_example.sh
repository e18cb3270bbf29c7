#!/usr/bin/env bash
# Reproduces docs/worked-example.md: the sample ViT on Fashion-MNIST test
# images (profiles by class, classify, correctness, embedding, heatmap) and
# the sample language model on prompts of three kinds (task identification).
# Usage: tools/worked_example.sh [WORKDIR]   (default /tmp/el-example)
# Needs Debian's python3-pil and dataset-fashion-mnist (for exporting PNGs).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/el-example}
mkdir -p "$work" docs/img
B=$(scripts/build.sh release)/entropy-lens
PY=/usr/bin/python3

echo "== images: 50 Fashion-MNIST test images per class (not the 4 in samples/images)"
rm -rf "$work/fmnist"
$PY tools/train/export_fashion_mnist.py "$work/fmnist" --per-class 50 --offset 4
$B profile "$work/fmnist" --tokens cls,patches,mean -o "$work/fmnist.jsonl" -q
$B classify "$work/fmnist.jsonl" --by label | tee "$work/classify_images.txt"
$B classify "$work/fmnist.jsonl" --by label --json > "$work/classify_images.json"
$B correctness "$work/fmnist.jsonl" | tee "$work/correctness_images.txt"
$B plot "$work/fmnist.jsonl" --by label -o docs/img/example_fmnist_profiles.png
$B embed "$work/fmnist.jsonl" --by label --method tsne -o docs/img/example_fmnist_tsne.png
first=$(ls "$work/fmnist/sneaker" | head -1)
$B heatmap "$work/fmnist.jsonl" --image "$first" -o docs/img/example_fmnist_heatmap.png

echo "== text: 40 prompts each of continuation, counting and question"
$PY tools/fixtures/make_example_prompts.py "$work/prompts.jsonl" --per-kind 40
$B text --prompts "$work/prompts.jsonl" -n 32 -o "$work/text.jsonl" -q
$B classify "$work/text.jsonl" --by label | tee "$work/classify_text.txt"
$B text --prompts "$work/prompts.jsonl" -n 32 --windows 4 -o "$work/text_w4.jsonl" -q
$B classify "$work/text_w4.jsonl" --by label | tee "$work/classify_text_w4.txt"
$B plot "$work/text.jsonl" --by label -o docs/img/example_text_profiles.png

echo "== both models on one normalised-depth axis"
$B plot "$work/fmnist.jsonl" "$work/text.jsonl" --by model -o docs/img/example_vit_vs_lm.png
$B report "$work/fmnist.jsonl" -o "$work/report.html"
echo "outputs in $work and docs/img/"
