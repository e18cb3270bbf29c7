#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, and profile
# the sample images with the embedded sample model. Extra arguments go to
# `entropy-lens profile` (e.g. -o samples.jsonl --format csv).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
dir=$(scripts/build.sh release)
exec "$dir/entropy-lens" profile samples/images "$@"
