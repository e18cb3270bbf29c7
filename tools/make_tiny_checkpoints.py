#!/usr/bin/python3
"""Seeded random tiny ViT/DeiT checkpoints and their golden lens outputs.

Writes tests/fixtures/tiny/<variant>/ (config.json, preprocessor_config.json
for HF layouts, model.safetensors or shards) for every variant below, the
shared input tensors input-c3.f32 / input-c1.f32 (LE float32 [3, C, 32, 32],
x[n,c,h,w] = sin(0.37 * (c*1031 + h*37 + w) + n)), two seeded pattern images
(pattern.png 45x37 RGB, pattern_odd.png 47x40 RGBA) and per variant a
golden.json computed by tools/reference_vit.py from the files just written:

  images[n]      : the input tensor, no preprocessing
  image_goldens  : real image files through the model's own preprocessing
  image_golden   : (vit-hf-f32 only) the same as image_goldens[0], pattern.png

Tiny model: hidden 32, 2 layers, 2 heads, MLP 64, image 32, patch 8, 10
classes. Variants sharing weights: vit-hf-f32 / vit-hf-sharded / vit-timm
(f16 and bf16 are those weights rounded), deit-distilled-hf /
deit-distilled-timm.
"""
import json
import math
import os
import shutil
import sys

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import reference_vit as ref  # noqa: E402
from safetensors_io import write_safetensors  # noqa: E402

torch.set_num_threads(1)

D, L, H, M, IMG, P, K = 32, 2, 2, 64, 32, 8, 10
N_IMAGES = 3
LABELS = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
          "ship", "truck, lorry"]
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


# ------------------------------------------------------------------ weights

def gen_weights(seed, channels=3, dist=False, dist_head=False):
    g = torch.Generator().manual_seed(seed)

    def rn(*shape, std=1.0):
        return (torch.randn(*shape, generator=g) * std).float()

    w = {
        "cls": rn(D, std=0.5),
        "dist": rn(D, std=0.5) if dist else None,
        "pos": rn(1 + int(dist) + (IMG // P) ** 2, D, std=0.5),
        "patch_w": rn(D, channels, P, P, std=1.5 / math.sqrt(channels * P * P)),
        "patch_b": rn(D, std=0.1),
        "blocks": [],
        "norm_w": 1 + rn(D, std=0.2),
        "norm_b": rn(D, std=0.2),
        "head_w": rn(K, D, std=0.6),
        "head_b": rn(K, std=0.3),
        "head_dist_w": rn(K, D, std=0.6) if dist_head else None,
        "head_dist_b": rn(K, std=0.3) if dist_head else None,
    }
    for _ in range(L):
        b = {"ln1_w": 1 + rn(D, std=0.2), "ln1_b": rn(D, std=0.1)}
        for n in "qkv":
            b[n + "_w"] = rn(D, D, std=1.5 / math.sqrt(D))
            b[n + "_b"] = rn(D, std=0.1)
        b["o_w"] = rn(D, D, std=1.5 / math.sqrt(D))
        b["o_b"] = rn(D, std=0.1)
        b["ln2_w"] = 1 + rn(D, std=0.2)
        b["ln2_b"] = rn(D, std=0.1)
        b["fc1_w"] = rn(M, D, std=1.5 / math.sqrt(D))
        b["fc1_b"] = rn(M, std=0.1)
        b["fc2_w"] = rn(D, M, std=1.5 / math.sqrt(M))
        b["fc2_b"] = rn(D, std=0.1)
        w["blocks"].append(b)
    return w


def hf_tensors(w, prefix, heads):
    """heads: 'classifier' or 'teacher' (cls_classifier + distillation_classifier)."""
    e = f"{prefix}.embeddings."
    t = {e + "cls_token": w["cls"].reshape(1, 1, D)}
    if w["dist"] is not None:
        t[e + "distillation_token"] = w["dist"].reshape(1, 1, D)
    t[e + "position_embeddings"] = w["pos"][None]
    t[e + "patch_embeddings.projection.weight"] = w["patch_w"]
    t[e + "patch_embeddings.projection.bias"] = w["patch_b"]
    for i, b in enumerate(w["blocks"]):
        p = f"{prefix}.encoder.layer.{i}."
        t[p + "layernorm_before.weight"] = b["ln1_w"]
        t[p + "layernorm_before.bias"] = b["ln1_b"]
        for n, full in (("q", "query"), ("k", "key"), ("v", "value")):
            t[p + f"attention.attention.{full}.weight"] = b[n + "_w"]
            t[p + f"attention.attention.{full}.bias"] = b[n + "_b"]
        t[p + "attention.output.dense.weight"] = b["o_w"]
        t[p + "attention.output.dense.bias"] = b["o_b"]
        t[p + "layernorm_after.weight"] = b["ln2_w"]
        t[p + "layernorm_after.bias"] = b["ln2_b"]
        t[p + "intermediate.dense.weight"] = b["fc1_w"]
        t[p + "intermediate.dense.bias"] = b["fc1_b"]
        t[p + "output.dense.weight"] = b["fc2_w"]
        t[p + "output.dense.bias"] = b["fc2_b"]
    t[f"{prefix}.layernorm.weight"] = w["norm_w"]
    t[f"{prefix}.layernorm.bias"] = w["norm_b"]
    if heads == "teacher":
        t["cls_classifier.weight"] = w["head_w"]
        t["cls_classifier.bias"] = w["head_b"]
        t["distillation_classifier.weight"] = w["head_dist_w"]
        t["distillation_classifier.bias"] = w["head_dist_b"]
    else:
        t["classifier.weight"] = w["head_w"]
        t["classifier.bias"] = w["head_b"]
    return dict(sorted(t.items()))


def timm_tensors(w):
    t = {"cls_token": w["cls"].reshape(1, 1, D)}
    if w["dist"] is not None:
        t["dist_token"] = w["dist"].reshape(1, 1, D)
    t["pos_embed"] = w["pos"][None]
    t["patch_embed.proj.weight"] = w["patch_w"]
    t["patch_embed.proj.bias"] = w["patch_b"]
    for i, b in enumerate(w["blocks"]):
        p = f"blocks.{i}."
        t[p + "norm1.weight"] = b["ln1_w"]
        t[p + "norm1.bias"] = b["ln1_b"]
        t[p + "attn.qkv.weight"] = torch.cat([b["q_w"], b["k_w"], b["v_w"]])
        t[p + "attn.qkv.bias"] = torch.cat([b["q_b"], b["k_b"], b["v_b"]])
        t[p + "attn.proj.weight"] = b["o_w"]
        t[p + "attn.proj.bias"] = b["o_b"]
        t[p + "norm2.weight"] = b["ln2_w"]
        t[p + "norm2.bias"] = b["ln2_b"]
        t[p + "mlp.fc1.weight"] = b["fc1_w"]
        t[p + "mlp.fc1.bias"] = b["fc1_b"]
        t[p + "mlp.fc2.weight"] = b["fc2_w"]
        t[p + "mlp.fc2.bias"] = b["fc2_b"]
    t["norm.weight"] = w["norm_w"]
    t["norm.bias"] = w["norm_b"]
    t["head.weight"] = w["head_w"]
    t["head.bias"] = w["head_b"]
    if w["head_dist_w"] is not None:
        t["head_dist.weight"] = w["head_dist_w"]
        t["head_dist.bias"] = w["head_dist_b"]
    return dict(sorted(t.items()))


# ------------------------------------------------------------------ configs

TORCH_DTYPE = {torch.float32: "float32", torch.float16: "float16", torch.bfloat16: "bfloat16"}


def hf_config(model_type, arch, channels, dtype):
    return {
        "architectures": [arch],
        "attention_probs_dropout_prob": 0.0,
        "encoder_stride": P,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0,
        "hidden_size": D,
        "id2label": {str(i): n for i, n in enumerate(LABELS)},
        "image_size": IMG,
        "initializer_range": 0.02,
        "intermediate_size": M,
        "label2id": {n: i for i, n in enumerate(LABELS)},
        "layer_norm_eps": 1e-12,
        "model_type": model_type,
        "num_attention_heads": H,
        "num_channels": channels,
        "num_hidden_layers": L,
        "patch_size": P,
        "qkv_bias": True,
        "torch_dtype": TORCH_DTYPE[dtype],
        "transformers_version": "4.40.0",
    }


def vit_preprocessor(channels):
    return {
        "do_normalize": True,
        "do_rescale": True,
        "do_resize": True,
        "image_mean": [0.5] * channels,
        "image_processor_type": "ViTImageProcessor",
        "image_std": [0.5] * channels,
        "resample": 2,
        "rescale_factor": 0.00392156862745098,
        "size": {"height": IMG, "width": IMG},
    }


def deit_preprocessor(size, resample):
    return {
        "crop_size": {"height": IMG, "width": IMG},
        "do_center_crop": True,
        "do_normalize": True,
        "do_rescale": True,
        "do_resize": True,
        "image_mean": IMAGENET_MEAN,
        "image_processor_type": "DeiTImageProcessor",
        "image_std": IMAGENET_STD,
        "resample": resample,
        "rescale_factor": 0.00392156862745098,
        "size": size,
    }


def timm_config(arch, interpolation, crop_pct, mean, std, classifier):
    return {
        "architecture": arch,
        "num_classes": K,
        "num_features": D,
        "global_pool": "token",
        "model_args": {"img_size": IMG, "patch_size": P, "embed_dim": D, "depth": L, "num_heads": H},
        "pretrained_cfg": {
            "tag": "tiny_test",
            "input_size": [3, IMG, IMG],
            "fixed_input_size": True,
            "interpolation": interpolation,
            "crop_pct": crop_pct,
            "crop_mode": "center",
            "mean": mean,
            "std": std,
            "num_classes": K,
            "pool_size": None,
            "first_conv": "patch_embed.proj",
            "classifier": classifier,
        },
        "label_names": LABELS,
    }


# ------------------------------------------------------------------ writing

def cast(tensors, dtype):
    return {k: v.to(dtype) for k, v in tensors.items()}


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def write_sharded(d, tensors, split_at):
    """HF-style sharding: model-0000i-of-0000n.safetensors + index."""
    names = list(tensors)
    groups = [names[:split_at], names[split_at:]]
    n = len(groups)
    weight_map, total = {}, 0
    for i, g in enumerate(groups):
        fname = f"model-{i + 1:05d}-of-{n:05d}.safetensors"
        write_safetensors(os.path.join(d, fname), {k: tensors[k] for k in g}, {"format": "pt"})
        for k in g:
            weight_map[k] = fname
            total += tensors[k].numel() * tensors[k].element_size()
    write_json(os.path.join(d, "model.safetensors.index.json"),
               {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))})


def r7(v):
    if isinstance(v, (list, tuple)):
        return [r7(x) for x in v]
    if isinstance(v, np.ndarray):
        return r7(v.tolist())
    if isinstance(v, dict):
        return {k: r7(x) for k, x in v.items()}
    if isinstance(v, (float, np.floating)):
        return float("%.7g" % v)
    return v


def result_json(r):
    return r7({"top1": r["top1"], "prob": r["prob"], "logits": r["logits"],
               "entropy": r["entropy"], "entropy_mean": r["entropy_mean"],
               "patch_entropy": r["patch_entropy"], "renyi": r["renyi"]})


def input_tensor(channels):
    n, c, h, w = np.meshgrid(np.arange(N_IMAGES), np.arange(channels), np.arange(IMG),
                             np.arange(IMG), indexing="ij")
    return np.sin(0.37 * (c * 1031 + h * 37 + w) + n).astype(np.float32)


def pattern_image(w, h, seed, mode):
    rs = np.random.RandomState(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    chans = []
    for c in range(3):
        v = 128 + 90 * np.sin(0.31 * x + 0.23 * y + 1.7 * c) * np.cos(0.11 * x * (c + 1) - 0.07 * y)
        v += rs.uniform(-30, 30, size=v.shape)
        chans.append(v)
    if mode == "RGBA":
        chans.append(rs.uniform(0, 255, size=(h, w)))  # must be dropped, not composited
    arr = np.clip(np.rint(np.stack(chans, axis=-1)), 0, 255).astype(np.uint8)
    return Image.fromarray(arr, mode)


VARIANTS = [
    # name, layout, weights key, dtype, image files for image_goldens
    ("vit-hf-f32", "hf-vit", "vit", torch.float32, ["pattern.png", "pattern_odd.png"]),
    ("vit-hf-f16", "hf-vit", "vit", torch.float16, []),
    ("vit-hf-bf16", "hf-vit", "vit", torch.bfloat16, []),
    ("vit-hf-sharded", "hf-vit-sharded", "vit", torch.float32, []),
    ("vit-hf-gray", "hf-vit", "gray", torch.float32, ["pattern.png"]),
    ("deit-hf", "hf-deit", "deit", torch.float32, ["pattern.png"]),
    ("deit-distilled-hf", "hf-deit-teacher", "deit-distilled", torch.float32, ["pattern.png"]),
    ("vit-timm", "timm", "vit", torch.float32, ["pattern.png", "pattern_odd.png"]),
    ("deit-distilled-timm", "timm-distilled", "deit-distilled", torch.float32, ["pattern.png"]),
]


def main():
    out = os.path.join(HERE, "..", "tests", "fixtures", "tiny")
    os.makedirs(out, exist_ok=True)
    weights = {
        "vit": gen_weights(1001),
        "gray": gen_weights(1002, channels=1),
        "deit": gen_weights(1003, dist=True),
        "deit-distilled": gen_weights(1004, dist=True, dist_head=True),
    }
    inputs = {c: input_tensor(c) for c in (1, 3)}
    for c, x in inputs.items():
        x.astype("<f4").tofile(os.path.join(out, f"input-c{c}.f32"))
    pattern_image(45, 37, 7, "RGB").save(os.path.join(out, "pattern.png"))
    pattern_image(47, 40, 8, "RGBA").save(os.path.join(out, "pattern_odd.png"))

    results = {}
    for name, layout, wkey, dtype, image_files in VARIANTS:
        d = os.path.join(out, name)
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
        w = weights[wkey]
        channels = w["patch_w"].shape[1]
        if layout.startswith("hf-vit"):
            t = cast(hf_tensors(w, "vit", "classifier"), dtype)
            write_json(os.path.join(d, "config.json"),
                       hf_config("vit", "ViTForImageClassification", channels, dtype))
            write_json(os.path.join(d, "preprocessor_config.json"), vit_preprocessor(channels))
            if layout == "hf-vit-sharded":
                write_sharded(d, t, split_at=len(t) // 2)
            else:
                write_safetensors(os.path.join(d, "model.safetensors"), t, {"format": "pt"})
        elif layout == "hf-deit":
            # As transformers writes DeiTForImageClassification: the DeiT
            # embeddings always carry a distillation token (N + 2 positions);
            # the classifier reads the CLS token only.
            t = hf_tensors(w, "deit", "classifier")
            write_json(os.path.join(d, "config.json"),
                       hf_config("deit", "DeiTForImageClassification", channels, dtype))
            write_json(os.path.join(d, "preprocessor_config.json"),
                       deit_preprocessor({"height": 37, "width": 37}, 3))
            write_safetensors(os.path.join(d, "model.safetensors"), t, {"format": "pt"})
        elif layout == "hf-deit-teacher":
            t = hf_tensors(w, "deit", "teacher")
            write_json(os.path.join(d, "config.json"),
                       hf_config("deit", "DeiTForImageClassificationWithTeacher", channels, dtype))
            write_json(os.path.join(d, "preprocessor_config.json"),
                       deit_preprocessor({"shortest_edge": 34}, 2))
            write_safetensors(os.path.join(d, "model.safetensors"), t, {"format": "pt"})
        elif layout == "timm":
            write_json(os.path.join(d, "config.json"),
                       timm_config("vit_tiny_test_patch8_32", "bicubic", 0.9, [0.5] * 3, [0.5] * 3, "head"))
            write_safetensors(os.path.join(d, "model.safetensors"), timm_tensors(w), {"format": "pt"})
        elif layout == "timm-distilled":
            write_json(os.path.join(d, "config.json"),
                       timm_config("deit_tiny_distilled_test_patch8_32", "bicubic", 0.875,
                                   IMAGENET_MEAN, IMAGENET_STD, ["head", "head_dist"]))
            write_safetensors(os.path.join(d, "model.safetensors"), timm_tensors(w), {"format": "pt"})

        # Goldens from the files just written.
        m = ref.load_model(d)
        x = torch.from_numpy(inputs[m.channels])
        res = ref.run_lens(m, x)
        results[name] = (m, res)
        doc = {
            "variant": name,
            "generator": "tools/make_tiny_checkpoints.py (tools/reference_vit.py, torch %s)" % torch.__version__,
            "layout": m.layout,
            "arch": m.arch,
            "family": m.family,
            "dtype": m.dtype,
            "n_shards": m.n_shards,
            "n_layers": m.n_layers,
            "hidden": m.hidden,
            "n_heads": m.n_heads,
            "mlp_dim": m.mlp_dim,
            "image_size": m.image_size,
            "patch_size": m.patch_size,
            "channels": m.channels,
            "n_classes": m.n_classes,
            "n_prefix": m.n_prefix,
            "n_patches": m.n_patches,
            "n_params": m.n_params,
            "ln_eps": m.eps,
            "renyi_alphas": list(ref.RENYI_KEYS),
            "input_file": f"input-c{m.channels}.f32",
            "n_images": N_IMAGES,
            "images": [result_json(r) for r in res],
        }
        igs = []
        for f in image_files:
            xi = ref.preprocess_image(m, os.path.join(out, f))
            r = ref.run_lens(m, xi[None])[0]
            e = {"file": f}
            e.update(result_json(r))
            igs.append(e)
        if igs:
            doc["image_goldens"] = igs
            if name == "vit-hf-f32":
                doc["image_golden"] = igs[0]
        write_json(os.path.join(d, "golden.json"), doc)
        ents = [[round(v, 3) for v in r["entropy"]] for r in res]
        means = [[round(v, 3) for v in r["entropy_mean"]] for r in res]
        print(f"{name:20s} {m.dtype:5s} prefix={m.n_prefix} top1={[r['top1'] for r in res]} "
              f"H={ents} Hmean={means}")

    # Self-checks.
    def maxdiff(a, b, key):
        return max(float(np.abs(np.asarray(p[key]) - np.asarray(q[key])).max()) for p, q in zip(a, b))
    f32 = results["vit-hf-f32"][1]
    print("sharded vs f32: logits", maxdiff(results["vit-hf-sharded"][1], f32, "logits"))
    assert maxdiff(results["vit-hf-sharded"][1], f32, "logits") == 0
    for v in ("vit-hf-f16", "vit-hf-bf16", "vit-timm"):
        print(f"{v} vs vit-hf-f32: logits {maxdiff(results[v][1], f32, 'logits'):.3g} "
              f"entropy {maxdiff(results[v][1], f32, 'entropy'):.3g}")
    print("deit-distilled timm vs hf: logits %.3g" % maxdiff(
        results["deit-distilled-timm"][1], results["deit-distilled-hf"][1], "logits"))
    m = results["vit-hf-f32"][0]
    tv = ref.torchvision_logits(m, torch.from_numpy(inputs[3])).numpy()
    dtv = float(np.abs(tv - np.stack([r["logits"] for r in f32])).max())
    print(f"vit-hf-f32 reference vs torchvision VisionTransformer: max |dlogit| {dtv:.3g}")
    assert dtv < 1e-4
    total = 0
    for root, _, files in os.walk(out):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    print(f"tests/fixtures/tiny: {total} bytes")


if __name__ == "__main__":
    main()
