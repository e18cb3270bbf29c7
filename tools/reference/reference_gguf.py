#!/usr/bin/python3
"""Reference for GGUF decoder models: the file read and dequantised by the
independent NumPy reader (gguf_dequant.py, written from ggml's block
definitions), turned back into a Hugging Face folder -- llama.cpp's tensor
names to HF's, the Llama q/k row permutation of convert_hf_to_gguf.py
undone, GGUF metadata keys to config.json -- and run by
reference_lm_families.py (written from transformers' modeling files). So the
entropies are the F32 computation on the same dequantised weights, with no
entropy-lens C code involved.

Families: llama, qwen2, qwen3, gemma, gemma2, gemma3 (the ones the GGUF
tests cover). For Gemma the settings llama.cpp derives from the
architecture instead of reading keys (attention scale, sliding layers,
Gemma 3's local RoPE base) are written into the config as llama.cpp
derives them (gemma_config).

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


ARCHS = {"llama": ("llama", "LlamaForCausalLM"), "qwen2": ("qwen2", "Qwen2ForCausalLM"),
         "qwen3": ("qwen3", "Qwen3ForCausalLM"), "gemma": ("gemma", "GemmaForCausalLM"),
         "gemma2": ("gemma2", "Gemma2ForCausalLM"), "gemma3": ("gemma3_text", "Gemma3ForCausalLM")}


def hf_layer_names(arch):
    """llama.cpp's layer tensor names back to HF's (gguf-py's tensor map)."""
    hf = {"attn_norm": "input_layernorm", "ffn_norm": "post_attention_layernorm", "attn_q": "self_attn.q_proj",
          "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj", "attn_output": "self_attn.o_proj",
          "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj", "ffn_down": "mlp.down_proj",
          "attn_q_norm": "self_attn.q_norm", "attn_k_norm": "self_attn.k_norm"}
    if arch in ("gemma2", "gemma3"):
        hf.update({"post_attention_norm": "post_attention_layernorm", "ffn_norm": "pre_feedforward_layernorm",
                   "post_ffw_norm": "post_feedforward_layernorm"})
    return hf


def gemma_config(arch, k, D, H, hd, L):
    """The Gemma settings llama.cpp (src/llama-model.cpp) derives rather than
    reads, as HF config keys: the attention scale (query_pre_attn_scalar:
    n_embd / n_head for the 27B sizes, 46 blocks for gemma2 and 62 for
    gemma3, else the head size), Gemma 2's even sliding layers (HF's own
    default), Gemma 3's pattern of 6 with local RoPE base 10000, and the soft
    caps and window from their keys (Gemma 2 without them: llama.cpp's
    defaults, caps 50 and 30, window 4096)."""
    big = (arch == "gemma2" and L == 46) or (arch == "gemma3" and L == 62)
    cfg = {"hidden_activation": "gelu_pytorch_tanh"}
    if arch == "gemma":
        return cfg
    cfg["query_pre_attn_scalar"] = D // H if big else hd
    if arch == "gemma2":  # llama.cpp's defaults when a key is absent: window 4096, caps 50 and 30
        sw = k("attention.sliding_window", 4096)
        cfg["final_logit_softcapping"] = k("final_logit_softcapping", 30.0)
        cfg["attn_logit_softcapping"] = k("attn_logit_softcapping", 50.0)
        cfg["layer_types"] = ["sliding_attention" if sw and i % 2 == 0 else "full_attention" for i in range(L)]
    else:
        sw = k("attention.sliding_window", 0)
        cfg["final_logit_softcapping"] = k("final_logit_softcapping")
        cfg["attn_logit_softcapping"] = None
        cfg["layer_types"] = ["sliding_attention" if sw and i % 6 < 5 else "full_attention" for i in range(L)]
        cfg["rope_local_base_freq"] = 10000.0
        if k("rope.scaling.type") == "linear":
            cfg["rope_scaling"] = {"rope_type": "linear", "factor": k("rope.scaling.factor")}
    cfg["sliding_window"] = sw or 4096
    return cfg


def to_hf(path, out_dir):
    meta, tensors = read_gguf(path)
    arch = meta["general.architecture"]
    if arch not in ARCHS:
        raise SystemExit(f"{path}: architecture {arch} not covered by this reference")
    k = lambda name, d=None: meta.get(f"{arch}.{name}", d)  # noqa: E731
    H, KV, D = k("attention.head_count"), k("attention.head_count_kv"), k("embedding_length")
    hd = k("attention.key_length", D // H)
    V = tensors["token_embd.weight"][0][1]
    gemma = arch.startswith("gemma")

    def mat(name):
        ne, _, v = tensors[name]
        w = np.asarray(v, np.float32).reshape(list(reversed(ne)))
        # GemmaModel.modify_tensors stored every norm as 1 + w (exact in F32 for norms near 1).
        return w - np.float32(1) if gemma and name.endswith("norm.weight") else w

    sd = {"model.embed_tokens.weight": mat("token_embd.weight"), "model.norm.weight": mat("output_norm.weight")}
    tied = "output.weight" not in tensors
    if not tied:
        sd["lm_head.weight"] = mat("output.weight")
    hf = hf_layer_names(arch)
    for name in tensors:
        if not name.startswith("blk."):
            continue
        _, layer, short, kind = name.split(".")
        w = mat(name)
        if arch == "llama" and short in ("attn_q", "attn_k"):
            w = unpermute(w, H if short == "attn_q" else KV)
        sd[f"model.layers.{layer}.{hf[short]}.{kind}"] = w
    L = k("block_count")
    cfg = {"model_type": ARCHS[arch][0], "architectures": [ARCHS[arch][1]],
           "hidden_size": D, "num_hidden_layers": L, "num_attention_heads": H,
           "num_key_value_heads": KV, "head_dim": hd, "intermediate_size": k("feed_forward_length"),
           "vocab_size": V, "max_position_embeddings": k("context_length"),
           "rms_norm_eps": k("attention.layer_norm_rms_epsilon"), "rope_theta": k("rope.freq_base", 10000.0),
           "tie_word_embeddings": tied, "hidden_act": "silu", "torch_dtype": "float32",
           "attention_bias": "blk.0.attn_q.bias" in tensors}
    if gemma:
        cfg.update(gemma_config(arch, k, D, H, hd, L))
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
