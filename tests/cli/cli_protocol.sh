#!/usr/bin/env bash
# The paper's protocol options (issue 18), end to end:
#   - --depth-axis: correctness --json places resampled features at l/L
#     (fraction) or (l-1)/(L-1) (ends); plot accepts both, refuses others.
#   - text --samples N: N records per prompt with `sample` and `seed` (the
#     documented derivation), samples differ, a rerun reproduces them, the
#     seeds do not depend on --batch, a resumed run equals an unbroken one
#     (JSONL and CSV), greedy --samples 2 is refused.
# Uses the sample model samples/models/fortune-gpt2 where text is run.
#
# Usage: tests/cli/cli_protocol.sh path/to/entropy-lens   (ctest passes it; 77 = skip)
set -uo pipefail
bin=${1:?usage: cli_protocol.sh path/to/entropy-lens}
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/el-protocol.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "cli_protocol: FAIL: $*" >&2; fail=1; }
py=/usr/bin/python3

# --depth-axis: a 2-block and a 4-block model, right and wrong answers.
for i in $(seq 0 7); do
  c=$([ $((i % 2)) = 0 ] && echo true || echo false)
  printf '{"file":"a%d","label":"x","correct":%s,"entropy":[%d,6]}\n{"file":"b%d","label":"y","correct":%s,"entropy":[1,2,3,%d]}\n' \
    "$i" "$c" "$i" "$i" "$c" "$i" >>"$tmp/d.jsonl"
done
for axis in fraction ends; do
  "$bin" correctness "$tmp/d.jsonl" --folds 2 --k 3 --depth resample:4 --depth-axis $axis --json >"$tmp/c.json" 2>"$tmp/err" ||
    bad "correctness --depth-axis $axis: $(cat "$tmp/err")"
  got=$($py -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["depth_axis"], " ".join("%.4f" % l["depth"] for l in d["layers"]))' "$tmp/c.json")
  want=$([ $axis = fraction ] && echo "fraction 0.2500 0.5000 0.7500 1.0000" || echo "ends 0.0000 0.3333 0.6667 1.0000")
  [ "$got" = "$want" ] || bad "--depth-axis $axis: positions '$got', want '$want'"
done
"$bin" plot "$tmp/d.jsonl" --depth-axis fraction -o "$tmp/p.svg" 2>"$tmp/err" || bad "plot --depth-axis fraction: $(cat "$tmp/err")"
"$bin" plot "$tmp/d.jsonl" --depth-axis paper -o "$tmp/p.svg" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "ends or fraction" "$tmp/err" || bad "plot --depth-axis paper: not a usage error: $(cat "$tmp/err")"

# --samples
lm=$root/samples/models/fortune-gpt2
[ -d "$lm" ] || { echo "cli_protocol: sample model missing, skipping" >&2; exit 77; }
text() { timeout 60 "$bin" text --model "$lm" -q "$@"; }
printf '{"prompt":"The","label":"a"}\n{"prompt":"A cat","label":"b"}\n' >"$tmp/p.jsonl"
text --prompts "$tmp/p.jsonl" --samples 3 --temperature 1 --seed 7 -n 6 --batch 1 -o "$tmp/s1.jsonl" || bad "text --samples"
text --prompts "$tmp/p.jsonl" --samples 3 --temperature 1 --seed 7 -n 6 --batch 1 -o "$tmp/s2.jsonl" || bad "text --samples rerun"
cmp -s "$tmp/s1.jsonl" "$tmp/s2.jsonl" || bad "--samples: a rerun differs"
text --prompts "$tmp/p.jsonl" --samples 3 --temperature 1 --seed 7 -n 6 --batch 16 -o "$tmp/s3.jsonl" || bad "text --samples --batch 16"
$py - "$tmp/s1.jsonl" "$tmp/s3.jsonl" <<'PY' || bad "--samples records"
import json, sys
M = (1 << 64) - 1
def mix(z):
    z = (z + 0x9e3779b97f4a7c15) & M
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M
    return z ^ (z >> 31)
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
assert len(a) == 6, len(a)
for i, r in enumerate(a):
    p, s = divmod(i, 3)
    assert r["prompt"] == ["The", "A cat"][p] and r["sample"] == s, r
    assert r["seed"] == mix(7 ^ mix((p << 32) + s)), (r["seed"], p, s)
assert len({tuple(r["tokens"]) for r in a[:3]}) == 3, "samples of one prompt are identical"
assert [r["tokens"] for r in a] == [r["tokens"] for r in b], "tokens depend on --batch"
PY
head -n 2 "$tmp/s1.jsonl" >"$tmp/r.jsonl"
cp "$tmp/s1.jsonl.run.json" "$tmp/r.jsonl.run.json"
text --prompts "$tmp/p.jsonl" --samples 3 --temperature 1 --seed 7 -n 6 --batch 1 -o "$tmp/r.jsonl" --resume || bad "--samples --resume"
cmp -s "$tmp/s1.jsonl" "$tmp/r.jsonl" || bad "--samples: the resumed run differs from the unbroken one"
text --prompts "$tmp/p.jsonl" --samples 2 --temperature 1 -n 4 --batch 1 --format csv -o "$tmp/s.csv" || bad "--samples csv"
head -n 1 "$tmp/s.csv" | grep -q '^prompt,label,extra,sample,seed,generated,' || bad "--samples csv header: $(head -n 1 "$tmp/s.csv")"
[ "$(wc -l <"$tmp/s.csv")" -eq 5 ] || bad "--samples csv: $(wc -l <"$tmp/s.csv") lines, want 5"
head -n 3 "$tmp/s.csv" >"$tmp/rc.csv"
cp "$tmp/s.csv.run.json" "$tmp/rc.csv.run.json"
text --prompts "$tmp/p.jsonl" --samples 2 --temperature 1 -n 4 --batch 1 --format csv -o "$tmp/rc.csv" --resume || bad "--samples csv --resume"
cmp -s "$tmp/s.csv" "$tmp/rc.csv" || bad "--samples csv: the resumed run differs"
text --prompts "$tmp/p.jsonl" --samples 2 -o "$tmp/g.jsonl" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "needs --temperature" "$tmp/err" || bad "greedy --samples 2 is not refused: $(cat "$tmp/err")"
text --prompts "$tmp/p.jsonl" --samples 3 --temperature 1 --seed 7 -n 6 --batch 1 -o "$tmp/s1.jsonl" --resume 2>/dev/null
text --prompts "$tmp/p.jsonl" --samples 4 --temperature 1 --seed 7 -n 6 --batch 1 -o "$tmp/s1.jsonl" --resume 2>"$tmp/err"
[ $? -ne 0 ] && grep -q "different run" "$tmp/err" || bad "--resume with another --samples is not refused: $(cat "$tmp/err")"

[ "$fail" = 0 ] && echo "cli_protocol: ok"
exit "$fail"
