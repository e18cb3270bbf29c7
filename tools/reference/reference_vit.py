#!/usr/bin/python3
"""Independent reference for entropy-lens: a plain-torch Vision Transformer
forward pass with a logit lens on every layer.

Loads a model directory in Hugging Face (ViTForImageClassification,
DeiTForImageClassification, DeiTForImageClassificationWithTeacher) or timm
layout from safetensors (F32/F16/BF16, single file or sharded with
model.safetensors.index.json), preprocesses images the way the model's config
says (Pillow for HF, torchvision for timm), and for each layer l = 0..L
(0 = embeddings + position embeddings, l = output of block l) applies the final
LayerNorm and the classifier head(s) to the residual stream and reports the
Shannon entropy (nats) of the CLS-token distribution, of every patch token,
their mean, and Renyi entropies of the CLS distribution.

Entropies are computed in float64 from the float32 logits.

Usage:
  reference_vit.py MODEL_DIR IMAGE [IMAGE...]
  reference_vit.py MODEL_DIR --input-f32 FILE --n N   (raw [N,C,H,W] LE float32)
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path[:0] = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", d) for d in ("lib", "reference", "train")]
from safetensors_io import load_dir  # noqa: E402

torch.set_num_threads(1)

RENYI_KEYS = ("0", "0.5", "2", "inf")
RENYI_ALPHAS = (0.0, 0.5, 2.0, math.inf)

PIL_FILTERS = {
    "nearest": Image.NEAREST,
    "lanczos": Image.LANCZOS,
    "bilinear": Image.BILINEAR,
    "bicubic": Image.BICUBIC,
    "box": Image.BOX,
    "hamming": Image.HAMMING,
}


class RefModel:
    pass


def _take(sd, used, name, required=True):
    if name not in sd:
        if required:
            raise KeyError(f"missing tensor {name}")
        return None
    used.add(name)
    return sd[name].float()


def _gelu(act):
    if act in ("gelu",):
        return lambda x: F.gelu(x)
    if act in ("gelu_new", "gelu_pytorch_tanh", "gelu_fast"):
        return lambda x: F.gelu(x, approximate="tanh")
    if act == "relu":
        return F.relu
    if act == "quick_gelu":
        return lambda x: x * torch.sigmoid(1.702 * x)
    raise ValueError(f"unsupported hidden_act {act}")


def _dtype_summary(dtypes):
    s = set(dtypes.values())
    return s.pop() if len(s) == 1 else "mixed"


def load_model(model_dir):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    sd, dtypes, n_shards = load_dir(model_dir)
    m = RefModel()
    m.dir = model_dir
    m.config = cfg
    m.dtype = _dtype_summary(dtypes)
    m.n_shards = n_shards
    used = set()
    is_timm = "pretrained_cfg" in cfg or "architecture" in cfg or "cls_token" in sd
    if is_timm:
        _load_timm(m, cfg, sd, used)
    else:
        _load_hf(m, cfg, sd, used, model_dir)
    unused = [k for k in sd if k not in used and not k.split(".")[-2:-1] == ["pooler"]
              and ".pooler." not in k]
    if unused:
        raise ValueError(f"{model_dir}: unused tensors {unused[:8]}")
    D = m.hidden
    m.head_dim = D // m.n_heads
    gh = m.image_size // m.patch_size
    m.n_patches = gh * gh
    m.n_prefix = 1 + (1 if m.dist is not None else 0)
    assert m.pos.shape == (m.n_prefix + m.n_patches, D), (m.pos.shape, m.n_prefix, m.n_patches)
    assert m.patch_w.shape == (D, m.channels, m.patch_size, m.patch_size)
    m.n_classes = m.head_w.shape[0]
    m.n_params = sum(int(np.prod(v.shape)) for k, v in sd.items() if k in used)
    return m


def _load_hf(m, cfg, sd, used, model_dir):
    m.layout = "hf"
    archs = cfg.get("architectures") or []
    m.arch = archs[0] if archs else cfg.get("model_type", "vit")
    prefix = None
    for p in ("vit", "deit"):
        if f"{p}.embeddings.cls_token" in sd:
            prefix = p
    if prefix is None:
        raise ValueError("no vit./deit. embeddings in checkpoint")
    e = f"{prefix}.embeddings."
    m.hidden = cfg["hidden_size"]
    m.n_layers = cfg["num_hidden_layers"]
    m.n_heads = cfg["num_attention_heads"]
    m.mlp_dim = cfg["intermediate_size"]
    m.eps = float(cfg.get("layer_norm_eps", 1e-12))
    m.act = _gelu(cfg.get("hidden_act", "gelu"))
    m.image_size = cfg.get("image_size", 224)
    m.patch_size = cfg.get("patch_size", 16)
    m.channels = cfg.get("num_channels", 3)
    m.cls = _take(sd, used, e + "cls_token").reshape(-1)
    m.dist = _take(sd, used, e + "distillation_token", required=False)
    if m.dist is not None:
        m.dist = m.dist.reshape(-1)
    m.pos = _take(sd, used, e + "position_embeddings")[0]
    m.patch_w = _take(sd, used, e + "patch_embeddings.projection.weight")
    m.patch_b = _take(sd, used, e + "patch_embeddings.projection.bias")
    m.blocks = []
    zeros = torch.zeros(m.hidden)
    for i in range(m.n_layers):
        p = f"{prefix}.encoder.layer.{i}."
        b = {}
        b["ln1_w"] = _take(sd, used, p + "layernorm_before.weight")
        b["ln1_b"] = _take(sd, used, p + "layernorm_before.bias")
        for n in ("query", "key", "value"):
            b[n[0] + "_w"] = _take(sd, used, p + f"attention.attention.{n}.weight")
            bias = _take(sd, used, p + f"attention.attention.{n}.bias", required=False)
            b[n[0] + "_b"] = bias if bias is not None else zeros
        b["o_w"] = _take(sd, used, p + "attention.output.dense.weight")
        b["o_b"] = _take(sd, used, p + "attention.output.dense.bias")
        b["ln2_w"] = _take(sd, used, p + "layernorm_after.weight")
        b["ln2_b"] = _take(sd, used, p + "layernorm_after.bias")
        b["fc1_w"] = _take(sd, used, p + "intermediate.dense.weight")
        b["fc1_b"] = _take(sd, used, p + "intermediate.dense.bias")
        b["fc2_w"] = _take(sd, used, p + "output.dense.weight")
        b["fc2_b"] = _take(sd, used, p + "output.dense.bias")
        m.blocks.append(b)
    m.norm_w = _take(sd, used, f"{prefix}.layernorm.weight")
    m.norm_b = _take(sd, used, f"{prefix}.layernorm.bias")
    if "cls_classifier.weight" in sd:
        m.head_w = _take(sd, used, "cls_classifier.weight")
        m.head_b = _take(sd, used, "cls_classifier.bias")
        m.head_dist_w = _take(sd, used, "distillation_classifier.weight")
        m.head_dist_b = _take(sd, used, "distillation_classifier.bias")
        if m.dist is None:
            raise ValueError("distillation_classifier without distillation_token")
        m.family = "deit-distilled"
    else:
        m.head_w = _take(sd, used, "classifier.weight")
        m.head_b = _take(sd, used, "classifier.bias")
        m.head_dist_w = m.head_dist_b = None
        m.family = "deit" if prefix == "deit" else "vit"
    # In HF DeiT, plain DeiTForImageClassification still carries a
    # distillation token (position embeddings N + 2); its classifier reads
    # the CLS token only.
    m.distilled_heads = m.head_dist_w is not None
    id2label = cfg.get("id2label") or {}
    m.labels = [id2label.get(str(k), f"class_{k}") for k in range(len(id2label))] if id2label else None
    pp_path = os.path.join(model_dir, "preprocessor_config.json")
    m.preprocess = None
    if os.path.exists(pp_path):
        with open(pp_path) as f:
            m.preprocess = ("hf", json.load(f))


def _load_timm(m, cfg, sd, used):
    m.layout = "timm"
    m.arch = cfg.get("architecture", "vit")
    args = cfg.get("model_args", {}) or {}
    pcfg = cfg.get("pretrained_cfg", {}) or {}
    if cfg.get("global_pool", "token") not in ("token", None):
        raise ValueError(f"unsupported global_pool {cfg.get('global_pool')}")
    for bad in ("fc_norm.weight", "norm_pre.weight"):
        if bad in sd:
            raise ValueError(f"unsupported timm tensor {bad}")
    m.patch_w = _take(sd, used, "patch_embed.proj.weight")
    m.patch_b = _take(sd, used, "patch_embed.proj.bias")
    m.hidden = m.patch_w.shape[0]
    m.channels = m.patch_w.shape[1]
    m.patch_size = args.get("patch_size", m.patch_w.shape[2])
    input_size = pcfg.get("input_size", [m.channels, 224, 224])
    m.image_size = args.get("img_size", input_size[-1])
    m.n_layers = args.get("depth", len({k.split(".")[1] for k in sd if k.startswith("blocks.")}))
    m.n_heads = args["num_heads"]
    m.eps = 1e-6  # timm VisionTransformer: partial(nn.LayerNorm, eps=1e-6)
    m.act = _gelu("gelu")
    m.cls = _take(sd, used, "cls_token").reshape(-1)
    m.dist = _take(sd, used, "dist_token", required=False)
    if m.dist is not None:
        m.dist = m.dist.reshape(-1)
    m.pos = _take(sd, used, "pos_embed")[0]
    D = m.hidden
    m.blocks = []
    for i in range(m.n_layers):
        p = f"blocks.{i}."
        b = {}
        b["ln1_w"] = _take(sd, used, p + "norm1.weight")
        b["ln1_b"] = _take(sd, used, p + "norm1.bias")
        qkv_w = _take(sd, used, p + "attn.qkv.weight")
        qkv_b = _take(sd, used, p + "attn.qkv.bias", required=False)
        if qkv_b is None:
            qkv_b = torch.zeros(3 * D)
        b["q_w"], b["k_w"], b["v_w"] = qkv_w[:D], qkv_w[D:2 * D], qkv_w[2 * D:]
        b["q_b"], b["k_b"], b["v_b"] = qkv_b[:D], qkv_b[D:2 * D], qkv_b[2 * D:]
        b["o_w"] = _take(sd, used, p + "attn.proj.weight")
        b["o_b"] = _take(sd, used, p + "attn.proj.bias")
        b["ln2_w"] = _take(sd, used, p + "norm2.weight")
        b["ln2_b"] = _take(sd, used, p + "norm2.bias")
        b["fc1_w"] = _take(sd, used, p + "mlp.fc1.weight")
        b["fc1_b"] = _take(sd, used, p + "mlp.fc1.bias")
        b["fc2_w"] = _take(sd, used, p + "mlp.fc2.weight")
        b["fc2_b"] = _take(sd, used, p + "mlp.fc2.bias")
        m.blocks.append(b)
    m.mlp_dim = m.blocks[0]["fc1_w"].shape[0]
    m.norm_w = _take(sd, used, "norm.weight")
    m.norm_b = _take(sd, used, "norm.bias")
    m.head_w = _take(sd, used, "head.weight")
    m.head_b = _take(sd, used, "head.bias")
    m.head_dist_w = _take(sd, used, "head_dist.weight", required=False)
    m.head_dist_b = _take(sd, used, "head_dist.bias", required=False)
    m.distilled_heads = m.head_dist_w is not None
    if m.distilled_heads and m.dist is None:
        raise ValueError("head_dist without dist_token")
    m.family = "deit-distilled" if m.distilled_heads else "vit"
    m.labels = cfg.get("label_names")
    m.preprocess = ("timm", pcfg)


# ------------------------------------------------------------------ images

def _hf_size(size, w, h):
    """(out_w, out_h) for an HF `size` entry on a w x h image."""
    if isinstance(size, int):
        return size, size
    if "height" in size and "width" in size:
        return size["width"], size["height"]
    if "shortest_edge" in size:
        s = size["shortest_edge"]
        if w <= h:
            return s, int(s * h / w)
        return int(s * w / h), s
    raise ValueError(f"unsupported size {size}")


def preprocess_image(m, path):
    """[C, H, W] float32 tensor for the image file at path."""
    mode = "L" if m.channels == 1 else "RGB"
    with Image.open(path) as f:
        img = f.convert(mode)
    return preprocess_pil(m, img)


def preprocess_pil(m, img):
    kind, pp = m.preprocess
    if kind == "hf":
        return _preprocess_hf(pp, img, m.channels)
    return _preprocess_timm(pp, img, m.channels)


def _preprocess_hf(pp, img, channels):
    if pp.get("do_resize", True):
        w, h = _hf_size(pp["size"], img.width, img.height)
        img = img.resize((w, h), resample=pp.get("resample", 2))
    arr = np.asarray(img)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if pp.get("do_center_crop", False):
        cs = pp["crop_size"]
        cw, ch = (cs, cs) if isinstance(cs, int) else (cs["width"], cs["height"])
        H, W = arr.shape[:2]
        if cw > W or ch > H:
            raise ValueError("crop larger than image: not supported by the reference")
        top, left = (H - ch) // 2, (W - cw) // 2
        arr = arr[top:top + ch, left:left + cw]
    x = arr
    if pp.get("do_rescale", True):
        x = (x.astype(np.float64) * pp.get("rescale_factor", 1 / 255)).astype(np.float32)
    else:
        x = x.astype(np.float32)
    if pp.get("do_normalize", True):
        mean = np.array(pp["image_mean"], dtype=np.float32)[:channels]
        std = np.array(pp["image_std"], dtype=np.float32)[:channels]
        x = (x - mean) / std
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))


def _preprocess_timm(pcfg, img, channels):
    import torchvision.transforms as T
    from torchvision.transforms import InterpolationMode
    modes = {"bilinear": InterpolationMode.BILINEAR, "bicubic": InterpolationMode.BICUBIC,
             "nearest": InterpolationMode.NEAREST, "lanczos": InterpolationMode.LANCZOS,
             "box": InterpolationMode.BOX, "hamming": InterpolationMode.HAMMING}
    c, h, w = pcfg["input_size"]
    if h != w:
        raise ValueError("non-square timm input_size not supported by the reference")
    crop_pct = pcfg.get("crop_pct", 0.875)
    crop_mode = pcfg.get("crop_mode", "center")
    interp = modes[pcfg.get("interpolation", "bilinear")]
    scale = int(math.floor(h / crop_pct))
    if crop_mode == "squash":
        resize = T.Resize((scale, scale), interpolation=interp)
    elif crop_mode == "center":
        resize = T.Resize(scale, interpolation=interp)
    else:
        raise ValueError(f"unsupported crop_mode {crop_mode}")
    mean = pcfg.get("mean", (0.485, 0.456, 0.406))[:channels]
    std = pcfg.get("std", (0.229, 0.224, 0.225))[:channels]
    t = T.Compose([resize, T.CenterCrop(h), T.ToTensor(), T.Normalize(mean, std)])
    return t(img).float().contiguous()


# ------------------------------------------------------------------ forward

def forward_hidden(m, x):
    """x: [N, C, H, W] float32. Returns the residual streams [h_0, ..., h_L],
    each [N, T, D]."""
    N = x.shape[0]
    D, P = m.hidden, m.patch_size
    pe = F.conv2d(x.float(), m.patch_w, m.patch_b, stride=P)  # [N, D, gh, gw]
    pe = pe.flatten(2).transpose(1, 2)  # [N, Np, D]
    pre = [m.cls.expand(N, 1, D)]
    if m.dist is not None:
        pre.append(m.dist.expand(N, 1, D))
    h = torch.cat(pre + [pe], dim=1) + m.pos
    hs = [h]
    H, hd = m.n_heads, m.head_dim
    for b in m.blocks:
        a = F.layer_norm(h, (D,), b["ln1_w"], b["ln1_b"], m.eps)
        T_ = a.shape[1]
        q = F.linear(a, b["q_w"], b["q_b"]).reshape(N, T_, H, hd).transpose(1, 2)
        k = F.linear(a, b["k_w"], b["k_b"]).reshape(N, T_, H, hd).transpose(1, 2)
        v = F.linear(a, b["v_w"], b["v_b"]).reshape(N, T_, H, hd).transpose(1, 2)
        s = torch.matmul(q, k.transpose(-1, -2)) * (hd ** -0.5)
        s = torch.softmax(s, dim=-1)
        o = torch.matmul(s, v).transpose(1, 2).reshape(N, T_, D)
        h = h + F.linear(o, b["o_w"], b["o_b"])
        f = F.layer_norm(h, (D,), b["ln2_w"], b["ln2_b"], m.eps)
        f = F.linear(m.act(F.linear(f, b["fc1_w"], b["fc1_b"])), b["fc2_w"], b["fc2_b"])
        h = h + f
        hs.append(h)
    return hs


def lens_logits(m, h):
    """Final LayerNorm + head(s) on a residual stream h [N, T, D].
    Returns (cls_logits [N, K], patch_logits [N, Np, K]) in float32."""
    y = F.layer_norm(h, (m.hidden,), m.norm_w, m.norm_b, m.eps)
    patches = y[:, m.n_prefix:]
    if m.distilled_heads:
        cls = (F.linear(y[:, 0], m.head_w, m.head_b) + F.linear(y[:, 1], m.head_dist_w, m.head_dist_b)) / 2
        pl = (F.linear(patches, m.head_w, m.head_b) + F.linear(patches, m.head_dist_w, m.head_dist_b)) / 2
    else:
        cls = F.linear(y[:, 0], m.head_w, m.head_b)
        pl = F.linear(patches, m.head_w, m.head_b)
    return cls, pl


def shannon(logits):
    """Shannon entropy (nats) over the last axis, float64, from float32 logits."""
    z = logits.double()
    logz = torch.logsumexp(z, dim=-1, keepdim=True)
    p = torch.exp(z - logz)
    return (logz.squeeze(-1) - (p * z).sum(-1))


def renyi(logits, alpha):
    z = logits.double()
    logp = torch.log_softmax(z, dim=-1)
    if alpha == 0:
        return torch.log((torch.exp(logp) > 0).sum(-1).double())
    if math.isinf(alpha):
        return -logp.max(dim=-1).values
    if alpha == 1:
        return shannon(logits)
    return torch.logsumexp(alpha * logp, dim=-1) / (1 - alpha)


def run_lens(m, x):
    """x: [N, C, H, W]. One dict per image."""
    with torch.no_grad():
        hs = forward_hidden(m, x)
        N = x.shape[0]
        ent = np.zeros((N, len(hs)))
        ent_mean = np.zeros((N, len(hs)))
        patch = np.zeros((N, len(hs), m.n_patches))
        ren = {k: np.zeros((N, len(hs))) for k in RENYI_KEYS}
        final = None
        for l, h in enumerate(hs):
            cls, pl = lens_logits(m, h)
            ent[:, l] = shannon(cls).numpy()
            pe = shannon(pl).numpy()
            patch[:, l] = pe
            ent_mean[:, l] = pe.mean(axis=1)
            for k, a in zip(RENYI_KEYS, RENYI_ALPHAS):
                ren[k][:, l] = renyi(cls, a).numpy()
            final = cls
    out = []
    for i in range(N):
        z = final[i]
        top1 = int(torch.argmax(z))
        p = torch.softmax(z.double(), dim=-1)
        out.append({
            "top1": top1,
            "prob": float(p[top1]),
            "logits": z.numpy().astype(np.float32),
            "entropy": ent[i].tolist(),
            "entropy_mean": ent_mean[i].tolist(),
            "patch_entropy": patch[i].tolist(),
            "renyi": {k: ren[k][i].tolist() for k in RENYI_KEYS},
        })
    return out


def torchvision_logits(m, x):
    """Cross-check: the final logits from torchvision's own VisionTransformer
    with this model's weights mapped in (plain ViT, 3 channels, no
    distillation token only). Independent of forward_hidden above."""
    import functools
    import torchvision
    if m.dist is not None or m.channels != 3:
        raise ValueError("torchvision cross-check needs a plain 3-channel ViT")
    tv = torchvision.models.VisionTransformer(
        image_size=m.image_size, patch_size=m.patch_size, num_layers=m.n_layers,
        num_heads=m.n_heads, hidden_dim=m.hidden, mlp_dim=m.mlp_dim, num_classes=m.n_classes,
        norm_layer=functools.partial(torch.nn.LayerNorm, eps=m.eps))
    sd = {"class_token": m.cls.reshape(1, 1, -1), "conv_proj.weight": m.patch_w,
          "conv_proj.bias": m.patch_b, "encoder.pos_embedding": m.pos[None],
          "encoder.ln.weight": m.norm_w, "encoder.ln.bias": m.norm_b,
          "heads.head.weight": m.head_w, "heads.head.bias": m.head_b}
    for i, b in enumerate(m.blocks):
        p = f"encoder.layers.encoder_layer_{i}."
        sd[p + "ln_1.weight"], sd[p + "ln_1.bias"] = b["ln1_w"], b["ln1_b"]
        sd[p + "self_attention.in_proj_weight"] = torch.cat([b["q_w"], b["k_w"], b["v_w"]])
        sd[p + "self_attention.in_proj_bias"] = torch.cat([b["q_b"], b["k_b"], b["v_b"]])
        sd[p + "self_attention.out_proj.weight"] = b["o_w"]
        sd[p + "self_attention.out_proj.bias"] = b["o_b"]
        sd[p + "ln_2.weight"], sd[p + "ln_2.bias"] = b["ln2_w"], b["ln2_b"]
        sd[p + "mlp.0.weight"], sd[p + "mlp.0.bias"] = b["fc1_w"], b["fc1_b"]
        sd[p + "mlp.3.weight"], sd[p + "mlp.3.bias"] = b["fc2_w"], b["fc2_b"]
    tv.load_state_dict(sd, strict=True)
    tv.eval()
    with torch.no_grad():
        return tv(x.float())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("images", nargs="*")
    ap.add_argument("--input-f32")
    ap.add_argument("--n", type=int, default=1)
    args = ap.parse_args()
    m = load_model(args.model)
    print(f"{m.layout} {m.arch} family={m.family} dtype={m.dtype} L={m.n_layers} D={m.hidden} "
          f"heads={m.n_heads} mlp={m.mlp_dim} img={m.image_size} patch={m.patch_size} C={m.channels} "
          f"classes={m.n_classes} prefix={m.n_prefix} eps={m.eps} shards={m.n_shards}")
    items = []
    if args.input_f32:
        raw = np.fromfile(args.input_f32, dtype="<f4")
        x = torch.from_numpy(raw.reshape(args.n, m.channels, m.image_size, m.image_size).copy())
        items = list(zip([f"input[{i}]" for i in range(args.n)], run_lens(m, x)))
    for path in args.images:
        x = preprocess_image(m, path)[None]
        items.append((path, run_lens(m, x)[0]))
    for name, r in items:
        label = m.labels[r["top1"]] if m.labels else str(r["top1"])
        print(f"{name}: top1 {r['top1']} ({label}) p={r['prob']:.4f}")
        print("  entropy      " + " ".join(f"{v:.4g}" for v in r["entropy"]))
        print("  entropy_mean " + " ".join(f"{v:.4g}" for v in r["entropy_mean"]))


if __name__ == "__main__":
    main()
