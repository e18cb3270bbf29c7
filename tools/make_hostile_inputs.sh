#!/usr/bin/env bash
# Write a folder of hostile image inputs for `entropy-lens profile --recursive`.
#
# Usage: tools/make_hostile_inputs.sh DIR
#
# Only bash builtins and coreutils (printf, head, dd, cp, ln, chmod): no
# Python, no project binary. Deterministic: the "random" bytes come from
# bash's $RANDOM with a fixed seed, the PNG CRCs are computed here.
#
# Layout (the first folder below DIR is the ImageFolder label):
#   good/   images that must profile normally (PNG, JPEG, PPM/PGM, gray, CMYK,
#           progressive, interlaced, 16-bit, palette with transparency)
#   bad/    zero-byte files, truncated PNGs and JPEGs at several lengths,
#           random bytes and a text file with image extensions, a PNG whose
#           IHDR claims 100000x100000 (valid CRC, so libpng reaches the size
#           check), a PGM header claiming the same, a broken symlink, a
#           symlink to itself (ELOOP)
#   odd/    a good image whose name is invalid UTF-8 (\xff\xfe.png), a folder
#           named like an image (holding a good image), a folder symlink
#           looping back to odd/ (loopdir/up -> ..), a non-image file name
#           (skipped with a warning), a hidden image (skipped silently), and a
#           good image made unreadable with chmod 000 (still readable as root)
#
# DIR/.expected lists what a correct run must produce, one line per image
# record, tab-separated: ok|error, the path relative to DIR, and for errors
# a substring the error message must contain. It is a hidden file, so the
# profile walk skips it.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
out=$1
src=$root/tests/fixtures/imageio/src
tiny=$root/tests/fixtures/tiny
for f in png_rgb8.png jpg_420.jpg pnm_p6.ppm; do
  [ -f "$src/$f" ] || { echo "$0: missing fixture $src/$f" >&2; exit 1; }
done
mkdir -p "$out"
# A re-run starts from a clean slate (chmod first: 000 files and folders).
chmod -R u+rwX "$out" 2>/dev/null || true
find "$out" -mindepth 1 -delete
mkdir -p "$out/good" "$out/bad" "$out/odd"
exp=$out/.expected
: >"$exp"
expect() { printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}" >>"$exp"; }

# ---------------------------------------------------------------- helpers

# Raw bytes from a hex string ("89504e47...").
hex() {
  local h=$1 esc="" i
  for ((i = 0; i < ${#h}; i += 2)); do esc+="\\x${h:i:2}"; done
  printf "$esc"
}

# CRC-32 (PNG / zlib polynomial) of a hex string, as 8 hex digits.
crc32_hex() {
  local h=$1 crc=$((0xFFFFFFFF)) i k b
  for ((i = 0; i < ${#h}; i += 2)); do
    b=$((16#${h:i:2}))
    crc=$((crc ^ b))
    for ((k = 0; k < 8; k++)); do
      if ((crc & 1)); then crc=$(((crc >> 1) ^ 0xEDB88320)); else crc=$((crc >> 1)); fi
    done
  done
  printf '%08x' $((crc ^ 0xFFFFFFFF))
}

# A PNG chunk: length, type, data, CRC over type + data (all hex).
chunk() {
  local type=$1 data=${2:-} tyhex
  tyhex=$(printf '%s' "$type" | od -An -tx1 | tr -d ' \n')
  printf '%08x%s%s%s' $((${#data} / 2)) "$tyhex" "$data" "$(crc32_hex "$tyhex$data")"
}

# n deterministic pseudo-random bytes (bash's generator, seeded).
random_bytes() {
  local n=$1 seed=$2 esc="" x i
  RANDOM=$seed
  for ((i = 0; i < n; i++)); do
    printf -v x '\\x%02x' $((RANDOM & 255))
    esc+=$x
  done
  printf "$esc"
}

size_of() { wc -c <"$1" | tr -d ' '; }

# ---------------------------------------------------------------- good

for f in png_rgb8.png png_gray8.png png_pal8_trns.png png_rgba16_interlaced.png png_la8.png \
         jpg_420.jpg jpg_gray_progressive.jpg jpg_cmyk.jpg jpg_444.jpg pnm_p6.ppm pnm_p5_16bit.pgm; do
  [ -f "$src/$f" ] || continue
  cp "$src/$f" "$out/good/$f"
  expect ok "good/$f"
done
if [ -f "$tiny/pattern.png" ]; then
  cp "$tiny/pattern.png" "$out/good/pattern.png"
  expect ok good/pattern.png
fi
# ---------------------------------------------------------------- bad

: >"$out/bad/empty.png"
: >"$out/bad/empty.jpg"
: >"$out/bad/empty.ppm"
expect error bad/empty.png "empty file"
expect error bad/empty.jpg "empty file"
expect error bad/empty.ppm "empty file"

# Truncated PNGs: inside the signature, right after it, inside IHDR, after
# IHDR, halfway through the image data, and inside the last IDAT chunk.
# Every length here is one Pillow refuses too (tests/fixtures/imageio/
# truncate.txt): a PNG cut after its compressed data is complete (only the
# last CRC and IEND missing) is accepted by Pillow, and by us.
png=$src/png_rgb8.png
n=$(size_of "$png")
for len in 4 8 20 33 $((n / 2)) $((n - 40)); do
  head -c "$len" "$png" >"$out/bad/trunc_png_$len.png"
  if ((len < 8)); then expect error "bad/trunc_png_$len.png" "not a PNG"
  else expect error "bad/trunc_png_$len.png" "bad/trunc_png_$len.png"; fi
done
# Truncated JPEGs: SOI only (too short to sniff), inside the headers, a third
# and two thirds of the way through the entropy-coded data, and only the
# final EOI marker missing (Pillow refuses that too).
for base in jpg_420.jpg jpg_progressive.jpg; do
  jpg=$src/$base
  [ -f "$jpg" ] || continue
  n=$(size_of "$jpg")
  for len in 2 3 20 200 $((n / 3)) $((2 * n / 3)) $((n - 2)); do
    f=bad/trunc_${base%.jpg}_$len.jpg
    head -c "$len" "$jpg" >"$out/$f"
    if ((len < 3)); then expect error "$f" "not a PNG"; else expect error "$f" "$f"; fi
  done
done
# Truncated pixel data of a PPM.
n=$(size_of "$src/pnm_p6.ppm")
head -c $((n - 7)) "$src/pnm_p6.ppm" >"$out/bad/trunc_p6.ppm"
expect error bad/trunc_p6.ppm "truncated PNM"

# Random bytes with image extensions; random bytes behind a real signature.
random_bytes 2048 1 >"$out/bad/random.png"
random_bytes 1500 2 >"$out/bad/random.jpg"
{ hex 89504e470d0a1a0a; random_bytes 600 3; } >"$out/bad/png_sig_then_random.png"
{ hex ffd8ffe0; random_bytes 600 4; } >"$out/bad/jpeg_soi_then_random.jpg"
expect error bad/random.png "not a PNG"
expect error bad/random.jpg "not a PNG"
expect error bad/png_sig_then_random.png bad/png_sig_then_random.png
expect error bad/jpeg_soi_then_random.jpg bad/jpeg_soi_then_random.jpg

# A text file with a JPEG name.
printf 'This is not a JPEG.\nIt is a text file with an image extension.\n' >"$out/bad/readme.jpg"
expect error bad/readme.jpg "not a PNG"

# PNG whose IHDR claims 100000 x 100000 RGB, with a correct CRC so libpng
# accepts the chunk and the decoder's pixel limit has to refuse it; a small
# valid IDAT and IEND follow.
ihdr=$(printf '%08x%08x' 100000 100000)0802000000
{
  hex 89504e470d0a1a0a
  hex "$(chunk IHDR "$ihdr")"
  hex "$(chunk IDAT 789c63000000010001)" # zlib stream of one 0 byte
  hex "$(chunk IEND)"
} >"$out/bad/huge_ihdr.png"
expect error bad/huge_ihdr.png "exceeds the limit"
# The same claim in a PGM header (no pixel data at all).
printf 'P5\n100000 100000\n255\n' >"$out/bad/huge_header.pgm"
expect error bad/huge_header.pgm "exceeds the limit"

# A broken symlink and a symlink to itself, both with image names.
ln -s does-not-exist.png "$out/bad/broken_link.png"
ln -s self_loop.png "$out/bad/self_loop.png"
expect error bad/broken_link.png "broken symlink"
expect error bad/self_loop.png "symlink loop"

# ---------------------------------------------------------------- odd

# A valid image whose file name is not UTF-8 (bytes ff fe).
cp "$src/png_gray8.png" "$out/odd/"$'\xff\xfe'".png"
expect ok "odd/"$'\xff\xfe'".png"
# A folder named like an image: walked as a folder, its image profiled.
mkdir -p "$out/odd/folder.jpg"
cp "$src/jpg_444.jpg" "$out/odd/folder.jpg/inside.jpg"
expect ok odd/folder.jpg/inside.jpg
# A folder symlink back up the tree: the walk must not loop.
mkdir -p "$out/odd/loopdir"
ln -s .. "$out/odd/loopdir/up"
# A non-image name (skipped with a warning) and a hidden image (skipped).
printf 'notes\n' >"$out/odd/notes.txt"
cp "$src/png_rgb8.png" "$out/odd/.hidden.png"
# A good image nobody may read. Root reads it anyway (no DAC checks).
cp "$src/png_rgb8.png" "$out/odd/unreadable.png"
chmod 000 "$out/odd/unreadable.png"
if [ -r "$out/odd/unreadable.png" ]; then
  expect ok odd/unreadable.png
else
  expect error odd/unreadable.png "Permission denied"
fi
echo "$out: $(grep -c '^ok' "$exp") good and $(grep -c '^error' "$exp") bad images, expectations in $exp" >&2
