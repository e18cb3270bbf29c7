#!/usr/bin/env python3
"""Independent NumPy reader and dequantiser for GGUF, written from the format's
definition (ggml's block structs in ggml-common.h and the dequantize_row_*
formulas), not from the C code. float32 arithmetic in ggml's order:
  Q8_0: d*q      Q4_0: d*(q-8)
  Q4_K/Q5_K: (d*sc)*q - dmin*m     Q6_K: (d*sc)*(q-32)
Usage: gguf_dequant.py IN.gguf OUT.gguf  -- writes every tensor of IN
dequantised to F32 (same names), the expected values for the C test."""
import struct
import sys

import numpy as np

SIZES = {0: (1, 4), 1: (1, 2), 2: (32, 18), 8: (32, 34), 12: (256, 144), 13: (256, 176), 14: (256, 210),
         30: (1, 2)}


def read_gguf(path):
    buf = open(path, "rb").read()
    pos = 0

    def take(fmt):
        nonlocal pos
        v = struct.unpack_from(fmt, buf, pos)
        pos += struct.calcsize(fmt)
        return v[0]

    def string():
        nonlocal pos
        n = take("<Q")
        pos += n
        return buf[pos - n:pos].decode()

    fmts = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}

    def value(t):
        if t == 8:
            return string()
        if t == 9:
            it, n = take("<I"), take("<Q")
            return [value(it) for _ in range(n)]
        return take(fmts[t])

    assert buf[:4] == b"GGUF"
    pos = 4
    take("<I")
    nt, nkv = take("<Q"), take("<Q")
    meta = {}
    for _ in range(nkv):
        k = string()
        meta[k] = value(take("<I"))
    infos = []
    for _ in range(nt):
        name = string()
        nd = take("<I")
        ne = [take("<Q") for _ in range(nd)]
        infos.append((name, ne, take("<I"), take("<Q")))
    al = meta.get("general.alignment", 32)
    start = (pos + al - 1) // al * al
    tensors = {}
    for name, ne, t, off in infos:
        n = int(np.prod(ne))
        blk, nb = SIZES[t]
        raw = np.frombuffer(buf, np.uint8, n // blk * nb, start + off)
        tensors[name] = (ne, t, dequant(t, raw, n))
    return meta, tensors


def h(b):  # little-endian float16 bytes (..., 2) -> float32
    return np.ascontiguousarray(b).view(np.float16).astype(np.float32)[..., 0]


def k_scales(s):
    """(nb, 12) bytes -> (nb, 8) 6-bit scales and mins."""
    sc = np.zeros((len(s), 8), np.uint8)
    m = np.zeros((len(s), 8), np.uint8)
    sc[:, :4], m[:, :4] = s[:, 0:4] & 63, s[:, 4:8] & 63
    sc[:, 4:] = (s[:, 8:12] & 0xF) | ((s[:, 0:4] >> 6) << 4)
    m[:, 4:] = (s[:, 8:12] >> 4) | ((s[:, 4:8] >> 6) << 4)
    return sc.astype(np.float32), m.astype(np.float32)


def dequant(t, raw, n):
    f32 = np.float32
    if t == 0:
        return raw.view(np.float32).copy()
    if t == 1:
        return raw.view(np.float16).astype(f32)
    if t == 30:
        return (raw.view(np.uint16).astype(np.uint32) << 16).view(f32)
    if t == 8:
        b = raw.reshape(-1, 34)
        return (b[:, 2:].view(np.int8).astype(f32) * h(b[:, :2])[:, None]).reshape(-1)
    if t == 2:
        b = raw.reshape(-1, 18)
        q = np.concatenate([b[:, 2:] & 0xF, b[:, 2:] >> 4], 1).astype(np.int32) - 8
        return (q.astype(f32) * h(b[:, :2])[:, None]).reshape(-1)
    if t in (12, 13):
        b = raw.reshape(-1, 144 if t == 12 else 176)
        d, dmin = h(b[:, 0:2]), h(b[:, 2:4])
        sc, m = k_scales(b[:, 4:16])
        qs = b[:, 16:144] if t == 12 else b[:, 48:176]
        # 4 chunks of 32 bytes; chunk j holds sub-block 2j in low nibbles, 2j+1 in high ones
        qs = qs.reshape(-1, 4, 1, 32)
        q = np.concatenate([qs & 0xF, qs >> 4], 2).reshape(-1, 8, 32).astype(np.int32)
        if t == 13:  # fifth bit of sub-block s is bit s of qh[l]
            qh = b[:, 16:48]
            q += (((qh[:, None, :] >> np.arange(8)[None, :, None]) & 1) * 16).astype(np.int32)
        dl, ml = (d[:, None] * sc).astype(f32), (dmin[:, None] * m).astype(f32)
        return (dl[..., None] * q.astype(f32) - ml[..., None]).reshape(-1)
    if t == 14:
        b = raw.reshape(-1, 210)
        ql, qh, sc, d = b[:, :128], b[:, 128:192], b[:, 192:208].view(np.int8), h(b[:, 208:210])
        out = np.zeros((len(b), 256), f32)
        for half in range(2):
            L, H = ql[:, 64 * half:64 * half + 64], qh[:, 32 * half:32 * half + 32]
            quarters = [(L[:, :32] & 0xF) | ((H & 3) << 4), (L[:, 32:] & 0xF) | (((H >> 2) & 3) << 4),
                        (L[:, :32] >> 4) | (((H >> 4) & 3) << 4), (L[:, 32:] >> 4) | (((H >> 6) & 3) << 4)]
            for k, qv in enumerate(quarters):  # value i of this quarter uses scale 8*half + 2*k + i//16
                s = sc[:, 8 * half + 2 * k: 8 * half + 2 * k + 2].astype(f32)
                ds = (d[:, None] * np.repeat(s, 16, 1)).astype(f32)
                out[:, 128 * half + 32 * k:128 * half + 32 * k + 32] = ds * (qv.astype(np.int32) - 32).astype(f32)
        return out.reshape(-1)
    raise ValueError(f"type {t} not supported")


def main():
    sys.path.insert(0, __file__.rsplit("/", 2)[0] + "/fixtures")
    from gguf_writer import GGUFWriter
    _, tensors = read_gguf(sys.argv[1])
    w = GGUFWriter(sys.argv[2])
    for name, (ne, _, vals) in tensors.items():
        w.tensor(name, vals.reshape(list(reversed(ne))), "F32")
    w.write()


if __name__ == "__main__":
    main()
