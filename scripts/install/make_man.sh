#!/usr/bin/env bash
# Man pages from the --help texts, so they cannot drift from the program:
# entropy-lens.1 (the overview) and entropy-lens-CMD.1 for every subcommand.
# Usage: scripts/install/make_man.sh path/to/entropy-lens OUT_DIR
set -euo pipefail
bin=$1 out=$2
mkdir -p "$out"
version=$("$bin" --version | awk '{print $2}')
# roff: escape backslashes, and lines that start with . or ' are not requests.
roff() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/" -e 's/-/\\-/g'; }
page() { # name, one-line summary, help text on stdin
  {
    printf '.TH %s 1 "" "entropy-lens %s" "User Commands"\n' "$(echo "$1" | tr a-z A-Z)" "$version"
    printf '.SH NAME\n%s \\- %s\n.SH DESCRIPTION\n.nf\n' "$1" "$2"
    roff
    printf '.fi\n.SH SEE ALSO\n'
    [ "$1" = entropy-lens ] && printf 'entropy-lens-<command>(1) for each command below\n' \
                            || printf 'entropy-lens(1)\n'
  } > "$out/$1.1"
}
"$bin" --help | page entropy-lens "per-layer logit-lens entropy profiles of transformers"
"$bin" --help | awk '/^  [a-z]+ /{print $1}' | while read -r cmd; do
  summary=$("$bin" --help | awk -v c="$cmd" '$1 == c { $1 = ""; sub(/^ +/, ""); sub(/^PATH\.\.\. +/, ""); print; exit }')
  "$bin" "$cmd" --help | page "entropy-lens-$cmd" "$summary"
done
