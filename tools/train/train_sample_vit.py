#!/usr/bin/python3
"""Train the small sample ViT shipped in samples/models/fashion-vit/.

The model is Hugging Face's ViTForImageClassification, re-implemented here with
the same module names so that state_dict() keys are HF's tensor names, because
the machine has no `transformers` package and the C loader must be able to read
the result like any checkpoint from the Hub. The saved file is then read back
by an independent NumPy implementation (own safetensors parser, own forward
pass driven only by config.json / preprocessor_config.json) and the test
accuracy reported is that implementation's, so a wrong name, shape, transpose
or preprocessing constant shows up as a bad number rather than going unseen.

Run from the repository root:
    /usr/bin/python3 tools/train/train_sample_vit.py
"""
import os

# Debian's torch calls OpenBLAS (pthread build), which otherwise starts its own
# thread per core on top of torch's: on 2 shared cores that oversubscription
# made training 2-3x slower. Must be set before numpy/torch load OpenBLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import gzip
import json
import math
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path[:0] = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", d) for d in ("lib", "reference", "train")]
from safetensors_np import read_safetensors, write_safetensors  # noqa: E402

DATA_DIR = "/usr/share/datasets/fashion-mnist"
# Folder-safe spellings of the Fashion-MNIST class names (they become
# directory names under samples/images/ and labels in config.json).
CLASS_NAMES = ["tshirt_top", "trouser", "pullover", "dress", "coat",
               "sandal", "shirt", "sneaker", "bag", "ankle_boot"]
LN_EPS = 1e-12  # HF ViTConfig default; training with it keeps C inference exact


# ----------------------------------------------------------------------- data

def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic = struct.unpack(">I", raw[:4])[0]
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_split(name):
    images = read_idx(os.path.join(DATA_DIR, f"{name}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(DATA_DIR, f"{name}-labels-idx1-ubyte.gz"))
    return images, labels.astype(np.int64)


def augment(x, gen, pad, flip):
    """Random crop after zero-padding (zero = black background, i.e. the pixel
    value 0 before normalisation) and optional random horizontal flip, per
    sample. x: [B, 1, 28, 28] float in [0,1]."""
    b, _, h, w = x.shape
    xp = F.pad(x, (pad, pad, pad, pad))
    dy = torch.randint(0, 2 * pad + 1, (b,), generator=gen)
    dx = torch.randint(0, 2 * pad + 1, (b,), generator=gen)
    rows = dy[:, None] + torch.arange(h)[None, :]
    cols = dx[:, None] + torch.arange(w)[None, :]
    if flip:
        flips = torch.rand(b, generator=gen) < 0.5
        cols = torch.where(flips[:, None], cols.flip(1), cols)
    bi = torch.arange(b)[:, None, None]
    out = xp[:, 0][bi, rows[:, :, None], cols[:, None, :]]
    return out[:, None]


# ---------------------------------------------------------------------- model
# Attribute names mirror transformers' modeling_vit.py so state_dict keys are
# exactly HF's (vit.encoder.layer.N.attention.attention.query.weight, ...).

class PatchEmbeddings(nn.Module):
    def __init__(self, c, d, p):
        super().__init__()
        self.projection = nn.Conv2d(c, d, kernel_size=p, stride=p)

    def forward(self, x):
        return self.projection(x).flatten(2).transpose(1, 2)  # row-major patch grid


class Embeddings(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["hidden_size"]
        n = (cfg["image_size"] // cfg["patch_size"]) ** 2
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.position_embeddings = nn.Parameter(torch.zeros(1, n + 1, d))
        self.patch_embeddings = PatchEmbeddings(cfg["num_channels"], d, cfg["patch_size"])

    def forward(self, x):
        e = self.patch_embeddings(x)
        cls = self.cls_token.expand(e.shape[0], -1, -1)
        return torch.cat([cls, e], dim=1) + self.position_embeddings


class SelfAttention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(d, d)
        self.key = nn.Linear(d, d)
        self.value = nn.Linear(d, d)

    def forward(self, x):
        b, t, d = x.shape
        hd = d // self.heads

        def split(y):
            return y.view(b, t, self.heads, hd).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd), dim=-1)
        return (a @ v).transpose(1, 2).reshape(b, t, d)


class SelfOutput(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.dense = nn.Linear(d, d)


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.attention = SelfAttention(d, heads)
        self.output = SelfOutput(d)

    def forward(self, x):
        return self.output.dense(self.attention(x))


class Intermediate(nn.Module):
    def __init__(self, d, i):
        super().__init__()
        self.dense = nn.Linear(d, i)


class Output(nn.Module):
    def __init__(self, i, d):
        super().__init__()
        self.dense = nn.Linear(i, d)


class Layer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, i = cfg["hidden_size"], cfg["intermediate_size"]
        self.layernorm_before = nn.LayerNorm(d, eps=LN_EPS)
        self.attention = Attention(d, cfg["num_attention_heads"])
        self.layernorm_after = nn.LayerNorm(d, eps=LN_EPS)
        self.intermediate = Intermediate(d, i)
        self.output = Output(i, d)

    def forward(self, x):
        x = x + self.attention(self.layernorm_before(x))
        h = F.gelu(self.intermediate.dense(self.layernorm_after(x)))  # exact erf GELU
        return x + self.output.dense(h)


class Encoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layer = nn.ModuleList([Layer(cfg) for _ in range(cfg["num_hidden_layers"])])


class ViTModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embeddings = Embeddings(cfg)
        self.encoder = Encoder(cfg)
        self.layernorm = nn.LayerNorm(cfg["hidden_size"], eps=LN_EPS)

    def forward(self, x):
        h = self.embeddings(x)
        for layer in self.encoder.layer:
            h = layer(h)
        return self.layernorm(h)


class ViTForImageClassification(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.vit = ViTModel(cfg)
        self.classifier = nn.Linear(cfg["hidden_size"], cfg["num_labels"])
        self.apply(self._init)
        # HF's ViTPreTrainedModel._init_weights: truncated normal(0.02) for the
        # learned tokens too.
        nn.init.trunc_normal_(self.vit.embeddings.cls_token, std=0.02)
        nn.init.trunc_normal_(self.vit.embeddings.position_embeddings, std=0.02)

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.trunc_normal_(m.weight, std=0.02)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.classifier(self.vit(x)[:, 0])


# ---------------------------------------------------------------- safetensors

# write_safetensors / read_safetensors: tools/lib/safetensors_np.py


# ------------------------------------------------------- independent NumPy ViT

def np_layernorm(x, w, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def np_erf(x):
    # NumPy has no erf and SciPy is not installed: Abramowitz & Stegun 7.1.26,
    # absolute error < 1.5e-7, far below what changes a prediction.
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741
                + t * (-1.453152027 + t * 1.061405429))))
    return s * (1.0 - poly * np.exp(-a * a))


def np_gelu(x):
    return 0.5 * x * (1.0 + np_erf(x / math.sqrt(2.0)))


def np_vit_logits(w, cfg, pp, images_u8):
    """Forward pass written from the HF description, in float64, reading only
    the saved files. images_u8: [B, H, W] uint8 (what a PNG would decode to)."""
    p = cfg["patch_size"]
    d = cfg["hidden_size"]
    nh = cfg["num_attention_heads"]
    hd = d // nh
    eps = cfg["layer_norm_eps"]
    x = images_u8.astype(np.float64) * pp["rescale_factor"]
    x = (x - pp["image_mean"][0]) / pp["image_std"][0]
    b, hgt, wid = x.shape
    g = hgt // p
    # Patches in row-major grid order, each flattened as (c, ky, kx) like Conv2d weights.
    patches = x.reshape(b, g, p, g, p).transpose(0, 1, 3, 2, 4).reshape(b, g * g, p * p)
    pw = w["vit.embeddings.patch_embeddings.projection.weight"].reshape(d, -1).astype(np.float64)
    h = patches @ pw.T + w["vit.embeddings.patch_embeddings.projection.bias"]
    cls = np.broadcast_to(w["vit.embeddings.cls_token"], (b, 1, d))
    h = np.concatenate([cls, h], axis=1) + w["vit.embeddings.position_embeddings"]
    t = h.shape[1]
    for i in range(cfg["num_hidden_layers"]):
        pre = f"vit.encoder.layer.{i}."

        def lin(y, name):
            return y @ w[pre + name + ".weight"].T.astype(np.float64) + w[pre + name + ".bias"]

        y = np_layernorm(h, w[pre + "layernorm_before.weight"], w[pre + "layernorm_before.bias"], eps)
        q = lin(y, "attention.attention.query").reshape(b, t, nh, hd).transpose(0, 2, 1, 3)
        k = lin(y, "attention.attention.key").reshape(b, t, nh, hd).transpose(0, 2, 1, 3)
        v = lin(y, "attention.attention.value").reshape(b, t, nh, hd).transpose(0, 2, 1, 3)
        s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(hd)
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        a = (s @ v).transpose(0, 2, 1, 3).reshape(b, t, d)
        h = h + lin(a, "attention.output.dense")
        y = np_layernorm(h, w[pre + "layernorm_after.weight"], w[pre + "layernorm_after.bias"], eps)
        h = h + lin(np_gelu(lin(y, "intermediate.dense")), "output.dense")
    h = np_layernorm(h[:, 0], w["vit.layernorm.weight"], w["vit.layernorm.bias"], eps)
    return h @ w["classifier.weight"].T.astype(np.float64) + w["classifier.bias"]


# ----------------------------------------------------------------------- main

def evaluate(model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += (model(x[i:i + batch]).argmax(-1) == y[i:i + batch]).sum().item()
    return correct / len(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="samples/models/fashion-vit")
    ap.add_argument("--images", default="samples/images")
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--patch", type=int, default=7, choices=[4, 7])
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=0.05)
    ap.add_argument("--warmup", type=float, default=0.5, help="warm-up length in epochs")
    # Augmentation off by default: in a 10-epoch budget this model underfits,
    # and with crop (padding 2) + flips it learned markedly slower (70% vs 81%
    # test accuracy after one epoch).
    ap.add_argument("--pad", type=int, default=0, help="random-crop padding (0 = off)")
    ap.add_argument("--flip", action="store_true", help="random horizontal flips")
    ap.add_argument("--seed", type=int, default=0)
    # One thread is ~3x faster than two here: the matrices are so small that
    # OpenMP synchronisation costs more than the second core gives.
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--time-only", action="store_true", help="time a few steps and exit")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.use_deterministic_algorithms(True)

    tr_img, tr_lab = load_split("train")
    te_img, te_lab = load_split("t10k")
    # Normalisation constants come from the training pixels (after 1/255),
    # exactly what ViTImageProcessor will apply at inference time.
    tr01 = tr_img.astype(np.float64) / 255.0
    mean, std = float(tr01.mean()), float(tr01.std())
    print(f"train pixels: mean {mean:.6f} std {std:.6f}")

    cfg = {
        "hidden_size": args.hidden,
        "num_hidden_layers": args.layers,
        "num_attention_heads": args.heads,
        "intermediate_size": 4 * args.hidden,
        "image_size": 28,
        "patch_size": args.patch,
        "num_channels": 1,
        "num_labels": 10,
    }
    model = ViTForImageClassification(cfg)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"parameters: {n_params}")

    x_tr = torch.from_numpy(tr_img.copy()).float().div_(255.0)[:, None]
    y_tr = torch.from_numpy(tr_lab)
    x_te = ((torch.from_numpy(te_img.copy()).float() / 255.0 - mean) / std)[:, None]
    y_te = torch.from_numpy(te_lab)

    # No weight decay on biases, LayerNorm gains and the learned tokens/positions.
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (decay if p.ndim >= 2 and "embeddings.position" not in name and "cls_token" not in name
         else no_decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.999))
    steps_per_epoch = len(x_tr) // args.batch  # drop the ragged last batch
    total = steps_per_epoch * args.epochs
    warm = max(1, int(args.warmup * steps_per_epoch))

    def lr_at(step):
        if step < warm:
            return args.lr * (step + 1) / warm
        return 0.5 * args.lr * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))

    gen = torch.Generator().manual_seed(args.seed)
    step = 0
    t0 = time.time()
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(x_tr), generator=gen)
        run_loss = 0.0
        for bi in range(steps_per_epoch):
            idx = perm[bi * args.batch:(bi + 1) * args.batch]
            xb = x_tr[idx]
            if args.pad > 0 or args.flip:
                xb = augment(xb, gen, args.pad, args.flip)
            xb = (xb - mean) / std
            for g in opt.param_groups:
                g["lr"] = lr_at(step)
            loss = F.cross_entropy(model(xb), y_tr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            run_loss += loss.item()
            if args.time_only and bi == 49:
                dt = time.time() - t0
                print(f"50 steps: {dt:.1f}s -> {dt / 50 * steps_per_epoch:.0f}s/epoch")
                return
        acc = evaluate(model, x_te, y_te)
        print(f"epoch {epoch + 1}/{args.epochs}  loss {run_loss / steps_per_epoch:.4f}  "
              f"test acc {acc:.4f}  {time.time() - t0:.0f}s", flush=True)
    train_time = time.time() - t0

    # ------------------------------------------------------------------ save
    os.makedirs(args.out, exist_ok=True)
    st_path = os.path.join(args.out, "model.safetensors")
    write_safetensors(st_path, {k: v.detach().numpy() for k, v in model.state_dict().items()})

    hf_config = {
        "architectures": ["ViTForImageClassification"],
        "attention_probs_dropout_prob": 0.0,
        "encoder_stride": args.patch,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0,
        "hidden_size": args.hidden,
        "id2label": {str(i): n for i, n in enumerate(CLASS_NAMES)},
        "image_size": 28,
        "initializer_range": 0.02,
        "intermediate_size": 4 * args.hidden,
        "label2id": {n: i for i, n in enumerate(CLASS_NAMES)},
        "layer_norm_eps": LN_EPS,
        "model_type": "vit",
        "num_attention_heads": args.heads,
        "num_channels": 1,
        "num_hidden_layers": args.layers,
        "patch_size": args.patch,
        "qkv_bias": True,
        "torch_dtype": "float32",
    }
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(hf_config, f, indent=2)
        f.write("\n")
    pre = {
        "do_normalize": True,
        "do_rescale": True,
        "do_resize": True,
        "image_mean": [round(mean, 6)],
        "image_processor_type": "ViTImageProcessor",
        "image_std": [round(std, 6)],
        "resample": 2,
        "rescale_factor": 1 / 255,
        "size": {"height": 28, "width": 28},
    }
    with open(os.path.join(args.out, "preprocessor_config.json"), "w") as f:
        json.dump(pre, f, indent=2)
        f.write("\n")

    # ----------------------------------------------- reload and verify the file
    w = read_safetensors(st_path)
    with open(os.path.join(args.out, "config.json")) as f:
        cfg2 = json.load(f)
    with open(os.path.join(args.out, "preprocessor_config.json")) as f:
        pp2 = json.load(f)
    assert set(w) == set(model.state_dict()), "tensor names differ"
    correct = 0
    max_diff = 0.0
    model.eval()
    for i in range(0, len(te_img), 500):
        logits = np_vit_logits(w, cfg2, pp2, te_img[i:i + 500])
        correct += int((logits.argmax(-1) == te_lab[i:i + 500]).sum())
        if i == 0:
            # The file's stats are rounded to 6 digits, so compare against
            # torch with the same rounding.
            xt = ((torch.from_numpy(te_img[:500].copy()).float() / 255.0 - pre["image_mean"][0])
                  / pre["image_std"][0])[:, None]
            with torch.no_grad():
                ref = model(xt).double().numpy()
            max_diff = float(np.abs(ref - logits).max())
    reload_acc = correct / len(te_img)
    print(f"reloaded safetensors (NumPy forward): test accuracy {correct}/{len(te_img)} "
          f"= {reload_acc:.4f}; max |logit diff| vs torch on 500 images {max_diff:.2e}")
    assert max_diff < 1e-3, "saved model disagrees with the trained one"

    # --------------------------------------------------------- sample images
    from PIL import Image
    for c, cname in enumerate(CLASS_NAMES):
        d = os.path.join(args.images, cname)
        os.makedirs(d, exist_ok=True)
        for idx in np.nonzero(te_lab == c)[0][:4]:
            Image.fromarray(te_img[idx], mode="L").save(os.path.join(d, f"test_{idx:05d}.png"))

    summary = {"train_seconds": round(train_time, 1), "epochs": args.epochs,
               "parameters": n_params, "test_correct": correct,
               "test_accuracy": reload_acc, "mean": mean, "std": std,
               "safetensors_bytes": os.path.getsize(st_path)}
    print("SUMMARY " + json.dumps(summary))


if __name__ == "__main__":
    sys.exit(main())
