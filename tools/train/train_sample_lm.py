#!/usr/bin/python3
"""Train the small sample GPT-2 shipped in samples/models/fortune-gpt2/.

The model is Hugging Face's GPT2LMHeadModel, re-implemented with HF's module
names and HF's Conv1D (weight stored [in, out]), so state_dict() keys and
shapes are exactly those of a GPT-2 checkpoint from the Hub; the machine has no
`transformers` package. After training, the saved files are read back by an
independent NumPy GPT-2 (own safetensors parser, forward pass driven only by
config.json) and the validation loss reported is that implementation's.

Run from the repository root, after tools/train/train_bpe.py has written vocab.json
and merges.txt into the output directory:
    /usr/bin/python3 tools/train/train_sample_lm.py
"""
import os

# Debian's torch calls OpenBLAS (pthread build), which otherwise starts its own
# thread per core on top of torch's; on 2 shared cores that oversubscription
# made training 2-3x slower. Must be set before numpy/torch load OpenBLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path[:0] = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", d) for d in ("lib", "reference", "train")]
from safetensors_np import read_safetensors, write_safetensors  # noqa: E402
from train_bpe import EOT, Tokenizer, load_fortunes, split_corpus  # noqa: E402

LN_EPS = 1e-5  # GPT2Config.layer_norm_epsilon
PROMPTS = ["The best way to", "A computer is", "Q: What do you call"]


# ---------------------------------------------------------------------- model
# Attribute names mirror transformers' modeling_gpt2.py so state_dict keys are
# HF's (transformer.h.N.attn.c_attn.weight, ...).

class Conv1D(nn.Module):
    """HF's Conv1D: a linear layer whose weight is stored [in, out]."""

    def __init__(self, nf, nx, std=0.02):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(nx, nf) * std)
        self.bias = nn.Parameter(torch.zeros(nf))

    def forward(self, x):
        return x @ self.weight + self.bias


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["n_embd"]
        self.n_head = cfg["n_head"]
        self.c_attn = Conv1D(3 * d, d)
        # GPT-2's scaled init of residual projections: 0.02 / sqrt(2 * n_layer)
        self.c_proj = Conv1D(d, d, 0.02 / math.sqrt(2 * cfg["n_layer"]))

    def forward(self, x):
        b, t, d = x.shape
        hd = d // self.n_head
        q, k, v = self.c_attn(x).split(d, dim=2)
        q, k, v = (y.view(b, t, self.n_head, hd).transpose(1, 2) for y in (q, k, v))
        s = q @ k.transpose(-1, -2) / math.sqrt(hd)
        mask = torch.ones(t, t, dtype=torch.bool).tril()
        s = s.masked_fill(~mask, torch.finfo(s.dtype).min)
        a = torch.softmax(s, dim=-1) @ v
        return self.c_proj(a.transpose(1, 2).reshape(b, t, d))


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["n_embd"]
        self.c_fc = Conv1D(4 * d, d)
        self.c_proj = Conv1D(d, 4 * d, 0.02 / math.sqrt(2 * cfg["n_layer"]))

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))  # "gelu_new"


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["n_embd"]
        self.ln_1 = nn.LayerNorm(d, eps=LN_EPS)
        self.attn = Attention(cfg)
        self.ln_2 = nn.LayerNorm(d, eps=LN_EPS)
        self.mlp = MLP(cfg)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT2Model(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.wte = nn.Embedding(cfg["vocab_size"], cfg["n_embd"])
        self.wpe = nn.Embedding(cfg["n_positions"], cfg["n_embd"])
        self.h = nn.ModuleList([Block(cfg) for _ in range(cfg["n_layer"])])
        self.ln_f = nn.LayerNorm(cfg["n_embd"], eps=LN_EPS)
        nn.init.normal_(self.wte.weight, std=0.02)
        nn.init.normal_(self.wpe.weight, std=0.01)

    def forward(self, ids):
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1]))
        for block in self.h:
            x = block(x)
        return self.ln_f(x)


class GPT2LMHeadModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.transformer = GPT2Model(cfg)

    def forward(self, ids):
        return self.transformer(ids) @ self.transformer.wte.weight.T  # tied lm_head


# ---------------------------------------------------------------- safetensors

# write_safetensors / read_safetensors: tools/lib/safetensors_np.py


# ----------------------------------------------------- independent NumPy GPT-2

class NumpyGPT2:
    """GPT-2 forward written from the HF description, float64, reading only
    the saved model.safetensors and config.json."""

    def __init__(self, directory):
        with open(os.path.join(directory, "config.json")) as f:
            self.cfg = json.load(f)
        self.w = {k: v.astype(np.float64)
                  for k, v in read_safetensors(os.path.join(directory, "model.safetensors")).items()}

    def _ln(self, x, name):
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        eps = self.cfg["layer_norm_epsilon"]
        return (x - mu) / np.sqrt(var + eps) * self.w[name + ".weight"] + self.w[name + ".bias"]

    def _conv1d(self, x, name):
        return x @ self.w[name + ".weight"] + self.w[name + ".bias"]

    def logits(self, ids):
        """ids: 1-D int array (at most n_positions long) -> [T, vocab]."""
        w, c = self.w, self.cfg
        t = len(ids)
        d, nh = c["n_embd"], c["n_head"]
        hd = d // nh
        x = w["transformer.wte.weight"][ids] + w["transformer.wpe.weight"][:t]
        causal = np.tril(np.ones((t, t), dtype=bool))
        for i in range(c["n_layer"]):
            p = f"transformer.h.{i}."
            qkv = self._conv1d(self._ln(x, p + "ln_1"), p + "attn.c_attn")
            q, k, v = (qkv[:, j * d:(j + 1) * d].reshape(t, nh, hd).transpose(1, 0, 2)
                       for j in range(3))
            s = q @ k.transpose(0, 2, 1) / math.sqrt(hd)
            s = np.where(causal, s, -np.inf)
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            a = (s @ v).transpose(1, 0, 2).reshape(t, d)
            x = x + self._conv1d(a, p + "attn.c_proj")
            h = self._conv1d(self._ln(x, p + "ln_2"), p + "mlp.c_fc")
            h = 0.5 * h * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (h + 0.044715 * h ** 3)))
            x = x + self._conv1d(h, p + "mlp.c_proj")
        return self._ln(x, "transformer.ln_f") @ w["transformer.wte.weight"].T

    def greedy(self, ids, n_new, stop_id=None):
        ids = list(ids)
        for _ in range(n_new):
            nxt = int(self.logits(np.array(ids[-self.cfg["n_positions"]:]))[-1].argmax())
            if nxt == stop_id:
                break
            ids.append(nxt)
        return ids


# ----------------------------------------------------------------------- data

def pack(tok, entries):
    """One stream: <|endoftext|> before every entry (GPT-2's document
    separator, also the model's bos), and one after the last."""
    out = []
    for e in entries:
        out.append(tok.eot_id)
        out.extend(tok.encode(e))
    out.append(tok.eot_id)
    return np.array(out, dtype=np.int64)


def windows(stream, ctx):
    """Non-overlapping (input, target) windows of ctx tokens; the last partial
    window is kept so every token of the stream is predicted exactly once."""
    for s in range(0, len(stream) - 1, ctx):
        e = min(s + ctx, len(stream) - 1)
        yield stream[s:e], stream[s + 1:e + 1]


# ----------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="samples/models/fortune-gpt2")
    ap.add_argument("--n-embd", type=int, default=128)
    ap.add_argument("--n-layer", type=int, default=4)
    ap.add_argument("--n-head", type=int, default=4)
    ap.add_argument("--ctx", type=int, default=128)
    ap.add_argument("--batch", type=int, default=8)
    # ~3.8 passes over the corpus: what fits in ~12 minutes of one core. With
    # so little compute, many small steps beat fewer large ones: at equal
    # tokens seen, 8x128-token batches reached a lower validation loss than
    # 8x256 or 4x256 (most fortunes are far shorter than 128 tokens anyway).
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--min-lr-frac", type=float, default=0.1)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--split-seed", type=int, default=1234)
    ap.add_argument("--seed", type=int, default=0)
    # One torch thread (plus OpenBLAS pinned to one, above): on the 2 shared
    # cores, more threads only added synchronisation stalls.
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--time-only", action="store_true", help="time a few steps and exit")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)

    tok = Tokenizer(args.out)
    train_entries, valid_entries = split_corpus(load_fortunes(), args.split_seed)
    train = pack(tok, train_entries)
    valid = pack(tok, valid_entries)
    print(f"tokens: train {len(train)}, validation {len(valid)}")

    cfg = {"vocab_size": len(tok.encoder), "n_positions": args.ctx, "n_embd": args.n_embd,
           "n_layer": args.n_layer, "n_head": args.n_head}
    model = GPT2LMHeadModel(cfg)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"parameters: {n_params} (tied lm_head counted once)")

    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95))

    def lr_at(step):
        if step < args.warmup:
            return args.lr * (step + 1) / args.warmup
        frac = (step - args.warmup) / max(1, args.steps - args.warmup)
        lo = args.lr * args.min_lr_frac
        return lo + 0.5 * (args.lr - lo) * (1 + math.cos(math.pi * frac))

    train_t = torch.from_numpy(train)
    gen = torch.Generator().manual_seed(args.seed)
    n_windows = (len(train) - 1) // args.ctx

    def epoch_order():
        # A fresh random phase each pass so window borders move between epochs.
        shift = int(torch.randint(0, args.ctx, (1,), generator=gen))
        starts = shift + args.ctx * torch.randperm(n_windows - 1, generator=gen)
        return list(starts)

    def val_loss_torch():
        model.eval()
        tot, cnt = 0.0, 0
        with torch.no_grad():
            for x, y in windows(valid, args.ctx):
                lg = model(torch.from_numpy(x)[None])[0]
                tot += F.cross_entropy(lg, torch.from_numpy(y), reduction="sum").item()
                cnt += len(y)
        model.train()
        return tot / cnt

    order = []
    t0 = time.time()
    run = 0.0
    epochs_seen = 0.0
    for step in range(args.steps):
        if len(order) < args.batch:
            order = epoch_order()
        starts, order = order[:args.batch], order[args.batch:]
        idx = torch.stack([torch.arange(s, s + args.ctx + 1) for s in starts])
        chunk = train_t[idx]
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        lg = model(chunk[:, :-1])
        loss = F.cross_entropy(lg.reshape(-1, lg.shape[-1]), chunk[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        run += loss.item()
        epochs_seen += args.batch / (n_windows - 1)
        if args.time_only and step == 19:
            dt = time.time() - t0
            print(f"20 steps: {dt:.1f}s -> {dt / 20 * args.steps / 60:.1f} min for {args.steps} steps")
            return
        if (step + 1) % 100 == 0:
            print(f"step {step + 1}/{args.steps}  train loss {run / 100:.4f}  "
                  f"epochs {epochs_seen:.2f}  {time.time() - t0:.0f}s", flush=True)
            run = 0.0
        if (step + 1) % 500 == 0 and step + 1 < args.steps:
            print(f"  validation loss {val_loss_torch():.4f}", flush=True)
    train_time = time.time() - t0

    # ------------------------------------------------------------------ save
    st_path = os.path.join(args.out, "model.safetensors")
    # lm_head is wte (tied), so like HF's GPT-2 files there is no lm_head.weight.
    write_safetensors(st_path, {k: v.detach().numpy() for k, v in model.state_dict().items()})
    eot = tok.eot_id
    hf_config = {
        "activation_function": "gelu_new",
        "architectures": ["GPT2LMHeadModel"],
        "attn_pdrop": 0.0,
        "bos_token_id": eot,
        "embd_pdrop": 0.0,
        "eos_token_id": eot,
        "initializer_range": 0.02,
        "layer_norm_epsilon": LN_EPS,
        "model_type": "gpt2",
        "n_ctx": args.ctx,
        "n_embd": args.n_embd,
        "n_head": args.n_head,
        "n_inner": None,
        "n_layer": args.n_layer,
        "n_positions": args.ctx,
        "reorder_and_upcast_attn": False,
        "resid_pdrop": 0.0,
        "scale_attn_by_inverse_layer_idx": False,
        "scale_attn_weights": True,
        "summary_activation": None,
        "summary_first_dropout": 0.0,
        "summary_proj_to_labels": True,
        "summary_type": "cls_index",
        "summary_use_proj": True,
        "tie_word_embeddings": True,
        "torch_dtype": "float32",
        "use_cache": True,
        "vocab_size": len(tok.encoder),
    }
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(hf_config, f, indent=2)
        f.write("\n")
    with open(os.path.join(args.out, "tokenizer_config.json"), "w") as f:
        json.dump({"add_prefix_space": False, "bos_token": EOT, "eos_token": EOT,
                   "unk_token": EOT, "model_max_length": args.ctx,
                   "tokenizer_class": "GPT2Tokenizer"}, f, indent=2)
        f.write("\n")

    # ------------------------------------------- reload the files and measure
    ref = NumpyGPT2(args.out)
    assert set(ref.w) == set(model.state_dict()), "tensor names differ"
    tot, cnt = 0.0, 0
    max_diff = 0.0
    model.eval()
    for i, (x, y) in enumerate(windows(valid, args.ctx)):
        lg = ref.logits(x)
        m = lg.max(-1, keepdims=True)
        logp = lg - m - np.log(np.exp(lg - m).sum(-1, keepdims=True))
        tot -= logp[np.arange(len(y)), y].sum()
        cnt += len(y)
        if i == 0:
            with torch.no_grad():
                tl = model(torch.from_numpy(x)[None])[0].double().numpy()
            max_diff = float(np.abs(tl - lg).max())
    val_loss = tot / cnt
    print(f"reloaded safetensors (NumPy forward): validation loss {val_loss:.4f} nats/token, "
          f"perplexity {math.exp(val_loss):.2f} over {cnt} tokens; "
          f"max |logit diff| vs torch {max_diff:.2e}")
    assert max_diff < 1e-3, "saved model disagrees with the trained one"

    samples = []
    for p in PROMPTS:
        ids = ref.greedy(tok.encode(p), 40, stop_id=eot)
        samples.append((p, tok.decode(ids)))
        print(f"--- {p!r}\n{tok.decode(ids)}")

    summary = {"train_seconds": round(train_time, 1), "steps": args.steps,
               "epochs": round(epochs_seen, 2), "parameters": n_params,
               "train_tokens": int(len(train)), "valid_tokens": cnt,
               "valid_loss": val_loss, "valid_ppl": math.exp(val_loss),
               "safetensors_bytes": os.path.getsize(st_path), "samples": samples}
    print("SUMMARY " + json.dumps(summary))


if __name__ == "__main__":
    sys.exit(main())
