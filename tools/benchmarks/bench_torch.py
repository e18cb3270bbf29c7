#!/usr/bin/python3
"""PyTorch peer for the speed benchmark (tools/bench): the same work as
entropy-lens, written the way a PyTorch user would write it.

  vit MODEL_DIR IMAGE... [--batch B] [--threads T] [--tokens cls|patches] -o OUT.jsonl
      Full pipeline: decode with Pillow, preprocess exactly as the model's
      preprocessor_config.json says (resize, rescale, normalise), a ViT
      forward pass (torch.nn modules) with forward hooks collecting every
      block's residual stream, the final LayerNorm + classifier on all of them,
      entropies, one JSONL record per image.
  vit-synth MODEL_DIR [--batch B] [--threads T] [--iters N]
      Forward + lens only on random pixels (no decoding): forward timing.
  gpt2 MODEL_DIR (--prompt TEXT | --prompts FILE.jsonl) [-n N] [--threads T] -o OUT.jsonl
      GPT-2 forward with a KV cache, greedy decoding, and at every step the
      lens (final LayerNorm + tied unembedding) on every block's residual at
      the last position, entropies over the whole vocabulary.
  export-onnx MODEL_DIR OUT.onnx [--opset 17]
      torch.onnx.export of the ViT + lens: pixels [N,3,H,W] -> per-layer CLS
      entropies [N, L] (the ORT peer runs it).
  pixels MODEL_DIR OUT.f32 IMAGE...
      Preprocess images (as `vit` does) into one raw little-endian float32
      [N,3,H,W] file (the ORT peer's input).

Timing: the last line on stderr is `bench_torch: {json}` with load_s (model
load), run_s (the pipeline after the model is loaded: first decode to last
record written), items and items_per_s. Threads: torch.set_num_threads(T) and
the BLAS pool (OpenBLAS, via threadpoolctl) limited to T as well.
"""
import argparse
import json
import math
import os
import re
import sys
import time

T_START = time.perf_counter()

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path[:0] = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", d) for d in ("lib", "reference", "train")]
from safetensors_io import load_dir  # noqa: E402
from tokenizer_reference import GPT2_ASCII_PRETOK as PRETOK, bytes_to_unicode  # noqa: E402


def set_threads(n):
    torch.set_num_threads(n)
    try:
        import threadpoolctl
        threadpoolctl.threadpool_limits(limits=n)
        info = threadpoolctl.threadpool_info()
        return [{k: d.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "filepath")}
                for d in info]
    except ImportError:
        return []


def report(**kw):
    print("bench_torch: " + json.dumps(kw), file=sys.stderr, flush=True)


# ------------------------------------------------------------------ ViT

class Attention(nn.Module):
    def __init__(self, D, H):
        super().__init__()
        self.H, self.hd = H, D // H
        self.query, self.key, self.value = nn.Linear(D, D), nn.Linear(D, D), nn.Linear(D, D)
        self.out = nn.Linear(D, D)

    def forward(self, x):
        N, T, D = x.shape
        q = self.query(x).view(N, T, self.H, self.hd).transpose(1, 2)
        k = self.key(x).view(N, T, self.H, self.hd).transpose(1, 2)
        v = self.value(x).view(N, T, self.H, self.hd).transpose(1, 2)
        s = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * (self.hd ** -0.5), dim=-1)
        o = torch.matmul(s, v).transpose(1, 2).reshape(N, T, D)
        return self.out(o)


class Block(nn.Module):
    def __init__(self, D, H, M, eps):
        super().__init__()
        self.ln1 = nn.LayerNorm(D, eps=eps)
        self.attn = Attention(D, H)
        self.ln2 = nn.LayerNorm(D, eps=eps)
        self.fc1, self.fc2 = nn.Linear(D, M), nn.Linear(M, D)

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class ViT(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        D, H, M, L = cfg["hidden_size"], cfg["num_attention_heads"], cfg["intermediate_size"], cfg["num_hidden_layers"]
        eps = float(cfg.get("layer_norm_eps", 1e-12))
        self.P, self.C, self.S = cfg.get("patch_size", 16), cfg.get("num_channels", 3), cfg.get("image_size", 224)
        T = (self.S // self.P) ** 2 + 1
        self.patch = nn.Conv2d(self.C, D, self.P, stride=self.P)
        self.cls = nn.Parameter(torch.zeros(1, 1, D))
        self.pos = nn.Parameter(torch.zeros(1, T, D))
        self.blocks = nn.ModuleList([Block(D, H, M, eps) for _ in range(L)])
        self.norm = nn.LayerNorm(D, eps=eps)
        self.head = None  # set by load

    def forward(self, x):
        e = self.patch(x).flatten(2).transpose(1, 2)
        h = torch.cat([self.cls.expand(x.shape[0], -1, -1), e], dim=1) + self.pos
        for b in self.blocks:
            h = b(h)
        return self.head(self.norm(h[:, 0]))


def load_vit(model_dir):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    sd, _, _ = load_dir(model_dir)
    sd = {k: v.float() for k, v in sd.items()}
    m = ViT(cfg)
    K = sd["classifier.weight"].shape[0]
    m.head = nn.Linear(cfg["hidden_size"], K)
    e = "vit.embeddings."
    new = {"cls": sd[e + "cls_token"], "pos": sd[e + "position_embeddings"],
           "patch.weight": sd[e + "patch_embeddings.projection.weight"],
           "patch.bias": sd[e + "patch_embeddings.projection.bias"],
           "norm.weight": sd["vit.layernorm.weight"], "norm.bias": sd["vit.layernorm.bias"],
           "head.weight": sd["classifier.weight"], "head.bias": sd["classifier.bias"]}
    names = {"ln1": "layernorm_before", "ln2": "layernorm_after", "attn.query": "attention.attention.query",
             "attn.key": "attention.attention.key", "attn.value": "attention.attention.value",
             "attn.out": "attention.output.dense", "fc1": "intermediate.dense", "fc2": "output.dense"}
    for i in range(len(m.blocks)):
        for ours, hf in names.items():
            for wb in ("weight", "bias"):
                new[f"blocks.{i}.{ours}.{wb}"] = sd[f"vit.encoder.layer.{i}.{hf}.{wb}"]
    m.load_state_dict(new, strict=True)
    m.eval()
    pp = None
    pp_path = os.path.join(model_dir, "preprocessor_config.json")
    if os.path.exists(pp_path):
        with open(pp_path) as f:
            pp = json.load(f)
    return m, cfg, pp


def entropy(z):
    """Shannon entropy (nats) over the last axis, in float64 from float32 logits."""
    z = z.double()
    lse = torch.logsumexp(z, dim=-1, keepdim=True)
    return lse.squeeze(-1) - (torch.exp(z - lse) * z).sum(-1)


class Lens:
    """Forward hooks on every block: keep the residual stream (CLS row, or
    all rows for patches); then the final LayerNorm + head on all of them."""

    def __init__(self, model, patches):
        self.model, self.patches, self.acts = model, patches, []
        for b in model.blocks:
            b.register_forward_hook(self.hook)

    def hook(self, mod, inp, out):
        self.acts.append(out if self.patches else out[:, 0])

    def run(self, x):
        self.acts = []
        self.model(x)
        hs = torch.stack(self.acts, dim=1)  # [N, L, D] or [N, L, T, D]
        z = self.model.head(self.model.norm(hs))
        ent = entropy(z)
        if self.patches:
            return ent[:, :, 0], ent[:, :, 1:]
        return ent, None


class LensModule(nn.Module):
    """pixels -> [N, L] CLS entropies, for the ONNX export (no hooks)."""

    def __init__(self, vit):
        super().__init__()
        self.vit = vit

    def forward(self, x):
        m = self.vit
        e = m.patch(x).flatten(2).transpose(1, 2)
        h = torch.cat([m.cls.expand(x.shape[0], -1, -1), e], dim=1) + m.pos
        rows = []
        for b in m.blocks:
            h = b(h)
            rows.append(h[:, 0])
        z = m.head(m.norm(torch.stack(rows, dim=1)))
        lse = torch.logsumexp(z, dim=-1, keepdim=True)
        return lse.squeeze(-1) - (torch.softmax(z, dim=-1) * z).sum(-1)


def _size(size):
    if isinstance(size, int):
        return size, size
    if "height" in size and "width" in size:
        return size["width"], size["height"]
    raise ValueError(f"benchmark peer supports fixed sizes only, got {size}")


def preprocess(pp, path, channels):
    from PIL import Image
    with Image.open(path) as f:
        img = f.convert("RGB" if channels == 3 else "L")
    if pp.get("do_resize", True):
        img = img.resize(_size(pp["size"]), resample=pp.get("resample", 2))
    x = torch.from_numpy(np.asarray(img, dtype=np.uint8).copy())
    x = x.view(x.shape[0], x.shape[1], -1).permute(2, 0, 1).float()
    if pp.get("do_rescale", True):
        x = x * float(pp.get("rescale_factor", 1 / 255))
    if pp.get("do_normalize", True):
        mean = torch.tensor(pp["image_mean"][:channels]).view(-1, 1, 1)
        std = torch.tensor(pp["image_std"][:channels]).view(-1, 1, 1)
        x = (x - mean) / std
    return x


def vit_flops(cfg, K, patches):
    D, M, L = cfg["hidden_size"], cfg["intermediate_size"], cfg["num_hidden_layers"]
    P, S, C = cfg.get("patch_size", 16), cfg.get("image_size", 224), cfg.get("num_channels", 3)
    Np = (S // P) ** 2
    T = Np + 1
    f = 2 * Np * C * P * P * D
    f += L * (2 * T * D * 3 * D + 2 * T * D * D + 4 * T * D * M + 4 * T * T * D)
    f += L * 2 * (T if patches else 1) * D * K
    return f


def cmd_vit(a):
    pools = set_threads(a.threads)
    t0 = time.perf_counter()
    m, cfg, pp = load_vit(a.model)
    lens = Lens(m, a.tokens == "patches")
    load_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    n = 0
    with open(a.output, "w") as out, torch.no_grad():
        for s in range(0, len(a.images), a.batch):
            paths = a.images[s:s + a.batch]
            x = torch.stack([preprocess(pp, p, m.C) for p in paths])
            ent, pent = lens.run(x)
            for i, p in enumerate(paths):
                rec = {"file": p, "entropy": [round(v, 7) for v in ent[i].tolist()]}
                if pent is not None:
                    rec["patch_entropy"] = [[round(v, 7) for v in row] for row in pent[i].tolist()]
                out.write(json.dumps(rec) + "\n")
                n += 1
    run_s = time.perf_counter() - t1
    report(tool="torch", mode="vit", load_s=load_s, run_s=run_s, items=n, items_per_s=n / run_s,
           threads=a.threads, batch=a.batch, startup_s=t0 - T_START, pools=pools, torch=torch.__version__)


def cmd_vit_synth(a):
    pools = set_threads(a.threads)
    t0 = time.perf_counter()
    m, cfg, pp = load_vit(a.model)
    lens = Lens(m, False)
    load_s = time.perf_counter() - t0
    g = torch.Generator().manual_seed(1)
    x = torch.rand(a.batch, m.C, m.S, m.S, generator=g) * 2 - 1
    with torch.no_grad():
        lens.run(x)  # warm-up
        times = []
        for _ in range(a.iters):
            t = time.perf_counter()
            lens.run(x)
            times.append(time.perf_counter() - t)
    best = min(times)
    med = sorted(times)[len(times) // 2]
    K = m.head.weight.shape[0]
    report(tool="torch", mode="vit-synth", load_s=load_s, run_s=med, best_s=best, items=a.batch,
           items_per_s=a.batch / med, gflops=vit_flops(cfg, K, False) * a.batch / med / 1e9,
           threads=a.threads, batch=a.batch, pools=pools)


def cmd_pixels(a):
    m, cfg, pp = load_vit(a.model)
    xs = torch.stack([preprocess(pp, p, m.C) for p in a.images])
    xs.numpy().astype("<f4").tofile(a.output)
    print(f"{a.output}: {list(xs.shape)}")


def cmd_export(a):
    m, cfg, pp = load_vit(a.model)
    mod = LensModule(m).eval()
    x = torch.zeros(2, m.C, m.S, m.S)
    with torch.no_grad():
        torch.onnx.export(mod, (x,), a.output, input_names=["pixels"], output_names=["entropy"],
                          dynamic_axes={"pixels": {0: "batch"}, "entropy": {0: "batch"}},
                          opset_version=a.opset, do_constant_folding=True)
    print(f"{a.output}: opset {a.opset}, {os.path.getsize(a.output) / 1e6:.1f} MB")


# ------------------------------------------------------------------ GPT-2


class BPE:
    """GPT-2 byte-level BPE for ASCII text (the benchmark's prompts)."""

    def __init__(self, d):
        with open(os.path.join(d, "vocab.json"), encoding="utf-8") as f:
            self.vocab = json.load(f)
        with open(os.path.join(d, "merges.txt"), encoding="utf-8") as f:
            lines = [ln.rstrip("\n") for ln in f if ln.strip() and not ln.startswith("#version")]
        self.rank = {tuple(ln.split(" ")): i for i, ln in enumerate(lines)}
        self.b2u = bytes_to_unicode()
        self.u2b = {v: k for k, v in self.b2u.items()}
        self.inv = {v: k for k, v in self.vocab.items()}

    def _bpe(self, w):
        w = list(w)
        while len(w) > 1:
            pairs = [(self.rank.get((a, b), 1 << 30), i) for i, (a, b) in enumerate(zip(w, w[1:]))]
            r, i = min(pairs)
            if r == 1 << 30:
                break
            w = w[:i] + [w[i] + w[i + 1]] + w[i + 2:]
        return w

    def encode(self, text):
        ids = []
        for piece in PRETOK.findall(text):
            for t in self._bpe("".join(self.b2u[b] for b in piece.encode())):
                ids.append(self.vocab[t])
        return ids

    def decode(self, ids):
        return bytes(self.u2b[c] for i in ids for c in self.inv[i]).decode("utf-8", "replace")


class GPT2:
    def __init__(self, d):
        with open(os.path.join(d, "config.json")) as f:
            cfg = json.load(f)
        sd, _, _ = load_dir(d)
        sd = {k: v.float() for k, v in sd.items()}
        pre = "transformer." if "transformer.wte.weight" in sd else ""
        self.L, self.D, self.H = cfg["n_layer"], cfg["n_embd"], cfg["n_head"]
        self.hd = self.D // self.H
        self.eps = float(cfg.get("layer_norm_epsilon", 1e-5))
        self.ctx = cfg.get("n_positions", 1024)
        self.wte, self.wpe = sd[pre + "wte.weight"], sd[pre + "wpe.weight"]
        self.head = sd.get("lm_head.weight", self.wte)
        self.V = self.head.shape[0]
        self.blocks = []
        for i in range(self.L):
            p = f"{pre}h.{i}."
            self.blocks.append({k: sd[p + k] for k in (
                "ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias", "attn.c_proj.weight",
                "attn.c_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias",
                "mlp.c_proj.weight", "mlp.c_proj.bias")})
        self.lnf_w, self.lnf_b = sd[pre + "ln_f.weight"], sd[pre + "ln_f.bias"]

    def new_cache(self, cap):
        z = torch.zeros(self.L, self.H, cap, self.hd)
        return {"k": z, "v": z.clone(), "len": 0}

    def forward(self, ids, cache):
        """ids: list of new token ids. Returns the last position's residual
        after every block, [L, D]."""
        n, p0, D = len(ids), cache["len"], self.D
        x = self.wte[torch.tensor(ids)] + self.wpe[p0:p0 + n]
        rows = []
        for l, b in enumerate(self.blocks):
            h = F.layer_norm(x, (D,), b["ln_1.weight"], b["ln_1.bias"], self.eps)
            qkv = torch.addmm(b["attn.c_attn.bias"], h, b["attn.c_attn.weight"])
            q, k, v = qkv.view(n, 3, self.H, self.hd).permute(1, 2, 0, 3)  # each [H, n, hd]
            cache["k"][l, :, p0:p0 + n] = k
            cache["v"][l, :, p0:p0 + n] = v
            K, Vv = cache["k"][l, :, :p0 + n], cache["v"][l, :, :p0 + n]
            s = torch.matmul(q, K.transpose(-1, -2)) * (self.hd ** -0.5)
            if n > 1:
                mask = torch.ones(n, p0 + n, dtype=torch.bool).tril(p0)
                s = s.masked_fill(~mask, float("-inf"))
            o = torch.matmul(torch.softmax(s, dim=-1), Vv).transpose(0, 1).reshape(n, D)
            x = x + torch.addmm(b["attn.c_proj.bias"], o, b["attn.c_proj.weight"])
            h = F.layer_norm(x, (D,), b["ln_2.weight"], b["ln_2.bias"], self.eps)
            h = F.gelu(torch.addmm(b["mlp.c_fc.bias"], h, b["mlp.c_fc.weight"]), approximate="tanh")
            x = x + torch.addmm(b["mlp.c_proj.bias"], h, b["mlp.c_proj.weight"])
            rows.append(x[-1])
        cache["len"] = p0 + n
        return torch.stack(rows)

    def lens(self, rows):
        """[L, D] residual rows -> ([L] entropies, final logits [V])."""
        z = F.linear(F.layer_norm(rows, (self.D,), self.lnf_w, self.lnf_b, self.eps), self.head)
        return entropy(z), z[-1]

    def generate(self, ids, n_tokens):
        cache = self.new_cache(len(ids) + n_tokens)
        rows = self.forward(ids, cache)
        ents, out = [], []
        for s in range(n_tokens):
            e, z = self.lens(rows)
            ents.append(e.tolist())
            nxt = int(torch.argmax(z))
            out.append(nxt)
            if s + 1 < n_tokens:
                rows = self.forward([nxt], cache)
        return out, ents


def cmd_gpt2(a):
    pools = set_threads(a.threads)
    t0 = time.perf_counter()
    m = GPT2(a.model)
    tok = BPE(a.model)
    load_s = time.perf_counter() - t0
    prompts = []
    if a.prompt is not None:
        prompts.append({"prompt": a.prompt})
    if a.prompts:
        with open(a.prompts) as f:
            prompts += [json.loads(ln) for ln in f if ln.strip()]
    t1 = time.perf_counter()
    n = 0
    with open(a.output, "w") as out, torch.no_grad():
        for rec in prompts:
            ids = tok.encode(rec["prompt"])
            gen, ents = m.generate(ids, a.n)
            n += len(gen)
            out.write(json.dumps({"prompt": rec["prompt"], "n_prompt_tokens": len(ids), "tokens": gen,
                                  "generated": tok.decode(gen),
                                  "entropy_steps": [[round(v, 7) for v in r] for r in ents]}) + "\n")
    run_s = time.perf_counter() - t1
    report(tool="torch", mode="gpt2", load_s=load_s, run_s=run_s, items=n, items_per_s=n / run_s,
           threads=a.threads, prompts=len(prompts), pools=pools)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("vit")
    v.add_argument("model")
    v.add_argument("images", nargs="+")
    v.add_argument("-o", "--output", required=True)
    v.add_argument("--batch", type=int, default=8)
    v.add_argument("--threads", type=int, default=2)
    v.add_argument("--tokens", choices=("cls", "patches"), default="cls")
    s = sub.add_parser("vit-synth")
    s.add_argument("model")
    s.add_argument("--batch", type=int, default=8)
    s.add_argument("--threads", type=int, default=2)
    s.add_argument("--iters", type=int, default=3)
    px = sub.add_parser("pixels")
    px.add_argument("model")
    px.add_argument("output")
    px.add_argument("images", nargs="+")
    e = sub.add_parser("export-onnx")
    e.add_argument("model")
    e.add_argument("output")
    e.add_argument("--opset", type=int, default=17)
    g = sub.add_parser("gpt2")
    g.add_argument("model")
    g.add_argument("--prompt")
    g.add_argument("--prompts")
    g.add_argument("-n", type=int, default=128)
    g.add_argument("--threads", type=int, default=2)
    g.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    {"vit": cmd_vit, "vit-synth": cmd_vit_synth, "pixels": cmd_pixels, "export-onnx": cmd_export,
     "gpt2": cmd_gpt2}[a.cmd](a)


if __name__ == "__main__":
    main()
