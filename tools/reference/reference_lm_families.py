#!/usr/bin/python3
"""Independent reference for the decoder-only language-model families, one
forward pass per Hugging Face modeling file, written from transformers'
modeling_llama.py, modeling_mistral.py, modeling_qwen2.py, modeling_qwen3.py,
modeling_phi3.py, modeling_gemma.py, modeling_gemma2.py, modeling_gemma3.py
(Gemma3ForCausalLM, model_type gemma3_text), modeling_gpt_neox.py,
modeling_opt.py and modeling_bloom.py, and from modeling_rope_utils.py for
rope_scaling — never from entropy-lens's C code.

  llama / mistral / qwen2 / qwen3 / phi3   ("LlamaLike": the same HF layer,
      RMSNorm w * x, rotate-half RoPE, SwiGLU, GQA; per family: Qwen2 q/k/v
      biases; Llama attention_bias / mlp_bias; Qwen3 q_norm / k_norm
      (RMSNorm over head_dim, before RoPE) and explicit head_dim; Phi-3 fused
      qkv_proj (q | k | v rows) and gate_up_proj (gate | up rows), Mistral and
      Phi-3 sliding_window; rope_scaling default / linear / llama3 / longrope)
  gemma / gemma2 / gemma3_text (also a gemma3 multimodal folder's language
      model: its text_config and language_model.* tensors)  (embeddings x sqrt(hidden) rounded to the
      checkpoint's torch_dtype as HF does, RMSNorm x * (1 + w) in float32,
      GeGLU with hidden_activation (gelu_pytorch_tanh), head_dim from the
      config; Gemma 2/3: query_pre_attn_scalar, post-attention and pre/post
      feed-forward norms, attention and final logit soft-capping, sliding
      window on layer_types / every other layer (Gemma 2) / all but every
      sliding_window_pattern-th layer (Gemma 3); Gemma 3: q/k norms, local
      layers with rope_local_base_freq and no scaling, global layers with
      rope_theta and rope_scaling)
  gpt_neox  (LayerNorm, fused query_key_value in per-head [heads, 3, hd]
      order, partial rotary over the first rotary_pct * hd dims, parallel or
      sequential residual, GELU, untied embed_out)
  opt       (learned positions with offset 2, optional project_in/project_out
      when word_embed_proj_dim != hidden_size, do_layer_norm_before (pre- or
      post-LN), ReLU, final_layer_norm only with pre-LN, tied lm_head)
  bloom     (word_embeddings_layernorm, ALiBi slopes incl. non-power-of-2
      head counts, fused query_key_value in per-head [heads, 3, hd] order,
      BloomGelu tanh, apply_residual_connection_post_layernorm, tied lm_head)

Weights are upcast to float32 and the math is float32 (softmax and the
entropies in float64 from the float32 logits, as reference_text.py does);
the one place HF rounds to the checkpoint's dtype on purpose, the Gemma
embedding scale, is rounded the same way here.

Lens at every generated step: the residual stream after block l at the last
position through the model's own final norm and unembedding (OPT: its
final_layer_norm if it has one, then project_out; Gemma 2: then the final
logit soft-cap) -> logits[l-1]. Greedy argmax of the last layer, full
recompute each step (no KV cache).

Usage:
  reference_lm_families.py MODEL_DIR --ids 1,2,3 [--steps N] [--json OUT]
"""
import argparse
import json
import os
import sys

import torch

sys.path[:0] = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", d) for d in ("lib", "reference")]
from safetensors_io import load_dir  # noqa: E402
import reference_text as rt  # noqa: E402  (entropies and greedy generation)

torch.set_num_threads(1)

from reference_lm_ops import (Unsupported, act, alibi_slopes, apply_partial_rope, apply_rope,  # noqa: E402
                              attention, bloom_gelu, gemma_rms_norm, heads, layer_norm, linear, rms_norm,
                              rope_inv_freq, rope_tables)

TORCH_DT = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
FAMILIES = ("llama", "mistral", "qwen2", "qwen3", "phi3", "gemma", "gemma2", "gemma3_text",
            "gpt_neox", "opt", "bloom")


# ------------------------------------------------------------------ model

# Gemma3TextConfig's defaults, for keys a text_config leaves out.
GEMMA3_TEXT_DEFAULTS = {"vocab_size": 262208, "hidden_size": 2304, "intermediate_size": 9216,
                        "num_hidden_layers": 26, "num_attention_heads": 8, "num_key_value_heads": 4,
                        "head_dim": 256, "max_position_embeddings": 131072}


def gemma3_language_model(cfg, sd):
    """Gemma3ForConditionalGeneration on text alone is its language model,
    Gemma3ForCausalLM(text_config) (modeling_gemma3.py): the text_config with
    the folder's dtype, the tensors under language_model.model. (or
    model.language_model. in newer saves) renamed to model.; the vision tower
    and projector only act on images."""
    text = dict(GEMMA3_TEXT_DEFAULTS, **cfg["text_config"])
    text.setdefault("torch_dtype", cfg.get("torch_dtype", cfg.get("dtype", "float32")))
    out = {}
    for k, v in sd.items():
        for pre in ("language_model.model.", "model.language_model."):
            if k.startswith(pre):
                out["model." + k[len(pre):]] = v
        if k in ("language_model.lm_head.weight", "lm_head.weight"):
            out["lm_head.weight"] = v
    return text, out


class FamilyModel:
    """One HF checkpoint folder. residuals(ids) -> [L, T, D]; lens(h) -> logits."""

    def __init__(self, folder, override=None):
        """override: config entries to replace (the fixture generator's
        controls: the same weights with one feature switched off)."""
        with open(os.path.join(folder, "config.json")) as f:
            self.cfg = json.load(f)
        sd, dtypes, n_shards = load_dir(folder)
        if self.cfg.get("model_type") == "gemma3":
            self.cfg, sd = gemma3_language_model(self.cfg, sd)
        self.cfg.update(override or {})
        self.family = self.cfg.get("model_type")
        if self.family not in FAMILIES:
            raise Unsupported(f"{folder}: model_type {self.family!r} (families: {', '.join(FAMILIES)})")
        self.sd = sd
        self.used = set()
        self.name = os.path.basename(os.path.normpath(folder))
        self.n_shards = n_shards
        self.dtype = rt._dtype_summary(dtypes)
        self.format = "hf-" + ((self.cfg.get("architectures") or [self.family])[0])
        self.config = self.cfg
        getattr(self, "_load_" + ("llama_like" if self.family in ("llama", "mistral", "qwen2", "qwen3", "phi3")
                                  else "gemma" if self.family.startswith("gemma") else self.family))()
        ignorable = ("rotary_emb.inv_freq", ".attention.bias", ".attention.masked_bias")
        unused = [k for k in sd if k not in self.used and not k.endswith(ignorable)]
        if unused:
            raise ValueError(f"{folder}: unused tensors {unused[:8]}")

    # -- helpers ----------------------------------------------------------
    def t(self, name, shape=None, required=True):
        if name not in self.sd:
            if required:
                raise KeyError(f"{self.name}: missing tensor {name}")
            return None
        self.used.add(name)
        x = self.sd[name].float()
        if shape is not None and tuple(x.shape) != tuple(shape):
            raise ValueError(f"{self.name}: {name} has shape {tuple(x.shape)}, want {tuple(shape)}")
        return x

    def c(self, key, default=None):
        v = self.cfg.get(key, default)
        return default if v is None else v

    def tied_head(self, emb, default_tie):
        lm = self.t("lm_head.weight", required=False)
        if lm is None or self.c("tie_word_embeddings", default_tie):
            if lm is not None and not torch.equal(lm, emb):
                raise ValueError(f"{self.name}: tie_word_embeddings but lm_head.weight differs")
            return emb
        return lm

    def step_logits(self, ids):
        return self.lens(self.residuals(ids)[:, -1, :])

    def residuals(self, ids):
        ids = torch.tensor(ids, dtype=torch.long)
        if ids.shape[0] > self.context:
            raise ValueError(f"{ids.shape[0]} tokens exceed the context {self.context}")
        with torch.no_grad():
            return torch.stack(getattr(self, "_fwd_" + self.kind)(ids))

    def lens(self, h):
        with torch.no_grad():
            z = linear(self.final_norm(h), self.lm_head)
            if self.final_softcap:
                z = torch.tanh(z / self.final_softcap) * self.final_softcap
        return z

    def _common(self, D, L, H, KV, hd, V, ctx):
        self.dim, self.n_layers, self.n_heads, self.n_kv_heads, self.head_dim = D, L, H, KV, hd
        self.vocab, self.context = V, ctx
        self.final_softcap = None
        self.layers = []

    # -- Llama / Mistral / Qwen2 / Qwen3 / Phi-3 -----------------------------
    def _load_llama_like(self):
        c, fam = self.c, self.family
        D, L, H = c("hidden_size"), c("num_hidden_layers"), c("num_attention_heads")
        KV = c("num_key_value_heads", H)
        hd = c("head_dim", D // H)
        V, I = c("vocab_size"), c("intermediate_size")
        self._common(D, L, H, KV, hd, V, c("max_position_embeddings", 2048))
        self.kind = "llama_like"
        self.eps = float(c("rms_norm_eps", 1e-6))
        self.act = act(c("hidden_act", "silu"), fam)
        if c("partial_rotary_factor", 1.0) != 1.0:
            raise Unsupported(f"{fam}: partial_rotary_factor")
        scaling = c("rope_scaling")
        if scaling and scaling.get("rope_type", scaling.get("type")) == "longrope":
            orig = c("original_max_position_embeddings")
            scaling = dict(scaling, _original_max_position_embeddings=orig)
            self.context = min(self.context, orig)  # long factors: not supported
        self.inv_freq, self.att_scale = rope_inv_freq(hd, float(c("rope_theta", 10000.0)), scaling,
                                                      c("max_position_embeddings"), fam)
        self.window = None
        if fam in ("mistral", "phi3"):
            self.window = c("sliding_window")
        elif fam in ("qwen2", "qwen3") and c("use_sliding_window", False):
            raise Unsupported(f"{fam}: use_sliding_window")
        qkv_bias = fam == "qwen2" or c("attention_bias", False)
        o_bias = fam != "qwen2" and c("attention_bias", False)
        mlp_bias = c("mlp_bias", False)
        self.emb = self.t("model.embed_tokens.weight", (V, D))
        for i in range(L):
            p = f"model.layers.{i}."
            ly = {"in_norm": self.t(p + "input_layernorm.weight", (D,)),
                  "post_norm": self.t(p + "post_attention_layernorm.weight", (D,)),
                  "wo": self.t(p + "self_attn.o_proj.weight", (D, H * hd)),
                  "bo": self.t(p + "self_attn.o_proj.bias", (D,)) if o_bias else None,
                  "down": self.t(p + "mlp.down_proj.weight", (D, I)),
                  "b_down": self.t(p + "mlp.down_proj.bias", (D,)) if mlp_bias else None}
            if fam == "phi3":
                ly["wqkv"] = self.t(p + "self_attn.qkv_proj.weight", ((H + 2 * KV) * hd, D))
                ly["gate_up"] = self.t(p + "mlp.gate_up_proj.weight", (2 * I, D))
            else:
                for n, rows in (("q", H * hd), ("k", KV * hd), ("v", KV * hd)):
                    ly["w" + n] = self.t(p + f"self_attn.{n}_proj.weight", (rows, D))
                    ly["b" + n] = self.t(p + f"self_attn.{n}_proj.bias", (rows,)) if qkv_bias else None
                for n in ("gate", "up"):
                    ly[n] = self.t(p + f"mlp.{n}_proj.weight", (I, D))
                    ly["b_" + n] = self.t(p + f"mlp.{n}_proj.bias", (I,)) if mlp_bias else None
            if fam == "qwen3":
                ly["q_norm"] = self.t(p + "self_attn.q_norm.weight", (hd,))
                ly["k_norm"] = self.t(p + "self_attn.k_norm.weight", (hd,))
            self.layers.append(ly)
        norm = self.t("model.norm.weight", (D,))
        self.final_norm = lambda h: rms_norm(h, norm, self.eps)
        self.lm_head = self.tied_head(self.emb, False)

    def _fwd_llama_like(self, ids):
        T, H, KV, hd = ids.shape[0], self.n_heads, self.n_kv_heads, self.head_dim
        cos, sin = rope_tables(self.inv_freq, self.att_scale, T)
        x = self.emb[ids]
        outs = []
        for ly in self.layers:
            a = rms_norm(x, ly["in_norm"], self.eps)
            if "wqkv" in ly:  # Phi-3: one projection, rows q | k | v
                qkv = linear(a, ly["wqkv"])
                q, k, v = qkv.split([H * hd, KV * hd, KV * hd], dim=-1)
            else:
                q, k, v = (linear(a, ly["w" + n], ly["b" + n]) for n in "qkv")
            q, k, v = heads(q, H, hd), heads(k, KV, hd), heads(v, KV, hd)
            if "q_norm" in ly:  # Qwen3: per-head RMSNorm before RoPE
                q = rms_norm(q, ly["q_norm"], self.eps)
                k = rms_norm(k, ly["k_norm"], self.eps)
            q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
            o = attention(q, k, v, hd ** -0.5, window=self.window)
            x = x + linear(o, ly["wo"], ly["bo"])
            m = rms_norm(x, ly["post_norm"], self.eps)
            if "gate_up" in ly:  # Phi-3: rows gate | up
                gate, up = linear(m, ly["gate_up"]).chunk(2, dim=-1)
            else:
                gate, up = linear(m, ly["gate"], ly["b_gate"]), linear(m, ly["up"], ly["b_up"])
            x = x + linear(self.act(gate) * up, ly["down"], ly["b_down"])
            outs.append(x)
        return outs

    # -- Gemma / Gemma 2 / Gemma 3 -------------------------------------------
    def _load_gemma(self):
        c, fam = self.c, self.family
        D, L, H = c("hidden_size"), c("num_hidden_layers"), c("num_attention_heads")
        KV, hd = c("num_key_value_heads", H), c("head_dim", 256)
        V, I = c("vocab_size"), c("intermediate_size")
        self._common(D, L, H, KV, hd, V, c("max_position_embeddings", 8192))
        self.kind = "gemma"
        self.eps = float(c("rms_norm_eps", 1e-6))
        # HF: hidden_activation (gelu_pytorch_tanh when unset), hidden_act ignored.
        self.act = act(c("hidden_activation", "gelu_pytorch_tanh"), fam)
        # normalizer = tensor(sqrt(hidden), dtype=hidden_states.dtype): the model dtype.
        dt = TORCH_DT[c("torch_dtype", c("dtype", "float32"))]  # "dtype" in newer configs
        self.embed_scale = float(torch.tensor(D ** 0.5, dtype=torch.float32).to(dt).float())
        v2, v3 = fam != "gemma", fam == "gemma3_text"
        # Absent keys take Gemma2Config's / Gemma3TextConfig's defaults; null is "off".
        self.scaling = float(c("query_pre_attn_scalar", 256)) ** -0.5 if v2 else hd ** -0.5
        cap = lambda key, dflt: self.cfg[key] if key in self.cfg else dflt
        self.attn_softcap = cap("attn_logit_softcapping", None if v3 else 50.0) if v2 else None
        self.final_softcap_cfg = cap("final_logit_softcapping", None if v3 else 30.0) if v2 else None
        theta = float(c("rope_theta", 1e6 if v3 else 10000.0))
        if c("partial_rotary_factor", 1.0) != 1.0:
            raise Unsupported(f"{fam}: partial_rotary_factor")
        glob = rope_inv_freq(hd, theta, c("rope_scaling") if fam == "gemma3_text" else None, None, fam)
        local = rope_inv_freq(hd, float(c("rope_local_base_freq", 10000.0)), None, None, fam)
        types = c("layer_types")
        if types is None:
            if fam == "gemma2":
                types = ["sliding_attention" if i % 2 == 0 else "full_attention" for i in range(L)]
            elif fam == "gemma3_text":
                pat = c("sliding_window_pattern", 6)
                types = ["sliding_attention" if (i + 1) % pat else "full_attention" for i in range(L)]
            else:
                types = ["full_attention"] * L
        if fam == "gemma3_text" and c("use_bidirectional_attention", False):
            raise Unsupported(f"{fam}: use_bidirectional_attention")
        self.emb = self.t("model.embed_tokens.weight", (V, D))
        ab = c("attention_bias", False)
        for i in range(L):
            p = f"model.layers.{i}."
            sliding = v2 and types[i] == "sliding_attention"
            ly = {"window": c("sliding_window", 4096) if sliding else None,
                  "rope": local if (fam == "gemma3_text" and sliding) else glob,
                  "in_norm": self.t(p + "input_layernorm.weight", (D,)),
                  "post_attn_norm": self.t(p + "post_attention_layernorm.weight", (D,)),
                  "gate": self.t(p + "mlp.gate_proj.weight", (I, D)),
                  "up": self.t(p + "mlp.up_proj.weight", (I, D)),
                  "down": self.t(p + "mlp.down_proj.weight", (D, I))}
            for n, rows, cols in (("q", H * hd, D), ("k", KV * hd, D), ("v", KV * hd, D), ("o", D, H * hd)):
                ly["w" + n] = self.t(p + f"self_attn.{n}_proj.weight", (rows, cols))
                ly["b" + n] = self.t(p + f"self_attn.{n}_proj.bias", (rows,)) if ab else None
            if v2:
                ly["pre_ff_norm"] = self.t(p + "pre_feedforward_layernorm.weight", (D,))
                ly["post_ff_norm"] = self.t(p + "post_feedforward_layernorm.weight", (D,))
            if fam == "gemma3_text":
                ly["q_norm"] = self.t(p + "self_attn.q_norm.weight", (hd,))
                ly["k_norm"] = self.t(p + "self_attn.k_norm.weight", (hd,))
            self.layers.append(ly)
        norm = self.t("model.norm.weight", (D,))
        self.final_norm = lambda h: gemma_rms_norm(h, norm, self.eps)
        self.lm_head = self.tied_head(self.emb, True)
        self.final_softcap = self.final_softcap_cfg

    def _fwd_gemma(self, ids):
        T, H, KV, hd, eps = ids.shape[0], self.n_heads, self.n_kv_heads, self.head_dim, self.eps
        tables = {}
        x = self.emb[ids] * self.embed_scale
        outs = []
        for ly in self.layers:
            key = id(ly["rope"])
            if key not in tables:
                tables[key] = rope_tables(ly["rope"][0], ly["rope"][1], T)
            cos, sin = tables[key]
            a = gemma_rms_norm(x, ly["in_norm"], eps)
            q, k, v = (heads(linear(a, ly["w" + n], ly["b" + n]), nh, hd) for n, nh in (("q", H), ("k", KV), ("v", KV)))
            if "q_norm" in ly:
                q, k = gemma_rms_norm(q, ly["q_norm"], eps), gemma_rms_norm(k, ly["k_norm"], eps)
            q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
            o = linear(attention(q, k, v, self.scaling, ly["window"], self.attn_softcap), ly["wo"], ly["bo"])
            if "pre_ff_norm" in ly:  # Gemma 2/3: norms after attention and around the MLP
                x = x + gemma_rms_norm(o, ly["post_attn_norm"], eps)
                m = gemma_rms_norm(x, ly["pre_ff_norm"], eps)
                f = linear(self.act(linear(m, ly["gate"])) * linear(m, ly["up"]), ly["down"])
                x = x + gemma_rms_norm(f, ly["post_ff_norm"], eps)
            else:
                x = x + o
                m = gemma_rms_norm(x, ly["post_attn_norm"], eps)
                x = x + linear(self.act(linear(m, ly["gate"])) * linear(m, ly["up"]), ly["down"])
            outs.append(x)
        return outs

    # -- GPT-NeoX / Pythia ----------------------------------------------------
    def _load_gpt_neox(self):
        c = self.c
        D, L, H, V, I = c("hidden_size"), c("num_hidden_layers"), c("num_attention_heads"), c("vocab_size"), \
            c("intermediate_size")
        hd = D // H
        self._common(D, L, H, H, hd, V, c("max_position_embeddings", 2048))
        self.kind = "gpt_neox"
        self.eps = float(c("layer_norm_eps", 1e-5))
        self.act = act(c("hidden_act", "gelu"), "gpt_neox")
        self.parallel = c("use_parallel_residual", True)
        self.n_rot = int(hd * c("rotary_pct", 0.25))
        if c("rope_scaling"):
            raise Unsupported("gpt_neox: rope_scaling")
        base = float(c("rotary_emb_base", c("rope_theta", 10000.0)))
        self.inv_freq, _ = rope_inv_freq(self.n_rot, base, None, None, "gpt_neox")
        bias = c("attention_bias", True)
        self.emb = self.t("gpt_neox.embed_in.weight", (V, D))
        for i in range(L):
            p = f"gpt_neox.layers.{i}."
            ly = {}
            for n in ("input_layernorm", "post_attention_layernorm"):
                ly[n] = (self.t(p + n + ".weight", (D,)), self.t(p + n + ".bias", (D,)))
            ly["qkv"] = (self.t(p + "attention.query_key_value.weight", (3 * D, D)),
                         self.t(p + "attention.query_key_value.bias", (3 * D,)) if bias else None)
            ly["dense"] = (self.t(p + "attention.dense.weight", (D, D)),
                           self.t(p + "attention.dense.bias", (D,)) if bias else None)
            ly["up"] = (self.t(p + "mlp.dense_h_to_4h.weight", (I, D)), self.t(p + "mlp.dense_h_to_4h.bias", (I,)))
            ly["down"] = (self.t(p + "mlp.dense_4h_to_h.weight", (D, I)), self.t(p + "mlp.dense_4h_to_h.bias", (D,)))
            self.layers.append(ly)
        fw, fb = self.t("gpt_neox.final_layer_norm.weight", (D,)), self.t("gpt_neox.final_layer_norm.bias", (D,))
        self.final_norm = lambda h: layer_norm(h, fw, fb, self.eps)
        self.lm_head = self.t("embed_out.weight", (V, D))  # never tied in Pythia

    def _fwd_gpt_neox(self, ids):
        T, H, hd = ids.shape[0], self.n_heads, self.head_dim
        cos, sin = rope_tables(self.inv_freq, 1.0, T)
        x = self.emb[ids]
        outs = []
        for ly in self.layers:
            a = layer_norm(x, *ly["input_layernorm"], self.eps)
            qkv = linear(a, *ly["qkv"]).reshape(T, H, 3 * hd).transpose(0, 1)  # per head: q | k | v
            q, k, v = qkv[..., :hd], qkv[..., hd:2 * hd], qkv[..., 2 * hd:]
            q = apply_partial_rope(q, cos, sin, self.n_rot)
            k = apply_partial_rope(k, cos, sin, self.n_rot)
            att = linear(attention(q, k, v, hd ** -0.5), *ly["dense"])
            mlp = lambda h: linear(self.act(linear(h, *ly["up"])), *ly["down"])
            if self.parallel:  # x + attn(ln1(x)) + mlp(ln2(x))
                x = x + att + mlp(layer_norm(x, *ly["post_attention_layernorm"], self.eps))
            else:
                x = x + att
                x = x + mlp(layer_norm(x, *ly["post_attention_layernorm"], self.eps))
            outs.append(x)
        return outs

    # -- OPT ------------------------------------------------------------------
    def _load_opt(self):
        c = self.c
        D, L, H, V, F = c("hidden_size"), c("num_hidden_layers"), c("num_attention_heads"), c("vocab_size"), \
            c("ffn_dim")
        P = c("word_embed_proj_dim", D)
        ctx = c("max_position_embeddings", 2048)
        self._common(D, L, H, H, D // H, V, ctx)
        self.kind = "opt"
        self.eps = 1e-5
        self.act = act(c("activation_function", "relu"), "opt")
        self.pre_ln = c("do_layer_norm_before", True)
        if not c("layer_norm_elementwise_affine", True):
            raise Unsupported("opt: layer_norm_elementwise_affine false")
        bias = c("enable_bias", True)
        pre = "model.decoder." if "model.decoder.embed_tokens.weight" in self.sd else "decoder."
        self.emb = self.t(pre + "embed_tokens.weight", (V, P))
        self.pos = self.t(pre + "embed_positions.weight", (ctx + 2, D))
        self.proj_in = self.t(pre + "project_in.weight", (D, P)) if P != D else None
        proj_out = self.t(pre + "project_out.weight", (P, D)) if P != D else None
        for i in range(L):
            p = f"{pre}layers.{i}."
            g = lambda n, shape: (self.t(p + n + ".weight", shape), self.t(p + n + ".bias", shape[:1]) if bias else None)
            ln = lambda n: (self.t(p + n + ".weight", (D,)), self.t(p + n + ".bias", (D,)))
            self.layers.append({"q": g("self_attn.q_proj", (D, D)), "k": g("self_attn.k_proj", (D, D)),
                                "v": g("self_attn.v_proj", (D, D)), "o": g("self_attn.out_proj", (D, D)),
                                "fc1": g("fc1", (F, D)), "fc2": g("fc2", (D, F)),
                                "attn_ln": ln("self_attn_layer_norm"), "ffn_ln": ln("final_layer_norm")})
        fln = None
        if self.pre_ln and not c("_remove_final_layer_norm", False):
            fln = (self.t(pre + "final_layer_norm.weight", (D,)), self.t(pre + "final_layer_norm.bias", (D,)))

        def final(h):
            if fln is not None:
                h = layer_norm(h, *fln, self.eps)
            return linear(h, proj_out) if proj_out is not None else h
        self.final_norm = final
        self.lm_head = self.tied_head(self.emb, True)

    def _fwd_opt(self, ids):
        T, H, hd, eps = ids.shape[0], self.n_heads, self.head_dim, self.eps
        e = self.emb[ids]
        if self.proj_in is not None:
            e = linear(e, self.proj_in)
        x = e + self.pos[torch.arange(T) + 2]  # OPTLearnedPositionalEmbedding offset 2
        outs = []
        for ly in self.layers:
            a = layer_norm(x, *ly["attn_ln"], eps) if self.pre_ln else x
            q, k, v = (heads(linear(a, *ly[n]), H, hd) for n in "qkv")
            x = x + linear(attention(q, k, v, hd ** -0.5), *ly["o"])
            if not self.pre_ln:
                x = layer_norm(x, *ly["attn_ln"], eps)
            m = layer_norm(x, *ly["ffn_ln"], eps) if self.pre_ln else x
            x = x + linear(self.act(linear(m, *ly["fc1"])), *ly["fc2"])
            if not self.pre_ln:
                x = layer_norm(x, *ly["ffn_ln"], eps)
            outs.append(x)
        return outs

    # -- BLOOM ----------------------------------------------------------------
    def _load_bloom(self):
        c = self.c
        D = c("n_embed", c("hidden_size"))  # BloomConfig accepts both names for each
        L, H, V = c("n_layer", c("num_hidden_layers")), c("n_head", c("num_attention_heads")), c("vocab_size")
        self._common(D, L, H, H, D // H, V, 1 << 30)  # ALiBi: no position limit
        self.kind = "bloom"
        self.eps = float(c("layer_norm_epsilon", 1e-5))
        self.post_ln_residual = c("apply_residual_connection_post_layernorm", False)
        if c("pretraining_tp", 1) > 1 and c("slow_but_exact", False):
            raise Unsupported("bloom: slow_but_exact with pretraining_tp > 1")
        pre = "transformer." if "transformer.word_embeddings.weight" in self.sd else ""
        ln = lambda n: (self.t(pre + n + ".weight", (D,)), self.t(pre + n + ".bias", (D,)))
        lin = lambda n, o, i: (self.t(pre + n + ".weight", (o, i)), self.t(pre + n + ".bias", (o,)))
        self.emb = self.t(pre + "word_embeddings.weight", (V, D))
        self.emb_ln = ln("word_embeddings_layernorm")
        for i in range(L):
            p = f"h.{i}."
            self.layers.append({"ln1": ln(p + "input_layernorm"), "ln2": ln(p + "post_attention_layernorm"),
                                "qkv": lin(p + "self_attention.query_key_value", 3 * D, D),
                                "dense": lin(p + "self_attention.dense", D, D),
                                "up": lin(p + "mlp.dense_h_to_4h", 4 * D, D),
                                "down": lin(p + "mlp.dense_4h_to_h", D, 4 * D)})
        fln = ln("ln_f")
        self.final_norm = lambda h: layer_norm(h, *fln, self.eps)
        self.lm_head = self.tied_head(self.emb, True)
        self.slopes = alibi_slopes(H)

    def _fwd_bloom(self, ids):
        T, H, hd, eps = ids.shape[0], self.n_heads, self.head_dim, self.eps
        bias = (self.slopes[:, None, None] * torch.arange(T, dtype=torch.float32)[None, None, :])  # slope * j
        x = layer_norm(self.emb[ids], *self.emb_ln, eps)
        outs = []
        for ly in self.layers:
            a = layer_norm(x, *ly["ln1"], eps)
            res = a if self.post_ln_residual else x
            qkv = linear(a, *ly["qkv"]).reshape(T, H, 3, hd)  # per head: q, k, v
            q, k, v = (qkv[:, :, j].transpose(0, 1) for j in range(3))
            att = res + linear(attention(q, k, v, hd ** -0.5, bias=bias), *ly["dense"])
            m = layer_norm(att, *ly["ln2"], eps)
            res = m if self.post_ln_residual else att
            x = res + linear(bloom_gelu(linear(m, *ly["up"])), *ly["down"])
            outs.append(x)
        return outs


def load_model(folder):
    return FamilyModel(folder)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--ids", required=True, help="comma-separated prompt token ids")
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--json", help="write the result here")
    a = ap.parse_args()
    m = load_model(a.model)
    ids = [int(x) for x in a.ids.split(",")]
    print(f"{m.name}: {m.family} ({m.format}, {m.dtype}) dim {m.dim} layers {m.n_layers} "
          f"heads {m.n_heads}/{m.n_kv_heads} head_dim {m.head_dim} vocab {m.vocab}")
    r = rt.generate(m, ids, a.steps)
    r["prompt_ids"] = ids
    print("generated ids", r["generated_ids"])
    for s, e in enumerate(r["entropy"]):
        print(f"  step {s:2d} -> {r['generated_ids'][s]:6d}  H = " + " ".join(f"{v:.4f}" for v in e))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(r, f)


if __name__ == "__main__":
    main()
