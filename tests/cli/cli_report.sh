#!/usr/bin/env bash
# entropy-lens report end to end: the HTML is self-contained (no scripts, no
# network references, figures inline), and headless Chromium renders it
# without console errors into a screenshot that is not blank (checked by
# test_plot --check-screenshot). Skips (77) when Chromium is not installed
# (scripts/deps.sh installs it for tests/run.sh).
# Usage: tests/cli/cli_report.sh BUILD/entropy-lens
set -uo pipefail
cli=${1:?usage: cli_report.sh path/to/entropy-lens}
here=$(cd "$(dirname "$0")/.." && pwd)
fix=$here/fixtures/plot
checker=$(dirname "$cli")/test_plot
tmp=$(mktemp -d /tmp/el_cli_report.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}

# Exit codes.
"$cli" report --help >"$tmp/help.txt"; rc=$?
check "--help exits 0" test $rc -eq 0
check "--help lists the exit codes" grep -q "Exit codes" "$tmp/help.txt"
"$cli" report 2>/dev/null; rc=$?
check "no arguments: usage error (2)" test $rc -eq 2
"$cli" report "$fix/profiles.jsonl" 2>/dev/null; rc=$?
check "no -o: usage error (2)" test $rc -eq 2
"$cli" report "$fix/nope.jsonl" -o "$tmp/x.html" 2>/dev/null; rc=$?
check "missing input: fatal (3)" test $rc -eq 3
"$cli" report "$fix/profiles.jsonl" -o "$tmp/no/such/dir/r.html" 2>/dev/null; rc=$?
check "unwritable output: fatal (3)" test $rc -eq 3

# The report.
html=$tmp/report.html
"$cli" report "$fix/profiles.jsonl" "$fix/text.jsonl" "$fix/patches.jsonl" -o "$html" 2>"$tmp/report.err"; rc=$?
check "report exits 0" test $rc -eq 0
check "report written" test -s "$html"
check "HTML5 doctype" grep -q '^<!DOCTYPE html>' "$html"
check "no scripts" bash -c "! grep -qi '<script' '$html'"
# Only the SVG/XLink namespace URIs may mention http; nothing is fetched.
check "no network references" bash -c "! grep -oE '(src|href)=\"[a-z]+://' '$html' | grep -q ."
check "no external stylesheets" bash -c "! grep -qi '<link' '$html'"
check "inline SVG figures" bash -c "test \$(grep -c '<svg ' '$html') -ge 4"
check "inline PNG heatmaps" grep -q 'src="data:image/png;base64,' "$html"
for section in 'id="run"' 'id="profiles"' 'id="classify"' 'id="correctness"' 'id="embedding"' 'id="certain"' \
  '>Classification by label<' 'macro one-vs-rest ROC-AUC' 'confusion matrix' '>PCA</text>' '>t-SNE' \
  'most certain' 'least certain' '>normalised depth</text>' '>entropy (nats)</text>'; do
  check "contains $section" grep -qF "$section" "$html"
done

# Several models: one part per model, each model's own accuracy, ids unique.
check "a part per model" bash -c "test \$(grep -c 'class=\"model\"' '$html') -eq 4"
check "per-model accuracy" grep -q "vit-b</code>: 19 image records, 6 layers; top-1 accuracy 83.3% (15 of 18)" "$html"
check "no pooled accuracy row" bash -c "! grep -q 'model top-1 accuracy' '$html'"
check "ids unique" bash -c "test -z \"\$(grep -o ' id=\"[^\"]*\"' '$html' | sort | uniq -d)\""
# Every figure reference (clip paths) points at an id on the page.
grep -o 'url(#[^)]*)' "$html" | sed 's/url(#\(.*\))/\1/' | sort -u >"$tmp/refs"
grep -o ' id="[^"]*"' "$html" | sed 's/ id="\(.*\)"/\1/' | sort -u >"$tmp/ids"
check "figure references resolve" test -z "$(comm -23 "$tmp/refs" "$tmp/ids")"
check "second model's sections prefixed" grep -q '<section id="m2-classify"' "$html"

# A small set: statistics that are undefined say why (never "nan"), a capped
# k is named, and the certain/uncertain tables show top-1 as class names.
samples=$here/../samples/images
mkdir -p "$tmp/small/coat" "$tmp/small/bag"
for c in coat bag; do
  for f in $(ls "$samples/$c" | head -2); do ln -s "$samples/$c/$f" "$tmp/small/$c/$f"; done
done
"$cli" profile "$tmp/small" -q -o "$tmp/small.jsonl" && "$cli" report "$tmp/small.jsonl" -o "$tmp/small.html" 2>/dev/null
check "small report written" test -s "$tmp/small.html"
check "small report: no nan" bash -c "! grep -qiw nan '$tmp/small.html'"
check "small report: undefined AUC explained" grep -q "every test fold holds a single class" "$tmp/small.html"
check "small report: capped k named" grep -q "k capped at 3, the smallest training fold" "$tmp/small.html"
check "small report: top-1 as class names" grep -qE '<td class="l">(coat|bag|pullover|shirt|dress)</td><td>0\.' "$tmp/small.html"

if ! command -v chromium >/dev/null 2>&1; then
  echo "SKIP: chromium not installed (scripts/deps.sh chromium); HTML checks above: $([ $fail -eq 0 ] && echo passed || echo FAILED)"
  [ $fail -eq 0 ] && exit 77 || exit 1
fi
if [ ! -x "$checker" ]; then
  echo "FAIL: $checker not built"
  exit 1
fi

shot=$tmp/report.png
timeout 180 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
  --user-data-dir="$tmp/profile" --enable-logging=stderr --v=0 \
  --screenshot="$shot" --window-size=1200,2000 "file://$html" >"$tmp/chromium.out" 2>"$tmp/chromium.log"
rc=$?
check "chromium exits 0" test $rc -eq 0
check "screenshot written" test -s "$shot"
# Page errors (a bad resource, a parse problem) show up as console messages.
if grep -E ':CONSOLE[:(]|Uncaught|Failed to load resource' "$tmp/chromium.log"; then
  echo "FAIL: console messages while rendering"
  fail=1
else
  echo "ok: no console messages"
fi
check "screenshot is not blank" "$checker" --check-screenshot "$shot"
exit $fail
