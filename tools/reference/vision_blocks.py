#!/usr/bin/python3
"""Building blocks of tools/reference/reference_vision_families.py, written
from the Hugging Face modeling code: the checkpoint's tensors with a record of
what was used, the pre-norm encoder layer (optional layer scale, relative
position bias, causal mask, GELU/quick-GELU/SwiGLU MLP), HF's bicubic
position-embedding interpolation and BEiT's relative position index."""
import math

import torch
import torch.nn.functional as F

ACTS = {
    "gelu": F.gelu,
    "gelu_pytorch_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "gelu_new": lambda x: F.gelu(x, approximate="tanh"),
    "quick_gelu": lambda x: x * torch.sigmoid(1.702 * x),
    "relu": F.relu,
}

class Tensors:
    """The checkpoint's tensors; take() records what was used so unknown
    tensors are an error, not silently ignored."""

    def __init__(self, sd):
        self.sd, self.used = sd, set()

    def take(self, name, required=True):
        if name not in self.sd:
            if required:
                raise KeyError(f"missing tensor {name}")
            return None
        self.used.add(name)
        return self.sd[name].float()

    def ignore(self, name):
        self.used.add(name) if name in self.sd else None

    def check_all_used(self, where):
        left = sorted(k for k in self.sd if k not in self.used)
        if left:
            raise ValueError(f"{where}: unused tensors {left[:8]}")


def with_defaults(cfg, defaults):
    out = dict(defaults)
    out.update({k: v for k, v in (cfg or {}).items() if v is not None})
    return out


# ------------------------------------------------------------------ blocks

def load_block(t, p, names):
    """One encoder layer's tensors under prefix p. names maps our roles to the
    family's tensor names (None: absent)."""
    b = {}
    for role, name in names.items():
        b[role] = t.take(p + name) if name else None
    return b


def attention(x, b, heads, bias=None, causal=False):
    N, T, D = x.shape
    hd = D // heads
    q = F.linear(x, b["q_w"], b["q_b"]).reshape(N, T, heads, hd).transpose(1, 2)
    k = F.linear(x, b["k_w"], b.get("k_b")).reshape(N, T, heads, hd).transpose(1, 2)
    v = F.linear(x, b["v_w"], b["v_b"]).reshape(N, T, heads, hd).transpose(1, 2)
    s = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(hd)
    if bias is not None:
        s = s + bias
    if causal:
        s = s + torch.full((T, T), float("-inf")).triu(1)
    o = torch.matmul(torch.softmax(s, dim=-1), v).transpose(1, 2).reshape(N, T, D)
    return F.linear(o, b["o_w"], b["o_b"])


def mlp(x, b, act):
    if b.get("fc1_w") is None:  # SwiGLU (DINOv2 giant): weights_in = [x1; x2]
        x1, x2 = F.linear(x, b["in_w"], b["in_b"]).chunk(2, dim=-1)
        return F.linear(F.silu(x1) * x2, b["out_w"], b["out_b"])
    return F.linear(act(F.linear(x, b["fc1_w"], b["fc1_b"])), b["fc2_w"], b["fc2_b"])


def pre_norm_block(h, b, heads, eps, act, bias=None, causal=False):
    """x + ls1 * attn(ln1 x); x + ls2 * mlp(ln2 x); ls = layer scale or 1."""
    D = h.shape[-1]
    a = attention(F.layer_norm(h, (D,), b["ln1_w"], b["ln1_b"], eps), b, heads, bias, causal)
    if b.get("ls1") is not None:
        a = a * b["ls1"]
    h = h + a
    f = mlp(F.layer_norm(h, (D,), b["ln2_w"], b["ln2_b"], eps), b, act)
    if b.get("ls2") is not None:
        f = f * b["ls2"]
    return h + f


CLIP_LAYER = {"ln1_w": "layer_norm1.weight", "ln1_b": "layer_norm1.bias",
              "q_w": "self_attn.q_proj.weight", "q_b": "self_attn.q_proj.bias",
              "k_w": "self_attn.k_proj.weight", "k_b": "self_attn.k_proj.bias",
              "v_w": "self_attn.v_proj.weight", "v_b": "self_attn.v_proj.bias",
              "o_w": "self_attn.out_proj.weight", "o_b": "self_attn.out_proj.bias",
              "ln2_w": "layer_norm2.weight", "ln2_b": "layer_norm2.bias",
              "fc1_w": "mlp.fc1.weight", "fc1_b": "mlp.fc1.bias",
              "fc2_w": "mlp.fc2.weight", "fc2_b": "mlp.fc2.bias"}


def vit_layer_names(k_bias=True, layer_scale=None, swiglu=False, ln=("layernorm_before", "layernorm_after"),
                    mlp_names=("intermediate.dense", "output.dense")):
    """HF ViT-style names (attention.attention.query ...) as DINOv2 and BEiT use them."""
    n = {"ln1_w": f"{ln[0]}.weight", "ln1_b": f"{ln[0]}.bias",
         "q_w": "attention.attention.query.weight", "q_b": "attention.attention.query.bias",
         "k_w": "attention.attention.key.weight", "k_b": "attention.attention.key.bias" if k_bias else None,
         "v_w": "attention.attention.value.weight", "v_b": "attention.attention.value.bias",
         "o_w": "attention.output.dense.weight", "o_b": "attention.output.dense.bias",
         "ln2_w": f"{ln[1]}.weight", "ln2_b": f"{ln[1]}.bias"}
    if swiglu:
        n.update({"in_w": "mlp.weights_in.weight", "in_b": "mlp.weights_in.bias",
                  "out_w": "mlp.weights_out.weight", "out_b": "mlp.weights_out.bias"})
    else:
        n.update({"fc1_w": f"{mlp_names[0]}.weight", "fc1_b": f"{mlp_names[0]}.bias",
                  "fc2_w": f"{mlp_names[1]}.weight", "fc2_b": f"{mlp_names[1]}.bias"})
    if layer_scale:
        n.update({"ls1": layer_scale[0], "ls2": layer_scale[1]})
    return n


def interpolate_grid(pos, new_h, new_w, antialias):
    """[n*n, D] patch position embeddings -> [new_h*new_w, D], as HF's
    interpolate_pos_encoding: bicubic, align_corners=False, float32."""
    n = int(round(math.sqrt(pos.shape[0])))
    D = pos.shape[1]
    g = pos.reshape(1, n, n, D).permute(0, 3, 1, 2)
    g = F.interpolate(g.float(), size=(new_h, new_w), mode="bicubic", align_corners=False, antialias=antialias)
    return g.permute(0, 2, 3, 1).reshape(new_h * new_w, D)


def relative_position_index(gh, gw):
    """BeitRelativePositionBias.generate_relative_position_index."""
    n_rel = (2 * gh - 1) * (2 * gw - 1) + 3
    coords = torch.stack(torch.meshgrid(torch.arange(gh), torch.arange(gw), indexing="ij")).flatten(1)
    rel = (coords[:, :, None] - coords[:, None, :]).permute(1, 2, 0).contiguous()
    rel[:, :, 0] += gh - 1
    rel[:, :, 1] += gw - 1
    rel[:, :, 0] *= 2 * gw - 1
    idx = torch.zeros((gh * gw + 1,) * 2, dtype=torch.long)
    idx[1:, 1:] = rel.sum(-1)
    idx[0, 0:] = n_rel - 3
    idx[0:, 0] = n_rel - 2
    idx[0, 0] = n_rel - 1
    return idx


def rel_bias(table, grid):
    idx = relative_position_index(grid, grid)
    T = idx.shape[0]
    return table[idx.reshape(-1)].reshape(T, T, -1).permute(2, 0, 1)[None]
