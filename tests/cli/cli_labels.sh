#!/usr/bin/env bash
# Labels CSV (`profile --labels`), issue 12: class_index is parsed without
# wrapping through int (4294967297 is an error, not class 1), indices at or
# past the model's class count are refused, a UTF-8 BOM before the header is
# accepted. Each refusal is a one-line error naming the file, line and reason.
# The run summary prints top-1 accuracy when labels are known.
# Also: without --model, a note names the Fashion-MNIST sample model in use.
#
# Usage: tests/cli/cli_labels.sh path/to/entropy-lens   (ctest passes it; 77 = skip)
set -uo pipefail
bin=${1:?usage: cli_labels.sh path/to/entropy-lens}
root=$(cd "$(dirname "$0")/../.." && pwd)
model=$root/tests/fixtures/tiny/vit-hf-f32 # 10 classes
img=$root/tests/fixtures/tiny/pattern.png
[ -d "$model" ] || { echo "cli_labels: fixture model $model missing, skipping" >&2; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/el-labels.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "cli_labels: FAIL: $*" >&2; fail=1; }

run() { # csv-content -> sets rc, out (stdout), err (stderr)
  printf '%b' "$1" >"$tmp/labels.csv"
  "$bin" profile "$img" --model "$model" --labels "$tmp/labels.csv" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  out=$(cat "$tmp/out")
  err=$(cat "$tmp/err")
}

run 'file,class_index\npattern.png,4294967297\n'
[ "$rc" = 2 ] || [ "$rc" = 3 ] || bad "class_index 4294967297: exit $rc, want a fatal/usage error"
grep -q "labels.csv:2: class_index '4294967297' is not a non-negative integer\|labels.csv:2: class_index 4294967297 is out of range" <<<"$err" ||
  bad "class_index 4294967297: no error naming the line: $err"
grep -q '"label_index": *1\b' <<<"$out" && bad "class_index 4294967297 wrapped to 1"

run 'file,class_index\npattern.png,99999999999999999999999\n'
[ "$rc" != 0 ] || bad "class_index past LONG_MAX accepted"

run 'file,class_index\npattern.png,10\n'
[ "$rc" != 0 ] || bad "class_index 10 on a 10-class model accepted"
grep -q "labels.csv:2: class_index 10 is out of range (the model has 10 classes)" <<<"$err" ||
  bad "class_index 10: message: $err"

run '\xef\xbb\xbffile,class_index\npattern.png,3\n'
[ "$rc" = 0 ] || bad "UTF-8 BOM refused (exit $rc): $err"
grep -q '"label_index": *3' <<<"$out" || bad "UTF-8 BOM: label_index 3 not in the record: $out"

run 'file,class_index\npattern.png,9\n'
[ "$rc" = 0 ] || bad "class_index 9 refused (exit $rc): $err"
# The summary prints top-1 accuracy when labels are known, agreeing with the record.
if grep -q '"correct": *true' <<<"$out"; then want='top-1 accuracy 1.0000 (1 of 1 images'; else want='top-1 accuracy 0.0000 (0 of 1 images'; fi
grep -qF "$want" <<<"$err" || bad "summary: want '$want': $err"
"$bin" profile "$img" --model "$model" >/dev/null 2>"$tmp/err"
grep -q "top-1 accuracy" "$tmp/err" && bad "top-1 accuracy printed without labels"

# Without --model the Fashion-MNIST sample is used: a note says so (issue 17).
"$bin" profile "$img" >/dev/null 2>"$tmp/err" || bad "profile without --model failed: $(cat "$tmp/err")"
grep -q "no --model given: using the Fashion-MNIST sample model" "$tmp/err" || bad "no Fashion-MNIST note: $(cat "$tmp/err")"
"$bin" profile "$img" --model "$model" >/dev/null 2>"$tmp/err"
grep -q "Fashion-MNIST" "$tmp/err" && bad "Fashion-MNIST note with --model"

# Folders that match no class: one warning line for all of them, label_index null.
mkdir -p "$tmp/tree/coat" "$tmp/tree/nonsense" "$tmp/tree/other"
for d in coat nonsense other; do
  for k in 1 2 3; do ln -s "$root/samples/images/coat/$(ls "$root/samples/images/coat" | head -1)" "$tmp/tree/$d/$k.png"; done
done
"$bin" profile "$tmp/tree" -o "$tmp/tree.jsonl" 2>"$tmp/err" || bad "profile of a tree with unknown folders"
[ "$(grep -c "match no class" "$tmp/err")" = 1 ] || bad "want one unmatched-folder warning: $(cat "$tmp/err")"
grep -q "2 label folders match no class of fashion-vit ('nonsense', 'other')" "$tmp/err" || bad "warning text: $(cat "$tmp/err")"
[ "$(grep -c '"label":"nonsense","label_index":null' "$tmp/tree.jsonl")" = 3 ] || bad "nonsense images not null"
[ "$(grep -c '"label":"coat","label_index":4' "$tmp/tree.jsonl")" = 3 ] || bad "coat images lost their class"

# ImageNet synset folders (n01440764 = tench = class 0) with a 1000-class model from ../shared.
vit=$root/../shared/models/vit-tiny-patch16-224
if [ -d "$vit" ]; then
  mkdir -p "$tmp/inet/n01440764" "$tmp/inet/n15075141" "$tmp/inet/n99999999"
  ln -s "$img" "$tmp/inet/n01440764/a.png"
  ln -s "$img" "$tmp/inet/n15075141/a.png" # toilet tissue, the last class (999)
  ln -s "$img" "$tmp/inet/n99999999/a.png"
  "$bin" profile "$tmp/inet" --model "$vit" -o "$tmp/inet.jsonl" 2>"$tmp/err" || bad "synset tree: $(cat "$tmp/err")"
  grep -q '"label":"n01440764","label_index":0,' "$tmp/inet.jsonl" || bad "n01440764 is not class 0"
  grep -q '"label":"n15075141","label_index":999,' "$tmp/inet.jsonl" || bad "n15075141 is not class 999"
  grep -q '"label":"n99999999","label_index":null' "$tmp/inet.jsonl" || bad "an unknown synset got a class"
  grep -q "1 label folder matches no class" "$tmp/err" || bad "no warning for n99999999: $(cat "$tmp/err")"
  grep -q "top-1 accuracy .* (0 of 2\|top-1 accuracy .* of 2 images" "$tmp/err" || bad "no accuracy line: $(cat "$tmp/err")"
else
  echo "cli_labels: ../shared not found, synset folders not checked" >&2
fi

[ "$fail" = 0 ] && echo "cli_labels: ok"
exit "$fail"
