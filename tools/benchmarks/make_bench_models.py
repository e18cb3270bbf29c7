#!/usr/bin/python3
"""Seeded random checkpoints for the speed benchmark (tools/bench).

Speed does not depend on the values, so these are random weights in the
exact Hugging Face layouts entropy-lens reads:

  vit-ti16/ vit-s16/ vit-b16/   ViTForImageClassification at 224, patch 16,
                                1000 classes, preprocessor_config.json like
                                google/vit-base-patch16-224 (resize 224
                                bilinear, mean = std = 0.5)
  gpt2-small/                   GPT2LMHeadModel shape: 12 layers, 768 wide,
                                12 heads, vocab 50257, n_positions 1024,
                                Conv1D [in, out] weights, tied head; a
                                byte-level BPE vocab.json + merges.txt (the 256
                                byte tokens, a few hundred merges learned from
                                a built-in English text, padding tokens up to
                                id 50255, <|endoftext|> = 50256)
  vit-b16-f16/ vit-b16-bf16/    vit-b16's values rounded to float16 / bfloat16
                                (the memory workload: half-precision files
                                must not be held twice)

The weights are scaled so that the lens distributions are not all uniform
(entropy agreement is then a real check) and greedy generation has clear
argmax margins (both implementations pick the same tokens).

Usage: tools/benchmarks/make_bench_models.py [OUT_DIR] [--only vit-b16,gpt2-small,...]
(default OUT_DIR /tmp/el-bench; never commit the output). Existing models
with the same seed are kept (a stamp file records what was written).
"""
import argparse
import collections
import json
import os
import re
import sys

import torch

sys.path[:0] = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", d) for d in ("lib", "reference", "train")]
from safetensors_io import write_safetensors  # noqa: E402
from tokenizer_reference import GPT2_ASCII_PRETOK as PRETOK, bytes_to_unicode, merge_pair  # noqa: E402

SEED = 20240601
STAMP_VERSION = 2

VITS = {
    # name: (hidden, heads, mlp, layers)
    "vit-ti16": (192, 3, 768, 12),
    "vit-s16": (384, 6, 1536, 12),
    "vit-b16": (768, 12, 3072, 12),
}
# Half-precision copies of a ViT (same seed, so the same values rounded):
# the memory workload checks they are not held twice (file + F32 copy).
HALF = {
    "vit-b16-f16": ("vit-b16", torch.float16, "float16"),
    "vit-b16-bf16": ("vit-b16", torch.bfloat16, "bfloat16"),
}

PREPROCESSOR = {
    "do_normalize": True,
    "do_rescale": True,
    "do_resize": True,
    "image_mean": [0.5, 0.5, 0.5],
    "image_processor_type": "ViTImageProcessor",
    "image_std": [0.5, 0.5, 0.5],
    "resample": 2,
    "rescale_factor": 0.00392156862745098,
    "size": {"height": 224, "width": 224},
}


def _randn(g, *shape, std=0.02):
    return torch.randn(*shape, generator=g, dtype=torch.float32) * std


def _ln(g, d):
    return 1.0 + _randn(g, d, std=0.05), _randn(g, d, std=0.02)


def make_vit(out, name, hidden, heads, mlp, layers, seed, dtype=None, dtype_name="float32"):
    g = torch.Generator().manual_seed(seed)
    D, P, C, S, K = hidden, 16, 3, 224, 1000
    T = (S // P) ** 2 + 1
    sd = collections.OrderedDict()
    e = "vit.embeddings."
    sd[e + "cls_token"] = _randn(g, 1, 1, D)
    sd[e + "position_embeddings"] = _randn(g, 1, T, D)
    sd[e + "patch_embeddings.projection.weight"] = _randn(g, D, C, P, P, std=0.03)
    sd[e + "patch_embeddings.projection.bias"] = _randn(g, D)
    for i in range(layers):
        p = f"vit.encoder.layer.{i}."
        sd[p + "layernorm_before.weight"], sd[p + "layernorm_before.bias"] = _ln(g, D)
        for n in ("query", "key", "value"):
            sd[p + f"attention.attention.{n}.weight"] = _randn(g, D, D, std=0.04)
            sd[p + f"attention.attention.{n}.bias"] = _randn(g, D)
        sd[p + "attention.output.dense.weight"] = _randn(g, D, D)
        sd[p + "attention.output.dense.bias"] = _randn(g, D)
        sd[p + "layernorm_after.weight"], sd[p + "layernorm_after.bias"] = _ln(g, D)
        sd[p + "intermediate.dense.weight"] = _randn(g, mlp, D)
        sd[p + "intermediate.dense.bias"] = _randn(g, mlp)
        sd[p + "output.dense.weight"] = _randn(g, D, mlp)
        sd[p + "output.dense.bias"] = _randn(g, D)
    sd["vit.layernorm.weight"], sd["vit.layernorm.bias"] = _ln(g, D)
    # A wider head than the trunk: lens distributions away from uniform.
    sd["classifier.weight"] = _randn(g, K, D, std=0.15)
    sd["classifier.bias"] = _randn(g, K, std=0.1)
    cfg = {
        "architectures": ["ViTForImageClassification"],
        "model_type": "vit",
        "hidden_size": D,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": mlp,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0,
        "attention_probs_dropout_prob": 0.0,
        "initializer_range": 0.02,
        "layer_norm_eps": 1e-12,
        "image_size": S,
        "patch_size": P,
        "num_channels": C,
        "qkv_bias": True,
        "encoder_stride": P,
        "torch_dtype": dtype_name,
        "id2label": {str(k): f"class_{k}" for k in range(K)},
        "label2id": {f"class_{k}": k for k in range(K)},
    }
    if dtype is not None:
        sd = collections.OrderedDict((k, v.to(dtype)) for k, v in sd.items())
    os.makedirs(out, exist_ok=True)
    write_safetensors(os.path.join(out, "model.safetensors"), sd, {"format": "pt"})
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    with open(os.path.join(out, "preprocessor_config.json"), "w") as f:
        json.dump(PREPROCESSOR, f, indent=2)
    return sum(t.numel() for t in sd.values())


# ------------------------------------------------------------------ GPT-2

CORPUS = """
The quick brown fox jumps over the lazy dog. A transformer reads a sequence of
tokens and writes a distribution over the next token at every position. The
logit lens applies the model's own output head to the residual stream after
every block, and the entropy of that distribution tells how sure the model is
at that depth. In the beginning the entropy is high; as the layers go by the
model settles on an answer and the entropy falls. This is the information
signature of the computation. Once upon a time there was a little town by the
sea where the people told stories in the evening, and the children listened
and the old men remembered the ships that had gone out and never come back.
It was the best of times, it was the worst of times, it was the age of wisdom,
it was the age of foolishness, it was the epoch of belief, it was the epoch of
incredulity. Beautiful is better than ugly. Explicit is better than implicit.
Simple is better than complex. Complex is better than complicated. Flat is
better than nested. Sparse is better than dense. Readability counts. There
should be one, and preferably only one, obvious way to do it. Now is better
than never, although never is often better than right now. Measure twice and
cut once; the benchmark should be honest, the numbers should be reproducible,
and the machine should be quiet when they are taken.
"""


def learn_merges(text, n_merges):
    b2u = bytes_to_unicode()
    words = collections.Counter()
    for w in PRETOK.findall(text):
        words[tuple(b2u[b] for b in w.encode())] += 1
    merges = []
    for _ in range(n_merges):
        pairs = collections.Counter()
        for w, c in words.items():
            for a, b in zip(w, w[1:]):
                pairs[(a, b)] += c
        if not pairs:
            break
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        if pairs[best] < 2:
            break
        merges.append(best)
        nw = collections.Counter()
        for w, c in words.items():
            nw[merge_pair(w, best)] += c
        words = nw
    return merges


def make_tokenizer(out, vocab_size):
    b2u = bytes_to_unicode()
    vocab = {}
    for b in range(256):
        vocab[b2u[b]] = len(vocab)
    merges = learn_merges(CORPUS, 400)
    for a, b in merges:
        if a + b not in vocab:
            vocab[a + b] = len(vocab)
    # Padding tokens: plain ASCII strings (decodable), never produced by merges.
    k = 0
    while len(vocab) < vocab_size - 1:
        tok = f"Ġpad{k:05d}"
        if tok not in vocab:
            vocab[tok] = len(vocab)
        k += 1
    vocab["<|endoftext|>"] = vocab_size - 1
    with open(os.path.join(out, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(out, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        for a, b in merges:
            f.write(f"{a} {b}\n")
    return len(merges)


def make_gpt2(out, seed, L=12, D=768, H=12, V=50257, NPOS=1024):
    g = torch.Generator().manual_seed(seed)
    sd = collections.OrderedDict()
    # A wide embedding makes the tied head's logits spread out: clear argmax
    # margins for greedy decoding, entropies well below log(V).
    sd["transformer.wte.weight"] = _randn(g, V, D, std=0.12)
    sd["transformer.wpe.weight"] = _randn(g, NPOS, D, std=0.01)
    for i in range(L):
        p = f"transformer.h.{i}."
        sd[p + "ln_1.weight"], sd[p + "ln_1.bias"] = _ln(g, D)
        sd[p + "attn.c_attn.weight"] = _randn(g, D, 3 * D)  # Conv1D: [in, out]
        sd[p + "attn.c_attn.bias"] = _randn(g, 3 * D)
        sd[p + "attn.c_proj.weight"] = _randn(g, D, D)
        sd[p + "attn.c_proj.bias"] = _randn(g, D)
        sd[p + "ln_2.weight"], sd[p + "ln_2.bias"] = _ln(g, D)
        sd[p + "mlp.c_fc.weight"] = _randn(g, D, 4 * D)
        sd[p + "mlp.c_fc.bias"] = _randn(g, 4 * D)
        sd[p + "mlp.c_proj.weight"] = _randn(g, 4 * D, D)
        sd[p + "mlp.c_proj.bias"] = _randn(g, D)
    sd["transformer.ln_f.weight"], sd["transformer.ln_f.bias"] = _ln(g, D)
    cfg = {
        "architectures": ["GPT2LMHeadModel"],
        "model_type": "gpt2",
        "activation_function": "gelu_new",
        "n_embd": D,
        "n_layer": L,
        "n_head": H,
        "n_positions": NPOS,
        "n_ctx": NPOS,
        "n_inner": None,
        "vocab_size": V,
        "layer_norm_epsilon": 1e-5,
        "bos_token_id": V - 1,
        "eos_token_id": V - 1,
        "tie_word_embeddings": True,
        "torch_dtype": "float32",
    }
    os.makedirs(out, exist_ok=True)
    write_safetensors(os.path.join(out, "model.safetensors"), sd, {"format": "pt"})
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    n_merges = make_tokenizer(out, V)
    return sum(t.numel() for t in sd.values()), n_merges


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", nargs="?", default="/tmp/el-bench")
    ap.add_argument("--only", default="", help="comma-separated subset of: " + ",".join(list(VITS) + ["gpt2-small"] + list(HALF)))
    ap.add_argument("--force", action="store_true", help="rewrite even if a matching stamp exists")
    args = ap.parse_args()
    names = list(VITS) + ["gpt2-small"] + list(HALF)
    want = [w for w in args.only.split(",") if w] or names
    torch.manual_seed(SEED)
    for i, name in enumerate(names):
        if name not in want:
            continue
        d = os.path.join(args.out, name)
        stamp = os.path.join(d, ".bench-stamp")
        seed = SEED + (list(VITS).index(HALF[name][0]) if name in HALF else i)
        tag = f"seed={seed} v={STAMP_VERSION}"
        if not args.force and os.path.exists(stamp) and open(stamp).read().strip() == tag:
            print(f"{d}: up to date")
            continue
        if name in VITS:
            n = make_vit(d, name, *VITS[name], seed=seed)
            print(f"{d}: ViTForImageClassification, {n / 1e6:.1f} M parameters")
        elif name in HALF:
            base, dt, dt_name = HALF[name]
            n = make_vit(d, name, *VITS[base], seed=seed, dtype=dt, dtype_name=dt_name)
            print(f"{d}: ViTForImageClassification in {dt_name}, {n / 1e6:.1f} M parameters")
        else:
            n, nm = make_gpt2(d, seed=SEED + i)
            print(f"{d}: GPT2LMHeadModel, {n / 1e6:.1f} M parameters, {nm} merges")
        with open(stamp, "w") as f:
            f.write(tag + "\n")


if __name__ == "__main__":
    main()
