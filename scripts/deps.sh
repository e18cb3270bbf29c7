#!/usr/bin/env bash
# Install the Debian packages entropy-lens builds against, only those missing
# (plus test data: fortunes, 0.8 MB, the corpus test_tokenizer_real checks).
# Usage: scripts/deps.sh [extra-package...]
set -euo pipefail
pkgs=(cmake make gcc pkg-config libopenblas-openmp-dev libcjson-dev libonig-dev libutf8proc-dev libpng-dev libjpeg-dev zlib1g-dev
      libcairo2-dev fonts-dejavu-core fonts-wqy-microhei poppler-utils
      libopenmpi-dev openmpi-bin chromium clang libclang-rt-14-dev fortunes "$@")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
