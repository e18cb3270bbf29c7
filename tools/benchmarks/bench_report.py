#!/usr/bin/python3
"""Tables, targets and the scaling plot from a tools/bench results folder.

Usage: bench_report.py OUT_DIR [--plot FILE.png]
Reads OUT_DIR/results.jsonl and OUT_DIR/machine*.json; prints Markdown.
"""
import argparse
import json
import os
import re

ENV_NAME = {"pin": "pin (OPENBLAS_CORETYPE=Haswell, OPENBLAS_L2_SIZE=512, as set here)",
            "nopin": "pin lifted (env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)"}
WL_NAME = {"vitb": "ViT-B/16 (random), full pipeline", "vittiny": "ViT-Tiny (real, ../shared), full pipeline",
           "patches": "ViT-B/16 --tokens patches", "gpt2": "GPT-2-small shape, 1 prompt",
           "gpt2multi": "GPT-2-small shape, --prompts 16"}


def load(outs):
    """Several result folders (e.g. workloads run in separate quiet windows)
    merge; a later folder's record replaces an earlier one with the same key."""
    recs, mach, loads = {}, {}, []
    for out in outs:
        for ln in open(os.path.join(out, "results.jsonl")):
            if not ln.strip():
                continue
            r = json.loads(ln)
            key = tuple(str(r.get(k)) for k in ("check", "name", "workload", "tool", "env", "threads", "batch", "model",
                                                 "tokens", "note"))
            recs[key] = r
        for n in ("machine.json", "machine-end.json"):
            p = os.path.join(out, n)
            if os.path.exists(p):
                m = json.load(open(p))
                loads.append((out, n, m["load_1_5_15"]))
                if n not in mach:
                    mach[n] = m
    return list(recs.values()), mach, loads


def pick(recs, **kw):
    return [r for r in recs if all(r.get(k) == v for k, v in kw.items()) and not r.get("check")]


def best(rs):
    return max(rs, key=lambda r: r["per_s"]) if rs else None


def fmt(x, nd=2):
    return "—" if x is None else f"{x:.{nd}f}"


def main_tables(recs, envs, lines):
    for e in envs:
        lines.append(f"\n### {ENV_NAME.get(e, e)}\n")
        lines.append("| workload | tool | threads | throughput | vs PyTorch (best) | end-to-end incl. start-up & load | peak RSS |")
        lines.append("|---|---|---:|---:|---:|---:|---:|")
        for wl in ("vitb", "vittiny", "patches", "gpt2", "gpt2multi"):
            ours = pick(recs, workload=wl, tool="entropy-lens", env=e)
            if wl == "gpt2multi":
                tb = best(pick(recs, workload="gpt2", tool="pytorch", env=e))
            elif wl == "patches":
                tb = None
            else:
                tb = best(pick(recs, workload=wl, tool="pytorch", env=e))
            for r in ours + (pick(recs, workload=wl, tool="pytorch", env=e) if wl not in ("patches",) else []):
                unit = r.get("unit", "items")
                ratio = r["per_s"] / tb["per_s"] if tb and r["tool"] == "entropy-lens" else None
                note = ""
                if wl == "gpt2multi":
                    note = " (aggregate; vs PyTorch single stream)"
                rw = r["items"] / r["wall_s_median"] if r.get("wall_s_median") else None
                lines.append(f"| {WL_NAME[wl]} | {r['tool']} | {r.get('threads')} | {r['per_s']:.2f} {unit}/s | "
                             f"{fmt(ratio)}×{note if ratio else ''} | {fmt(rw)} {unit}/s | {r['rss_mb']:.0f} MB |"
                             if ratio else
                             f"| {WL_NAME[wl]} | {r['tool']} | {r.get('threads')} | {r['per_s']:.2f} {unit}/s | "
                             f"— | {fmt(rw)} {unit}/s | {r['rss_mb']:.0f} MB |")
        pat = best(pick(recs, workload="patches", tool="entropy-lens", env=e, tokens="patches"))
        cls = best(pick(recs, workload="vitb", tool="entropy-lens", env=e, threads=pat["threads"])) if pat else None
        if cls and pat:
            lines.append(f"\n`--tokens patches` / CLS-only time (entropy-lens, ViT-B, same images): "
                         f"**{cls['per_s'] / pat['per_s']:.2f}×**")


def forward_table(recs, envs, lines):
    rows = [r for r in recs if r.get("workload") == "forward" and not r.get("check")]
    if not rows:
        return
    lines.append("\n### Forward + lens only (no decoding), ViT-B/16, batch 8\n")
    lines.append("| OpenBLAS env | tool | threads | images/s | GFLOP/s | sgemm bound (images/s) | fraction of bound |")
    lines.append("|---|---|---:|---:|---:|---:|---:|")
    for e in envs:
        for r in sorted(pick(recs, workload="forward", env=e), key=lambda r: (r["tool"], r["threads"])):
            g = r.get("gflops")
            bound, frac = None, None
            if r.get("sgemm"):
                s = r["sgemm"]
                g = s["forward_gflops"]
                bound = s["batch"] / s["bound_s"]
                frac = s["fraction"]
            lines.append(f"| {e} | {r['tool']} | {r['threads']} | {r['per_s']:.2f} | {fmt(g, 1)} | {fmt(bound)} | "
                         f"{'—' if frac is None else f'{100 * frac:.0f}%'} |")
    for e in envs:
        for r in pick(recs, workload="forward", env=e, tool="entropy-lens"):
            s = r["sgemm"]
            lines.append(f"\nsgemm on the ViT-B shapes, {e}, {s['threads']} thread(s), OpenBLAS core `{s['corename']}`:\n")
            lines.append("| GEMM | shape (m×k · k×n) | concurrent | GFLOP/s |")
            lines.append("|---|---|---:|---:|")
            for sh in s["shapes"]:
                lines.append(f"| {sh['name']} | {sh['m']}×{sh['k']} · {sh['k']}×{sh['n']} | {sh['units']} | {sh['gflops']:.1f} |")
            lines.append(f"| **bound** (FLOP-weighted) | {s['gemm_flops'] / 1e9 / s['batch']:.1f} GFLOP per image | | "
                         f"**{s['bound_gflops']:.1f}** |")


def sweep_table(recs, lines):
    rows = pick(recs, workload="sweep")
    if not rows:
        return None
    envs = sorted({r["env"] for r in rows})
    models = [m for m in ("vit-ti16", "vit-s16", "vit-b16") if any(r["model"] == m for r in rows)]
    batches = sorted({r["batch"] for r in rows})
    for e in envs:
        lines.append(f"\n### Sweep ({ENV_NAME.get(e, e)}): images/s, full pipeline, {rows[0]['items']} images\n")
        lines.append("| model | threads | tool | " + " | ".join(f"batch {b}" for b in batches) + " |")
        lines.append("|---|---:|---|" + "---:|" * len(batches))
        for m in models:
            for t in (1, 2):
                for tool in ("entropy-lens", "pytorch"):
                    cells = []
                    for b in batches:
                        r = pick(rows, env=e, model=m, threads=t, batch=b, tool=tool)
                        cells.append(f"{r[0]['per_s']:.2f}" if r else "—")
                    lines.append(f"| {m} | {t} | {tool} | " + " | ".join(cells) + " |")
                cells = []
                for b in batches:
                    o = pick(rows, env=e, model=m, threads=t, batch=b, tool="entropy-lens")
                    p = pick(rows, env=e, model=m, threads=t, batch=b, tool="pytorch")
                    cells.append(f"{o[0]['per_s'] / p[0]['per_s']:.2f}×" if o and p else "—")
                lines.append(f"| {m} | {t} | *ratio* | " + " | ".join(cells) + " |")
    return rows


def plot(rows, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    envs = sorted({r["env"] for r in rows})
    e = "pin" if "pin" in envs else envs[0]
    models = [m for m in ("vit-ti16", "vit-s16", "vit-b16") if any(r["model"] == m for r in rows)]
    fig, axes = plt.subplots(1, len(models), figsize=(4.2 * len(models), 3.6), squeeze=False)
    styles = {("entropy-lens", 2): ("C0", "-", "o"), ("entropy-lens", 1): ("C0", "--", "s"),
              ("pytorch", 2): ("C3", "-", "o"), ("pytorch", 1): ("C3", "--", "s")}
    for ax, m in zip(axes[0], models):
        for (tool, t), (c, ls, mk) in styles.items():
            rs = sorted(pick(rows, env=e, model=m, threads=t, tool=tool), key=lambda r: r["batch"])
            if rs:
                ax.plot([r["batch"] for r in rs], [r["per_s"] for r in rs], color=c, ls=ls, marker=mk,
                        label=f"{tool}, {t} thread{'s' if t > 1 else ''}")
        ax.set_xscale("log", base=2)
        bs = sorted({r["batch"] for r in rows})
        ax.set_xticks(bs)
        ax.set_xticklabels([str(b) for b in bs])
        ax.set_xlabel("batch size")
        ax.set_ylabel("images/s (decode → JSONL)")
        ax.set_title(m.replace("vit-", "ViT-").replace("ti16", "Ti/16").replace("s16", "S/16").replace("b16", "B/16"))
        ax.grid(True, alpha=0.3)
        ax.set_ylim(bottom=0)
    axes[0][0].legend(fontsize=8)
    nr = max(len(r.get("run_s", [0])) for r in rows)
    ld = [r["load"] for r in rows if "load" in r]
    fig.suptitle(f"entropy-lens vs PyTorch, full pipeline ({rows[0]['items']} images, median of {nr} run(s) per point), "
                 f"OpenBLAS env: {e}" + (f"; 1-min load during the sweep {min(ld):.1f}–{max(ld):.1f}" if ld else ""),
                 fontsize=10)
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=110)


def vitb_weights_mb():
    """The F32 ViT-B checkpoint's size, the RSS targets' "weights"."""
    p = "/tmp/el-bench/vit-b16/model.safetensors"
    return os.path.getsize(p) / 2**20 if os.path.exists(p) else 330.2


def targets(recs, envs, lines):
    lines.append("\n### Targets from the issue\n")
    lines.append("| target | env | measured | met? |")
    lines.append("|---|---|---|---|")

    def row(name, e, value, ok):
        lines.append(f"| {name} | {e} | {value} | {'**yes**' if ok else 'no'} |")

    for e in envs:
        o = best(pick(recs, workload="vitb", tool="entropy-lens", env=e))
        p = best(pick(recs, workload="vitb", tool="pytorch", env=e))
        if o and p:
            r = o["per_s"] / p["per_s"]
            need = 2.0 if e == "nopin" else 1.0
            row(f"ViT-B/16 full pipeline ≥ {need:g}× PyTorch", e, f"{r:.2f}× ({o['per_s']:.2f} vs {p['per_s']:.2f} images/s)",
                r >= need)
        ort = best(pick(recs, workload="forward", tool="onnxruntime", env=e)) or \
            best(pick(recs, workload="forward", tool="onnxruntime"))  # ORT does not use OpenBLAS
        if o and ort:
            r = o["per_s"] / ort["per_s"]
            row("ViT-B/16 full pipeline ≥ ONNX Runtime (ORT: forward + lens only, no decoding)", e,
                f"{r:.2f}× ({o['per_s']:.2f} vs {ort['per_s']:.2f} images/s)", r >= 1.0)
        for fr_rec in sorted(pick(recs, workload="forward", tool="entropy-lens", env=e), key=lambda r: r["threads"]):
            fr = fr_rec["sgemm"]["fraction"]
            row(f"forward ≥ 85% of the sgemm bound ({fr_rec['threads']} thread{'s' if fr_rec['threads'] > 1 else ''}, "
                f"batch 8)", e, f"{100 * fr:.0f}%", fr >= 0.85)
        o2 = best(pick(recs, workload="vittiny", tool="entropy-lens", env=e))
        p2 = best(pick(recs, workload="vittiny", tool="pytorch", env=e))
        if o2 and p2:
            r = o2["per_s"] / p2["per_s"]
            row("ViT-Tiny ≥ 3× PyTorch", e, f"{r:.2f}×", r >= 3.0)
        pat = best(pick(recs, workload="patches", tool="entropy-lens", env=e, tokens="patches"))
        oc = best(pick(recs, workload="vitb", tool="entropy-lens", env=e, threads=pat["threads"])) if pat else None
        if oc and pat:
            r = oc["per_s"] / pat["per_s"]
            row("patches ≤ 1.3× CLS time", e, f"{r:.2f}×", r <= 1.3)
        g = best(pick(recs, workload="gpt2", tool="entropy-lens", env=e))
        gp = best(pick(recs, workload="gpt2", tool="pytorch", env=e))
        if g and gp:
            r = g["per_s"] / gp["per_s"]
            row("GPT-2 ≥ 2× PyTorch tokens/s, one prompt", e, f"{r:.2f}× ({g['per_s']:.1f} vs {gp['per_s']:.1f} tokens/s)",
                r >= 2.0)
        gm = best(pick(recs, workload="gpt2multi", tool="entropy-lens", env=e))
        if gm and gp:
            r = gm["per_s"] / gp["per_s"]
            row("16 prompts aggregate ≥ 8× PyTorch single stream", e,
                f"{r:.2f}× ({gm['per_s']:.1f} vs {gp['per_s']:.1f} tokens/s)", r >= 8.0)
        f32 = vitb_weights_mb()
        for m in sorted(pick(recs, workload="memory", env=e), key=lambda r: r["dtype"]):
            if m["dtype"] != "f32":
                row(f"{m['dtype'].upper()} checkpoint not held twice: peak RSS ViT-B batch 8 ≤ F32 weights + 200 MB", e,
                    f"{m['rss_mb']:.0f} MB (file {m['file_mb']:.0f} MB) vs {f32:.0f} + 200 = {f32 + 200:.0f} MB",
                    m["rss_mb"] <= f32 + 200)
        o8 = [r for r in pick(recs, workload="vitb", tool="entropy-lens", env=e) if r.get("batch") == 8]
        o = max(o8, key=lambda r: r["rss_mb"]) if o8 else None
        if o:
            w = f32
            row("peak RSS ViT-B batch 8 ≤ weights + 200 MB", e,
                f"{o['rss_mb']:.0f} MB vs {w:.0f} + 200 = {w + 200:.0f} MB", o["rss_mb"] <= w + 200)


def memory_table(recs, lines):
    ms = sorted(pick(recs, workload="memory"), key=lambda r: (r["env"], r["dtype"]))
    if not ms:
        return
    lines.append("\n### Peak RSS by checkpoint dtype (ViT-B/16, batch 8, 8 images, 2 threads)\n")
    lines += ["| env | checkpoint | file | peak RSS | images/s |", "|---|---|---:|---:|---:|"]
    lines += [f"| {m['env']} | {m['dtype'].upper()} | {m['file_mb']:.0f} MB | {m['rss_mb']:.0f} MB | {fmt(m['per_s'])} |"
              for m in ms]


def checks(recs, lines):
    cs = [r for r in recs if r.get("check")]
    if not cs:
        return
    lines.append("\n### Correctness checks (same inputs, max |ΔH| ≤ 1e-3 nats)\n")
    lines.append("| env | check | max abs diff (nats) | records | result |")
    lines.append("|---|---|---:|---:|---|")
    for c in cs:
        extra = ""
        if "same_tokens" in c:
            extra = ", same generated tokens" if c["same_tokens"] else f", tokens differ from step {c['first_token_diff']}"
        lines.append(f"| {c['env']} | {c['name']} | {c['max_abs']:.2e} | {c['n']}{extra} | {'OK' if c['ok'] else 'MISMATCH'} |")


CATEGORIES = [
    ("GEMM (OpenBLAS sgemm kernels + packing)", lambda d, f: d.startswith("libopenblas")),
    ("OpenMP runtime (libgomp: spin-waits, barriers, fork/join)", lambda d, f: d.startswith("libgomp")
     or f in ("__sched_yield", "sched_yield")),
    ("image decode (libjpeg, libpng, zlib)", lambda d, f: d.startswith(("libjpeg", "libpng", "libz"))),
    ("resize + preprocess", lambda d, f: f.startswith(("pass_", "el_preprocess", "el_image", "resample", "convert_",
                                                        "el_resize", "precompute"))),
    ("GELU (erff)", lambda d, f: "gelu" in f or "erff" in f),
    ("attention (softmax, expf, head loops)", lambda d, f: "attention" in f or "softmax" in f or "expf" in f),
    ("LayerNorm", lambda d, f: "layernorm" in f),
    ("lens entropies", lambda d, f: "entropy" in f or "lens" in f),
    ("memcpy / memmove / memset (libc)", lambda d, f: d.startswith("libc") and ("mem" in f)),
    ("kernel (page faults, scheduling, I/O)", lambda d, f: d.startswith("[kernel")),
]


def profile_table(recs, lines):
    for p in [r for r in recs if r.get("workload") == "profile"]:
        lines.append(f"\n### Where the time goes ({p['env']}, {p['model']}, perf cpu-clock samples)\n")
        lines.append("| % samples | where | function |")
        lines.append("|---:|---|---|")
        gomp = sum(r["pct"] for r in p["symbols"] if r["dso"].startswith("libgomp"))
        shown_gomp = False
        for r in p["symbols"]:
            if r["dso"].startswith("libgomp"):
                if not shown_gomp:
                    lines.append(f"| {gomp:.1f} | libgomp | OpenMP runtime (spin-wait / barriers; no symbols) |")
                    shown_gomp = True
                continue
            if r["pct"] < 0.5:
                continue
            sym = re.sub(r"(\s+-)+\s*$", "", r["symbol"])
            lines.append(f"| {r['pct']:.1f} | {r['dso']} | `{sym}` |")
        lines.append("\nBy library: " + ", ".join(f"{d['dso']} {d['pct']:.1f}%" for d in p["dsos"][:8]))
        cats = {}
        for r in p["symbols"]:
            f = re.sub(r"(\s+-)+\s*$", "", r["symbol"])
            name = next((n for n, test in CATEGORIES if test(r["dso"], f)), "other")
            cats[name] = cats.get(name, 0.0) + r["pct"]
        lines.append("\n| phase | % samples |\n|---|---:|")
        for n, v in sorted(cats.items(), key=lambda kv: -kv[1]):
            lines.append(f"| {n} | {v:.1f} |")
        lines.append(f"\n(symbols under 0.05% of samples are not listed, so the phases add up to less than 100%.)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out", nargs="+")
    ap.add_argument("--plot")
    a = ap.parse_args()
    recs, mach, folder_loads = load(a.out)
    envs = [e for e in ("pin", "nopin") if any(r.get("env") == e for r in recs)]
    lines = []
    m = mach.get("machine.json")
    if m:
        me = mach.get("machine-end.json", {})
        lines.append(f"Machine: {m['cpu']} ({m['vendor']} family {m['family']} model {m['model']}), {m['cpus']} CPUs, "
                     f"AVX2 {'yes' if m['avx2'] else 'no'}, AVX-512 {'yes (' + ' '.join(m['avx512']) + ')' if m['avx512'] else 'no'}, "
                     f"{m['mem_mb']} MB; {m.get('torch')} torch, node {m.get('node')}, repo {m.get('git')}.")
        for out, n, ld in folder_loads:
            lines.append(f"Load average (1/5/15 min) {'at start' if n == 'machine.json' else 'at end'} of "
                         f"{os.path.basename(out)}: {', '.join(f'{x:.2f}' for x in ld)}.")
    loads = [r["load"] for r in recs if "load" in r]
    if loads:
        lines.append(f"1-minute load right after each measurement: min {min(loads):.2f}, max {max(loads):.2f}.")
    main_tables(recs, envs, lines)
    forward_table(recs, envs, lines)
    memory_table(recs, lines)
    targets(recs, envs, lines)
    checks(recs, lines)
    rows = sweep_table(recs, lines)
    profile_table(recs, lines)
    if rows and a.plot:
        plot(rows, a.plot)
        lines.append(f"\nPlot: {a.plot}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
