#!/usr/bin/env bash
# profile --tokens patches records where on the image the patch grid lies
# (`input_view`, after the model's resize and centre crop), and heatmap
# draws over that region. Tiny DeiT fixture: resize to 37 x 37, crop 32.
set -u
cli=${1:?usage: cli_heatmap_view.sh path/to/entropy-lens}
root=$(cd "$(dirname "$0")/../.." && pwd)
tiny=$root/tests/fixtures/tiny
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
cp "$tiny/pattern_odd.png" "$tmp/odd.png" # 47 x 40
"$cli" profile "$tmp/odd.png" --model "$tiny/deit-hf" --tokens patches --threads 1 -q -o "$tmp/p.jsonl" ||
  { echo "FAIL: profile"; fail=1; }
# offset (37 - 32) / 2 = 2 resized pixels; scale 47/37 and 40/37
want=$(awk 'BEGIN { printf "%.3f %.3f %.3f %.3f", 2*47/37, 2*40/37, 32*47/37, 32*40/37 }')
got=$(sed -n 's/.*"input_view":\[\([^]]*\)\].*/\1/p' "$tmp/p.jsonl" | awk -F, '{ printf "%.3f %.3f %.3f %.3f", $1, $2, $3, $4 }')
[ "$got" = "$want" ] || { echo "FAIL: input_view '$got', expected '$want'"; fail=1; }
# CLS-only records carry no view (nothing to draw it under)
"$cli" profile "$tmp/odd.png" --model "$tiny/deit-hf" --threads 1 -q -o "$tmp/c.jsonl" || fail=1
grep -q input_view "$tmp/c.jsonl" && { echo "FAIL: input_view without patches"; fail=1; }
"$cli" heatmap "$tmp/p.jsonl" --image odd.png -o "$tmp/h.png" 2>"$tmp/h.err" ||
  { echo "FAIL: heatmap"; cat "$tmp/h.err"; fail=1; }
grep -q warning "$tmp/h.err" && { echo "FAIL: heatmap warned"; cat "$tmp/h.err"; fail=1; }
[ -s "$tmp/h.png" ] || { echo "FAIL: no heatmap"; fail=1; }
# a malformed view is refused with the line named
sed 's/"input_view":\[[^]]*\]/"input_view":[1,2,0,3]/' "$tmp/p.jsonl" > "$tmp/bad.jsonl"
"$cli" heatmap "$tmp/bad.jsonl" --image odd.png -o "$tmp/b.png" 2>"$tmp/b.err"
[ $? -eq 3 ] && grep -q 'bad.jsonl:1: `input_view`' "$tmp/b.err" || { echo "FAIL: bad view"; cat "$tmp/b.err"; fail=1; }
exit $fail
