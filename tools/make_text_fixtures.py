#!/usr/bin/python3
"""Seeded random tiny decoder checkpoints and golden logit-lens outputs for
the text models, plus the golden of the real aidreams260K llama2.c model.

Writes into tests/fixtures/text/:
  gpt2-tiny/            GPT2LMHeadModel, "transformer." names, F32
  gpt2-tiny-noprefix/   same weights, names without "transformer." (hub gpt2
                        style, including the h.N.attn.bias causal-mask buffers)
  llama-tiny/           LlamaForCausalLM, MHA, tied embeddings, F32
  llama-tiny-gqa/       LlamaForCausalLM, 4 heads / 2 kv heads, untied lm_head,
                        rope_theta 500000, BF16 weights
  qwen2-tiny/           Qwen2ForCausalLM, q/k/v biases, GQA, tied, F32
  mistral-tiny/         MistralForCausalLM, GQA, untied, F16 weights
  llama-tiny-softcap/   LlamaForCausalLM with final_logit_softcapping 5.0
  llama-tiny-sharded/   LlamaForCausalLM, 3 layers, GQA 4/2, untied, F32, in 2
                        shards + model.safetensors.index.json (split in module
                        order like HF, so layer 1 straddles the two shards)
  llama2c-tiny.bin            llama2.c legacy, shared classifier, GQA 4/2
  llama2c-tiny-v1.bin         same weights, llama2.c version 1 ("ak42")
  llama2c-tiny-unshared.bin   same weights + a separate wcls (negative vocab)
  llama2c-tiny-hf/            llama2c-tiny converted to the HF Llama layout
                              (q/k rows permuted as HF's convert script does)
Each HF folder gets golden.json, each .bin a <name>.golden.json, and
aidreams260K.golden.json (the model itself stays in shared/).

All goldens are computed by tools/reference_text.py from the files written
(so F16/BF16 rounding is included). Golden schema (tiny models):
  {"model", "path" (relative to tests/fixtures/text), "format", "dtype",
   "n_layers", "vocab_size", "renyi_alphas": ["0","0.5","2","inf"],
   "cases": [{"prompt_ids": [...], "n_steps": 8, "generated_ids": [8 ids],
              "logits_step0": [V] (last layer, step 0, float32 values),
              "entropy": [n_steps][L] (nats, layer l = after block l),
              "renyi": {"0"|"0.5"|"2"|"inf": [n_steps][L]}}, ...]}
  two cases per model: a 3-id and a 20-id prompt. aidreams260K.golden.json adds
  per case "prompt", "prompt_pieces", "generated_text", and top-level
  "model_path"/"tokenizer_path" (relative to the repository root); 24 steps.
Prompts are seeded random ids chosen so that the greedy top-1/top-2 logit gap
is >= MIN_MARGIN at every step and no BOS/EOS id is generated.

Usage: make_text_fixtures.py [--out DIR] [--aidreams DIR]
"""
import argparse
import json
import math
import os
import shutil
import struct
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import reference_text as ref  # noqa: E402
from safetensors_io import write_safetensors  # noqa: E402

torch.set_num_threads(1)

N_STEPS = 8
AIDREAMS_STEPS = 24
CONTEXT = 64
MIN_MARGIN = 0.02          # top1 - top2 of the greedy layer, tiny models
AIDREAMS_PROMPTS = ["Echoes of", "Once upon a time", "I dream of", "The sky"]


# ------------------------------------------------------------------ json

def _round(x, digits):
    if isinstance(x, list):
        return [_round(v, digits) for v in x]
    if isinstance(x, dict):
        return {k: _round(v, digits) for k, v in x.items()}
    if isinstance(x, float):
        return float(f"{x:.{digits}g}")
    return x


def golden_case(model, prompt_ids, n_steps):
    r = ref.generate(model, prompt_ids, n_steps)
    case = {
        "prompt_ids": list(prompt_ids),
        "n_steps": n_steps,
        "generated_ids": r["generated_ids"],
        # logits are float32 values: 9 significant digits round-trip exactly.
        "logits_step0": _round(r["logits_step0"], 9),
        "entropy": _round(r["entropy"], 12),
        "renyi": _round(r["renyi"], 12),
    }
    return case, r


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")


# ------------------------------------------------------------------ weights

class Gen:
    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)

    def n(self, *shape, std=1.0, mean=0.0):
        return torch.randn(*shape, generator=self.g) * std + mean

    def norm_w(self, d, mean=1.0, spread=0.25):
        return (self.n(d, std=spread) + mean)


def llama_meta_weights(seed, V, D, I, L, H, KV, untied=False, qkv_bias=False, sc=None):
    """Weights in Meta/llama2.c row order (rows of q/k interleaved pairs);
    HF checkpoints are written with the q/k rows permuted (hf_permute).
    sc: scales controlling how peaked the distributions are."""
    sc = {**dict(emb=0.4, qk=2.0, v=1.0, o=2.0, ff=1.0, down=1.3, lm=0.55, fnorm=1.0), **(sc or {})}
    g = Gen(seed)
    hd = D // H
    w = {"emb": g.n(V, D, std=sc["emb"]), "layers": []}
    for _ in range(L):
        lw = {
            "attn_norm": g.norm_w(D),
            "ffn_norm": g.norm_w(D),
            "wq": g.n(H * hd, D, std=sc["qk"] / math.sqrt(D)),
            "wk": g.n(KV * hd, D, std=sc["qk"] / math.sqrt(D)),
            "wv": g.n(KV * hd, D, std=sc["v"] / math.sqrt(D)),
            "wo": g.n(D, H * hd, std=sc["o"] / math.sqrt(H * hd)),
            "w1": g.n(I, D, std=sc["ff"] / math.sqrt(D)),
            "w2": g.n(D, I, std=sc["down"] / math.sqrt(I)),
            "w3": g.n(I, D, std=sc["ff"] / math.sqrt(D)),
        }
        if qkv_bias:
            lw["bq"] = g.n(H * hd, std=0.3)
            lw["bk"] = g.n(KV * hd, std=0.3)
            lw["bv"] = g.n(KV * hd, std=0.1)
        w["layers"].append(lw)
    w["norm"] = g.norm_w(D, mean=sc["fnorm"])
    w["lm_head"] = g.n(V, D, std=sc["lm"]) if untied else None
    return w


def hf_permute(w, n_heads):
    """Meta (interleaved pairs) -> HF (rotate-half) row order of q/k weights,
    as transformers' convert_llama_weights_to_hf.py `permute` and llama2.c's
    export.py (hf_export) do: view(n_heads, hd/2, 2, in).transpose(1, 2)."""
    dim1 = w.shape[0]
    if w.dim() == 1:
        return w.view(n_heads, dim1 // n_heads // 2, 2).transpose(1, 2).reshape(dim1)
    dim2 = w.shape[1]
    return w.view(n_heads, dim1 // n_heads // 2, 2, dim2).transpose(1, 2).reshape(dim1, dim2)


def hf_llama_state(w, H, KV, permute=True):
    """HF LlamaForCausalLM state dict (module order). Meta-order q/k are
    permuted so that rotate-half RoPE reproduces the interleaved model."""
    p = (lambda t, n: hf_permute(t, n)) if permute else (lambda t, n: t)
    sd = {"model.embed_tokens.weight": w["emb"]}
    for i, lw in enumerate(w["layers"]):
        b = f"model.layers.{i}."
        sd[b + "self_attn.q_proj.weight"] = p(lw["wq"], H)
        if "bq" in lw:
            sd[b + "self_attn.q_proj.bias"] = p(lw["bq"], H)
        sd[b + "self_attn.k_proj.weight"] = p(lw["wk"], KV)
        if "bk" in lw:
            sd[b + "self_attn.k_proj.bias"] = p(lw["bk"], KV)
        sd[b + "self_attn.v_proj.weight"] = lw["wv"]
        if "bv" in lw:
            sd[b + "self_attn.v_proj.bias"] = lw["bv"]
        sd[b + "self_attn.o_proj.weight"] = lw["wo"]
        sd[b + "mlp.gate_proj.weight"] = lw["w1"]
        sd[b + "mlp.up_proj.weight"] = lw["w3"]
        sd[b + "mlp.down_proj.weight"] = lw["w2"]
        sd[b + "input_layernorm.weight"] = lw["attn_norm"]
        sd[b + "post_attention_layernorm.weight"] = lw["ffn_norm"]
    sd["model.norm.weight"] = w["norm"]
    if w["lm_head"] is not None:
        sd["lm_head.weight"] = w["lm_head"]
    return sd


def llama_config(arch, V, D, I, L, H, KV, tied, dtype, eps=1e-5, theta=10000.0, extra=None):
    model_type = {"LlamaForCausalLM": "llama", "MistralForCausalLM": "mistral",
                  "Qwen2ForCausalLM": "qwen2"}[arch]
    cfg = {
        "architectures": [arch],
        "attention_dropout": 0.0,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "hidden_act": "silu",
        "hidden_size": D,
        "initializer_range": 0.02,
        "intermediate_size": I,
        "max_position_embeddings": CONTEXT,
        "model_type": model_type,
        "num_attention_heads": H,
        "num_hidden_layers": L,
        "num_key_value_heads": KV,
        "rms_norm_eps": eps,
        "rope_theta": theta,
        "tie_word_embeddings": tied,
        "torch_dtype": dtype,
        "transformers_version": "4.44.2",
        "use_cache": True,
        "vocab_size": V,
    }
    if model_type == "llama":
        cfg.update({"attention_bias": False, "mlp_bias": False, "pretraining_tp": 1, "rope_scaling": None})
    if model_type == "mistral":
        cfg["sliding_window"] = 4096
    if model_type == "qwen2":
        cfg.update({"bos_token_id": V - 2, "eos_token_id": V - 1, "max_window_layers": L,
                    "sliding_window": CONTEXT, "use_sliding_window": False})
    cfg.update(extra or {})
    return dict(sorted(cfg.items()))


TORCH_DT = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def save_hf(folder, cfg, sd, dtype="float32", shards=1):
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    dt = TORCH_DT[dtype]
    sd = {k: v.to(dt).contiguous() for k, v in sd.items()}
    meta = {"format": "pt"}
    if shards == 1:
        write_safetensors(os.path.join(folder, "model.safetensors"), dict(sorted(sd.items())), meta)
        return
    # HF shard_checkpoint: module order, a new shard when the size would pass
    # the limit (here: half the total), so a layer can straddle two shards.
    sizes = {k: v.numel() * v.element_size() for k, v in sd.items()}
    total = sum(sizes.values())
    limit = total / shards
    groups, cur, cur_size = [], {}, 0
    for k, v in sd.items():
        if cur and cur_size + sizes[k] > limit and len(groups) < shards - 1:
            groups.append(cur)
            cur, cur_size = {}, 0
        cur[k] = v
        cur_size += sizes[k]
    groups.append(cur)
    assert len(groups) == shards
    wm = {}
    for i, grp in enumerate(groups):
        name = f"model-{i + 1:05d}-of-{shards:05d}.safetensors"
        write_safetensors(os.path.join(folder, name), dict(sorted(grp.items())), meta)
        for k in grp:
            wm[k] = name
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(wm.items()))}, f, indent=2)
        f.write("\n")


# ------------------------------------------------------------------ llama2.c

def llama2c_tensors(w, L):
    st = lambda key: torch.stack([lw[key] for lw in w["layers"]])
    return {k: st(k) for k in ("attn_norm", "ffn_norm", "wq", "wk", "wv", "wo", "w1", "w2", "w3")}


def _f32(t):
    return t.detach().contiguous().float().numpy().astype("<f4").tobytes()


def save_llama2c_legacy(path, w, D, I, L, H, KV, V, seq, wcls=None):
    t = llama2c_tensors(w, L)
    hd = D // H
    vv = -V if wcls is not None else V
    out = [struct.pack("<7i", D, I, L, H, KV, vv, seq)]
    out += [_f32(w["emb"]), _f32(t["attn_norm"]), _f32(t["wq"]), _f32(t["wk"]), _f32(t["wv"]),
            _f32(t["wo"]), _f32(t["ffn_norm"]), _f32(t["w1"]), _f32(t["w2"]), _f32(t["w3"]),
            _f32(w["norm"])]
    # freq_cis_real / imag [seq, hd/2] as llama2.c's model.py precomputes them
    freqs = 1.0 / (10000.0 ** (torch.arange(0, hd, 2)[: hd // 2].float() / hd))
    ang = torch.outer(torch.arange(seq).float(), freqs)
    out += [_f32(torch.cos(ang)), _f32(torch.sin(ang))]
    if wcls is not None:
        out.append(_f32(wcls))
    with open(path, "wb") as f:
        f.write(b"".join(out))


def save_llama2c_v1(path, w, D, I, L, H, KV, V, seq, wcls=None):
    t = llama2c_tensors(w, L)
    hdr = struct.pack("<I", ref.LLAMA2C_MAGIC) + struct.pack("<i", 1)
    hdr += struct.pack("<7i", D, I, L, H, KV, V, seq)
    hdr += struct.pack("<B", 0 if wcls is not None else 1)
    hdr += b"\0" * (256 - len(hdr))
    out = [hdr, _f32(t["attn_norm"]), _f32(t["ffn_norm"]), _f32(w["norm"]), _f32(w["emb"]),
           _f32(t["wq"]), _f32(t["wk"]), _f32(t["wv"]), _f32(t["wo"]),
           _f32(t["w1"]), _f32(t["w2"]), _f32(t["w3"])]
    if wcls is not None:
        out.append(_f32(wcls))
    with open(path, "wb") as f:
        f.write(b"".join(out))


# ------------------------------------------------------------------ GPT-2

def gpt2_state(seed, V, D, L, H, prefix, sc=None):
    sc = {**dict(wte=0.55, wpe=0.4, qk=1.8, v=1.0, o=2.0, fc=1.0, proj=2.0), **(sc or {})}
    g = Gen(seed)
    p = "transformer." if prefix else ""
    I = 4 * D
    sd = {p + "wte.weight": g.n(V, D, std=sc["wte"]), p + "wpe.weight": g.n(CONTEXT, D, std=sc["wpe"])}
    for i in range(L):
        b = f"{p}h.{i}."
        sd[b + "ln_1.weight"] = g.norm_w(D)
        sd[b + "ln_1.bias"] = g.n(D, std=0.1)
        wq = g.n(D, D, std=sc["qk"] / math.sqrt(D))
        wk = g.n(D, D, std=sc["qk"] / math.sqrt(D))
        wv = g.n(D, D, std=sc["v"] / math.sqrt(D))
        sd[b + "attn.c_attn.weight"] = torch.cat([wq, wk, wv], 1)  # Conv1D: [in, out]
        sd[b + "attn.c_attn.bias"] = g.n(3 * D, std=0.1)
        sd[b + "attn.c_proj.weight"] = g.n(D, D, std=sc["o"] / math.sqrt(D))
        sd[b + "attn.c_proj.bias"] = g.n(D, std=0.1)
        sd[b + "ln_2.weight"] = g.norm_w(D)
        sd[b + "ln_2.bias"] = g.n(D, std=0.1)
        sd[b + "mlp.c_fc.weight"] = g.n(D, I, std=sc["fc"] / math.sqrt(D))
        sd[b + "mlp.c_fc.bias"] = g.n(I, std=0.1)
        sd[b + "mlp.c_proj.weight"] = g.n(I, D, std=sc["proj"] / math.sqrt(I))
        sd[b + "mlp.c_proj.bias"] = g.n(D, std=0.1)
    sd[p + "ln_f.weight"] = g.norm_w(D)
    sd[p + "ln_f.bias"] = g.n(D, std=0.1)
    return sd


def gpt2_config(V, D, L, H):
    return {
        "activation_function": "gelu_new",
        "architectures": ["GPT2LMHeadModel"],
        "attn_pdrop": 0.1,
        "bos_token_id": V - 1,
        "embd_pdrop": 0.1,
        "eos_token_id": V - 1,
        "initializer_range": 0.02,
        "layer_norm_epsilon": 1e-05,
        "model_type": "gpt2",
        "n_ctx": CONTEXT,
        "n_embd": D,
        "n_head": H,
        "n_inner": None,
        "n_layer": L,
        "n_positions": CONTEXT,
        "reorder_and_upcast_attn": False,
        "resid_pdrop": 0.1,
        "scale_attn_by_inverse_layer_idx": False,
        "scale_attn_weights": True,
        "summary_activation": None,
        "summary_first_dropout": 0.1,
        "summary_proj_to_labels": True,
        "summary_type": "cls_index",
        "summary_use_proj": True,
        "torch_dtype": "float32",
        "transformers_version": "4.44.2",
        "use_cache": True,
        "vocab_size": V,
    }


# ------------------------------------------------------------------ goldens

def special_ids(model):
    """BOS/EOS ids: greedy runs must not produce them (an engine may stop)."""
    cfg = getattr(model, "config", None)
    if cfg is None:  # llama2.c: BOS 1 (run.c stops on it), EOS 2
        return {1, 2}
    return {i for i in (cfg.get("bos_token_id"), cfg.get("eos_token_id")) if isinstance(i, int)}


def pick_prompt(model, seed, n, bos, n_steps=N_STEPS, tries=50):
    """Seeded random prompt of n ids (ids >= 3, first = bos if given) whose
    greedy run has a clear argmax at every step (margin >= MIN_MARGIN), so
    float differences can't flip it, and never emits a BOS/EOS id."""
    avoid = special_ids(model)
    V = model.vocab
    for t in range(tries):
        g = torch.Generator().manual_seed(seed * 1000 + t)
        ids = (torch.randint(3, V, (n,), generator=g)).tolist()
        if bos is not None:
            ids[0] = bos
        case, r = golden_case(model, ids, n_steps)
        if min(r["margins"]) >= MIN_MARGIN and not avoid.intersection(r["generated_ids"]):
            return case, r
    raise RuntimeError(f"{model.name}: no prompt with a clear greedy margin")


def make_golden(model, seed, bos, rel_path):
    cases, raws = [], []
    for j, n in enumerate((3, 20)):
        c, r = pick_prompt(model, seed + 17 * j, n, bos)
        cases.append(c)
        raws.append(r)
    g = {
        "model": model.name,
        "path": rel_path,
        "format": model.format,
        "dtype": model.dtype,
        "n_layers": model.n_layers,
        "vocab_size": model.vocab,
        "renyi_alphas": list(ref.RENYI_KEYS),
        "cases": cases,
    }
    return g, raws


def summarize(name, g, raws, size):
    ent = np.array([e for c in g["cases"] for e in c["entropy"]])  # [steps, L]
    lo, hi = ent.min(0), ent.max(0)
    margin = min(min(r["margins"]) for r in raws)
    per = " ".join(f"L{l + 1} {lo[l]:.2f}-{hi[l]:.2f}" for l in range(ent.shape[1]))
    dl = float(np.abs(np.diff(ent, axis=1)).mean())
    print(f"{name:28s} {size / 1024:7.1f} KiB  logV {math.log(g['vocab_size']):.2f}  H: {per}"
          f"  mean|dH/dl| {dl:.2f}  min margin {margin:.3f}  gen {g['cases'][0]['generated_ids']}")


def dir_size(p):
    if os.path.isfile(p):
        return os.path.getsize(p)
    return sum(os.path.getsize(os.path.join(p, f)) for f in os.listdir(p))


def assert_same_golden(a, b, what, tol=0.0):
    for ca, cb in zip(a["cases"], b["cases"]):
        assert ca["prompt_ids"] == cb["prompt_ids"], what
        assert ca["generated_ids"] == cb["generated_ids"], (what, ca["generated_ids"], cb["generated_ids"])
        for key in ("entropy", "logits_step0"):
            x, y = np.array(ca[key]), np.array(cb[key])
            d = float(np.abs(x - y).max())
            assert d <= tol, (what, key, d)
        for k in ref.RENYI_KEYS:
            d = float(np.abs(np.array(ca["renyi"][k]) - np.array(cb["renyi"][k])).max())
            assert d <= tol, (what, "renyi", k, d)


# ------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "fixtures", "text"))
    ap.add_argument("--aidreams", default=os.path.join(os.path.dirname(ROOT), "shared", "models", "aidreams260K"))
    a = ap.parse_args()
    out = a.out
    os.makedirs(out, exist_ok=True)
    results = []

    def finish(name, path, model, seed, bos):
        g, raws = make_golden(model, seed, bos, os.path.basename(path))
        gpath = os.path.join(path, "golden.json") if os.path.isdir(path) else path[:-4] + ".golden.json"
        write_json(gpath, g)
        results.append((name, g, raws, dir_size(path) + (0 if os.path.isdir(path) else os.path.getsize(gpath))))
        return g

    # ---- GPT-2 ---------------------------------------------------------
    V, D, L, H = 96, 32, 2, 4
    sd = gpt2_state(101, V, D, L, H, prefix=True)
    p = os.path.join(out, "gpt2-tiny")
    save_hf(p, gpt2_config(V, D, L, H), sd)
    g_gpt2 = finish("gpt2-tiny", p, ref.load_model(p), 101, None)
    sd2 = {k[len("transformer."):] if k.startswith("transformer.") else k: v for k, v in sd.items()}
    for i in range(L):  # hub gpt2 files carry the causal-mask buffer
        sd2[f"h.{i}.attn.bias"] = torch.ones(CONTEXT, CONTEXT).tril().view(1, 1, CONTEXT, CONTEXT)
    p = os.path.join(out, "gpt2-tiny-noprefix")
    save_hf(p, gpt2_config(V, D, L, H), sd2)
    g = finish("gpt2-tiny-noprefix", p, ref.load_model(p), 101, None)
    assert_same_golden(g_gpt2, g, "gpt2 prefix/noprefix")

    # ---- HF Llama family ---------------------------------------------------
    specs = [
        # name, arch, seed, V, D, I, L, H, KV, untied, bias, dtype, extra cfg, shards, eps, theta
        ("llama-tiny", "LlamaForCausalLM", 201, 128, 32, 64, 2, 4, 4, False, False, "float32", None, 1, 1e-6, 10000.0),
        ("llama-tiny-gqa", "LlamaForCausalLM", 202, 112, 48, 96, 2, 4, 2, True, False, "bfloat16", None, 1, 1e-5, 500000.0),
        ("qwen2-tiny", "Qwen2ForCausalLM", 203, 104, 32, 64, 2, 4, 2, False, True, "float32", None, 1, 1e-6, 1000000.0),
        ("mistral-tiny", "MistralForCausalLM", 204, 100, 32, 64, 2, 4, 2, True, False, "float16", None, 1, 1e-5, 10000.0),
        ("llama-tiny-softcap", "LlamaForCausalLM", 205, 96, 32, 64, 2, 4, 4, False, False, "float32",
         {"final_logit_softcapping": 5.0}, 1, 1e-5, 10000.0),
        ("llama-tiny-sharded", "LlamaForCausalLM", 206, 96, 32, 64, 3, 4, 2, True, False, "float32", None, 2, 1e-5, 10000.0),
    ]
    for (name, arch, seed, V, D, I, L, H, KV, untied, bias, dtype, extra, shards, eps, theta) in specs:
        sc = {"llama-tiny-softcap": {"lm": 0.9}, "llama-tiny-sharded": {"qk": 1.5}}.get(name)
        w = llama_meta_weights(seed, V, D, I, L, H, KV, untied=untied, qkv_bias=bias, sc=sc)
        # random weights: no need to permute (the weights are random either way)
        sd = hf_llama_state(w, H, KV, permute=False)
        cfg = llama_config(arch, V, D, I, L, H, KV, not untied, dtype, eps=eps, theta=theta, extra=extra)
        p = os.path.join(out, name)
        save_hf(p, cfg, sd, dtype=dtype, shards=shards)
        bos = None if arch == "Qwen2ForCausalLM" else 1
        finish(name, p, ref.load_model(p), seed, bos)

    # ---- llama2.c ------------------------------------------------------------
    V, D, I, L, H, KV, seq = 96, 32, 64, 2, 4, 2, CONTEXT
    w = llama_meta_weights(301, V, D, I, L, H, KV)
    wcls = Gen(302).n(V, D, std=0.5)
    p = os.path.join(out, "llama2c-tiny.bin")
    save_llama2c_legacy(p, w, D, I, L, H, KV, V, seq)
    g_l2c = finish("llama2c-tiny.bin", p, ref.load_model(p), 301, 1)
    p = os.path.join(out, "llama2c-tiny-v1.bin")
    save_llama2c_v1(p, w, D, I, L, H, KV, V, seq)
    g = finish("llama2c-tiny-v1.bin", p, ref.load_model(p), 301, 1)
    assert_same_golden(g_l2c, g, "llama2c legacy/v1")
    p = os.path.join(out, "llama2c-tiny-unshared.bin")
    save_llama2c_legacy(p, w, D, I, L, H, KV, V, seq, wcls=wcls)
    finish("llama2c-tiny-unshared.bin", p, ref.load_model(p), 303, 1)
    # same model in HF layout: q/k permuted, rotate-half RoPE must reproduce it
    sd = hf_llama_state(w, H, KV, permute=True)
    cfg = llama_config("LlamaForCausalLM", V, D, I, L, H, KV, True, "float32", eps=1e-5, theta=10000.0)
    p = os.path.join(out, "llama2c-tiny-hf")
    save_hf(p, cfg, sd)
    m_hf = ref.load_model(p)
    g = finish("llama2c-tiny-hf", p, m_hf, 301, 1)
    assert_same_golden(g_l2c, g, "llama2c vs hf conversion", tol=2e-5)
    # and a control: without the permutation the HF model is a different one
    sd_bad = hf_llama_state(w, H, KV, permute=False)
    m_bad = ref.load_model(p)
    for i, b in enumerate(m_bad.blocks):
        b["wq"] = sd_bad[f"model.layers.{i}.self_attn.q_proj.weight"]
        b["wk"] = sd_bad[f"model.layers.{i}.self_attn.k_proj.weight"]
    c0 = g_l2c["cases"][1]
    z = m_bad.step_logits(c0["prompt_ids"])[-1]
    d = float((z - torch.tensor(c0["logits_step0"])).abs().max())
    assert d > 1e-2, d
    print(f"(control: unpermuted q/k in the HF layout changes logits by up to {d:.3f})")

    # ---- aidreams260K ------------------------------------------------------
    mp = os.path.join(a.aidreams, "aidreams260K.bin")
    tp = os.path.join(a.aidreams, "tok512.bin")
    if os.path.exists(mp):
        m = ref.load_model(mp)
        tok = ref.Llama2cTokenizer(tp, m.vocab)
        assert tok.encode("Echoes of") == [1, 388, 355, 260, 275], tok.encode("Echoes of")
        cases, raws = [], []
        for text in AIDREAMS_PROMPTS:
            ids = tok.encode(text, bos=True)
            case, r = golden_case(m, ids, AIDREAMS_STEPS)
            if {1, 2}.intersection(case["generated_ids"]):
                print(f"warning: aidreams {text!r} generates BOS/EOS: {case['generated_ids']}", file=sys.stderr)
            gen_bytes = tok.decode(ids[-1], case["generated_ids"])
            case = {"prompt": text, "prompt_pieces": [tok.vocab[t].decode("utf-8", "replace") for t in ids],
                    **case, "generated_text": gen_bytes.decode("utf-8", errors="replace")}
            cases.append(case)
            raws.append(r)
        g = {
            "model": "aidreams260K",
            "model_path": "../shared/models/aidreams260K/aidreams260K.bin",
            "tokenizer_path": "../shared/models/aidreams260K/tok512.bin",
            "path_note": "relative to the repository root (shared/ is beside the clone)",
            "format": m.format,
            "n_layers": m.n_layers,
            "vocab_size": m.vocab,
            "renyi_alphas": list(ref.RENYI_KEYS),
            "cases": cases,
        }
        gp = os.path.join(out, "aidreams260K.golden.json")
        write_json(gp, g)
        results.append(("aidreams260K", g, raws, os.path.getsize(gp)))
        for c in cases:
            print(f"aidreams {c['prompt']!r}: ids {c['prompt_ids']} -> {c['generated_text']!r}")
    else:
        print(f"warning: {mp} not found, aidreams golden not written", file=sys.stderr)

    print()
    for name, g, raws, size in results:
        summarize(name, g, raws, size)
    total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(out) for f in fs)
    print(f"total {out}: {total / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
