#!/usr/bin/env python3
"""A seeded random Llama-3-8B-shaped checkpoint for speed and memory
benchmarks (values do not matter): OUT/llama8b-bf16/ (config.json,
model.safetensors in BF16, ~16 GB, and a byte-level tokenizer.json: one
token per byte, so any prompt encodes) and, where the disk allows, its GGUF
conversions OUT/llama8b-q8_0.gguf (~8.5 GB) and OUT/llama8b-q4_k.gguf
(~4.6 GB; Q4_K everywhere, output.weight Q6_K like llama.cpp's Q4_K_M).
Tensors are produced and written a row chunk at a time, so memory stays near
one chunk. The same seed gives the same values in every file (each tensor is
seeded from its own name). The GGUF q/k rows are written as generated: with
random weights the llama.cpp permutation is irrelevant to speed.

  make_llama8b.py OUT [--only bf16,q8_0,q4_k] [--layers N] [--scale K]

--layers/--scale shrink the shape (dims divided by K) to check the script
quickly; the default is the real shape. Needs free disk: checked with
shutil.disk_usage before each file (skipped with a message when short).
Do not run the full size on a shared machine: minutes of CPU and 30 GB of
disk."""
import argparse
import json
import os
import shutil
import struct
import sys
import zlib

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
from gguf_writer import GGML, GGUFWriter, T_ARR  # noqa: E402

CHUNK_ROWS = 1024


def shape_of(args):
    k = args.scale
    return dict(vocab=128256 // k, dim=4096 // k, layers=args.layers, heads=32 // min(k, 8),
                kv_heads=8 // min(k, 8), mlp=14336 // k, ctx=8192, theta=500000.0, eps=1e-5)


def tensors(c):
    """(HF name, GGUF name, [rows, cols]) of every tensor, HF order."""
    hd = c["dim"] // c["heads"]
    out = [("model.embed_tokens.weight", "token_embd.weight", [c["vocab"], c["dim"]])]
    for i in range(c["layers"]):
        p, g = f"model.layers.{i}.", f"blk.{i}."
        out += [(p + "input_layernorm.weight", g + "attn_norm.weight", [c["dim"]]),
                (p + "self_attn.q_proj.weight", g + "attn_q.weight", [c["heads"] * hd, c["dim"]]),
                (p + "self_attn.k_proj.weight", g + "attn_k.weight", [c["kv_heads"] * hd, c["dim"]]),
                (p + "self_attn.v_proj.weight", g + "attn_v.weight", [c["kv_heads"] * hd, c["dim"]]),
                (p + "self_attn.o_proj.weight", g + "attn_output.weight", [c["dim"], c["heads"] * hd]),
                (p + "post_attention_layernorm.weight", g + "ffn_norm.weight", [c["dim"]]),
                (p + "mlp.gate_proj.weight", g + "ffn_gate.weight", [c["mlp"], c["dim"]]),
                (p + "mlp.up_proj.weight", g + "ffn_up.weight", [c["mlp"], c["dim"]]),
                (p + "mlp.down_proj.weight", g + "ffn_down.weight", [c["dim"], c["mlp"]])]
    out += [("model.norm.weight", "output_norm.weight", [c["dim"]]),
            ("lm_head.weight", "output.weight", [c["vocab"], c["dim"]])]
    return out


def chunks(name, shape, seed):
    """Seeded float32 values of one tensor, CHUNK_ROWS rows at a time."""
    rng = np.random.default_rng([seed, zlib.crc32(name.encode())])
    if len(shape) == 1:
        yield (1 + 0.1 * rng.standard_normal(shape[0])).astype(np.float32)
        return
    std = np.float32(1 / np.sqrt(shape[1]))
    for r in range(0, shape[0], CHUNK_ROWS):
        yield rng.standard_normal((min(CHUNK_ROWS, shape[0] - r), shape[1]), np.float32) * std


def bf16(a):
    u = a.view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16).tobytes()


def enough_disk(path, need):
    free = shutil.disk_usage(os.path.dirname(os.path.abspath(path)) or ".").free
    if free < need * 1.05 + (2 << 30):
        print(f"skip {path}: needs {need / 2**30:.1f} GiB, {free / 2**30:.1f} GiB free", file=sys.stderr)
        return False
    return True


def byte_tokens(n):
    """GPT-2's byte-level alphabet (bytes_to_unicode) as ids 0..255, then
    <t256>.. up to n: any text encodes (one token per byte, no merges)."""
    bs = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    cs, k = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + k)
            k += 1
    return [chr(c) for c in cs] + [f"<t{i}>" for i in range(256, n)]


def write_tokenizer_json(d, n):
    bl = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    tj = {"version": "1.0", "added_tokens": [], "normalizer": None, "pre_tokenizer": bl, "post_processor": None,
          "decoder": bl, "model": {"type": "BPE", "vocab": {t: i for i, t in enumerate(byte_tokens(n))}, "merges": []}}
    with open(os.path.join(d, "tokenizer.json"), "w") as f:
        json.dump(tj, f)


def write_bf16(out, c, seed):
    d = os.path.join(out, "llama8b-bf16")
    os.makedirs(d, exist_ok=True)
    header, off = {}, 0
    for hf, _, shape in tensors(c):
        n = int(np.prod(shape)) * 2
        header[hf] = {"dtype": "BF16", "shape": shape, "data_offsets": [off, off + n]}
        off += n
    path = os.path.join(d, "model.safetensors")
    if not enough_disk(path, off):
        return
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for hf, _, shape in tensors(c):
            for ch in chunks(hf, shape, seed):
                f.write(bf16(np.ascontiguousarray(ch)))
    cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": c["vocab"],
           "hidden_size": c["dim"], "intermediate_size": c["mlp"], "num_hidden_layers": c["layers"],
           "num_attention_heads": c["heads"], "num_key_value_heads": c["kv_heads"],
           "max_position_embeddings": c["ctx"], "rms_norm_eps": c["eps"], "rope_theta": c["theta"],
           "hidden_act": "silu", "tie_word_embeddings": False, "torch_dtype": "bfloat16",
           "bos_token_id": 128000, "eos_token_id": 128001}
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    write_tokenizer_json(d, c["vocab"])
    print(path)


def write_gguf(out, c, seed, qtype):
    path = os.path.join(out, f"llama8b-{qtype.lower()}.gguf")
    w = GGUFWriter(path)
    hd = c["dim"] // c["heads"]
    w.add("general.architecture", "llama").add("general.name", "random llama-3-8b shape")
    for k, v in [("block_count", c["layers"]), ("embedding_length", c["dim"]), ("feed_forward_length", c["mlp"]),
                 ("attention.head_count", c["heads"]), ("attention.head_count_kv", c["kv_heads"]),
                 ("context_length", c["ctx"]), ("rope.dimension_count", hd)]:
        w.add(f"llama.{k}", v)
    w.add("llama.attention.layer_norm_rms_epsilon", c["eps"]).add("llama.rope.freq_base", c["theta"])
    w.add("tokenizer.ggml.model", "gpt2").add("tokenizer.ggml.pre", "llama-bpe")
    w.add("tokenizer.ggml.tokens", byte_tokens(c["vocab"]), T_ARR)
    w.add("tokenizer.ggml.merges", [], T_ARR, 8)
    total = 0
    for hf, name, shape in tensors(c):
        dt = "F32" if len(shape) == 1 else "Q6_K" if (qtype == "Q4_K" and name == "output.weight") else qtype
        _, blk, nb = GGML[dt]
        total += int(np.prod(shape)) // blk * nb
        w.tensor_lazy(name, shape, dt, lambda hf=hf, shape=shape: chunks(hf, shape, seed))
    if enough_disk(path, total):
        w.write()
        print(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--only", default="bf16,q8_0,q4_k")
    ap.add_argument("--layers", type=int, default=32)
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--seed", type=int, default=8)
    a = ap.parse_args()
    c = shape_of(a)
    os.makedirs(a.out, exist_ok=True)
    for what in a.only.split(","):
        if what == "bf16":
            write_bf16(a.out, c, a.seed)
        else:
            write_gguf(a.out, c, a.seed, what.upper())


if __name__ == "__main__":
    main()
