#!/usr/bin/python3
"""The building blocks of tools/reference/reference_lm_families.py, each as the
Hugging Face modeling code writes it: RMSNorm (Llama's w * x and Gemma's
x * (1 + w)), LayerNorm, the activations (incl. BloomGelu's rounded
constant), modeling_rope_utils' inverse frequencies (default, linear, llama3,
longrope), rotate-half RoPE (full or partial), eager attention (scaling,
soft-cap, sliding window, additive bias) and BLOOM's ALiBi slopes."""
import math

import torch


class Unsupported(ValueError):
    pass


def rms_norm(x, w, eps):
    """LlamaRMSNorm / Qwen / Phi-3: w * (x * rsqrt(mean(x^2) + eps))."""
    var = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(var + eps))


def gemma_rms_norm(x, w, eps):
    """GemmaRMSNorm (Gemma 1/2/3): x * rsqrt(mean(x^2) + eps) * (1 + w)."""
    var = x.pow(2).mean(-1, keepdim=True)
    return (x * torch.rsqrt(var + eps)) * (1.0 + w)


def layer_norm(x, w, b, eps):
    return torch.nn.functional.layer_norm(x, (x.shape[-1],), w, b, eps)


def gelu_tanh(x):
    return torch.nn.functional.gelu(x, approximate="tanh")


def bloom_gelu(x):
    """BloomGelu / bloom_gelu_forward, its own rounded constant."""
    return x * 0.5 * (1.0 + torch.tanh(0.79788456 * x * (1 + 0.044715 * x * x)))


ACT = {
    "silu": torch.nn.functional.silu, "swish": torch.nn.functional.silu,
    "gelu": torch.nn.functional.gelu, "relu": torch.nn.functional.relu,
    "gelu_new": gelu_tanh, "gelu_pytorch_tanh": gelu_tanh, "gelu_fast": gelu_tanh,
}


def act(name, family):
    if name not in ACT:
        raise Unsupported(f"{family}: activation {name!r}")
    return ACT[name]


def rope_inv_freq(dim, theta, scaling, max_pos, family):
    """modeling_rope_utils: inverse frequencies for `dim` rotary dims and the
    attention (cos/sin) scaling factor. scaling = the config's rope_scaling."""
    inv = 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    if not scaling:
        return inv, 1.0
    kind = scaling.get("rope_type", scaling.get("type"))
    if kind == "default":
        return inv, 1.0
    if kind == "linear":
        return inv / float(scaling["factor"]), 1.0
    if kind == "llama3":
        factor = float(scaling["factor"])
        lo, hi = float(scaling["low_freq_factor"]), float(scaling["high_freq_factor"])
        old = float(scaling["original_max_position_embeddings"])
        lo_wl, hi_wl = old / lo, old / hi
        wl = 2 * math.pi / inv
        out = torch.where(wl > lo_wl, inv / factor, inv)
        smooth = (old / wl - lo) / (hi - lo)
        smoothed = (1 - smooth) * out / factor + smooth * out
        medium = ~(wl < hi_wl) * ~(wl > lo_wl)
        return torch.where(medium, smoothed, out), 1.0
    if kind == "longrope":
        # Phi-3 128k: short factors while the sequence fits in
        # original_max_position_embeddings (the only regime supported here),
        # cos/sin scaled by sqrt(1 + ln(factor) / ln(original)).
        orig = scaling["_original_max_position_embeddings"]
        # HF _compute_longrope_parameters: with a top-level
        # original_max_position_embeddings (Phi-3) the factor is
        # max_position_embeddings / original, whatever rope_scaling.factor says.
        factor = max_pos / orig
        att = scaling.get("attention_factor")
        if att is None:
            att = 1.0 if factor <= 1.0 else math.sqrt(1 + math.log(factor) / math.log(orig))
        ext = torch.tensor(scaling["short_factor"], dtype=torch.float32)
        if ext.numel() != dim // 2:
            raise Unsupported(f"{family}: longrope short_factor has {ext.numel()} values, want {dim // 2}")
        inv_shape = torch.arange(0, dim, 2, dtype=torch.int64).float() / dim
        return 1.0 / (ext * theta ** inv_shape), float(att)
    raise Unsupported(f"{family}: rope_scaling type {kind!r}")


def rope_tables(inv, att_scale, T):
    ang = torch.outer(torch.arange(T, dtype=torch.float32), inv)
    emb = torch.cat((ang, ang), -1)
    return emb.cos() * att_scale, emb.sin() * att_scale


def apply_rope(x, cos, sin):
    """HF apply_rotary_pos_emb on x [heads, T, rot] (rotate_half pairs i, i+rot/2)."""
    h = x.shape[-1] // 2
    rot = torch.cat((-x[..., h:], x[..., :h]), -1)
    return x * cos + rot * sin


def apply_partial_rope(x, cos, sin, n_rot):
    if n_rot == x.shape[-1]:
        return apply_rope(x, cos, sin)
    return torch.cat((apply_rope(x[..., :n_rot], cos, sin), x[..., n_rot:]), -1)


def attention(q, k, v, scaling, window=None, softcap=None, bias=None):
    """eager_attention_forward: q [H, T, hd], k/v [KV, T, hd] -> [T, H*hd].
    window w keeps keys j with i - j < w; bias [H, 1 or T, T] is added."""
    H, KV, T = q.shape[0], k.shape[0], q.shape[1]
    k = k.repeat_interleave(H // KV, dim=0)
    v = v.repeat_interleave(H // KV, dim=0)
    s = (q @ k.transpose(1, 2)) * scaling
    if softcap:
        s = torch.tanh(s / softcap) * softcap
    if bias is not None:
        s = s + bias
    i = torch.arange(T)[:, None]
    j = torch.arange(T)[None, :]
    keep = j <= i
    if window is not None:
        keep &= (i - j) < window
    s = s.masked_fill(~keep, float("-inf"))
    p = torch.softmax(s, dim=-1)  # float32, as HF upcasts to
    return (p @ v).transpose(0, 1).reshape(T, -1)


def heads(x, n, hd):
    """[T, n*hd] -> [n, T, hd]."""
    return x.reshape(x.shape[0], n, hd).transpose(0, 1)


def linear(x, w, b=None):
    y = x @ w.t()
    return y + b if b is not None else y


def alibi_slopes(n_heads):
    """build_alibi_tensor's slopes: geometric for the closest power of two,
    then every other slope of the next power for the remaining heads."""
    p2 = 2 ** math.floor(math.log2(n_heads))
    base = torch.tensor(2 ** (-(2 ** -(math.log2(p2) - 3))), dtype=torch.float32)
    slopes = torch.pow(base, torch.arange(1, 1 + p2, dtype=torch.int32))
    if p2 != n_heads:
        extra = torch.tensor(2 ** (-(2 ** -(math.log2(2 * p2) - 3))), dtype=torch.float32)
        n_rest = min(p2, n_heads - p2)
        slopes = torch.cat([slopes, torch.pow(extra, torch.arange(1, 1 + 2 * n_rest, 2, dtype=torch.int32))])
    return slopes
