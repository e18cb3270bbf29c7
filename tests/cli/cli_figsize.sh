#!/usr/bin/env bash
# --size and --dpi of plot, embed and heatmap (issue 17): PNG files come out
# at the requested size (scaled by dpi / 96), vector files keep their size,
# --size on a heatmap fits the whole figure within W x H, bad values are
# usage errors. PNG sizes are read from the IHDR chunk.
#
# Usage: tests/cli/cli_figsize.sh path/to/entropy-lens
set -uo pipefail
bin=${1:?usage: cli_figsize.sh path/to/entropy-lens}
fix=$(cd "$(dirname "$0")/.." && pwd)/fixtures/plot
tmp=$(mktemp -d "${TMPDIR:-/tmp}/el-figsize.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "cli_figsize: FAIL: $*" >&2; fail=1; }
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8}'; }

"$bin" plot "$fix/profiles.jsonl" --size 600x400 -o "$tmp/p.png" 2>/dev/null || bad "plot --size"
[ "$(png_size "$tmp/p.png")" = 600x400 ] || bad "plot --size 600x400 gave $(png_size "$tmp/p.png")"
"$bin" plot "$fix/profiles.jsonl" --size 600x400 --dpi 192 -o "$tmp/p2.png" 2>/dev/null || bad "plot --dpi"
[ "$(png_size "$tmp/p2.png")" = 1200x800 ] || bad "plot --dpi 192 gave $(png_size "$tmp/p2.png")"
"$bin" plot "$fix/profiles.jsonl" --size 600x400 --dpi 192 -o "$tmp/p.svg" 2>/dev/null || bad "plot svg --dpi"
grep -q 'width="600" height="400" viewBox="0 0 600 400"' "$tmp/p.svg" || bad "SVG size changed by --dpi"

"$bin" embed "$fix/profiles.jsonl" --by label --method pca --size 500x300 -o "$tmp/e.png" 2>/dev/null || bad "embed --size"
[ "$(png_size "$tmp/e.png")" = 500x300 ] || bad "embed --size 500x300 gave $(png_size "$tmp/e.png")"
"$bin" embed "$fix/profiles.jsonl" --by label --method pca --dpi 48 -o "$tmp/e2.png" 2>/dev/null || bad "embed --dpi"
[ "$(png_size "$tmp/e2.png")" = 450x320 ] || bad "embed --dpi 48 gave $(png_size "$tmp/e2.png") (default 900x640 halved)"

"$bin" heatmap "$fix/patches.jsonl" --image ring.png -o "$tmp/h.png" 2>/dev/null || bad "heatmap"
"$bin" heatmap "$fix/patches.jsonl" --image ring.png --size 300x300 -o "$tmp/h2.png" 2>/dev/null || bad "heatmap --size"
IFS=x read -r w h <<<"$(png_size "$tmp/h2.png")"
{ [ "$w" -le 300 ] && [ "$h" -le 300 ] && { [ "$w" -ge 299 ] || [ "$h" -ge 299 ]; }; } || bad "heatmap --size 300x300 gave ${w}x$h"
IFS=x read -r w0 h0 <<<"$(png_size "$tmp/h.png")"
awk -v a="$w0" -v b="$h0" -v c="$w" -v d="$h" 'BEGIN { r = (a / b) / (c / d); exit !(r > 0.98 && r < 1.02) }' ||
  bad "heatmap --size changed the aspect ratio (${w0}x$h0 -> ${w}x$h)"
"$bin" heatmap "$fix/patches.jsonl" --image ring.png --dpi 192 -o "$tmp/h3.png" 2>/dev/null || bad "heatmap --dpi"
[ "$(png_size "$tmp/h3.png")" = "$((2 * w0))x$((2 * h0))" ] || bad "heatmap --dpi 192 gave $(png_size "$tmp/h3.png")"

for args in "--size 10x10" "--size 600" "--dpi 0" "--dpi 5000"; do
  # shellcheck disable=SC2086
  "$bin" plot "$fix/profiles.jsonl" $args -o "$tmp/x.png" 2>/dev/null
  [ $? = 2 ] || bad "plot $args is not a usage error"
done
[ "$fail" = 0 ] && echo "cli_figsize: ok"
exit "$fail"
