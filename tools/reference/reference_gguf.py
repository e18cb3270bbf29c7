#!/usr/bin/python3
"""Reference for GGUF decoder models: the file read and dequantised by the
independent NumPy reader (gguf_dequant.py, written from ggml's block
definitions), turned back into a Hugging Face folder -- llama.cpp's tensor
names to HF's, the Llama q/k row permutation of convert_hf_to_gguf.py
undone, GGUF metadata keys to config.json -- and run by
reference_lm_families.py (written from transformers' modeling files). So the
entropies are the F32 computation on the same dequantised weights, with no
entropy-lens C code involved.

Families: llama, qwen2, qwen3, gemma, gemma2, gemma3, phi3, gptneox, gpt2
(the ones the GGUF tests cover). For Gemma the settings llama.cpp derives from the
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
from gguf_names import hf_layer_names  # noqa: E402
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


def other_to_hf(arch, meta, mat, names):
    """GPT-2, GPT-NeoX and Phi-3 files back to HF state dicts and configs:
    GPT-2's Conv1D weights transposed back (its output must equal wte: GPT-2
    ties them), GPT-NeoX's q|k|v rows regrouped per head as HF stores them."""
    k = lambda name, d=None: meta.get(f"{arch}.{name}", d)  # noqa: E731
    D, H, L = k("embedding_length"), k("attention.head_count"), k("block_count")
    V = mat("token_embd.weight").shape[0]
    layer = lambda short, kind, l: mat(f"blk.{l}.{short}.{kind}")  # noqa: E731
    sd = {}
    if arch == "gpt2":
        hf = {"attn_norm": "ln_1", "attn_qkv": "attn.c_attn", "attn_output": "attn.c_proj", "ffn_norm": "ln_2",
              "ffn_up": "mlp.c_fc", "ffn_down": "mlp.c_proj"}
        sd.update({"wte.weight": mat("token_embd.weight"), "wpe.weight": mat("position_embd.weight"),
                   "ln_f.weight": mat("output_norm.weight"), "ln_f.bias": mat("output_norm.bias")})
        if not np.array_equal(mat("output.weight"), sd["wte.weight"]):
            raise SystemExit("gpt2: output.weight differs from token_embd.weight (GPT-2 ties them)")
        for l in range(L):
            for short, h in hf.items():
                for kind in ("weight", "bias"):
                    w = layer(short, kind, l)
                    sd[f"h.{l}.{h}.{kind}"] = w.T.copy() if w.ndim == 2 else w
        cfg = {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "n_embd": D, "n_layer": L, "n_head": H,
               "n_ctx": k("context_length"), "n_positions": k("context_length"), "vocab_size": V,
               "layer_norm_epsilon": k("attention.layer_norm_epsilon"), "activation_function": "gelu_new"}
        return sd, cfg
    if arch == "gptneox":
        hf = {"attn_norm": "input_layernorm", "attn_qkv": "attention.query_key_value", "attn_output": "attention.dense",
              "ffn_norm": "post_attention_layernorm", "ffn_up": "mlp.dense_h_to_4h", "ffn_down": "mlp.dense_4h_to_h"}
        sd.update({"gpt_neox.embed_in.weight": mat("token_embd.weight"), "embed_out.weight": mat("output.weight"),
                   "gpt_neox.final_layer_norm.weight": mat("output_norm.weight"),
                   "gpt_neox.final_layer_norm.bias": mat("output_norm.bias")})
        for name in names:
            if not name.startswith("blk."):
                continue
            _, l, short, kind = name.split(".")
            w = mat(name)
            if short == "attn_qkv":  # [q; k; v] of all heads -> per head [q_h; k_h; v_h]
                w = np.stack([p.reshape(H, D // H, *w.shape[1:]) for p in np.split(w, 3)], 1).reshape(w.shape)
            sd[f"gpt_neox.layers.{l}.{hf[short]}.{kind}"] = w
        cfg = {"model_type": "gpt_neox", "architectures": ["GPTNeoXForCausalLM"], "hidden_size": D,
               "num_hidden_layers": L, "num_attention_heads": H, "intermediate_size": k("feed_forward_length"),
               "rotary_pct": k("rope.dimension_count") / (D // H), "rotary_emb_base": k("rope.freq_base", 10000.0),
               "use_parallel_residual": bool(k("use_parallel_residual", True)), "vocab_size": V,
               "layer_norm_eps": k("attention.layer_norm_epsilon"), "max_position_embeddings": k("context_length"),
               "hidden_act": "gelu", "attention_bias": "blk.0.attn_qkv.bias" in names, "tie_word_embeddings": False}
        return sd, cfg
    hf = {"attn_norm": "input_layernorm", "attn_qkv": "self_attn.qkv_proj", "attn_output": "self_attn.o_proj",
          "ffn_norm": "post_attention_layernorm", "ffn_up": "mlp.gate_up_proj", "ffn_down": "mlp.down_proj"}
    sd.update({"model.embed_tokens.weight": mat("token_embd.weight"), "model.norm.weight": mat("output_norm.weight"),
               "lm_head.weight": mat("output.weight")})
    for l in range(L):
        for short, h in hf.items():
            sd[f"model.layers.{l}.{h}.weight"] = layer(short, "weight", l)
    cfg = {"model_type": "phi3", "architectures": ["Phi3ForCausalLM"], "hidden_size": D, "num_hidden_layers": L,
           "num_attention_heads": H, "num_key_value_heads": k("attention.head_count_kv", H),
           "intermediate_size": k("feed_forward_length"), "rms_norm_eps": k("attention.layer_norm_rms_epsilon"),
           "rope_theta": k("rope.freq_base", 10000.0), "max_position_embeddings": k("context_length"),
           "original_max_position_embeddings": k("rope.scaling.original_context_length", k("context_length")),
           "sliding_window": k("attention.sliding_window") or None, "vocab_size": V, "tie_word_embeddings": False,
           "hidden_act": "silu", "torch_dtype": "float32"}
    return sd, cfg


def to_hf(path, out_dir):
    meta, tensors = read_gguf(path)
    arch = meta["general.architecture"]
    if arch in ("gpt2", "gptneox", "phi3"):
        def plain(name):
            ne, _, v = tensors[name]
            return np.asarray(v, np.float32).reshape(list(reversed(ne)))
        sd, cfg = other_to_hf(arch, meta, plain, tensors)
        with open(os.path.join(out_dir, "config.json"), "w") as f:
            json.dump(cfg, f)
        write_safetensors(os.path.join(out_dir, "model.safetensors"),
                          {n: torch.from_numpy(np.ascontiguousarray(v)) for n, v in sd.items()})
        return arch
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
    return arch


def load(path):
    """A reference model over the dequantised weights of a GGUF file
    (reference_text.py's for GPT-2, reference_lm_families.py's for the rest)."""
    with tempfile.TemporaryDirectory() as tmp:
        arch = to_hf(path, tmp)
        return rt.load_hf(tmp) if arch == "gpt2" else ref.load_model(tmp)


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
