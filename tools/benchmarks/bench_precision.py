#!/usr/bin/python3
"""Stored-precision benchmarks (issue 15), every bound measured in the same run.

  decode   GPT-2-small shape, one prompt, the lens on all 12 layers, F32 and
           its BF16 and Q8_0 copies: tokens/s next to the step's bound
             bound time = weight bytes read per token (stored precision)
                          / measured read bandwidth
                        + lens FLOPs (2 x layers x dim x vocab)
                          / OpenBLAS's measured rate on the lens shape
           (tools/benchmarks/bench_bound.c), and the BF16/F32 speed ratio
           next to the ratio the bounds predict.
  llama8b  the random Llama-3-8B-shaped BF16 checkpoint (make_llama8b.py):
           16 generated tokens with the lens on all 32 layers; peak RSS
           against checkpoint size + 1.5 GB; tokens/s next to its bound.
  vit      `profile` images/s of ViT-B/16 from F32 and from BF16.

Models: make_bench_models.py, make_precision_models.py and make_llama8b.py
into --models (default /tmp/el-bench; the 8B one in MODELS/llama8b/).
Peak RSS is the child's ru_maxrss. Timings are medians of --runs, with the
1-minute load average beside them (a shared machine makes them noisy; RSS
is not affected).

Usage (one line):
  tools/benchmarks/bench_precision.py [--models DIR] [--only decode,llama8b,vit] [--threads T] [--runs N]
                                      [--runs-8b N] [--json OUT]
"""
import argparse
import json
import os
import re
import statistics
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PROMPT = "The history of the lighthouse begins with"
GGML = {0: (1, 4), 1: (1, 2), 2: (32, 18), 8: (32, 34), 12: (256, 144), 13: (256, 176), 14: (256, 210), 30: (1, 2)}


def st_matrices(path):
    """[(name, shape, bytes)] of a safetensors file's tensors."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        h = json.loads(f.read(n))
    return [(k, v["shape"], v["data_offsets"][1] - v["data_offsets"][0]) for k, v in h.items() if k != "__metadata__"]


def gguf_matrices(path):
    """[(name, shape, bytes)] from a GGUF header (no tensor data read)."""
    with open(path, "rb") as f:
        buf = f.read(64 << 20)
    pos = 8 + 4  # magic, version

    def take(fmt):
        nonlocal pos
        v = struct.unpack_from(fmt, buf, pos)[0]
        pos += struct.calcsize(fmt)
        return v

    sizes = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}

    def skip(t):
        nonlocal pos
        if t == 8:
            n = take("<Q")
            pos += n
        elif t == 9:
            it, n = take("<I"), take("<Q")
            if it in sizes:
                pos += sizes[it] * n
            else:
                for _ in range(n):
                    skip(it)
        else:
            pos += sizes[t]

    pos = 8
    nt, nkv = take("<Q"), take("<Q")
    for _ in range(nkv):
        n = take("<Q")
        pos += n
        skip(take("<I"))
    out = []
    for _ in range(nt):
        n = take("<Q")
        name = buf[pos:pos + n].decode()
        pos += n
        ne = [take("<Q") for _ in range(take("<I"))]
        t = take("<I")
        take("<Q")
        n = 1
        for d in ne:
            n *= d
        blk, nb = GGML[t]
        out.append((name, list(reversed(ne)), n // blk * nb))
    return out


def weight_bytes(path):
    """Bytes of weights one decoding step reads outside the lens: every
    matrix except learned positions, the token embedding (looked up by row)
    and the output head. The head is streamed by the lens, whose time is
    priced separately at the sgemm rate measured on the lens's own shape
    (which already includes reading the head), so counting it here too would
    price it twice."""
    if path.endswith(".gguf"):
        ms = gguf_matrices(path)
        skip = ("position_embd", "token_embd", "output.weight")
    else:
        ms = st_matrices(os.path.join(path, "model.safetensors"))
        skip = ("wpe.weight", "wte.weight", "embed_tokens.weight", "lm_head.weight")
    return sum(b for n, s, b in ms if len(s) == 2 and not any(k in n for k in skip))


def build_bound():
    exe = os.path.join(tempfile.gettempdir(), "el_bench_bound")
    ob = "/usr/lib/x86_64-linux-gnu/openblas-openmp"
    subprocess.run(["cc", "-O2", "-march=native", "-fopenmp", "-I/usr/include/x86_64-linux-gnu/openblas-openmp",
                    os.path.join(ROOT, "tools", "benchmarks", "bench_bound.c"), f"-L{ob}", f"-Wl,-rpath,{ob}",
                    "-lopenblas", "-o", exe], check=True)
    return exe


def bound(exe, rows, dim, vocab, threads):
    r = subprocess.run([exe, "--rows", str(rows), "--dim", str(dim), "--vocab", str(vocab), "--threads", str(threads)],
                       check=True, capture_output=True, text=True)
    return json.loads(r.stdout)


def run(cmd, pattern):
    """(rate from stderr, peak RSS MB, load average before)."""
    load = os.getloadavg()[0]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    if status:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err}")
    m = re.search(pattern, err)
    rate = float(m.group(1))
    if pattern == TOK:  # "N tokens in X s": more digits than the rounded rate
        t = re.search(r"([0-9]+) tokens in ([0-9.]+) s", err)
        rate = int(t.group(1)) / float(t.group(2)) if t and float(t.group(2)) > 0 else rate
    return rate, ru.ru_maxrss / 1024, load


def median_runs(cmd, pattern, runs):
    rs = [run(cmd, pattern) for _ in range(runs)]
    return statistics.median(r[0] for r in rs), max(r[1] for r in rs), statistics.mean(r[2] for r in rs)


def text_cmd(a, model, n):
    return [a.bin, "text", "--model", model, "--prompt", PROMPT, "-n", str(n), "--threads", str(a.threads)]


TOK = r"([0-9.]+) tokens/s"


def decode(a, exe, res):
    b = bound(exe, 12, 768, 50257, a.threads)
    res["decode_rates"] = b
    rows = {}
    for label, name in (("F32", "gpt2-small"), ("BF16", "gpt2-small-bf16"), ("Q8_0", "gpt2-small-q8_0.gguf")):
        path = os.path.join(a.models, name)
        if not os.path.exists(path):
            print(f"skip {path} (make_bench_models.py / make_precision_models.py)", file=sys.stderr)
            continue
        wb = weight_bytes(path)
        t_bound = wb / (b["read_gb_s"] * 1e9) + 2 * 12 * 768 * 50257 / (b["lens_gflop_s"] * 1e9)
        tps, rss, load = median_runs(text_cmd(a, path, a.tokens), TOK, a.runs)
        rows[label] = {"weight_mb": wb / 1e6, "bound_tok_s": 1 / t_bound, "tok_s": tps, "fraction": tps * t_bound,
                       "peak_rss_mb": rss, "load": load}
    if "F32" in rows and "BF16" in rows:
        res["bf16_over_f32"] = {"measured": rows["BF16"]["tok_s"] / rows["F32"]["tok_s"],
                                "bounds": rows["BF16"]["bound_tok_s"] / rows["F32"]["bound_tok_s"]}
    res["decode"] = rows


def warm(path):
    """Read a model once so its timed run does not wait for the disk."""
    files = [os.path.join(path, f) for f in os.listdir(path)] if os.path.isdir(path) else [path]
    for f in files:
        with open(f, "rb") as fh:
            while fh.read(64 << 20):
                pass


def llama8b(a, exe, res):
    """The 8B shape from its BF16 safetensors and, when make_llama8b.py wrote
    them, its Q8_0 and Q4_K GGUF conversions: peak RSS against the file size
    + 1.5 GB, tokens/s against the bound (same model of the bound as decode)."""
    d = os.path.join(a.models, "llama8b")
    b = None
    for label, path, weights in (("BF16", os.path.join(d, "llama8b-bf16"), "model.safetensors"),
                                 ("Q8_0", os.path.join(d, "llama8b-q8_0.gguf"), None),
                                 ("Q4_K", os.path.join(d, "llama8b-q4_k.gguf"), None)):
        f = os.path.join(path, weights) if weights else path
        if not os.path.exists(f):
            print(f"skip {f} (make_llama8b.py {d})", file=sys.stderr)
            continue
        b = b or bound(exe, 32, 4096, 128256, a.threads)
        size = os.path.getsize(f) / 2**20
        wb = weight_bytes(path)
        t_bound = wb / (b["read_gb_s"] * 1e9) + 2 * 32 * 4096 * 128256 / (b["lens_gflop_s"] * 1e9)
        warm(path)  # the three files do not fit the page cache together: read this one first
        tps, rss, load = median_runs(text_cmd(a, path, 16), TOK, a.runs_8b)
        # The 16 tokens include the prompt's prefill and the first touch of the
        # mapping; one run of 1 token measures those, the rest is 15 decoding steps.
        first, _, _ = median_runs(text_cmd(a, path, 1), TOK, a.runs_8b)
        steps = 15 / max(16 / tps - 1 / first, 1e-9)
        res.setdefault("llama8b", {})[label] = {"checkpoint_mb": size, "peak_rss_mb": rss, "rss_limit_mb": size + 1536,
                                                "tok_s": tps, "first_token_s": 1 / first, "decode_tok_s": steps,
                                                "bound_tok_s": 1 / t_bound, "fraction": tps * t_bound,
                                                "decode_fraction": steps * t_bound, "rates": b, "load": load}


def vit(a, res):
    imgs = a.images
    out = {}
    for label, name in (("F32", "vit-b16"), ("BF16", "vit-b16-bf16")):
        path = os.path.join(a.models, name)
        if not os.path.exists(path):
            print(f"skip {path} (make_bench_models.py)", file=sys.stderr)
            continue
        cmd = [a.bin, "profile", imgs, "--model", path, "--batch", "8", "--threads", str(a.threads), "-o", os.devnull]
        ips, rss, load = median_runs(cmd, r"([0-9.]+) images/s", a.runs)
        out[label] = {"images_s": ips, "peak_rss_mb": rss, "load": load}
    if len(out) == 2:
        out["bf16_over_f32"] = out["BF16"]["images_s"] / out["F32"]["images_s"]
    res["vit"] = out


def report(res):
    if "decode" in res:
        r = res["decode_rates"]
        print(f"\nGPT-2-small decode, {r['threads']} threads; read {r['read_gb_s']:.1f} GB/s, "
              f"lens sgemm {r['lens_gflop_s']:.1f} GFLOP/s")
        print("| weights | MB read/token | bound tok/s | measured tok/s | of bound | peak RSS MB | load |\n|---|---:|---:|---:|---:|---:|---:|")
        for k, v in res["decode"].items():
            print(f"| {k} | {v['weight_mb']:.0f} | {v['bound_tok_s']:.1f} | {v['tok_s']:.1f} | {100 * v['fraction']:.0f} % "
                  f"| {v['peak_rss_mb']:.0f} | {v['load']:.1f} |")
        if "bf16_over_f32" in res:
            x = res["bf16_over_f32"]
            print(f"BF16/F32 speed: measured {x['measured']:.2f}, bounds predict {x['bounds']:.2f}")
    for k, v in res.get("llama8b", {}).items():
        print(f"Llama-3-8B shape {k}: file {v['checkpoint_mb']:.0f} MB, peak RSS {v['peak_rss_mb']:.0f} MB (limit "
              f"{v['rss_limit_mb']:.0f}: {'met' if v['peak_rss_mb'] <= v['rss_limit_mb'] else 'NOT met'}), "
              f"{v['tok_s']:.2f} tok/s over 16 tokens (first token {v['first_token_s']:.1f} s), decoding steps "
              f"{v['decode_tok_s']:.2f} tok/s, bound {v['bound_tok_s']:.2f} (16 tokens {100 * v['fraction']:.0f} %, "
              f"steps {100 * v['decode_fraction']:.0f} %), load {v['load']:.1f}")
    if res.get("vit"):
        for k, v in res["vit"].items():
            if isinstance(v, dict):
                print(f"ViT-B/16 {k}: {v['images_s']:.2f} images/s, peak RSS {v['peak_rss_mb']:.0f} MB, load {v['load']:.1f}")
        if "bf16_over_f32" in res["vit"]:
            print(f"ViT-B/16 BF16/F32 images/s: {res['vit']['bf16_over_f32']:.3f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="/tmp/el-bench")
    ap.add_argument("--only", default="decode,llama8b,vit")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--runs-8b", type=int, default=1, help="runs per 8B model (each file is read into the page cache first)")
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--images", default=os.path.join(ROOT, "..", "shared", "images", "imagenet-sample"))
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "entropy-lens"))
    ap.add_argument("--json")
    a = ap.parse_args()
    exe = build_bound()
    res = {"date": time.strftime("%Y-%m-%d %H:%M"), "threads": a.threads, "load_start": os.getloadavg()}
    only = a.only.split(",")
    if "decode" in only:
        decode(a, exe, res)
    if "llama8b" in only:
        llama8b(a, exe, res)
    if "vit" in only:
        vit(a, res)
    res["load_end"] = os.getloadavg()
    report(res)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
