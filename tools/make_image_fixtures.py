#!/usr/bin/python3
"""Generate the imageio test fixtures with Pillow 9.4 (run with Debian's
/usr/bin/python3, which has Pillow 9.4 and numpy).

Writes tests/fixtures/imageio/:
  src/*               small PNG / JPEG / PPM / PGM files in every variant we decode
  expected/<f>.rgb    Image.open(f).convert('RGB') as raw bytes
  expected/<f>.gray   Image.open(f).convert('L') as raw bytes
  src/cmyk_37x23.raw  the CMYK samples of jpg_cmyk*.jpg (the C test encodes them
                      as YCCK with libjpeg, which Pillow cannot write)
  decode.txt          "<file> <width> <height> <Pillow mode>" per source file
  truncate.txt        "<file> <length> ok|err": does Pillow open+load the first
                      <length> bytes of <file>? (ok outcomes equal the full decode)
  resize/src.rgb, resize/src.gray    the resize source (RESIZE_W x RESIZE_H)
  resize/<mode>_<filter>_<w>x<h>     Image.resize((w, h), filter) as raw bytes
  resize.txt          "<mode> <filter-code> <w> <h> <file>" per resize fixture
  preprocess/*.png    preprocessing inputs
  preprocess/<cfg>.f32  float32 [C][H/stride][W/stride] grid of the reference
  preprocess.txt      "<cfg> <W> <H> <stride> <C> <sum c0> <sum c1> <sum c2>"

Run: /usr/bin/python3 tools/make_image_fixtures.py

Everything is seeded, so rerunning gives the same bytes (given the same Pillow
and libjpeg). The C tests never run Python; they only read these files.
"""
import io
import os
import struct
import sys
import warnings
import zlib

import numpy as np
from PIL import Image, ImageFile

assert Image.__version__.startswith("9.4"), "expected Pillow 9.4, got " + Image.__version__
ImageFile.LOAD_TRUNCATED_IMAGES = False
# Pillow warns that palette images with byte transparency "should be converted
# to RGBA"; converting them to RGB is exactly what we test.
warnings.filterwarnings("ignore", message="Palette images with Transparency")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT = os.path.join(ROOT, "tests", "fixtures", "imageio")

W, H = 27, 17          # PNG / PNM fixtures: odd, not a multiple of 8
JW, JH = 37, 23        # JPEG fixtures: partial MCUs on both edges
RESIZE_W, RESIZE_H = 37, 23


# ------------------------------------------------------------------ content

def base_rgb(w, h, seed):
    """Smooth gradients + noise + a hard-edged block (exercises overshoot)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 255 * x / max(w - 1, 1)
    g = 128 + 100 * np.sin(x / 3.0 + y / 5.0)
    b = 255 * y / max(h - 1, 1)
    img = np.stack([r, g, b], axis=-1) + rng.normal(0, 18, (h, w, 3))
    img[h // 4: h // 2, w // 3: w // 2] = [250, 10, 240]
    img[0, 0] = [0, 0, 0]
    img[-1, -1] = [255, 255, 255]
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def base_gray(w, h, seed):
    rgb = base_rgb(w, h, seed).astype(np.int32)
    return ((rgb[..., 0] * 3 + rgb[..., 1] * 5 + rgb[..., 2] * 2) // 10).astype(np.uint8)


# ------------------------------------------------------------------ PNG writer
# Pillow cannot write most PNG variants (16-bit colour, LA16, interlaced,
# sub-byte gray with tRNS, short palettes), so write them by hand; Pillow
# still produces every expected output.

def _chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def _pack_row(samples, bitdepth):
    """samples: 1-D uint array of one row's samples (channels interleaved)."""
    if bitdepth == 8:
        return bytes(samples.astype(np.uint8))
    if bitdepth == 16:
        return samples.astype(">u2").tobytes()
    per = 8 // bitdepth
    out = bytearray((len(samples) + per - 1) // per)
    for i, v in enumerate(samples):
        out[i // per] |= int(v) << (8 - bitdepth * (i % per + 1))
    return bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def write_png(arr, bitdepth, ctype, plte=None, trns=None, interlace=False, extra_chunks=(),
              filters=(0,)):
    """arr: (h, w) or (h, w, c) array of samples already in range for bitdepth."""
    if arr.ndim == 2:
        arr = arr[..., None]
    h, w, _ = arr.shape
    raw = bytearray()
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    fi = 0
    for x0, y0, dx, dy in passes:
        sub = arr[y0::dy, x0::dx]
        if sub.shape[0] == 0 or sub.shape[1] == 0:
            continue
        bpp = max(1, sub.shape[2] * bitdepth // 8)
        prev = None
        for row in sub:
            line = _pack_row(row.reshape(-1), bitdepth)
            ftype = filters[fi % len(filters)]
            fi += 1
            raw += bytes([ftype]) + _filter(line, prev, ftype, bpp)
            prev = line
    out = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bitdepth, ctype, 0, 0,
                                                                  1 if interlace else 0))
    for kind, data in extra_chunks:
        out += _chunk(kind, data)
    if plte is not None:
        out += _chunk(b"PLTE", bytes(plte))
    if trns is not None:
        out += _chunk(b"tRNS", bytes(trns))
    out += _chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + _chunk(b"IEND", b"")
    return out


def _filter(line, prev, ftype, bpp):
    if ftype == 0:
        return line
    line = np.frombuffer(line, np.uint8).astype(np.int32)
    up = np.zeros_like(line) if prev is None else np.frombuffer(prev, np.uint8).astype(np.int32)
    out = np.zeros_like(line)
    for i in range(len(line)):
        a = line[i - bpp] if i >= bpp else 0
        c = up[i - bpp] if i >= bpp else 0
        b = up[i]
        if ftype == 1:
            pred = a
        elif ftype == 2:
            pred = b
        elif ftype == 3:
            pred = (a + b) // 2
        else:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        out[i] = (line[i] - pred) & 0xFF
    return bytes(out.astype(np.uint8))


def png_variants():
    rgb = base_rgb(W, H, 1)
    gray = base_gray(W, H, 2)
    rng = np.random.default_rng(3)
    alpha = rng.integers(0, 256, (H, W), dtype=np.uint16)
    # 16-bit samples whose high and low bytes both matter: Pillow keeps the
    # high byte of RGB;16B but clips the whole value for 16-bit gray ("I").
    lo16 = rng.integers(0, 256, (H, W, 4), dtype=np.uint16)
    rgb16 = (rgb.astype(np.uint16) << 8) | lo16[..., :3]
    gray16 = np.where(np.arange(W)[None, :] < W // 2, gray.astype(np.uint16),
                      (gray.astype(np.uint16) << 8) | lo16[..., 0])
    pal = rng.integers(0, 256, 256 * 3, dtype=np.uint8).tolist()

    v = {}
    v["png_gray1.png"] = write_png((gray > 120).astype(np.uint8), 1, 0)
    v["png_gray2.png"] = write_png(gray >> 6, 2, 0)
    v["png_gray4.png"] = write_png(gray >> 4, 4, 0, trns=[0, 5])
    v["png_gray8.png"] = write_png(gray, 8, 0, filters=(0, 1, 2, 3, 4))
    v["png_gray8_trns.png"] = write_png(gray, 8, 0, trns=[0, int(gray[3, 3])])
    v["png_gray16.png"] = write_png(gray16, 16, 0)
    v["png_rgb8.png"] = write_png(rgb, 8, 2, filters=(4, 3, 2, 1, 0))
    v["png_rgb8_gama.png"] = write_png(rgb, 8, 2, extra_chunks=[
        (b"gAMA", struct.pack(">I", 100000)), (b"sRGB", b"\x00"),
        (b"tEXt", b"Comment\x00gamma must be ignored"), (b"prVt", b"unknown private chunk")])
    v["png_rgb8_trns.png"] = write_png(rgb, 8, 2, trns=struct.pack(">HHH", *rgb[0, 1]))
    v["png_rgb16.png"] = write_png(rgb16, 16, 2)
    v["png_pal1.png"] = write_png((gray > 100).astype(np.uint8), 1, 3, plte=pal[:6])
    v["png_pal2.png"] = write_png(gray >> 6, 2, 3, plte=pal[:12])
    v["png_pal4.png"] = write_png(gray >> 4, 4, 3, plte=pal[:48])
    v["png_pal8.png"] = write_png(gray, 8, 3, plte=pal)
    v["png_pal8_trns.png"] = write_png(gray, 8, 3, plte=pal, trns=list(range(0, 256, 3)))
    # Only 5 palette entries but indices up to 255: Pillow's palette starts as
    # a grey ramp, so index i >= 5 reads as (i, i, i).
    v["png_pal8_short.png"] = write_png(gray, 8, 3, plte=pal[:15], trns=[0])
    v["png_la8.png"] = write_png(np.dstack([gray, alpha.astype(np.uint8)]), 8, 4)
    v["png_la16.png"] = write_png(np.dstack([gray16 | (1 << 15), alpha << 8 | 7]), 16, 4)
    v["png_rgba8.png"] = write_png(np.dstack([rgb, alpha.astype(np.uint8)]), 8, 6)
    v["png_rgba16.png"] = write_png(np.dstack([rgb16, lo16[..., 3] << 8]), 16, 6)
    v["png_gray1_interlaced.png"] = write_png((gray > 140).astype(np.uint8), 1, 0, interlace=True)
    v["png_pal4_interlaced.png"] = write_png(gray >> 4, 4, 3, plte=pal[:48], interlace=True)
    v["png_rgb8_interlaced.png"] = write_png(rgb, 8, 2, interlace=True, filters=(1, 2, 3, 4))
    v["png_rgba16_interlaced.png"] = write_png(np.dstack([rgb16, lo16[..., 3]]), 16, 6, interlace=True)
    v["png_la8_interlaced.png"] = write_png(np.dstack([gray, alpha.astype(np.uint8)]), 8, 4, interlace=True)
    v["png_gray16_interlaced.png"] = write_png(gray16, 16, 0, interlace=True)
    # Tiny interlaced images leave some Adam7 passes empty.
    v["png_rgb8_interlaced_3x2.png"] = write_png(rgb[:2, :3], 8, 2, interlace=True)
    v["png_gray8_interlaced_1x1.png"] = write_png(gray[:1, :1], 8, 0, interlace=True)
    # And one as Pillow itself writes it.
    b = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(b, "PNG", optimize=True)
    v["png_pillow_rgb.png"] = b.getvalue()
    return v


# ------------------------------------------------------------------ JPEG

def jpeg_variants():
    rgb = Image.fromarray(base_rgb(JW, JH, 4), "RGB")
    gray = Image.fromarray(base_gray(JW, JH, 5), "L")
    rng = np.random.default_rng(6)
    cmyk_arr = np.clip(np.dstack([base_rgb(JW, JH, 7), base_gray(JW, JH, 8)]).astype(np.int32)
                       + rng.integers(-10, 10, (JH, JW, 4)), 0, 255).astype(np.uint8)
    cmyk = Image.frombytes("CMYK", (JW, JH), cmyk_arr.tobytes())

    def save(im, **kw):
        b = io.BytesIO()
        im.save(b, "JPEG", **kw)
        return b.getvalue()

    v = {}
    v["jpg_420.jpg"] = save(rgb, quality=85)
    v["jpg_422.jpg"] = save(rgb, quality=90, subsampling=1)
    v["jpg_444.jpg"] = save(rgb, quality=95, subsampling=0)
    v["jpg_progressive.jpg"] = save(rgb, quality=80, progressive=True)
    v["jpg_optimize.jpg"] = save(rgb, quality=70, optimize=True, subsampling=0)
    v["jpg_gray.jpg"] = save(gray, quality=90)
    v["jpg_gray_progressive.jpg"] = save(gray, quality=75, progressive=True)
    # Pillow writes CMYK as Photoshop does: inverted samples + Adobe marker.
    v["jpg_cmyk.jpg"] = save(cmyk, quality=90)
    v["jpg_cmyk_progressive.jpg"] = save(cmyk, quality=85, progressive=True)
    v["jpg_tiny_420.jpg"] = save(rgb.crop((3, 2, 8, 5)), quality=90)
    # cmyk_arr is also saved raw: the C test compresses it as YCCK (Pillow
    # cannot write YCCK) and compares with the decoded CMYK fixture.
    return v, cmyk_arr


# ------------------------------------------------------------------ PNM

def pnm_variants():
    rgb = base_rgb(W, H, 9).astype(np.uint32)
    gray = base_gray(W, H, 10).astype(np.uint32)
    rng = np.random.default_rng(11)

    def pnm(magic, arr, maxval, header=None):
        h, w = arr.shape[:2]
        hdr = header if header is not None else b"%s\n%d %d\n%d\n" % (magic, w, h, maxval)
        if maxval < 256:
            body = arr.astype(np.uint8).tobytes()
        else:
            body = arr.astype(">u2").tobytes()
        return hdr + body

    v = {}
    v["pnm_p6.ppm"] = pnm(b"P6", rgb, 255)
    # maxval 100, with a few samples above maxval (Pillow clamps them).
    a = rgb * 100 // 255
    a[0, 0] = [101, 180, 255]
    a[0, 1] = [100, 0, 99]
    v["pnm_p6_max100.ppm"] = pnm(b"P6", a, 100)
    v["pnm_p6_max1000.ppm"] = pnm(b"P6", rgb * 1000 // 255 + rng.integers(0, 3, rgb.shape), 1000)
    v["pnm_p6_16bit.ppm"] = pnm(b"P6", (rgb << 8) | rng.integers(0, 256, rgb.shape), 65535)
    v["pnm_p5.pgm"] = pnm(b"P5", gray, 255)
    v["pnm_p5_max15.pgm"] = pnm(b"P5", gray >> 4, 15)
    g = np.where(np.arange(W)[None, :] < W // 2, gray, gray << 8 | 0x55)
    v["pnm_p5_16bit.pgm"] = pnm(b"P5", g, 65535)
    v["pnm_p5_max1000.pgm"] = pnm(b"P5", gray // 8, 1000)
    v["pnm_p5_comments.pgm"] = pnm(b"P5", gray, 255,
                                   header=b"P5 # a comment\r\n#another\n %d\t\t%d\x0b\x0c255\n" % (W, H))
    return v


# ------------------------------------------------------------------ truncation

def pillow_loads(data):
    try:
        im = Image.open(io.BytesIO(data))
        im.load()
        return np.asarray(im.convert("RGB"))
    except Exception:
        return None


def truncation_table(files):
    rows = []
    for name in ["png_rgb8.png", "png_rgb8_interlaced.png", "jpg_420.jpg", "jpg_progressive.jpg",
                 "jpg_gray.jpg", "pnm_p6.ppm", "pnm_p6_max1000.ppm"]:
        data = files[name]
        full = pillow_loads(data)
        n = len(data)
        lengths = sorted(set([1, 2, 3, 7, 8, 16, 30, 33, 40, 60, 100, n // 4, n // 2, (3 * n) // 4,
                              n - 40, n - 13, n - 12, n - 11, n - 4, n - 3, n - 2, n - 1]))
        for L in lengths:
            if L <= 0 or L >= n:
                continue
            got = pillow_loads(data[:L])
            if got is not None:
                assert np.array_equal(got, full), (name, L)
            rows.append("%s %d %s" % (name, L, "ok" if got is not None else "err"))
    return rows


# ------------------------------------------------------------------ resize

FILTERS = [("nearest", Image.Resampling.NEAREST), ("lanczos", Image.Resampling.LANCZOS),
           ("bilinear", Image.Resampling.BILINEAR), ("bicubic", Image.Resampling.BICUBIC),
           ("box", Image.Resampling.BOX), ("hamming", Image.Resampling.HAMMING)]
RESIZE_SIZES_RGB = [(47, 31), (16, 11), (26, 19), (37, 14), (22, 23), (50, 9), (5, 3), (1, 1)]
RESIZE_SIZES_L = [(53, 41), (26, 19), (50, 9), (7, 30)]


def make_resize():
    d = os.path.join(OUT, "resize")
    os.makedirs(d, exist_ok=True)
    src = Image.fromarray(base_rgb(RESIZE_W, RESIZE_H, 12), "RGB")
    srcl = src.convert("L")
    open(os.path.join(d, "src.rgb"), "wb").write(src.tobytes())
    open(os.path.join(d, "src.gray"), "wb").write(srcl.tobytes())
    rows = []
    for mode, im, sizes in [("rgb", src, RESIZE_SIZES_RGB), ("gray", srcl, RESIZE_SIZES_L)]:
        for fname, f in FILTERS:
            for w, h in sizes:
                out = im.resize((w, h), f)
                fn = "%s_%s_%dx%d" % (mode, fname, w, h)
                open(os.path.join(d, fn), "wb").write(out.tobytes())
                rows.append("%s %d %d %d %s" % (mode, int(f), w, h, fn))
    open(os.path.join(OUT, "resize.txt"), "w").write("\n".join(rows) + "\n")


# ------------------------------------------------------------------ preprocess
# Float references computed the way the Python libraries do it:
#  HF image processors: PIL resize -> np.float64(x) * rescale -> float32 ->
#    (x - mean) / std in float32, centre crop offset (h - ch) // 2.
#  timm / torchvision 0.14: Resize(shortest edge) on PIL, CenterCrop with
#    int(round((h - ch) / 2.0)) and zero padding, ToTensor (float32 x / 255),
#    Normalize in float32.
# Only a strided grid of the C x 224 x 224 output is stored (size budget),
# plus per-channel sums over every value.

PP_W, PP_H = 46, 33     # shortest edge 248: long side int(248 * 46 / 33) = 345,
                        # crop offset (345 - 224) / 2 = 60.5 -> round() = 60 (even)
PP_STRIDE = 7


def shortest_edge_size(w, h, se):
    short, long_ = (w, h) if w <= h else (h, w)
    new_short, new_long = se, int(se * long_ / short)
    return (new_short, new_long) if w <= h else (new_long, new_short)


def center_crop(arr, ch, cw, rounded):
    h, w = arr.shape[:2]
    # torchvision pads with zeros first when the crop is larger
    if cw > w or ch > h:
        pl, pt = max(0, (cw - w) // 2), max(0, (ch - h) // 2)
        pr, pb = max(0, (cw - w + 1) // 2), max(0, (ch - h + 1) // 2)
        arr = np.pad(arr, ((pt, pb), (pl, pr)) + ((0, 0),) * (arr.ndim - 2))
        h, w = arr.shape[:2]
    if rounded:
        top, left = int(round((h - ch) / 2.0)), int(round((w - cw) / 2.0))
    else:
        top, left = (h - ch) // 2, (w - cw) // 2
    return arr[top:top + ch, left:left + cw]


def make_preprocess():
    d = os.path.join(OUT, "preprocess")
    os.makedirs(d, exist_ok=True)
    arr = base_rgb(PP_W, PP_H, 13)
    path = os.path.join(d, "input.png")
    Image.fromarray(arr, "RGB").save(path)
    im = Image.open(path).convert("RGB")
    mean = np.array([0.5, 0.5, 0.5], np.float32)
    std = np.array([0.5, 0.5, 0.5], np.float32)
    configs = []

    # HF ViTImageProcessor style: resize 224x224 bilinear, rescale 1/255.
    r = np.asarray(im.resize((224, 224), Image.Resampling.BILINEAR))
    x = (r.astype(np.float64) * 0.00392156862745098).astype(np.float32)
    x = (x - mean) / std
    configs.append(("hf_bilinear224", x))

    # timm style: shortest edge 248 bicubic, centre crop 224 (rounded).
    w, h = shortest_edge_size(PP_W, PP_H, 248)
    r = np.asarray(im.resize((w, h), Image.Resampling.BICUBIC))
    r = center_crop(r, 224, 224, True)
    x = r.astype(np.float32) / np.float32(255)
    x = (x - mean) / std
    configs.append(("timm_bicubic248_crop224", x))

    # Fixed resize to 200x180, then a 175x224 crop: floored offset across,
    # zero padding (torchvision's split: 22 above, 22 below) down; ImageNet
    # mean/std.
    im2 = Image.fromarray(base_rgb(61, 19, 14), "RGB")
    im2.save(os.path.join(d, "input_wide.png"))
    im2 = Image.open(os.path.join(d, "input_wide.png")).convert("RGB")
    r = np.asarray(im2.resize((200, 180), Image.Resampling.BICUBIC))
    r = center_crop(r, 224, 175, False)
    x = (r.astype(np.float64) * 0.00392156862745098).astype(np.float32)
    x = (x - np.array([0.485, 0.456, 0.406], np.float32)) / np.array([0.229, 0.224, 0.225], np.float32)
    configs.append(("floor_resize200x180_crop175x224_pad", x))

    rows = []
    for name, x in configs:
        chw = np.ascontiguousarray(x.transpose(2, 0, 1)).astype("<f4")
        grid = chw[:, ::PP_STRIDE, ::PP_STRIDE]
        open(os.path.join(d, name + ".f32"), "wb").write(np.ascontiguousarray(grid).tobytes())
        sums = chw.astype(np.float64).sum(axis=(1, 2))
        rows.append("%s %d %d %d %d %.10f %.10f %.10f" % (name, chw.shape[2], chw.shape[1], PP_STRIDE, chw.shape[0],
                                                         sums[0], sums[1], sums[2]))
    open(os.path.join(OUT, "preprocess.txt"), "w").write("\n".join(rows) + "\n")


# ------------------------------------------------------------------ main

def main():
    os.makedirs(os.path.join(OUT, "src"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "expected"), exist_ok=True)
    files = {}
    files.update(png_variants())
    jv, cmyk_arr = jpeg_variants()
    files.update(jv)
    files.update(pnm_variants())
    open(os.path.join(OUT, "src", "cmyk_37x23.raw"), "wb").write(cmyk_arr.tobytes())

    manifest = []
    for name in sorted(files):
        data = files[name]
        open(os.path.join(OUT, "src", name), "wb").write(data)
        im = Image.open(io.BytesIO(data))
        im.load()
        rgb = im.convert("RGB")
        gray = im.convert("L")
        open(os.path.join(OUT, "expected", name + ".rgb"), "wb").write(rgb.tobytes())
        open(os.path.join(OUT, "expected", name + ".gray"), "wb").write(gray.tobytes())
        manifest.append("%s %d %d %s" % (name, im.size[0], im.size[1], im.mode))
    open(os.path.join(OUT, "decode.txt"), "w").write("\n".join(manifest) + "\n")
    open(os.path.join(OUT, "truncate.txt"), "w").write("\n".join(truncation_table(files)) + "\n")
    make_resize()
    make_preprocess()
    total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(OUT) for f in fs)
    print("wrote %s (%d bytes)" % (OUT, total), file=sys.stderr)


if __name__ == "__main__":
    main()
