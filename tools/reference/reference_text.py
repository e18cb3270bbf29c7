#!/usr/bin/python3
"""Independent reference for entropy-lens on decoder-only language models:
plain-torch forward passes with a logit lens after every block.

Supported checkpoints
  * llama2.c .bin: legacy (7 int32 header; negative vocab_size = separate
    classifier) and version 1 ("ak42" magic, 256-byte header). Interleaved
    RoPE on adjacent pairs (x[2i], x[2i+1]), freq 1/10000^(2i/head_size),
    computed as run.c does (the freq_cis tables of the legacy file are
    skipped). Tokenizer: llama2.c tokenizer.bin, encoded exactly like run.c.
  * Hugging Face GPT2LMHeadModel (Conv1D weights [in, out], learned positions,
    tied lm_head, tensor names with or without "transformer.").
  * Hugging Face LlamaForCausalLM / MistralForCausalLM / Qwen2ForCausalLM:
    RMSNorm, rotate-half RoPE with rope_theta, grouped-query attention, SwiGLU,
    q/k/v(/o) biases when present, tied or separate lm_head, optional
    final_logit_softcapping (applied to every lens layer's logits), F32/F16/BF16
    weights (upcast to float32), single file or sharded safetensors.

All model math is float32 (as PyTorch does it); entropies are float64 from the
float32 logits.

Lens: at every generated step s the residual stream after block l = 1..L at
the LAST position goes through the final norm and the unembedding (and the
soft-cap, if any) -> logits[l-1]; softmax -> Shannon entropy[s][l-1] and Renyi
entropies (alpha 0, 0.5, 2, inf). The last layer's logits pick the next token
(greedy argmax, lowest id on exact ties like torch.argmax). Each step is a full
recompute of the causal forward over the whole sequence (no KV cache).

Usage:
  reference_text.py MODEL (--ids 1,2,3 | --prompt TEXT [--tokenizer tok.bin])
                    [--steps N] [--json OUT]
MODEL is a .bin (llama2.c) or a Hugging Face model folder.
"""
import argparse
import json
import math
import os
import struct
import sys

import numpy as np
import torch

sys.path[:0] = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", d) for d in ("lib", "reference", "train")]
from safetensors_io import load_dir  # noqa: E402

torch.set_num_threads(1)

RENYI_KEYS = ("0", "0.5", "2", "inf")
RENYI_ALPHAS = (0.0, 0.5, 2.0, math.inf)


# ------------------------------------------------------------------ entropies

def shannon(logits):
    """Shannon entropy (nats) over the last axis, float64, from float32 logits."""
    z = logits.double()
    logz = torch.logsumexp(z, dim=-1, keepdim=True)
    p = torch.exp(z - logz)
    return logz.squeeze(-1) - (p * z).sum(-1)


def renyi(logits, alpha):
    """Renyi entropy of order alpha (nats), float64. alpha 0 = log(#values)."""
    z = logits.double()
    if alpha == 0:
        return torch.full(z.shape[:-1], math.log(z.shape[-1]), dtype=torch.float64)
    logp = torch.log_softmax(z, dim=-1)
    if math.isinf(alpha):
        return -logp.max(dim=-1).values
    if alpha == 1:
        return shannon(logits)
    return torch.logsumexp(alpha * logp, dim=-1) / (1.0 - alpha)


# ------------------------------------------------------------------ model

class DecoderModel:
    """Generic decoder. kind "llama" (RMSNorm, RoPE, SwiGLU) or "gpt2"."""

    def __init__(self):
        self.kind = None
        self.name = ""
        self.softcap = None
        self.blocks = []
        self.dtype = "F32"

    # -- pieces ---------------------------------------------------------
    def _rmsnorm(self, x, w):
        var = x.pow(2).mean(-1, keepdim=True)
        return w * (x * torch.rsqrt(var + self.eps))

    def _layernorm(self, x, w, b):
        return torch.nn.functional.layer_norm(x, (x.shape[-1],), w, b, self.eps)

    def _rope_tables(self, T):
        hd = self.head_dim
        # inv_freq in float32 like HF (1 / theta ** (arange(0, hd, 2) / hd)).
        inv = 1.0 / (self.rope_theta ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
        pos = torch.arange(T, dtype=torch.float32)
        ang = torch.outer(pos, inv)  # [T, hd/2]
        return ang.cos(), ang.sin()

    def _rope(self, x, cos, sin):
        """x: [heads, T, hd]."""
        if self.rope_style == "interleaved":  # llama2.c / Meta: pairs (2i, 2i+1)
            x0, x1 = x[..., 0::2], x[..., 1::2]
            y0 = x0 * cos - x1 * sin
            y1 = x0 * sin + x1 * cos
            return torch.stack((y0, y1), dim=-1).reshape(x.shape)
        # HF rotate-half: pairs (i, i + hd/2)
        h = x.shape[-1] // 2
        x1, x2 = x[..., :h], x[..., h:]
        c = torch.cat((cos, cos), -1)
        s = torch.cat((sin, sin), -1)
        rot = torch.cat((-x2, x1), -1)
        return x * c + rot * s

    def _attend(self, q, k, v, T):
        """q: [H, T, hd], k/v: [KV, T, hd] -> [T, H*hd]."""
        H, KV = q.shape[0], k.shape[0]
        rep = H // KV
        k = k.repeat_interleave(rep, dim=0)
        v = v.repeat_interleave(rep, dim=0)
        scores = (q @ k.transpose(1, 2)) / math.sqrt(q.shape[-1])
        mask = torch.ones(T, T, dtype=torch.bool).tril()
        if self.sliding_window is not None and self.sliding_window < T:
            i = torch.arange(T)[:, None]
            j = torch.arange(T)[None, :]
            mask &= (i - j) < self.sliding_window
        scores = scores.masked_fill(~mask, float("-inf"))
        att = torch.softmax(scores, dim=-1)
        out = att @ v  # [H, T, hd]
        return out.transpose(0, 1).reshape(T, -1)

    # -- forward ----------------------------------------------------------
    def residuals(self, ids):
        """Residual stream after every block at every position: [L, T, D]."""
        ids = torch.tensor(ids, dtype=torch.long)
        T = ids.shape[0]
        if T > self.context:
            raise ValueError(f"sequence of {T} tokens exceeds context {self.context}")
        outs = []
        with torch.no_grad():
            if self.kind == "gpt2":
                x = self.wte[ids] + self.wpe[:T]
                for b in self.blocks:
                    a = self._layernorm(x, b["ln1_w"], b["ln1_b"])
                    qkv = a @ b["attn_w"] + b["attn_b"]
                    D = self.dim
                    q, k, v = qkv[:, :D], qkv[:, D:2 * D], qkv[:, 2 * D:]
                    sh = lambda t: t.reshape(T, self.n_heads, self.head_dim).transpose(0, 1)
                    o = self._attend(sh(q), sh(k), sh(v), T)
                    x = x + (o @ b["proj_w"] + b["proj_b"])
                    m = self._layernorm(x, b["ln2_w"], b["ln2_b"])
                    hmid = self.act(m @ b["fc_w"] + b["fc_b"])
                    x = x + (hmid @ b["mproj_w"] + b["mproj_b"])
                    outs.append(x)
            else:
                x = self.emb[ids]
                cos, sin = self._rope_tables(T)
                hd = self.head_dim
                for b in self.blocks:
                    a = self._rmsnorm(x, b["attn_norm"])
                    q = a @ b["wq"].t()
                    k = a @ b["wk"].t()
                    v = a @ b["wv"].t()
                    if b.get("bq") is not None:
                        q = q + b["bq"]
                    if b.get("bk") is not None:
                        k = k + b["bk"]
                    if b.get("bv") is not None:
                        v = v + b["bv"]
                    q = q.reshape(T, self.n_heads, hd).transpose(0, 1)
                    k = k.reshape(T, self.n_kv_heads, hd).transpose(0, 1)
                    v = v.reshape(T, self.n_kv_heads, hd).transpose(0, 1)
                    q = self._rope(q, cos, sin)
                    k = self._rope(k, cos, sin)
                    o = self._attend(q, k, v, T) @ b["wo"].t()
                    if b.get("bo") is not None:
                        o = o + b["bo"]
                    x = x + o
                    m = self._rmsnorm(x, b["ffn_norm"])
                    g = m @ b["w1"].t()
                    u = m @ b["w3"].t()
                    if b.get("b1") is not None:
                        g = g + b["b1"]
                    if b.get("b3") is not None:
                        u = u + b["b3"]
                    hmid = self.act(g) * u
                    d = hmid @ b["w2"].t()
                    if b.get("b2") is not None:
                        d = d + b["b2"]
                    x = x + d
                    outs.append(x)
        return torch.stack(outs)

    def lens(self, h):
        """h: [..., D] residual(s) -> float32 logits [..., V]."""
        with torch.no_grad():
            if self.kind == "gpt2":
                n = self._layernorm(h, self.lnf_w, self.lnf_b)
            else:
                n = self._rmsnorm(h, self.norm)
            z = n @ self.lm_head.t()
            if self.lm_head_bias is not None:
                z = z + self.lm_head_bias
            if self.softcap:
                c = float(self.softcap)
                z = c * torch.tanh(z / c)
        return z

    def step_logits(self, ids):
        """[L, V] lens logits at the last position of ids."""
        r = self.residuals(ids)
        return self.lens(r[:, -1, :])


def generate(model, prompt_ids, n_steps):
    """Greedy generation with the logit lens. Returns a dict with
    generated_ids, entropy [n][L], renyi {key: [n][L]}, logits_step0 [V],
    margins [n] (top1 - top2 of the last layer, for tie checks)."""
    ids = list(prompt_ids)
    gen, ent = [], []
    ren = {k: [] for k in RENYI_KEYS}
    logits0 = None
    margins = []
    for s in range(n_steps):
        z = model.step_logits(ids)  # [L, V] float32
        if s == 0:
            logits0 = z[-1].clone()
        ent.append(shannon(z).tolist())
        for k, a in zip(RENYI_KEYS, RENYI_ALPHAS):
            ren[k].append(renyi(z, a).tolist())
        last = z[-1]
        nxt = int(torch.argmax(last))
        top2 = torch.topk(last, 2).values
        margins.append(float(top2[0] - top2[1]))
        gen.append(nxt)
        ids.append(nxt)
    return {"generated_ids": gen, "entropy": ent, "renyi": ren,
            "logits_step0": logits0.tolist(), "margins": margins}


# ------------------------------------------------------------------ llama2.c

LLAMA2C_MAGIC = 0x616B3432


def load_llama2c(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack_from("<I", data, 0)[0]
    if magic == LLAMA2C_MAGIC:
        version = struct.unpack_from("<i", data, 4)[0]
        if version != 1:
            raise ValueError(f"{path}: llama2.c version {version} not supported (only 1, fp32)")
        dim, hidden, L, H, KV, V, seq = struct.unpack_from("<7i", data, 8)
        shared = struct.unpack_from("<B", data, 36)[0] != 0
        off = 256
        fmt = "v1"
    else:
        dim, hidden, L, H, KV, V, seq = struct.unpack_from("<7i", data, 0)
        shared = V > 0
        V = abs(V)
        off = 28
        fmt = "legacy"
    hd = dim // H
    kvd = KV * hd
    arr = np.frombuffer(data, dtype="<f4", offset=off)
    pos = [0]

    def take(*shape):
        n = int(np.prod(shape))
        t = torch.from_numpy(arr[pos[0]:pos[0] + n].copy()).reshape(shape)
        if t.numel() != n:
            raise ValueError(f"{path}: truncated file")
        pos[0] += n
        return t

    if fmt == "legacy":
        emb = take(V, dim)
        attn_norm = take(L, dim)
        wq = take(L, dim, dim)
        wk = take(L, kvd, dim)
        wv = take(L, kvd, dim)
        wo = take(L, dim, dim)
        ffn_norm = take(L, dim)
        w1 = take(L, hidden, dim)
        w2 = take(L, dim, hidden)
        w3 = take(L, hidden, dim)
        norm = take(dim)
        take(seq, hd // 2)  # freq_cis_real (unused, as in run.c)
        take(seq, hd // 2)  # freq_cis_imag
        wcls = emb if shared else take(V, dim)
    else:
        attn_norm = take(L, dim)
        ffn_norm = take(L, dim)
        norm = take(dim)
        emb = take(V, dim)
        wq = take(L, dim, dim)
        wk = take(L, kvd, dim)
        wv = take(L, kvd, dim)
        wo = take(L, dim, dim)
        w1 = take(L, hidden, dim)
        w2 = take(L, dim, hidden)
        w3 = take(L, hidden, dim)
        wcls = emb if shared else take(V, dim)
    if pos[0] != arr.shape[0]:
        raise ValueError(f"{path}: {arr.shape[0] - pos[0]} trailing floats")
    m = DecoderModel()
    m.kind = "llama"
    m.name = os.path.basename(path)
    m.format = "llama2c-" + fmt
    m.dim, m.hidden, m.n_layers, m.n_heads, m.n_kv_heads, m.vocab, m.context = dim, hidden, L, H, KV, V, seq
    m.head_dim = hd
    m.shared_classifier = shared
    m.eps = 1e-5
    m.rope_theta = 10000.0
    m.rope_style = "interleaved"
    m.sliding_window = None
    m.act = torch.nn.functional.silu
    m.emb = emb
    m.norm = norm
    m.lm_head = wcls
    m.lm_head_bias = None
    m.blocks = [dict(attn_norm=attn_norm[i], ffn_norm=ffn_norm[i], wq=wq[i], wk=wk[i], wv=wv[i],
                     wo=wo[i], w1=w1[i], w2=w2[i], w3=w3[i]) for i in range(L)]
    return m


class Llama2cTokenizer:
    """llama2.c tokenizer.bin, encode/decode exactly as run.c."""

    def __init__(self, path, vocab_size):
        with open(path, "rb") as f:
            data = f.read()
        self.max_token_length = struct.unpack_from("<i", data, 0)[0]
        o = 4
        self.vocab, self.scores = [], []
        for _ in range(vocab_size):
            s, n = struct.unpack_from("<fi", data, o)
            o += 8
            self.vocab.append(data[o:o + n])
            self.scores.append(s)
            o += n
        # run.c: bsearch over vocab sorted by strcmp; with unique pieces any
        # lookup is unambiguous. Keep the first id for duplicates (and warn).
        self.lookup = {}
        self.duplicates = []
        for i, p in enumerate(self.vocab):
            if p in self.lookup:
                self.duplicates.append(p)
            else:
                self.lookup[p] = i

    def encode(self, text, bos=True, eos=False):
        if isinstance(text, str):
            text = text.encode("utf-8")
        tokens = []
        if bos:
            tokens.append(1)
        if len(text) > 0:
            dp = self.lookup.get(b" ", -1)
            tokens.append(dp)  # run.c pushes it even if -1 (then fails); keep faithful
            if dp < 0:
                raise ValueError("tokenizer has no ' ' piece for the dummy prefix")
        buf = b""
        n = len(text)
        for ci in range(n):
            c = text[ci]
            if (c & 0xC0) != 0x80:
                buf = b""
            buf += bytes([c])
            nxt = text[ci + 1] if ci + 1 < n else 0
            if (nxt & 0xC0) == 0x80 and len(buf) < 4:
                continue
            tid = self.lookup.get(buf, -1)
            if tid != -1:
                tokens.append(tid)
            else:
                tokens.extend(b + 3 for b in buf)
            buf = b""
        while True:
            best_score, best_id, best_idx = -1e10, -1, -1
            for i in range(len(tokens) - 1):
                pair = self.vocab[tokens[i]] + self.vocab[tokens[i + 1]]
                tid = self.lookup.get(pair, -1)
                if tid != -1 and self.scores[tid] > best_score:
                    best_score, best_id, best_idx = self.scores[tid], tid, i
            if best_idx == -1:
                break
            tokens[best_idx] = best_id
            del tokens[best_idx + 1]
        if eos:
            tokens.append(2)
        return tokens

    def decode_piece(self, prev_token, token):
        """Bytes run.c's decode() returns (before safe_printf's filtering)."""
        piece = self.vocab[token]
        if prev_token == 1 and piece[:1] == b" ":
            piece = piece[1:]
        if len(piece) == 6 and piece.startswith(b"<0x") and piece.endswith(b">"):
            try:
                return bytes([int(piece[3:5], 16)])
            except ValueError:
                pass
        return piece

    def decode(self, prev_token, tokens):
        out = b""
        for t in tokens:
            out += self.decode_piece(prev_token, t)
            prev_token = t
        return out


# ------------------------------------------------------------------ Hugging Face

def _act(name):
    if name in ("silu", "swish"):
        return torch.nn.functional.silu
    if name in ("gelu_new", "gelu_pytorch_tanh", "gelu_fast"):
        c = math.sqrt(2.0 / math.pi)
        return lambda x: 0.5 * x * (1.0 + torch.tanh(c * (x + 0.044715 * torch.pow(x, 3.0))))
    if name == "gelu":
        return lambda x: torch.nn.functional.gelu(x)
    if name == "relu":
        return torch.nn.functional.relu
    raise ValueError(f"unsupported activation {name}")


def _dtype_summary(dtypes):
    s = set(dtypes.values())
    return s.pop() if len(s) == 1 else "mixed:" + ",".join(sorted(s))


def load_hf(model_dir):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    sd, dtypes, n_shards = load_dir(model_dir)
    arch = (cfg.get("architectures") or [None])[0]
    mt = cfg.get("model_type")
    m = DecoderModel()
    m.name = os.path.basename(os.path.normpath(model_dir))
    m.config = cfg
    m.dtype = _dtype_summary(dtypes)
    m.n_shards = n_shards
    used = set()

    def take(name, required=True):
        if name not in sd:
            if required:
                raise KeyError(f"{model_dir}: missing tensor {name}")
            return None
        used.add(name)
        return sd[name].float()

    if arch == "GPT2LMHeadModel" or (arch is None and mt == "gpt2"):
        _load_gpt2(m, cfg, sd, take)
        ignorable = (".attn.bias", ".attn.masked_bias")
    elif arch in ("LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM") or \
            (arch is None and mt in ("llama", "mistral", "qwen2")):
        _load_llama(m, cfg, sd, take, arch or mt)
        ignorable = ("rotary_emb.inv_freq",)
    else:
        raise ValueError(f"{model_dir}: unsupported architecture {arch} / {mt}")
    unused = [k for k in sd if k not in used and not k.endswith(ignorable)]
    if unused:
        raise ValueError(f"{model_dir}: unused tensors {unused[:8]}")
    m.format = "hf-" + (arch or mt)
    return m


def _load_gpt2(m, cfg, sd, take):
    m.kind = "gpt2"
    p = "transformer." if "transformer.wte.weight" in sd else ""
    m.prefix = p
    m.dim = cfg["n_embd"]
    m.n_layers = cfg["n_layer"]
    m.n_heads = cfg["n_head"]
    m.n_kv_heads = m.n_heads
    m.head_dim = m.dim // m.n_heads
    m.context = cfg.get("n_positions", cfg.get("n_ctx", 1024))
    m.eps = float(cfg.get("layer_norm_epsilon", 1e-5))
    m.act = _act(cfg.get("activation_function", "gelu_new"))
    m.sliding_window = None
    if cfg.get("scale_attn_by_inverse_layer_idx") or cfg.get("reorder_and_upcast_attn"):
        raise ValueError("scale_attn_by_inverse_layer_idx / reorder_and_upcast_attn not supported")
    if cfg.get("scale_attn_weights", True) is False:
        raise ValueError("scale_attn_weights false not supported")
    m.wte = take(p + "wte.weight")
    m.wpe = take(p + "wpe.weight")
    m.vocab = m.wte.shape[0]
    for i in range(m.n_layers):
        b = f"{p}h.{i}."
        m.blocks.append(dict(
            ln1_w=take(b + "ln_1.weight"), ln1_b=take(b + "ln_1.bias"),
            attn_w=take(b + "attn.c_attn.weight"), attn_b=take(b + "attn.c_attn.bias"),
            proj_w=take(b + "attn.c_proj.weight"), proj_b=take(b + "attn.c_proj.bias"),
            ln2_w=take(b + "ln_2.weight"), ln2_b=take(b + "ln_2.bias"),
            fc_w=take(b + "mlp.c_fc.weight"), fc_b=take(b + "mlp.c_fc.bias"),
            mproj_w=take(b + "mlp.c_proj.weight"), mproj_b=take(b + "mlp.c_proj.bias")))
    m.lnf_w = take(p + "ln_f.weight")
    m.lnf_b = take(p + "ln_f.bias")
    # GPT2LMHeadModel always ties lm_head to wte; a stored copy must be equal.
    lm = take("lm_head.weight", required=False)
    if lm is not None and not torch.equal(lm, m.wte):
        raise ValueError("lm_head.weight differs from wte (GPT-2 ties them)")
    m.lm_head = m.wte
    m.lm_head_bias = None
    m.softcap = cfg.get("final_logit_softcapping")


def _load_llama(m, cfg, sd, take, arch):
    m.kind = "llama"
    m.dim = cfg["hidden_size"]
    m.hidden = cfg["intermediate_size"]
    m.n_layers = cfg["num_hidden_layers"]
    m.n_heads = cfg["num_attention_heads"]
    m.n_kv_heads = cfg.get("num_key_value_heads") or m.n_heads
    m.head_dim = cfg.get("head_dim") or m.dim // m.n_heads
    m.context = cfg.get("max_position_embeddings", 2048)
    m.eps = float(cfg.get("rms_norm_eps", 1e-6))
    m.rope_theta = float(cfg.get("rope_theta", 10000.0))
    m.rope_style = "half"
    if cfg.get("rope_scaling"):
        raise ValueError("rope_scaling not supported by this reference")
    if cfg.get("partial_rotary_factor", 1.0) != 1.0:
        raise ValueError("partial_rotary_factor not supported")
    m.act = _act(cfg.get("hidden_act", "silu"))
    sw = cfg.get("sliding_window")
    if "Qwen2" in arch or arch == "qwen2":
        sw = sw if cfg.get("use_sliding_window", False) else None
        if sw is not None:
            raise ValueError("Qwen2 use_sliding_window not supported")
    is_mistral = "Mistral" in arch or arch == "mistral"
    m.sliding_window = sw if (is_mistral and sw) else None
    m.softcap = cfg.get("final_logit_softcapping")
    m.emb = take("model.embed_tokens.weight")
    m.vocab = m.emb.shape[0]
    for i in range(m.n_layers):
        b = f"model.layers.{i}."
        m.blocks.append(dict(
            attn_norm=take(b + "input_layernorm.weight"),
            ffn_norm=take(b + "post_attention_layernorm.weight"),
            wq=take(b + "self_attn.q_proj.weight"), bq=take(b + "self_attn.q_proj.bias", False),
            wk=take(b + "self_attn.k_proj.weight"), bk=take(b + "self_attn.k_proj.bias", False),
            wv=take(b + "self_attn.v_proj.weight"), bv=take(b + "self_attn.v_proj.bias", False),
            wo=take(b + "self_attn.o_proj.weight"), bo=take(b + "self_attn.o_proj.bias", False),
            w1=take(b + "mlp.gate_proj.weight"), b1=take(b + "mlp.gate_proj.bias", False),
            w3=take(b + "mlp.up_proj.weight"), b3=take(b + "mlp.up_proj.bias", False),
            w2=take(b + "mlp.down_proj.weight"), b2=take(b + "mlp.down_proj.bias", False)))
        blk = m.blocks[-1]
        assert blk["wq"].shape == (m.n_heads * m.head_dim, m.dim), blk["wq"].shape
        assert blk["wk"].shape == (m.n_kv_heads * m.head_dim, m.dim), blk["wk"].shape
    m.norm = take("model.norm.weight")
    # Per-architecture default of tie_word_embeddings is False for these three.
    tie = cfg.get("tie_word_embeddings", False)
    lm = take("lm_head.weight", required=False)
    if tie or lm is None:
        if lm is not None and not torch.equal(lm, m.emb):
            raise ValueError("tie_word_embeddings but lm_head.weight differs from embed_tokens")
        if lm is None and not tie:
            print(f"warning: {m.name}: no lm_head.weight, using embed_tokens", file=sys.stderr)
        m.lm_head = m.emb
    else:
        m.lm_head = lm
    m.lm_head_bias = None
    m.shared_classifier = m.lm_head is m.emb


def load_model(path):
    if os.path.isdir(path):
        return load_hf(path)
    return load_llama2c(path)


# ------------------------------------------------------------------ CLI

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--ids", help="comma-separated prompt token ids")
    ap.add_argument("--prompt", help="prompt text (llama2.c models; BOS prepended)")
    ap.add_argument("--tokenizer", help="llama2.c tokenizer.bin (default: tokenizer.bin or tok<V>.bin beside the model)")
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--json", help="write the result here")
    a = ap.parse_args()
    m = load_model(a.model)
    tok = None
    if a.prompt is not None:
        tp = a.tokenizer
        if tp is None:
            d = os.path.dirname(os.path.abspath(a.model))
            for c in ("tokenizer.bin", f"tok{m.vocab}.bin"):
                if os.path.exists(os.path.join(d, c)):
                    tp = os.path.join(d, c)
        if tp is None:
            ap.error("--prompt needs a llama2.c tokenizer (--tokenizer)")
        tok = Llama2cTokenizer(tp, m.vocab)
        ids = tok.encode(a.prompt, bos=True)
    elif a.ids:
        ids = [int(x) for x in a.ids.split(",")]
    else:
        ap.error("give --ids or --prompt")
    print(f"{m.name}: {m.format} dim {m.dim} layers {m.n_layers} heads {m.n_heads}/{m.n_kv_heads} "
          f"vocab {m.vocab} context {m.context}")
    print("prompt ids", ids)
    r = generate(m, ids, a.steps)
    r["prompt_ids"] = ids
    print("generated ids", r["generated_ids"])
    if tok is not None:
        txt = tok.decode(ids[-1], r["generated_ids"]).decode("utf-8", errors="replace")
        r["generated_text"] = txt
        print("generated text", repr(txt))
    for s, e in enumerate(r["entropy"]):
        print(f"  step {s:2d} -> {r['generated_ids'][s]:6d}  H = " + " ".join(f"{v:.4f}" for v in e))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(r, f)


if __name__ == "__main__":
    main()
