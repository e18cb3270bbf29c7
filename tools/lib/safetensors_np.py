"""NumPy-only safetensors writer and strict reader for F32 tensors, used by
the sample-model training scripts (tools/train_sample_*.py) to write their
checkpoints and read them back. tools/lib/safetensors_io.py is the torch-based
reader/writer for the fixtures (all dtypes)."""
import json
import struct

import numpy as np

def write_safetensors(path, tensors):
    """tensors: name -> float32 numpy array. Layout as the safetensors library
    writes it: u64 LE header size, JSON header padded with spaces to a multiple
    of 8, then the tensors back to back in name order."""
    names = sorted(tensors)
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    blobs = []
    for n in names:
        a = np.ascontiguousarray(tensors[n], dtype="<f4")
        header[n] = {"dtype": "F32", "shape": list(a.shape),
                     "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
        blobs.append(a.tobytes())
    hj = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hj += b" " * (-len(hj) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """Independent reader: checks the header covers the data section exactly."""
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    out, spans = {}, []
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", name
        b, e = info["data_offsets"]
        count = int(np.prod(info["shape"])) if info["shape"] else 1
        assert e - b == 4 * count, name
        out[name] = np.frombuffer(data, dtype="<f4", count=count, offset=b).reshape(info["shape"])
        spans.append((b, e))
    spans.sort()
    pos = 0
    for b, e in spans:
        assert b == pos, "gap or overlap in data section"
        pos = e
    assert pos == len(data), "trailing bytes after last tensor"
    return out
