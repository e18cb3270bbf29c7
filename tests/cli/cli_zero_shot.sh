#!/usr/bin/env bash
# profile with zero-shot models (tiny CLIP and SigLIP fixtures): --classes and
# --templates build the classifier through the text tower; the class
# embeddings are cached in OUTPUT.classes.json, reused by the next run (shown
# by doctoring the cache: its numbers are what the lens then uses) and
# rebuilt when the class list changes.
set -u
cli=${1:?usage: cli_zero_shot.sh path/to/entropy-lens}
root=$(cd "$(dirname "$0")/../.." && pwd)
clip=$root/tests/fixtures/vision/clip
siglip=$root/tests/fixtures/vision/siglip
tiny=$root/tests/fixtures/tiny
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
imgs=("$tiny/pattern.png" "$root/samples/images/bag")
run() { # model, output, extra args...
  local model=$1 out=$2; shift 2
  "$cli" profile "${imgs[@]}" --model "$model" --classes "$model/classes.txt" --templates "$model/templates.txt" \
    --tokens patches,mean --threads 1 -o "$out" "$@"
}
run "$clip" "$tmp/p.jsonl" 2>"$tmp/e1" || { echo "FAIL: first run"; cat "$tmp/e1"; fail=1; }
grep -q "6 zero-shot classes, class embeddings written to $tmp/p.jsonl.classes.json" "$tmp/e1" ||
  { echo "FAIL: no cache written"; cat "$tmp/e1"; fail=1; }
[ -s "$tmp/p.jsonl.classes.json" ] || { echo "FAIL: no cache file"; fail=1; }
# the reference's answer for pattern.png (golden.json image_goldens[0])
head -1 "$tmp/p.jsonl" | grep -q '"top1":5,"top1_label":"crème brûlée","prob":0.9533' ||
  { echo "FAIL: pattern.png record"; head -c 300 "$tmp/p.jsonl"; fail=1; }
[ "$(wc -l < "$tmp/p.jsonl")" -ge 3 ] || { echo "FAIL: sample images not profiled"; fail=1; }
cp "$tmp/p.jsonl" "$tmp/first.jsonl"

# second run: the cache is read, the records are the same
run "$clip" "$tmp/p.jsonl" 2>"$tmp/e2" || { echo "FAIL: second run"; cat "$tmp/e2"; fail=1; }
grep -q "class embeddings read from" "$tmp/e2" || { echo "FAIL: cache not reused"; cat "$tmp/e2"; fail=1; }
cmp -s "$tmp/p.jsonl" "$tmp/first.jsonl" || { echo "FAIL: records differ with the cache"; fail=1; }

# the cached numbers are really used: every class the same embedding -> uniform, entropy ln 6 everywhere
row=$(printf '0.25,%.0s' $(seq 15))0.25
rows=$(printf "[$row],%.0s" $(seq 5))"[$row]"
sed "s/\"embeddings\":.*/\"embeddings\":[$rows]}/" "$tmp/p.jsonl.classes.json" > "$tmp/c" && cp "$tmp/c" "$tmp/p.jsonl.classes.json"
run "$clip" "$tmp/p.jsonl" 2>"$tmp/e3" || { echo "FAIL: doctored-cache run"; cat "$tmp/e3"; fail=1; }
head -1 "$tmp/p.jsonl" | grep -q '"entropy":\[1.791759,1.791759\]' ||
  { echo "FAIL: doctored cache not used"; head -c 300 "$tmp/p.jsonl"; fail=1; }

# a changed class list: the stale cache is rebuilt, not used
head -5 "$clip/classes.txt" > "$tmp/five.txt"
"$cli" profile "${imgs[@]}" --model "$clip" --classes "$tmp/five.txt" --templates "$clip/templates.txt" --threads 1 \
  -o "$tmp/p.jsonl" 2>"$tmp/e4" || { echo "FAIL: five classes"; cat "$tmp/e4"; fail=1; }
grep -q "5 zero-shot classes, class embeddings written to" "$tmp/e4" || { echo "FAIL: stale cache kept"; cat "$tmp/e4"; fail=1; }
grep -q '"top1_label":"crème brûlée"' "$tmp/p.jsonl" && { echo "FAIL: dropped class still predicted"; fail=1; }

# no --classes and no id2label names: one clear line, exit code 3
"$cli" profile "$tiny/pattern.png" --model "$clip" -q -o "$tmp/n.jsonl" 2>"$tmp/e5"
rc=$?
{ [ $rc -eq 3 ] && grep -q "need --classes FILE" "$tmp/e5" && [ "$(wc -l < "$tmp/e5")" -eq 1 ]; } ||
  { echo "FAIL: no --classes (rc $rc)"; cat "$tmp/e5"; fail=1; }
# without --classes, a config's id2label names are the classes (placeholders LABEL_k are not)
cp -r "$clip" "$tmp/named"
sed 's/"model_type": "clip",/"model_type": "clip", "id2label": {"0": "bird", "1": "crème brûlée", "2": "cat"},/' \
  "$clip/config.json" > "$tmp/named/config.json"
"$cli" profile "$tiny/pattern.png" --model "$tmp/named" -o "$tmp/named.jsonl" 2>"$tmp/e7" ||
  { echo "FAIL: id2label classes"; cat "$tmp/e7"; fail=1; }
grep -q "3 zero-shot classes" "$tmp/e7" && grep -q '"top1_label":"crème brûlée"' "$tmp/named.jsonl" ||
  { echo "FAIL: id2label classes not used"; cat "$tmp/e7"; fail=1; }
sed 's/"model_type": "clip",/"model_type": "clip", "id2label": {"0": "LABEL_0", "1": "LABEL_1"},/' \
  "$clip/config.json" > "$tmp/named/config.json"
"$cli" profile "$tiny/pattern.png" --model "$tmp/named" -q 2>"$tmp/e8" >/dev/null
grep -q "need --classes FILE" "$tmp/e8" || { echo "FAIL: LABEL_k taken as classes"; cat "$tmp/e8"; fail=1; }
# a template without {} is refused naming the file and line
printf 'a photo of a {}.\nno field here\n' > "$tmp/bad.txt"
"$cli" profile "$tiny/pattern.png" --model "$clip" --classes "$clip/classes.txt" --templates "$tmp/bad.txt" -q 2>"$tmp/e6" >/dev/null
grep -q "bad.txt:2" "$tmp/e6" || { echo "FAIL: bad template"; cat "$tmp/e6"; fail=1; }

# SigLIP: the reference's answer for pattern.png, no prefix tokens (16 patches)
run "$siglip" "$tmp/s.jsonl" -q || { echo "FAIL: siglip"; fail=1; }
head -1 "$tmp/s.jsonl" | grep -q '"top1":5,"top1_label":"crème brûlée","prob":0.9978' ||
  { echo "FAIL: siglip pattern.png record"; head -c 300 "$tmp/s.jsonl"; fail=1; }
n=$(head -1 "$tmp/s.jsonl" | sed 's/.*"patch_entropy":\[\[\([^]]*\)\].*/\1/' | tr ',' '\n' | wc -l)
[ "$n" -eq 16 ] || { echo "FAIL: siglip patches $n"; fail=1; }
# a class name longer than the 77-token context is cut keeping the end token,
# as the reference (clip_tokenizers.py) and clip.tokenize(truncate=True) do:
# entropies of tools/reference/reference_vision_families.py on this class list
{ echo airplane; printf 'a very long name %.0s' $(seq 30); echo; echo cat; } > "$tmp/long.txt"
"$cli" profile "$tiny/pattern.png" --model "$clip" --classes "$tmp/long.txt" -q >"$tmp/long.jsonl" ||
  { echo "FAIL: long class name"; fail=1; }
sed 's/.*"entropy":\[\([^]]*\)\].*/\1/' "$tmp/long.jsonl" |
  awk -F, '{ d1 = $1 - 0.677168621; d2 = $2 - 0.256920687; exit !(d1 * d1 < 1e-8 && d2 * d2 < 1e-8) }' ||
  { echo "FAIL: long class name entropies"; cat "$tmp/long.jsonl"; fail=1; }
# --resume after the classes file was edited in place: refused (two classifiers in one output)
cp "$clip/classes.txt" "$tmp/edit.txt"
"$cli" profile "$tiny/pattern.png" --model "$clip" --classes "$tmp/edit.txt" -q -o "$tmp/r.jsonl" 2>/dev/null ||
  { echo "FAIL: run before edit"; fail=1; }
"$cli" profile "$tiny/pattern.png" --model "$clip" --classes "$tmp/edit.txt" -q -o "$tmp/r.jsonl" --resume 2>/dev/null ||
  { echo "FAIL: resume of an unchanged run"; fail=1; }
sed -i '1s/.*/zebra/' "$tmp/edit.txt"
"$cli" profile "$tiny/pattern.png" --model "$clip" --classes "$tmp/edit.txt" -q -o "$tmp/r.jsonl" --resume 2>"$tmp/e8"
rc=$?
{ [ $rc -eq 3 ] && grep -q "differ" "$tmp/e8"; } || { echo "FAIL: resume with an edited classes file (rc $rc)"; cat "$tmp/e8"; fail=1; }
# info names the activation and the zero-shot lens
"$cli" info --model "$clip" --classes "$clip/classes.txt" >"$tmp/info" 2>&1 || { echo "FAIL: info"; fail=1; }
grep -q "quick-GELU" "$tmp/info" && grep -q "cos(visual_projection(LN(cls_l)), class embeddings)" "$tmp/info" &&
  grep -q "^classes       6: airplane" "$tmp/info" || { echo "FAIL: info card"; cat "$tmp/info"; fail=1; }
exit $fail
