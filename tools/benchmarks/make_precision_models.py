#!/usr/bin/python3
"""Stored-precision copies of the GPT-2-small bench model (made first by
make_bench_models.py in the same folder), for the decode-bound benchmark
(bench_precision.py):

  gpt2-small-bf16/        the same folder with model.safetensors in BF16
  gpt2-small-q8_0.gguf    GGUF (llama.cpp's gpt2 layout: Conv1D weights
                          transposed to [out, in], q|k|v fused as attn_qkv,
                          tied head) with every matrix Q8_0, norms, biases and
                          positions F32, and the byte-level BPE tokenizer from
                          vocab.json + merges.txt as tokenizer.ggml.*

Usage: tools/benchmarks/make_precision_models.py [DIR]   (default /tmp/el-bench)
"""
import json
import os
import shutil
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "fixtures"))
from gguf_writer import GGUFWriter, T_F32, T_STR  # noqa: E402
from safetensors_io import load_dir, write_safetensors  # noqa: E402


def bf16_copy(src, dst):
    os.makedirs(dst, exist_ok=True)
    for f in os.listdir(src):
        if f != "model.safetensors":
            shutil.copy(os.path.join(src, f), dst)
    sd, _, _ = load_dir(src)
    write_safetensors(os.path.join(dst, "model.safetensors"), {k: v.to(torch.bfloat16) for k, v in sd.items()})


def gguf_q8(src, path):
    with open(os.path.join(src, "config.json")) as f:
        cfg = json.load(f)
    sd, _, _ = load_dir(src)
    sd = {k.removeprefix("transformer."): v.float().numpy() for k, v in sd.items()}
    D, L = cfg["n_embd"], cfg["n_layer"]
    g = GGUFWriter(path)
    g.add("general.architecture", "gpt2").add("general.name", "gpt2-small bench q8_0")
    for k, v in (("block_count", L), ("context_length", cfg["n_positions"]), ("embedding_length", D),
                 ("feed_forward_length", cfg.get("n_inner") or 4 * D), ("attention.head_count", cfg["n_head"])):
        g.add(f"gpt2.{k}", v)
    g.add("gpt2.attention.layer_norm_epsilon", float(cfg["layer_norm_epsilon"]), T_F32)
    with open(os.path.join(src, "vocab.json")) as f:
        vocab = json.load(f)
    tokens = [None] * (max(vocab.values()) + 1)
    for s, i in vocab.items():
        tokens[i] = s
    with open(os.path.join(src, "merges.txt")) as f:
        merges = [ln.rstrip("\n") for ln in f if ln.strip() and not ln.startswith("#version")]
    g.add("tokenizer.ggml.model", "gpt2").add("tokenizer.ggml.pre", "gpt-2")
    g.add("tokenizer.ggml.tokens", [t if t is not None else f"[PAD{i}]" for i, t in enumerate(tokens)], item_type=T_STR)
    g.add("tokenizer.ggml.merges", merges, item_type=T_STR)
    g.tensor("token_embd.weight", sd["wte.weight"], "Q8_0").tensor("position_embd.weight", sd["wpe.weight"])
    names = {"ln_1": "attn_norm", "attn.c_attn": "attn_qkv", "attn.c_proj": "attn_output", "ln_2": "ffn_norm",
             "mlp.c_fc": "ffn_up", "mlp.c_proj": "ffn_down"}
    for l in range(L):
        for hf, short in names.items():
            w, b = sd[f"h.{l}.{hf}.weight"], sd[f"h.{l}.{hf}.bias"]
            g.tensor(f"blk.{l}.{short}.weight", w.T if w.ndim == 2 else w, "Q8_0" if w.ndim == 2 else "F32")
            g.tensor(f"blk.{l}.{short}.bias", b)
    g.tensor("output_norm.weight", sd["ln_f.weight"]).tensor("output_norm.bias", sd["ln_f.bias"])
    g.write()


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "/tmp/el-bench"
    src = os.path.join(d, "gpt2-small")
    bf16_copy(src, os.path.join(d, "gpt2-small-bf16"))
    gguf_q8(src, os.path.join(d, "gpt2-small-q8_0.gguf"))
    print("wrote", os.path.join(d, "gpt2-small-bf16"), os.path.join(d, "gpt2-small-q8_0.gguf"))


if __name__ == "__main__":
    main()
