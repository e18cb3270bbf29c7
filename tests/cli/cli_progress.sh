#!/usr/bin/env bash
# The progress bar fits the terminal: on a 50- and a 120-column pseudo-terminal
# (util-linux `script`) no drawn line is wider than the terminal.
set -euo pipefail
bin=$1
command -v script >/dev/null || { echo "SKIP: script (util-linux) not found"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for cols in 50 120; do
  script -qc "stty cols $cols; $bin profile samples/images -o $tmp/p.jsonl" /dev/null \
    | tr '\r' '\n' | sed 's/\x1b\[K//g' | grep -a '^\[' > "$tmp/lines" || true
  [ -s "$tmp/lines" ] || { echo "FAIL: no progress bar drawn at $cols columns"; exit 1; }
  widest=$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$tmp/lines")
  if [ "$widest" -ge "$cols" ]; then
    echo "FAIL: progress line of $widest characters on a $cols-column terminal"; exit 1
  fi
done
echo "progress bar fits 50 and 120 columns"
