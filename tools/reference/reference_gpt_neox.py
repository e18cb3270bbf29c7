#!/usr/bin/python3
"""Independent reference for GPT-NeoX (GPTNeoXForCausalLM) with a logit lens,
written from Hugging Face's modeling_gpt_neox.py (not from our C code):

  * embeddings: gpt_neox.embed_in (no learned positions);
  * each layer: input_layernorm -> attention; post_attention_layernorm ->
    MLP (dense_h_to_4h, act, dense_4h_to_h), all LayerNorms with bias;
  * attention: query_key_value is one Linear whose output is viewed as
    [heads, 3 * head_size] (per head: q, k, v -- not q of every head first);
    rotary embedding (rotate_half) on the first rotary_ndims =
    int(head_size * rotary_pct) dims of q and k, inv_freq
    1 / rotary_emb_base ** (arange(0, rotary_ndims, 2) / rotary_ndims) in float32;
    scores / sqrt(head_size), causal mask, softmax, dense (with bias);
  * use_parallel_residual (default true):
        x = x + attn(ln1(x)) + mlp(ln2(x))        (HF: mlp_out + attn_out + x)
    else
        a = attn(ln1(x)) + x;  x = mlp(ln2(a)) + a
  * final_layer_norm, then embed_out (untied unless tie_word_embeddings).

Where unsure of HF details: the scores are computed as (q @ k^T) / sqrt(hd)
(older HF: baddbmm with alpha = 1 / norm_factor; the same up to rounding);
hidden_act names follow transformers' ACT2FN for the ones handled here.

Lens and generation as tools/reference/reference_text.py (generate(),
Shannon and Renyi entropies in float64 from float32 logits), which this
model plugs into (step_logits).

Usage: reference_gpt_neox.py MODEL_DIR --ids 1,2,3 [--steps N] [--json OUT]
"""
import argparse
import json
import math
import os
import sys

import torch

sys.path[:0] = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", d) for d in ("lib", "reference")]
import reference_text as ref  # noqa: E402
from safetensors_io import load_dir  # noqa: E402

torch.set_num_threads(1)

ACT = {
    "gelu": torch.nn.functional.gelu,  # exact (erf)
    "gelu_new": lambda x: torch.nn.functional.gelu(x, approximate="tanh"),
    "gelu_pytorch_tanh": lambda x: torch.nn.functional.gelu(x, approximate="tanh"),
    "relu": torch.relu,
    "silu": torch.nn.functional.silu,
    "quick_gelu": lambda x: x * torch.sigmoid(1.702 * x),
}


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class GPTNeoX:
    def __init__(self, folder):
        with open(os.path.join(folder, "config.json")) as f:
            cfg = json.load(f)
        sd, dtypes, _ = load_dir(folder)
        self.config = cfg
        self.name = os.path.basename(os.path.normpath(folder))
        self.format = "hf-GPTNeoXForCausalLM"
        self.dtype = "F32" if set(dtypes.values()) == {"F32"} else "mixed"
        self.dim = cfg["hidden_size"]
        self.n_layers = cfg["num_hidden_layers"]
        self.n_heads = cfg["num_attention_heads"]
        self.vocab = cfg["vocab_size"]
        self.context = cfg.get("max_position_embeddings", 2048)
        self.head_dim = self.dim // self.n_heads
        self.rotary_ndims = int(self.head_dim * cfg.get("rotary_pct", 0.25))
        self.base = float(cfg.get("rotary_emb_base", 10000))
        self.eps = cfg.get("layer_norm_eps", 1e-5)
        self.parallel = cfg.get("use_parallel_residual", True)
        self.act = ACT[cfg.get("hidden_act", "gelu")]
        p = "gpt_neox."
        t = lambda k: sd[k].float()
        self.embed_in = t(p + "embed_in.weight")
        self.blocks = []
        for i in range(self.n_layers):
            b = f"{p}layers.{i}."
            self.blocks.append({k: t(b + n) for k, n in (
                ("ln1_w", "input_layernorm.weight"), ("ln1_b", "input_layernorm.bias"),
                ("ln2_w", "post_attention_layernorm.weight"), ("ln2_b", "post_attention_layernorm.bias"),
                ("qkv_w", "attention.query_key_value.weight"), ("qkv_b", "attention.query_key_value.bias"),
                ("o_w", "attention.dense.weight"), ("o_b", "attention.dense.bias"),
                ("up_w", "mlp.dense_h_to_4h.weight"), ("up_b", "mlp.dense_h_to_4h.bias"),
                ("down_w", "mlp.dense_4h_to_h.weight"), ("down_b", "mlp.dense_4h_to_h.bias"))})
        self.lnf_w, self.lnf_b = t(p + "final_layer_norm.weight"), t(p + "final_layer_norm.bias")
        self.lm_head = t("embed_out.weight") if "embed_out.weight" in sd else self.embed_in

    def _ln(self, x, w, b):
        return torch.nn.functional.layer_norm(x, (x.shape[-1],), w, b, self.eps)

    def _rope(self, T):
        rd = self.rotary_ndims
        inv = 1.0 / (self.base ** (torch.arange(0, rd, 2, dtype=torch.int64).float() / rd))
        freqs = torch.outer(torch.arange(T, dtype=torch.float32), inv)
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos(), emb.sin()

    def _attention(self, b, h, cos, sin):
        T, H, hd, rd = h.shape[0], self.n_heads, self.head_dim, self.rotary_ndims
        qkv = (h @ b["qkv_w"].t() + b["qkv_b"]).view(T, H, 3 * hd).transpose(0, 1)  # [H, T, 3 hd]
        q, k, v = qkv[..., :hd], qkv[..., hd:2 * hd], qkv[..., 2 * hd:]
        q = torch.cat((q[..., :rd] * cos + rotate_half(q[..., :rd]) * sin, q[..., rd:]), dim=-1)
        k = torch.cat((k[..., :rd] * cos + rotate_half(k[..., :rd]) * sin, k[..., rd:]), dim=-1)
        scores = (q @ k.transpose(1, 2)) / math.sqrt(hd)
        mask = torch.ones(T, T, dtype=torch.bool).tril()
        att = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
        o = (att @ v).transpose(0, 1).reshape(T, H * hd)
        return o @ b["o_w"].t() + b["o_b"]

    def _mlp(self, b, h):
        return self.act(h @ b["up_w"].t() + b["up_b"]) @ b["down_w"].t() + b["down_b"]

    def residuals(self, ids):
        """Residual stream after every layer at every position: [L, T, D]."""
        T = len(ids)
        outs = []
        with torch.no_grad():
            x = self.embed_in[torch.tensor(ids, dtype=torch.long)]
            cos, sin = self._rope(T)
            for b in self.blocks:
                attn = self._attention(b, self._ln(x, b["ln1_w"], b["ln1_b"]), cos, sin)
                if self.parallel:
                    mlp = self._mlp(b, self._ln(x, b["ln2_w"], b["ln2_b"]))
                    x = mlp + attn + x
                else:
                    a = attn + x
                    x = self._mlp(b, self._ln(a, b["ln2_w"], b["ln2_b"])) + a
                outs.append(x)
        return torch.stack(outs)

    def step_logits(self, ids):
        """[L, V] lens logits at the last position of ids."""
        with torch.no_grad():
            r = self.residuals(ids)[:, -1, :]
            return self._ln(r, self.lnf_w, self.lnf_b) @ self.lm_head.t()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--ids", required=True, help="comma-separated prompt token ids")
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--json", help="write the result here")
    a = ap.parse_args()
    r = ref.generate(GPTNeoX(a.model), [int(i) for i in a.ids.split(",")], a.steps)
    text = json.dumps(r)
    if a.json:
        with open(a.json, "w") as f:
            f.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
