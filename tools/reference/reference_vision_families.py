#!/usr/bin/python3
"""Independent reference for the vision families of entropy-lens: plain-torch
forward passes written from the Hugging Face modeling code
(modeling_clip.py, modeling_siglip.py, modeling_dinov2.py,
modeling_dinov2_with_registers.py, modeling_beit.py / modeling_data2vec_vision.py),
with a lens on every layer. Nothing here is derived from our C.

Layers: l = 0 is the encoder's input (HF hidden_states[0]; for CLIP that is
after pre_layrnorm), l = i the output of block i.

The lens of each family (the model's own head applied to a residual stream h):
  CLIP     class token h[0] -> post_layernorm -> visual_projection -> L2
           normalise -> cosine with the zero-shot class embeddings x
           logit_scale.exp(). Patch tokens: the same on each patch token.
           Class embeddings: for each class, the text tower on every template
           (text_projection of the final_layer_norm state at the end token),
           each L2-normalised, averaged over templates and normalised again
           (as OpenAI's zero-shot notebook builds ImageNet classifiers).
  SigLIP   post_layernorm on all tokens -> the attention-pooling head (probe,
           MultiheadAttention, LayerNorm + MLP residual) -> L2 normalise ->
           cosine x logit_scale.exp() + logit_bias (SigLIP's sigmoid logits).
           The entropy is of the softmax of these logits over the classes (the
           bias cancels in it); SigLIP has no vision projection. A patch
           token's lens is the pooling head over that token alone. The class
           embeddings are built like CLIP's (text head on the last position,
           texts padded to max_length as SigLIP was trained).
  DINOv2   final layernorm -> classifier(concat(CLS, mean of patch tokens));
           the mean excludes CLS and register tokens. A patch token's lens is
           classifier(concat(p, p)): the head as if the token were both the
           class token and the whole image.
  BEiT /   use_mean_pooling: pooler LayerNorm(mean of patch tokens) ->
  data2vec classifier; a patch token: classifier(pooler LayerNorm(p)). Without
           mean pooling: final layernorm -> classifier on CLS / each patch.
For every family `entropy_mean` is the mean over patch tokens of the
per-patch Shannon entropies (as --tokens mean is defined in src/model/lens.c),
and the "CLS" entropy is that of the model's own prediction at that layer.
Prefix tokens (CLS, registers) are never patch tokens. Entropies in nats,
float64 from float32 logits.

Position embeddings are interpolated to the input's patch grid as HF does
today: DINOv2 bicubic (align_corners=False, a = -0.75) with an explicit
output size, Dinov2WithRegisters with antialias=True (PyTorch's antialiased
bicubic uses a = -0.5 and a kernel widened by the downscale factor); skipped
when the grid is unchanged and square. (transformers before ~4.44 passed a
scale_factor with DINO's +0.1 offset instead: slightly different numbers.)

Where unsure: the SigLIP text pooling reads the last position of the
max_length-padded sequence (SiglipTextTransformer); SigLIP's real
spiece.model uses the nmt_nfkc normaliser, which clip_tokenizers.SiglipSpm
refuses (the fixture's model uses identity).

Usage:
  reference_vision_families.py MODEL_DIR [--classes F --templates F] IMAGE...
  reference_vision_families.py MODEL_DIR --input-f32 FILE --n N
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib")]
import reference_vit as rv  # noqa: E402  (image preprocessing, entropies)
from clip_tokenizers import ClipBpe, SiglipSpm  # noqa: E402
from vision_blocks import (ACTS, CLIP_LAYER, Tensors, interpolate_grid, load_block, pre_norm_block,  # noqa: E402
                           rel_bias, vit_layer_names, with_defaults)
from safetensors_io import load_dir  # noqa: E402

torch.set_num_threads(1)

# HF config-class defaults for fields real config.json files leave out.
CLIP_TEXT_DEFAULTS = {"hidden_act": "quick_gelu", "layer_norm_eps": 1e-5, "max_position_embeddings": 77,
                      "eos_token_id": 2}
CLIP_VISION_DEFAULTS = {"hidden_act": "quick_gelu", "layer_norm_eps": 1e-5, "num_channels": 3,
                        "image_size": 224, "patch_size": 32}
SIGLIP_TEXT_DEFAULTS = {"hidden_act": "gelu_pytorch_tanh", "layer_norm_eps": 1e-6, "max_position_embeddings": 64,
                        "hidden_size": 768, "intermediate_size": 3072, "num_attention_heads": 12,
                        "num_hidden_layers": 12, "vocab_size": 32000}
SIGLIP_VISION_DEFAULTS = {"hidden_act": "gelu_pytorch_tanh", "layer_norm_eps": 1e-6, "num_channels": 3,
                          "image_size": 224, "patch_size": 16, "hidden_size": 768, "intermediate_size": 3072,
                          "num_attention_heads": 12, "num_hidden_layers": 12}
# ViTImageProcessor/BeitImageProcessor read an int `size` as a square;
# CLIP's and Bit's (DINOv2) as the shortest edge (get_size_dict defaults).
SHORTEST_EDGE_PROCESSORS = ("CLIPImageProcessor", "CLIPFeatureExtractor", "BitImageProcessor")


# ------------------------------------------------------------------ model

class Model:
    """family, blocks, heads, eps, act, n_prefix, grid, channels, image_size,
    patch_size, preprocess, embed(x) -> h0, block(h, i) -> h, lens(h) ->
    (cls logits [N, K], patch logits [N, Np, K])."""

    def forward_hidden(self, x):
        h = self.embed(x)
        hs = [h]
        for i in range(len(self.blocks)):
            h = self.block(h, i)
            hs.append(h)
        return hs


def load_model(model_dir, classes=None, templates=None):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    sd, dtypes, _ = load_dir(model_dir)
    t = Tensors(sd)
    mt = cfg.get("model_type", "")
    m = Model()
    m.dir, m.config = model_dir, cfg
    m.dtype = rv._dtype_summary({k: v for k, v in dtypes.items() if v.startswith(("F", "BF"))})
    if mt == "clip":
        load_clip(m, cfg, t, model_dir)
    elif mt == "siglip":
        load_siglip(m, cfg, t, model_dir)
    elif mt in ("dinov2", "dinov2_with_registers"):
        load_dinov2(m, cfg, t)
    elif mt in ("beit", "data2vec-vision"):
        load_beit(m, cfg, t)
    else:
        raise ValueError(f"{model_dir}: model_type {mt!r} is not a vision family of this reference")
    t.check_all_used(model_dir)
    m.n_params = sum(int(np.prod(sd[k].shape)) for k in t.used)
    pp_path = os.path.join(model_dir, "preprocessor_config.json")
    with open(pp_path) as f:
        m.preprocess = json.load(f)
    if m.family in ("clip", "siglip"):
        m.set_classes(classes or [], templates or ["a photo of a {}."])
    return m


def preprocess_image(m, path):
    """[C, H, W] through the model's HF image processor settings."""
    from PIL import Image
    pp = dict(m.preprocess)
    kind = pp.get("image_processor_type") or pp.get("feature_extractor_type") or ""
    for key in ("size", "crop_size"):
        if isinstance(pp.get(key), int):
            s = pp[key]
            short = key == "size" and kind in SHORTEST_EDGE_PROCESSORS
            pp[key] = {"shortest_edge": s} if short else {"height": s, "width": s}
    with Image.open(path) as f:
        img = f.convert("RGB")
    return rv._preprocess_hf(pp, img, m.channels)


# ------------------------------------------------------------------ CLIP

def load_clip(m, cfg, t, model_dir):
    vc = with_defaults(cfg.get("vision_config"), CLIP_VISION_DEFAULTS)
    tc = with_defaults(cfg.get("text_config"), CLIP_TEXT_DEFAULTS)
    m.family, m.arch = "clip", (cfg.get("architectures") or ["CLIPModel"])[0]
    m.heads, m.eps, m.act = vc["num_attention_heads"], vc["layer_norm_eps"], ACTS[vc["hidden_act"]]
    m.channels, m.image_size, m.patch_size = vc["num_channels"], vc["image_size"], vc["patch_size"]
    v = "vision_model."
    m.cls = t.take(v + "embeddings.class_embedding")
    m.patch_w = t.take(v + "embeddings.patch_embedding.weight")  # no bias in CLIP
    m.pos = t.take(v + "embeddings.position_embedding.weight")
    t.ignore(v + "embeddings.position_ids")
    m.pre_w, m.pre_b = t.take(v + "pre_layrnorm.weight"), t.take(v + "pre_layrnorm.bias")
    m.blocks = [load_block(t, f"{v}encoder.layers.{i}.", CLIP_LAYER) for i in range(vc["num_hidden_layers"])]
    m.post_w, m.post_b = t.take(v + "post_layernorm.weight"), t.take(v + "post_layernorm.bias")
    m.proj = t.take("visual_projection.weight")
    m.logit_scale = float(t.take("logit_scale").reshape(-1)[0])
    m.logit_bias = 0.0
    m.n_prefix = 1
    m.text = load_text_tower(t, "text_model.", tc, causal=True)
    m.text["proj_w"], m.text["proj_b"] = t.take("text_projection.weight"), None
    m.text["pool"] = "eos_argmax" if tc["eos_token_id"] == 2 else "eos_id"
    m.text["eos_id"] = tc["eos_token_id"]
    tj = os.path.join(model_dir, "tokenizer.json")
    m.tokenizer = (ClipBpe.from_tokenizer_json(tj) if os.path.exists(tj) else
                   ClipBpe.from_vocab_merges(os.path.join(model_dir, "vocab.json"),
                                             os.path.join(model_dir, "merges.txt")))
    m.tokenizer.context = tc["max_position_embeddings"]

    def embed(x):
        N, D = x.shape[0], m.cls.shape[0]
        pe = F.conv2d(x.float(), m.patch_w, None, stride=m.patch_size).flatten(2).transpose(1, 2)
        h = torch.cat([m.cls.expand(N, 1, D), pe], dim=1) + m.pos
        return F.layer_norm(h, (D,), m.pre_w, m.pre_b, m.eps)

    def lens(h):
        y = F.layer_norm(h, (h.shape[-1],), m.post_w, m.post_b, m.eps)
        z = F.normalize(F.linear(y, m.proj), dim=-1)
        logits = math.exp(m.logit_scale) * torch.matmul(z, m.class_emb.t())
        return logits[:, 0], logits[:, 1:]

    m.embed, m.lens = embed, lens
    m.block = lambda h, i: pre_norm_block(h, m.blocks[i], m.heads, m.eps, m.act)
    m.set_classes = lambda classes, templates: set_zero_shot(m, classes, templates)


def load_text_tower(t, p, tc, causal):
    tx = {"tok": t.take(p + "embeddings.token_embedding.weight"),
          "pos": t.take(p + "embeddings.position_embedding.weight"),
          "blocks": [load_block(t, f"{p}encoder.layers.{i}.", CLIP_LAYER) for i in range(tc["num_hidden_layers"])],
          "ln_w": t.take(p + "final_layer_norm.weight"), "ln_b": t.take(p + "final_layer_norm.bias"),
          "heads": tc["num_attention_heads"], "eps": tc["layer_norm_eps"], "act": ACTS[tc["hidden_act"]],
          "causal": causal}
    t.ignore(p + "embeddings.position_ids")
    return tx


def text_embedding(m, ids):
    """The text tower's projected, L2-normalised embedding of one id list."""
    tx = m.text
    ids_t = torch.tensor(ids, dtype=torch.long)
    T = len(ids)
    h = (tx["tok"][ids_t] + tx["pos"][:T])[None]
    for b in tx["blocks"]:
        h = pre_norm_block(h, b, tx["heads"], tx["eps"], tx["act"], causal=tx["causal"])
    h = F.layer_norm(h, (h.shape[-1],), tx["ln_w"], tx["ln_b"], tx["eps"])[0]
    if tx["pool"] == "eos_argmax":  # legacy configs (eos_token_id == 2): highest id
        at = int(torch.argmax(ids_t))
    elif tx["pool"] == "eos_id":
        at = ids.index(tx["eos_id"])
    else:  # SigLIP: the last position
        at = T - 1
    return F.normalize(F.linear(h[at], tx["proj_w"], tx["proj_b"]), dim=-1)


def set_zero_shot(m, classes, templates):
    m.classes, m.templates = list(classes), list(templates)
    m.prompts, m.token_ids, embs = [], [], []
    for c in m.classes:
        per = []
        for tpl in m.templates:
            m.prompts.append(tpl.replace("{}", c))
            ids = m.tokenizer.encode(m.prompts[-1])
            m.token_ids.append(ids)
            per.append(text_embedding(m, ids))
        embs.append(F.normalize(torch.stack(per).mean(0), dim=-1))
    m.class_emb = torch.stack(embs) if embs else torch.zeros(0, m.text["proj_w"].shape[0])
    m.labels = m.classes


# ------------------------------------------------------------------ SigLIP

def load_siglip(m, cfg, t, model_dir):
    vc = with_defaults(cfg.get("vision_config"), SIGLIP_VISION_DEFAULTS)
    tc = with_defaults(cfg.get("text_config"), SIGLIP_TEXT_DEFAULTS)
    m.family, m.arch = "siglip", (cfg.get("architectures") or ["SiglipModel"])[0]
    m.heads, m.eps, m.act = vc["num_attention_heads"], vc["layer_norm_eps"], ACTS[vc["hidden_act"]]
    m.channels, m.image_size, m.patch_size = vc["num_channels"], vc["image_size"], vc["patch_size"]
    v = "vision_model."
    m.patch_w = t.take(v + "embeddings.patch_embedding.weight")
    m.patch_b = t.take(v + "embeddings.patch_embedding.bias")
    m.pos = t.take(v + "embeddings.position_embedding.weight")
    t.ignore(v + "embeddings.position_ids")
    m.blocks = [load_block(t, f"{v}encoder.layers.{i}.", CLIP_LAYER) for i in range(vc["num_hidden_layers"])]
    m.post_w, m.post_b = t.take(v + "post_layernorm.weight"), t.take(v + "post_layernorm.bias")
    hp = v + "head."
    D = m.pos.shape[1]
    in_w, in_b = t.take(hp + "attention.in_proj_weight"), t.take(hp + "attention.in_proj_bias")
    m.pool = {"probe": t.take(hp + "probe").reshape(1, 1, D),
              "q_w": in_w[:D], "k_w": in_w[D:2 * D], "v_w": in_w[2 * D:],
              "q_b": in_b[:D], "k_b": in_b[D:2 * D], "v_b": in_b[2 * D:],
              "o_w": t.take(hp + "attention.out_proj.weight"), "o_b": t.take(hp + "attention.out_proj.bias"),
              "ln_w": t.take(hp + "layernorm.weight"), "ln_b": t.take(hp + "layernorm.bias"),
              "fc1_w": t.take(hp + "mlp.fc1.weight"), "fc1_b": t.take(hp + "mlp.fc1.bias"),
              "fc2_w": t.take(hp + "mlp.fc2.weight"), "fc2_b": t.take(hp + "mlp.fc2.bias")}
    m.logit_scale = float(t.take("logit_scale").reshape(-1)[0])
    m.logit_bias = float(t.take("logit_bias").reshape(-1)[0])
    m.n_prefix = 0
    m.text = load_text_tower(t, "text_model.", tc, causal=False)
    m.text["proj_w"], m.text["proj_b"] = t.take("text_model.head.weight"), t.take("text_model.head.bias")
    m.text["pool"] = "last"
    m.tokenizer = SiglipSpm(os.path.join(model_dir, "spiece.model"), max_length=tc["max_position_embeddings"])

    def embed(x):
        pe = F.conv2d(x.float(), m.patch_w, m.patch_b, stride=m.patch_size).flatten(2).transpose(1, 2)
        return pe + m.pos

    def pool_head(y):
        """SiglipMultiheadAttentionPoolingHead on y [B, T, D] -> [B, D]:
        nn.MultiheadAttention(probe, y, y) (scaled dot product, heads
        splitting D), then x + mlp(layernorm(x))."""
        P = m.pool
        B, T, _ = y.shape
        hd = D // m.heads
        q = F.linear(P["probe"], P["q_w"], P["q_b"]).reshape(1, 1, m.heads, hd).transpose(1, 2)
        k = F.linear(y, P["k_w"], P["k_b"]).reshape(B, T, m.heads, hd).transpose(1, 2)
        vv = F.linear(y, P["v_w"], P["v_b"]).reshape(B, T, m.heads, hd).transpose(1, 2)
        a = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(hd), dim=-1)
        o = F.linear(torch.matmul(a, vv).transpose(1, 2).reshape(B, 1, D), P["o_w"], P["o_b"])
        f = F.layer_norm(o, (D,), P["ln_w"], P["ln_b"], m.eps)
        o = o + F.linear(m.act(F.linear(f, P["fc1_w"], P["fc1_b"])), P["fc2_w"], P["fc2_b"])
        return o[:, 0]

    def scores(z):
        z = F.normalize(z, dim=-1)
        return math.exp(m.logit_scale) * torch.matmul(z, m.class_emb.t()) + m.logit_bias

    def lens(h):
        N, T, _ = h.shape
        y = F.layer_norm(h, (D,), m.post_w, m.post_b, m.eps)
        cls = scores(pool_head(y))
        patches = scores(pool_head(y.reshape(N * T, 1, D))).reshape(N, T, -1)
        return cls, patches

    m.embed, m.lens, m.pool_head = embed, lens, pool_head
    m.block = lambda h, i: pre_norm_block(h, m.blocks[i], m.heads, m.eps, m.act)
    m.set_classes = lambda classes, templates: set_zero_shot(m, classes, templates)


# ------------------------------------------------------------------ DINOv2

def load_dinov2(m, cfg, t):
    regs = cfg.get("model_type") == "dinov2_with_registers"
    p = "dinov2_with_registers." if regs else "dinov2."
    m.family = "dinov2"
    m.arch = (cfg.get("architectures") or ["Dinov2ForImageClassification"])[0]
    m.heads, m.eps = cfg["num_attention_heads"], cfg.get("layer_norm_eps", 1e-6)
    m.act = ACTS[cfg.get("hidden_act", "gelu")]
    m.channels, m.image_size, m.patch_size = cfg.get("num_channels", 3), cfg["image_size"], cfg["patch_size"]
    e = p + "embeddings."
    m.cls = t.take(e + "cls_token").reshape(-1)
    t.ignore(e + "mask_token")
    m.registers = t.take(e + "register_tokens", required=regs)
    m.n_registers = 0 if m.registers is None else m.registers.shape[1]
    if m.n_registers != cfg.get("num_register_tokens", 0):
        raise ValueError("register_tokens disagree with num_register_tokens")
    m.pos = t.take(e + "position_embeddings")[0]
    m.patch_w = t.take(e + "patch_embeddings.projection.weight")
    m.patch_b = t.take(e + "patch_embeddings.projection.bias")
    swiglu = bool(cfg.get("use_swiglu_ffn", False))
    names = vit_layer_names(k_bias=True, layer_scale=("layer_scale1.lambda1", "layer_scale2.lambda1"),
                            swiglu=swiglu, ln=("norm1", "norm2"), mlp_names=("mlp.fc1", "mlp.fc2"))
    m.blocks = [load_block(t, f"{p}encoder.layer.{i}.", names) for i in range(cfg["num_hidden_layers"])]
    hidden = int(m.cls.shape[0] * cfg.get("mlp_ratio", 4))
    if swiglu:  # Dinov2SwiGLUFFN
        hidden = (int(hidden * 2 / 3) + 7) // 8 * 8
    first_fc = m.blocks[0]["in_w"] if swiglu else m.blocks[0]["fc1_w"]
    if first_fc.shape[0] != (2 * hidden if swiglu else hidden):
        raise ValueError(f"MLP width {first_fc.shape[0]} disagrees with mlp_ratio (hidden {hidden})")
    m.norm_w, m.norm_b = t.take(p + "layernorm.weight"), t.take(p + "layernorm.bias")
    m.head_w, m.head_b = t.take("classifier.weight"), t.take("classifier.bias")
    m.n_prefix = 1 + m.n_registers
    id2label = cfg.get("id2label") or {}
    m.labels = [id2label.get(str(k), f"class_{k}") for k in range(m.head_w.shape[0])]

    def embed(x):
        N, D = x.shape[0], m.cls.shape[0]
        H, W = x.shape[2], x.shape[3]
        pe = F.conv2d(x.float(), m.patch_w, m.patch_b, stride=m.patch_size).flatten(2).transpose(1, 2)
        n_pos = m.pos.shape[0] - 1
        gh, gw = H // m.patch_size, W // m.patch_size
        if pe.shape[1] == n_pos and H == W:
            pos = m.pos
        else:
            pos = torch.cat([m.pos[:1], interpolate_grid(m.pos[1:], gh, gw, antialias=regs)], dim=0)
        h = torch.cat([m.cls.expand(N, 1, D), pe], dim=1) + pos
        if m.n_registers:
            h = torch.cat([h[:, :1], m.registers.expand(N, -1, -1), h[:, 1:]], dim=1)
        return h

    def lens(h):
        y = F.layer_norm(h, (h.shape[-1],), m.norm_w, m.norm_b, m.eps)
        patches = y[:, m.n_prefix:]
        cls = F.linear(torch.cat([y[:, 0], patches.mean(1)], dim=-1), m.head_w, m.head_b)
        pl = F.linear(torch.cat([patches, patches], dim=-1), m.head_w, m.head_b)
        return cls, pl

    m.embed, m.lens = embed, lens
    m.block = lambda h, i: pre_norm_block(h, m.blocks[i], m.heads, m.eps, m.act)


# ------------------------------------------------------------------ BEiT / data2vec-vision

def load_beit(m, cfg, t):
    p = "beit." if cfg.get("model_type") == "beit" else "data2vec_vision."
    m.family = "beit" if p == "beit." else "data2vec-vision"
    m.arch = (cfg.get("architectures") or ["BeitForImageClassification"])[0]
    m.heads, m.eps = cfg["num_attention_heads"], cfg.get("layer_norm_eps", 1e-12)
    m.act = ACTS[cfg.get("hidden_act", "gelu")]
    m.channels, m.image_size, m.patch_size = cfg.get("num_channels", 3), cfg["image_size"], cfg["patch_size"]
    grid = m.image_size // m.patch_size
    e = p + "embeddings."
    m.cls = t.take(e + "cls_token").reshape(-1)
    t.ignore(e + "mask_token")
    m.pos = t.take(e + "position_embeddings")[0] if cfg.get("use_absolute_position_embeddings") else None
    m.patch_w = t.take(e + "patch_embeddings.projection.weight")
    m.patch_b = t.take(e + "patch_embeddings.projection.bias")
    ls = ("lambda_1", "lambda_2") if cfg.get("layer_scale_init_value", 0.1) > 0 else None
    names = vit_layer_names(k_bias=False, layer_scale=ls)
    m.blocks, m.biases = [], []
    shared = None
    if cfg.get("use_shared_relative_position_bias"):
        shared = rel_bias(t.take(p + "encoder.relative_position_bias.relative_position_bias_table"), grid)
        t.ignore(p + "encoder.relative_position_bias.relative_position_index")
    for i in range(cfg["num_hidden_layers"]):
        lp = f"{p}encoder.layer.{i}."
        m.blocks.append(load_block(t, lp, names))
        bias = shared
        if cfg.get("use_relative_position_bias"):
            rp = lp + "attention.attention.relative_position_bias."
            own = rel_bias(t.take(rp + "relative_position_bias_table"), grid)
            t.ignore(rp + "relative_position_index")
            bias = own if bias is None else bias + own
        m.biases.append(bias)
    m.mean_pool = cfg.get("use_mean_pooling", True)
    if m.mean_pool:
        m.norm_w, m.norm_b = t.take(p + "pooler.layernorm.weight"), t.take(p + "pooler.layernorm.bias")
    else:
        m.norm_w, m.norm_b = t.take(p + "layernorm.weight"), t.take(p + "layernorm.bias")
    m.head_w, m.head_b = t.take("classifier.weight"), t.take("classifier.bias")
    m.n_prefix = 1
    id2label = cfg.get("id2label") or {}
    m.labels = [id2label.get(str(k), f"class_{k}") for k in range(m.head_w.shape[0])]

    def embed(x):
        N, D = x.shape[0], m.cls.shape[0]
        if x.shape[2] != m.image_size or x.shape[3] != m.image_size:
            raise ValueError("BEiT reference: input must be the model's image_size")
        pe = F.conv2d(x.float(), m.patch_w, m.patch_b, stride=m.patch_size).flatten(2).transpose(1, 2)
        h = torch.cat([m.cls.expand(N, 1, D), pe], dim=1)
        return h + m.pos if m.pos is not None else h

    def lens(h):
        D = h.shape[-1]
        if m.mean_pool:
            cls = F.layer_norm(h[:, 1:].mean(1), (D,), m.norm_w, m.norm_b, m.eps)
            patches = F.layer_norm(h[:, 1:], (D,), m.norm_w, m.norm_b, m.eps)
        else:
            y = F.layer_norm(h, (D,), m.norm_w, m.norm_b, m.eps)
            cls, patches = y[:, 0], y[:, 1:]
        return F.linear(cls, m.head_w, m.head_b), F.linear(patches, m.head_w, m.head_b)

    m.embed, m.lens = embed, lens
    m.block = lambda h, i: pre_norm_block(h, m.blocks[i], m.heads, m.eps, m.act, bias=m.biases[i])


# ------------------------------------------------------------------ lens

def run_lens(m, x):
    """x: [N, C, H, W] preprocessed. One dict per image (the schema of
    reference_vit.run_lens)."""
    with torch.no_grad():
        hs = m.forward_hidden(x)
        N, L1 = x.shape[0], len(hs)
        ent, ent_mean = np.zeros((N, L1)), np.zeros((N, L1))
        patch = None
        ren = {k: np.zeros((N, L1)) for k in rv.RENYI_KEYS}
        final = None
        for l, h in enumerate(hs):
            cls, pl = m.lens(h)
            ent[:, l] = rv.shannon(cls).numpy()
            pe = rv.shannon(pl).numpy()
            if patch is None:
                patch = np.zeros((N, L1, pe.shape[1]))
            patch[:, l] = pe
            ent_mean[:, l] = pe.mean(axis=1)
            for k, a in zip(rv.RENYI_KEYS, rv.RENYI_ALPHAS):
                ren[k][:, l] = rv.renyi(cls, a).numpy()
            final = cls
    out = []
    for i in range(N):
        z = final[i]
        top1 = int(torch.argmax(z))
        p = torch.softmax(z.double(), dim=-1)
        out.append({"top1": top1, "prob": float(p[top1]), "logits": z.numpy().astype(np.float32),
                    "entropy": ent[i].tolist(), "entropy_mean": ent_mean[i].tolist(),
                    "patch_entropy": patch[i].tolist(), "renyi": {k: ren[k][i].tolist() for k in rv.RENYI_KEYS}})
    return out


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [ln.strip() for ln in f if ln.strip() and not ln.startswith("#")]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("images", nargs="*")
    ap.add_argument("--classes")
    ap.add_argument("--templates")
    ap.add_argument("--input-f32")
    ap.add_argument("--n", type=int, default=1)
    args = ap.parse_intermixed_args()
    classes = read_lines(args.classes) if args.classes else None
    templates = read_lines(args.templates) if args.templates else None
    m = load_model(args.model, classes, templates)
    print(f"{m.family} {m.arch} dtype={m.dtype} L={len(m.blocks)} heads={m.heads} img={m.image_size} "
          f"patch={m.patch_size} prefix={m.n_prefix} classes={len(m.labels)} params={m.n_params}")
    items = []
    if args.input_f32:
        raw = np.fromfile(args.input_f32, dtype="<f4")
        side = int(round(math.sqrt(raw.size // (args.n * m.channels))))
        x = torch.from_numpy(raw.reshape(args.n, m.channels, side, side).copy())
        items = list(zip([f"input[{i}]" for i in range(args.n)], run_lens(m, x)))
    for path in args.images:
        items.append((path, run_lens(m, preprocess_image(m, path)[None])[0]))
    for name, r in items:
        print(f"{name}: top1 {r['top1']} ({m.labels[r['top1']]}) p={r['prob']:.4f}")
        print("  entropy      " + " ".join(f"{v:.4g}" for v in r["entropy"]))
        print("  entropy_mean " + " ".join(f"{v:.4g}" for v in r["entropy_mean"]))


if __name__ == "__main__":
    main()
