#!/usr/bin/python3
"""Reference for GGUF decoder models: the file read and dequantised by the
independent NumPy reader (gguf_dequant.py, written from ggml's block
definitions), turned back into a Hugging Face folder -- llama.cpp's tensor
names to HF's, the Llama q/k row permutation of convert_hf_to_gguf.py
undone, GGUF metadata keys to config.json -- and run by
reference_lm_families.py (written from transformers' modeling files). So the
entropies are the F32 computation on the same dequantised weights, with no
entropy-lens C code involved.

Families: llama, qwen2 (the ones the GGUF tests cover).

Usage: reference_gguf.py MODEL.gguf --ids 1,2,3 [--steps N] [--json OUT]
"""
import argparse
import json
import os
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from gguf_dequant import read_gguf  # noqa: E402
from safetensors_io import write_safetensors  # noqa: E402
import reference_lm_families as ref  # noqa: E402
import reference_text as rt  # noqa: E402


def unpermute(w, n_head):
    """Inverse of convert_hf_to_gguf.py's LlamaModel.permute: GGUF row 2i (2i+1)
    of each head is HF row i (hd/2 + i)."""
    rows = w.shape[0]
    return w.reshape(n_head, rows // n_head // 2, 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def to_hf(path, out_dir):
    meta, tensors = read_gguf(path)
    arch = meta["general.architecture"]
    if arch not in ("llama", "qwen2"):
        raise SystemExit(f"{path}: architecture {arch} not covered by this reference")
    k = lambda name, d=None: meta.get(f"{arch}.{name}", d)  # noqa: E731
    H, KV, D = k("attention.head_count"), k("attention.head_count_kv"), k("embedding_length")
    hd = k("attention.key_length", D // H)
    V = tensors["token_embd.weight"][0][1]

    def mat(name):
        ne, _, v = tensors[name]
        return np.asarray(v, np.float32).reshape(list(reversed(ne)))

    sd = {"model.embed_tokens.weight": mat("token_embd.weight"), "model.norm.weight": mat("output_norm.weight")}
    tied = "output.weight" not in tensors
    if not tied:
        sd["lm_head.weight"] = mat("output.weight")
    hf = {"attn_norm": "input_layernorm", "ffn_norm": "post_attention_layernorm", "attn_q": "self_attn.q_proj",
          "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj", "attn_output": "self_attn.o_proj",
          "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj", "ffn_down": "mlp.down_proj"}
    for name in tensors:
        if not name.startswith("blk."):
            continue
        _, layer, short, kind = name.split(".")
        w = mat(name)
        if arch == "llama" and short in ("attn_q", "attn_k"):
            w = unpermute(w, H if short == "attn_q" else KV)
        sd[f"model.layers.{layer}.{hf[short]}.{kind}"] = w
    cfg = {"model_type": arch, "architectures": ["LlamaForCausalLM" if arch == "llama" else "Qwen2ForCausalLM"],
           "hidden_size": D, "num_hidden_layers": k("block_count"), "num_attention_heads": H,
           "num_key_value_heads": KV, "head_dim": hd, "intermediate_size": k("feed_forward_length"),
           "vocab_size": V, "max_position_embeddings": k("context_length"),
           "rms_norm_eps": k("attention.layer_norm_rms_epsilon"), "rope_theta": k("rope.freq_base", 10000.0),
           "tie_word_embeddings": tied, "hidden_act": "silu", "torch_dtype": "float32",
           "attention_bias": "blk.0.attn_q.bias" in tensors}
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(cfg, f)
    write_safetensors(os.path.join(out_dir, "model.safetensors"),
                      {n: torch.from_numpy(np.ascontiguousarray(v)) for n, v in sd.items()})


def load(path):
    """A FamilyModel over the dequantised weights of a GGUF file."""
    with tempfile.TemporaryDirectory() as tmp:
        to_hf(path, tmp)
        return ref.load_model(tmp)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--ids", required=True)
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--json")
    a = ap.parse_args()
    r = rt.generate(load(a.model), [int(x) for x in a.ids.split(",")], a.steps)
    print("generated", r["generated_ids"])
    if a.json:
        with open(a.json, "w") as f:
            json.dump(r, f)


if __name__ == "__main__":
    main()
