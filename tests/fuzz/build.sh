#!/usr/bin/env bash
# Build the libFuzzer targets with clang into build-fuzz/ (or $1).
# Prints the build folder on success. Exit 77 (skip) when clang or its
# libFuzzer runtime or its omp.h is missing: apt-get install clang
# libclang-rt-14-dev libomp-dev
# (tests/fuzz/run.sh and CI treat 77 as "skipped").
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/build-fuzz}
jobs=${EL_FUZZ_JOBS:-2}
cc=${CC_FUZZ:-}
if [ -z "$cc" ]; then
  for c in clang clang-16 clang-15 clang-14; do
    if command -v "$c" >/dev/null 2>&1; then cc=$(command -v "$c"); break; fi
  done
fi
if [ -z "$cc" ]; then
  echo "fuzz: clang not found, skipping (apt-get install clang libclang-rt-14-dev)" >&2
  exit 77
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }\n' >"$probe/p.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" 2>"$probe/err"; then
  echo "fuzz: $cc cannot link -fsanitize=fuzzer,address,undefined, skipping (apt-get install libclang-rt-14-dev):" >&2
  sed 's/^/  /' "$probe/err" | head -5 >&2
  exit 77
fi
if ! printf '#include <omp.h>\n' | "$cc" -fopenmp=libgomp -x c -E - >/dev/null 2>&1; then
  echo "fuzz: $cc has no omp.h, skipping (apt-get install libomp-dev)" >&2
  exit 77
fi
cmake -S "$root/tests/fuzz" -B "$out" -DCMAKE_C_COMPILER="$cc" >/dev/null
cmake --build "$out" -j"$jobs" >/dev/null
echo "$out"
