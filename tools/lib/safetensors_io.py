"""Minimal safetensors reader/writer (no `safetensors` package needed).

File layout: 8-byte little-endian header length N, N bytes of JSON
{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}},
then the raw little-endian tensor bytes; offsets are relative to the start of
the data section.

Tensors are handled as torch tensors; F16 and BF16 are kept in their dtype on
read (callers upcast with .float()).
"""
import json
import os
import struct

import numpy as np
import torch

_DTYPES = {
    "F64": (torch.float64, 8),
    "F32": (torch.float32, 4),
    "F16": (torch.float16, 2),
    "BF16": (torch.bfloat16, 2),
    "I64": (torch.int64, 8),
    "I32": (torch.int32, 4),
    "I16": (torch.int16, 2),
    "I8": (torch.int8, 1),
    "U8": (torch.uint8, 1),
    "BOOL": (torch.bool, 1),
}
_NAMES = {v[0]: k for k, v in _DTYPES.items()}


def read_header(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    return header, 8 + n


def read_safetensors(path):
    """Returns ({name: tensor}, {name: dtype string}, metadata dict)."""
    header, data_start = read_header(path)
    meta = header.pop("__metadata__", {}) or {}
    with open(path, "rb") as f:
        f.seek(data_start)
        data = f.read()
    tensors, dtypes = {}, {}
    for name, info in header.items():
        dt = info["dtype"]
        if dt not in _DTYPES:
            raise ValueError(f"{path}: tensor {name}: unsupported dtype {dt}")
        tdtype, size = _DTYPES[dt]
        b, e = info["data_offsets"]
        shape = list(info["shape"])
        count = int(np.prod(shape)) if shape else 1
        if e - b != count * size or e > len(data):
            raise ValueError(f"{path}: tensor {name}: bad data_offsets {b},{e}")
        raw = bytearray(data[b:e])
        if tdtype == torch.bfloat16:
            t = torch.frombuffer(raw, dtype=torch.int16).view(torch.bfloat16) if count else torch.empty(0, dtype=torch.bfloat16)
        elif count:
            t = torch.frombuffer(raw, dtype=tdtype)
        else:
            t = torch.empty(0, dtype=tdtype)
        tensors[name] = t.reshape(shape).clone()
        dtypes[name] = dt
    return tensors, dtypes, meta


def write_safetensors(path, tensors, metadata=None):
    """tensors: {name: torch tensor} (written in its own dtype), in the order
    given. The header is padded with spaces to a multiple of 8 bytes, as the
    safetensors library does."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs, off = [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        if t.dtype not in _NAMES:
            raise ValueError(f"unsupported dtype {t.dtype} for {name}")
        if t.dtype == torch.bfloat16:
            raw = t.view(torch.int16).numpy().astype("<i2").tobytes()
        else:
            raw = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    hj = json.dumps(header, separators=(",", ":")).encode()
    hj += b" " * ((8 - len(hj) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for raw in blobs:
            f.write(raw)


def load_dir(model_dir):
    """Loads every tensor of a model directory: model.safetensors, or the
    shards listed by model.safetensors.index.json ("weight_map").
    Returns ({name: tensor}, {name: dtype string}, n_shards)."""
    index = os.path.join(model_dir, "model.safetensors.index.json")
    single = os.path.join(model_dir, "model.safetensors")
    if os.path.exists(index):
        with open(index) as f:
            wm = json.load(f)["weight_map"]
        tensors, dtypes = {}, {}
        shards = sorted(set(wm.values()))
        for shard in shards:
            t, d, _ = read_safetensors(os.path.join(model_dir, shard))
            for name in t:
                if wm.get(name) != shard:
                    raise ValueError(f"{shard}: tensor {name} not mapped to this shard in the index")
            tensors.update(t)
            dtypes.update(d)
        missing = [n for n in wm if n not in tensors]
        if missing:
            raise ValueError(f"index names tensors missing from shards: {missing[:5]}")
        return tensors, dtypes, len(shards)
    if os.path.exists(single):
        t, d, _ = read_safetensors(single)
        return t, d, 1
    raise FileNotFoundError(f"{model_dir}: no model.safetensors or model.safetensors.index.json")
