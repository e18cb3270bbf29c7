#!/usr/bin/env bash
# `cmake --install` into a temporary prefix, then use only what was installed:
# a C program built with `pkg-config --cflags --libs entropy-lens` (shared
# library) and again statically, run on the installed sample model; the
# installed binary run from outside the source tree, finding its sample model
# at <prefix>/share/entropy-lens/models; --version.
# Usage: tests/cli/cli_install.sh path/to/build/entropy-lens   (77 = skip)
set -euo pipefail
bin=${1:?usage: cli_install.sh path/to/entropy-lens}
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$(dirname "$bin")" && pwd)
command -v pkg-config >/dev/null || { echo "SKIP: pkg-config not found"; exit 77; }
[ -f "$build/cmake_install.cmake" ] || { echo "SKIP: $build is not a CMake build tree"; exit 77; }
if grep -q "EL_SANITIZE:BOOL=ON" "$build/CMakeCache.txt" 2>/dev/null; then
  echo "SKIP: sanitizer build (programs linked against it need the sanitizer runtime)"; exit 77
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
export PKG_CONFIG_PATH=$(dirname "$(find "$prefix" -name entropy-lens.pc)")
libdir=$(pkg-config --variable=libdir entropy-lens)
for f in "$prefix/bin/entropy-lens" "$prefix/include/entropy_lens.h" "$libdir/libentropylens.a" \
         "$libdir/libentropylens.so" "$prefix/share/bash-completion/completions/entropy-lens" \
         "$prefix/share/man/man1/entropy-lens.1" "$prefix/share/man/man1/entropy-lens-profile.1"; do
  [ -e "$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
# The shared library exports the public API and nothing else.
exported=$(nm -D --defined-only "$libdir/libentropylens.so" | awk '{print $3}')
if grep -v '^el_' <<< "$exported" | grep -q .; then
  echo "FAIL: libentropylens.so exports non-API symbols:"; nm -D --defined-only "$libdir/libentropylens.so" | grep -v ' el_'; exit 1
fi
model=$(pkg-config --variable=modeldir entropy-lens)/fashion-vit
[ -d "$model" ] || { echo "FAIL: sample model not installed at $model"; exit 1; }
image=$src/samples/images/coat/test_00006.png
cp "$image" "$tmp/coat.png"
cc -o "$tmp/use" "$src/tests/cli/install/use_entropy_lens.c" $(pkg-config --cflags --libs entropy-lens)
out=$(LD_LIBRARY_PATH=$libdir "$tmp/use" "$model" "$tmp/coat.png")
echo "shared: $out"
cc -o "$tmp/use_static" "$src/tests/cli/install/use_entropy_lens.c" $(pkg-config --cflags entropy-lens) \
   "$libdir/libentropylens.a" $(pkg-config --libs --static entropy-lens | sed 's/-lentropylens//')
static_out=$("$tmp/use_static" "$model" "$tmp/coat.png")
[ "$out" = "$static_out" ] || { echo "FAIL: static and shared builds differ: $static_out"; exit 1; }
case "$out" in "version "*" layers "*" top1 "*) ;; *) echo "FAIL: unexpected output"; exit 1 ;; esac
# The installed binary, run from an empty directory after the prefix was
# moved: its default model is the installed one (its class "coat" renamed in
# the installed copy, so a fallback to the source tree's model shows).
version=$(pkg-config --modversion entropy-lens)
cd "$tmp"
mv "$prefix" "$tmp/moved"
cfg=$tmp/moved/share/entropy-lens/models/fashion-vit/config.json
sed -i 's/"coat"/"installed_coat"/' "$cfg"
grep -q installed_coat "$cfg" || { echo "FAIL: no class coat in $cfg"; exit 1; }
"$tmp/moved/bin/entropy-lens" --version | grep -qF "$version" \
  || { echo "FAIL: --version does not say $version"; exit 1; }
for cmd in $("$tmp/moved/bin/entropy-lens" --help | awk '/^  [a-z]+ /{print $1}'); do
  [ -e "$tmp/moved/share/man/man1/entropy-lens-$cmd.1" ] || { echo "FAIL: no man page for $cmd"; exit 1; }
  "$tmp/moved/bin/entropy-lens" "$cmd" --version | grep -qF "$version" \
    || { echo "FAIL: entropy-lens $cmd --version"; exit 1; }
done
bash -c "source '$tmp/moved/share/bash-completion/completions/entropy-lens'; complete -p entropy-lens" >/dev/null \
  || { echo "FAIL: bash completion does not load"; exit 1; }
"$tmp/moved/bin/entropy-lens" profile "$tmp/coat.png" -o "$tmp/rec.jsonl" 2> "$tmp/err" \
  || { cat "$tmp/err"; echo "FAIL: installed binary cannot profile"; exit 1; }
grep -q '"top1_label":"installed_coat"' "$tmp/rec.jsonl" \
  || { cat "$tmp/rec.jsonl"; echo "FAIL: installed binary did not use the installed sample model"; exit 1; }
echo "install: binary, libraries, header, pkg-config, sample models OK"
