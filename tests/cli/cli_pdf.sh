#!/usr/bin/env bash
# Vector PDF figures: plot, embed and heatmap write .pdf files that start with
# %PDF and, when poppler-utils' pdftotext is installed, contain the labels as
# text, non-ASCII ones included ("пальто", "trøuser"); PNG and SVG of the
# same plot still work.
set -euo pipefail
bin=${1:?usage: cli_pdf.sh path/to/entropy-lens}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$bin" profile samples/images --tokens cls,patches -o "$tmp/raw.jsonl" 2>/dev/null
# Relabel two classes with non-ASCII names (labels come from folder names).
sed -e 's/"label":"coat"/"label":"пальто"/' -e 's/"label":"trouser"/"label":"trøuser"/' \
  "$tmp/raw.jsonl" > "$tmp/rec.jsonl"
grep -q 'пальто' "$tmp/rec.jsonl" || { echo "FAIL: relabelling did not apply"; exit 1; }
"$bin" plot "$tmp/rec.jsonl" --by label --title "Entropie über Tiefe" -o "$tmp/plot.pdf"
"$bin" embed "$tmp/rec.jsonl" --by label --method pca -o "$tmp/embed.pdf"
file=$(head -1 "$tmp/rec.jsonl" | sed 's/.*"file":"\([^"]*\)".*/\1/')
"$bin" heatmap "$tmp/rec.jsonl" --image "$file" -o "$tmp/heat.pdf"
for f in plot embed heat; do
  [ "$(head -c 5 "$tmp/$f.pdf")" = "%PDF-" ] || { echo "FAIL: $f.pdf is not a PDF"; exit 1; }
done
"$bin" plot "$tmp/rec.jsonl" --by label -o "$tmp/plot.png"
"$bin" plot "$tmp/rec.jsonl" --by label -o "$tmp/plot.svg"
if ! command -v pdftotext >/dev/null; then
  echo "pdftotext (poppler-utils) absent: PDF text not checked"; exit 0
fi
for want in "пальто" "trøuser" "Entropie über Tiefe" "normalised depth"; do
  pdftotext "$tmp/plot.pdf" - | grep -qF "$want" || { echo "FAIL: plot.pdf lacks the text '$want'"; exit 1; }
done
pdftotext "$tmp/embed.pdf" - | grep -qF "пальто" || { echo "FAIL: embed.pdf lacks the label 'пальто'"; exit 1; }
pdftotext "$tmp/heat.pdf" - | grep -qi "layer" || { echo "FAIL: heat.pdf has no layer captions"; exit 1; }
echo "PDF figures OK (text checked with pdftotext)"
