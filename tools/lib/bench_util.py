#!/usr/bin/python3
"""Helpers for tools/bench (the speed benchmark driver).

  record RESULTS.jsonl --workload W --tool T --env E [--key=value ...] -- RUNDIR
      Parse the runs in RUNDIR (err.N = the tool's stderr, time.N = `/usr/bin/time
      -f "%e %M"` output), take medians, append one JSON record.
  compare-vit A.jsonl B.jsonl [--patches]       max |delta| of the per-layer entropies
  compare-text A.jsonl B.jsonl                  tokens equal? max |delta| of entropy_steps
  compare-ort OURS.jsonl ORT.json               (ORT: list of per-image entropies, file order)
  check RESULTS.jsonl --workload W --env E --name NAME --tol 1e-3 -- <compare output>
      (reads the compare JSON on stdin and appends a check record)
  prompts OUT.jsonl N                            N ASCII prompts
  machine OUT.json                               lscpu, memory, load, versions
"""
import json
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PROMPTS = [
    "The quick brown fox jumps over the lazy dog.",
    "Once upon a time there was a little town by the sea",
    "It was the best of times, it was the worst of times",
    "Simple is better than complex. Complex is better than complicated.",
    "The logit lens applies the model's own output head",
    "In the beginning the entropy is high",
    "Measure twice and cut once",
    "There should be one obvious way to do it",
    "The children listened and the old men remembered",
    "Readability counts, and so do the numbers",
    "Now is better than never",
    "A transformer reads a sequence of tokens",
    "The benchmark should be honest",
    "Flat is better than nested. Sparse is better than dense.",
    "The ships that had gone out and never come back",
    "As the layers go by the model settles on an answer",
]


def parse_run(err_path, time_path):
    """-> dict(run_s, items, wall_s, rss_kb) for one run."""
    out = {}
    with open(time_path) as f:
        parts = f.read().split()
    # /usr/bin/time may prefix "Command exited with non-zero status N".
    nums = [p for p in parts if re.fullmatch(r"[0-9.]+", p)]
    out["wall_s"], out["rss_kb"] = float(nums[-2]), int(nums[-1])
    text = open(err_path, errors="replace").read()
    m = None
    for line in text.splitlines():
        if line.startswith("bench_torch: "):
            m = json.loads(line[len("bench_torch: "):])
            out["run_s"], out["items"], out["load_s"] = m["run_s"], m["items"], m["load_s"]
            out["pools"] = m.get("pools")
        r = re.match(r"(\d+) images profiled, (\d+) failed, \d+ skipped \(not images\), ([0-9.]+) s", line)
        if r:
            out["items"], out["run_s"] = int(r.group(1)) + int(r.group(2)), float(r.group(3))
            out["failed"] = int(r.group(2))
        r = re.match(r"(\d+) prompts done, (\d+) failed, (\d+) tokens in ([0-9.]+) s", line)
        if r:
            out["items"], out["run_s"] = int(r.group(3)), float(r.group(4))
            out["failed"] = int(r.group(2))
    if "run_s" not in out:
        raise SystemExit(f"bench_util: no timing line in {err_path}:\n{text[-2000:]}")
    return out


def parse_fields(args):
    """--key=value arguments into a dict; values are JSON when they parse."""
    rec = {}
    for a in args:
        k, v = a.lstrip("-").split("=", 1)
        try:
            v = json.loads(v)
        except ValueError:
            pass
        rec[k] = v
    return rec


def cmd_record(argv):
    path = argv[0]
    sep = argv.index("--")
    rundir = argv[sep + 1]
    rec = parse_fields(argv[1:sep])
    runs = []
    i = 1
    while os.path.exists(os.path.join(rundir, f"time.{i}")):
        runs.append(parse_run(os.path.join(rundir, f"err.{i}"), os.path.join(rundir, f"time.{i}")))
        i += 1
    if not runs:
        raise SystemExit(f"bench_util: no runs in {rundir}")
    rec["n_runs"] = len(runs)
    rec["run_s"] = [r["run_s"] for r in runs]
    rec["wall_s"] = [r["wall_s"] for r in runs]
    rec["rss_kb"] = [r["rss_kb"] for r in runs]
    rec["items"] = runs[0]["items"]
    rec["run_s_median"] = statistics.median(rec["run_s"])
    rec["wall_s_median"] = statistics.median(rec["wall_s"])
    rec["rss_mb"] = max(rec["rss_kb"]) / 1024
    rec["per_s"] = rec["items"] / rec["run_s_median"]
    rec["per_s_wall"] = rec["items"] / rec["wall_s_median"]
    if runs[0].get("pools"):
        rec["pools"] = runs[0]["pools"]
    busy = []
    for j in range(1, len(runs) + 1):
        bp = os.path.join(rundir, f"busy.{j}")
        if os.path.exists(bp):
            busy.append(float(open(bp).read().split()[0]))
    if busy:
        rec["busy_before"] = busy
    if any(r.get("failed") for r in runs):
        rec["failed"] = max(r.get("failed", 0) for r in runs)
    rec["load"] = os.getloadavg()[0]
    with open(path, "a") as f:
        f.write(json.dumps(rec) + "\n")
    print(f"    {rec.get('workload')} {rec.get('tool')} threads={rec.get('threads')} batch={rec.get('batch', '-')}: "
          f"{rec['per_s']:.2f} {rec.get('unit', 'items')}/s (median of {len(runs)}: {rec['run_s_median']:.2f} s, "
          f"wall {rec['wall_s_median']:.2f} s), peak RSS {rec['rss_mb']:.0f} MB")


def _read_jsonl(p):
    with open(p) as f:
        return [json.loads(ln) for ln in f if ln.strip()]


def cmd_compare_vit(argv):
    patches = "--patches" in argv
    a, b = [x for x in argv if not x.startswith("--")]
    A = {os.path.basename(r["file"]): r for r in _read_jsonl(a)}
    B = {os.path.basename(r["file"]): r for r in _read_jsonl(b)}
    common = sorted(set(A) & set(B))
    worst = 0.0
    for k in common:
        if "error" in A[k] or "error" in B[k]:
            raise SystemExit(f"bench_util: error record for {k}")
        for x, y in zip(A[k]["entropy"], B[k]["entropy"]):
            worst = max(worst, abs(x - y))
        if patches:
            for rx, ry in zip(A[k]["patch_entropy"], B[k]["patch_entropy"]):
                for x, y in zip(rx, ry):
                    worst = max(worst, abs(x - y))
    print(json.dumps({"max_abs": worst, "n": len(common), "n_a": len(A), "n_b": len(B), "patches": patches}))


def cmd_compare_text(argv):
    a, b = argv
    A, B = _read_jsonl(a), _read_jsonl(b)
    n = min(len(A), len(B))
    worst, same_tokens, prompt_tokens_equal, first_diff = 0.0, True, True, None
    for ra, rb in zip(A[:n], B[:n]):
        if ra["n_prompt_tokens"] != rb["n_prompt_tokens"]:
            prompt_tokens_equal = False
        ta, tb = ra["tokens"], rb["tokens"]
        k = next((i for i, (x, y) in enumerate(zip(ta, tb)) if x != y), None)
        if k is not None:
            same_tokens = False
            first_diff = k if first_diff is None else min(first_diff, k)
        upto = k + 1 if k is not None else len(ta)  # the diverging step's lens is still on equal inputs
        for sa, sb in zip(ra["entropy_steps"][:upto], rb["entropy_steps"][:upto]):
            for x, y in zip(sa, sb):
                worst = max(worst, abs(x - y))
    print(json.dumps({"max_abs": worst, "n": n, "same_tokens": same_tokens, "first_token_diff": first_diff,
                      "same_prompt_tokens": prompt_tokens_equal,
                      "steps": len(A[0]["entropy_steps"]) if A else 0}))


def cmd_compare_ort(argv):
    ours, ort = argv
    O = _read_jsonl(ours)
    E = json.load(open(ort))
    if len(O) < len(E):
        raise SystemExit(f"bench_util: {len(O)} records vs {len(E)} ORT rows")
    O = O[:len(E)]  # ORT may run on the first images only
    worst = 0.0
    for r, e in zip(O, E):
        for x, y in zip(r["entropy"], e):
            worst = max(worst, abs(x - y))
    print(json.dumps({"max_abs": worst, "n": len(O)}))


def cmd_check(argv):
    path = argv[0]
    sep = argv.index("--") if "--" in argv else len(argv)
    rec = {"check": True, **parse_fields(argv[1:sep])}
    rec.update(json.loads(sys.stdin.read()))
    tol = float(rec.get("tol", 1e-3))
    rec["ok"] = rec["max_abs"] <= tol and rec.get("same_tokens", True) and rec.get("n", 1) > 0
    with open(path, "a") as f:
        f.write(json.dumps(rec) + "\n")
    extra = ""
    if "same_tokens" in rec:
        extra = f", same tokens: {rec['same_tokens']}"
    print(f"    check {rec.get('name')}: max |dH| = {rec['max_abs']:.2e} nats over {rec.get('n')} records{extra} -> "
          f"{'OK' if rec['ok'] else 'MISMATCH'} (tolerance {tol:g})")
    if not rec["ok"]:
        sys.exit(1)


def _cpu_times():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return sum(v[:8]), idle


def cmd_busy(argv):
    """Fraction of the machine's CPU time busy over a short window (default 1 s)."""
    import time
    w = float(argv[0]) if argv else 1.0
    t0, i0 = _cpu_times()
    time.sleep(w)
    t1, i1 = _cpu_times()
    print(f"{1 - (i1 - i0) / max(1, t1 - t0):.3f}")


def cmd_prompts(argv):
    out, n = argv[0], int(argv[1])
    with open(out, "w") as f:
        for i in range(n):
            f.write(json.dumps({"prompt": PROMPTS[i % len(PROMPTS)], "label": f"p{i}"}) + "\n")


def _sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=60).stdout.strip()
    except Exception as e:  # noqa: BLE001
        return f"({e})"


def cmd_machine(argv):
    lscpu = _sh("LC_ALL=C lscpu")
    info = {}
    for line in lscpu.splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            info[k.strip()] = v.strip()
    flags = info.get("Flags", "").split()
    mem = _sh("free -m | awk '/Mem:/{print $2}'")
    m = {
        "cpu": info.get("Model name"), "vendor": info.get("Vendor ID"), "family": info.get("CPU family"),
        "model": info.get("Model"), "cpus": info.get("CPU(s)"), "threads_per_core": info.get("Thread(s) per core"),
        "avx2": "avx2" in flags, "fma": "fma" in flags,
        "avx512": sorted(f for f in flags if f.startswith("avx512")),
        "mem_mb": int(mem) if mem.isdigit() else mem,
        "hypervisor": "hypervisor" in flags,
        "kernel": _sh("uname -r"),
        "load_1_5_15": list(os.getloadavg()),
        "uptime": _sh("uptime"),
        "top": _sh("top -bn1 | head -15"),
        "gcc": _sh("gcc --version | head -1"),
        "openblas_openmp": _sh("ls /usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblasp-r*.so"),
        "torch": _sh("/usr/bin/python3 -c 'import torch; print(torch.__version__)'"),
        "node": _sh("node --version"),
        "git": _sh(f"git -C '{ROOT}' rev-parse --short HEAD") + " (" + _sh(f"git -C '{ROOT}' status --short | wc -l")
               + " uncommitted paths)",
        "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS")},
    }
    with open(argv[0], "w") as f:
        json.dump(m, f, indent=1)
    print(f"  {m['cpu']} ({m['vendor']} family {m['family']} model {m['model']}), {m['cpus']} CPUs, "
          f"AVX2 {m['avx2']}, AVX-512 {'yes' if m['avx512'] else 'no'}, {m['mem_mb']} MB; load {m['load_1_5_15']}")


def main():
    cmd, argv = sys.argv[1], sys.argv[2:]
    {"record": cmd_record, "compare-vit": cmd_compare_vit, "compare-text": cmd_compare_text,
     "compare-ort": cmd_compare_ort, "check": cmd_check, "prompts": cmd_prompts,
     "machine": cmd_machine, "busy": cmd_busy}[cmd](argv)


if __name__ == "__main__":
    main()
