#!/usr/bin/env bash
# The paper's protocol options (issue 18), end to end:
#   - --depth-axis: correctness --json places resampled features at l/L
#     (fraction) or (l-1)/(L-1) (ends); plot accepts both, refuses others.
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

[ "$fail" = 0 ] && echo "cli_protocol: ok"
exit "$fail"
