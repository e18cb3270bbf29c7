#!/usr/bin/python3
"""Golden lens outputs of the real ViT-Tiny (both layouts) on the shared images.

Writes tests/fixtures/golden/vit-tiny-hf.json, vit-tiny-timm.json and their
final logits as little-endian float32 [n_images x n_classes] files
(vit-tiny-hf.logits.f32, vit-tiny-timm.logits.f32), all computed by
tools/reference_vit.py from the image files with each model's own
preprocessing. Floats in the JSON are rounded to 7 significant digits.

Usage: make_golden.py [--shared ../shared] [--out tests/fixtures/golden]
"""
import argparse
import csv
import glob
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import reference_vit as ref  # noqa: E402

torch.set_num_threads(1)


def r7(v):
    if isinstance(v, (list, tuple)):
        return [r7(x) for x in v]
    if isinstance(v, dict):
        return {k: r7(x) for k, x in v.items()}
    if isinstance(v, (float, np.floating)):
        return float("%.7g" % v)
    return v


def list_images(shared):
    root = os.path.join(shared, "images")
    files = sorted(glob.glob(os.path.join(root, "imagenet-sample", "*.JPEG")))
    files += sorted(f for f in glob.glob(os.path.join(root, "photos", "*"))
                    if f.lower().endswith((".png", ".jpg", ".jpeg")))
    return root, files


def read_labels(shared):
    labels = {}
    with open(os.path.join(shared, "images", "imagenet-sample", "labels.csv")) as f:
        for row in csv.DictReader(f):
            labels[row["file"]] = int(row["class_index"])
    return labels


def golden_for(model_dir, name, root, files, labels, out_dir):
    m = ref.load_model(model_dir)
    images, logits = [], []
    correct = total = 0
    for i, path in enumerate(files):
        rel = os.path.relpath(path, root)
        x = ref.preprocess_image(m, path)[None]
        r = ref.run_lens(m, x)[0]
        entry = {"file": rel, "top1": r["top1"], "prob": r["prob"],
                 "entropy": r["entropy"], "entropy_mean": r["entropy_mean"], "renyi": r["renyi"]}
        base = os.path.basename(path)
        if rel.startswith("imagenet-sample/") and base in labels:
            entry["label"] = labels[base]
            total += 1
            correct += int(r["top1"] == labels[base])
        if i == 0:
            entry["patch_entropy"] = r["patch_entropy"]
        images.append(r7(entry))
        logits.append(r["logits"])
        print(f"  {rel}: top1 {r['top1']} ({m.labels[r['top1']]}) p={r['prob']:.4f} "
              f"H[-3:]={[round(v, 4) for v in r['entropy'][-3:]]}")
    logits_file = f"{name}.logits.f32"
    np.asarray(logits, dtype="<f4").tofile(os.path.join(out_dir, logits_file))
    doc = {
        "model": os.path.basename(model_dir.rstrip("/")),
        "layout": m.layout,
        "generator": "tools/make_golden.py (tools/reference_vit.py, torch %s)" % torch.__version__,
        "n_classes": m.n_classes,
        "n_layers": m.n_layers,
        "n_patches": m.n_patches,
        "ln_eps": m.eps,
        "renyi_alphas": list(ref.RENYI_KEYS),
        "logits_file": logits_file,
        "imagenet_correct": correct,
        "imagenet_total": total,
        "images": images,
    }
    with open(os.path.join(out_dir, f"{name}.json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"{name}: imagenet-sample top-1 correct {correct}/{total}")
    return m, correct, total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.path.join(HERE, "..", "..", "shared"))
    ap.add_argument("--out", default=os.path.join(HERE, "..", "tests", "fixtures", "golden"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    root, files = list_images(args.shared)
    labels = read_labels(args.shared)
    hf_dir = os.path.join(args.shared, "models", "vit-tiny-patch16-224")
    timm_dir = os.path.join(args.shared, "models", "vit-tiny-patch16-224-timm")
    m_hf, c_hf, n_hf = golden_for(hf_dir, "vit-tiny-hf", root, files, labels, args.out)
    m_timm, c_timm, n_timm = golden_for(timm_dir, "vit-tiny-timm", root, files, labels, args.out)

    # Self-checks: both layouts fed the same tensor agree, and torchvision's own
    # VisionTransformer with the weights mapped in gives the same logits.
    x = torch.stack([ref.preprocess_image(m_hf, f) for f in files[:4]])
    a = ref.run_lens(m_hf, x)
    b = ref.run_lens(m_timm, x)
    dl = max(float(np.abs(p["logits"] - q["logits"]).max()) for p, q in zip(a, b))
    de = max(float(np.abs(np.array(p["entropy"]) - np.array(q["entropy"])).max()) for p, q in zip(a, b))
    tv = ref.torchvision_logits(m_hf, x).numpy()
    dtv = float(np.abs(tv - np.stack([p["logits"] for p in a])).max())
    print(f"same tensor, HF vs timm layout: max |dlogit| {dl:.3g}, max |dH| {de:.3g}")
    print(f"reference vs torchvision VisionTransformer: max |dlogit| {dtv:.3g}")
    if dl > 1e-5 or de > 1e-6 or dtv > 1e-3:
        sys.exit("self-check failed")
    total = sum(os.path.getsize(os.path.join(args.out, f)) for f in os.listdir(args.out))
    print(f"fixtures in {args.out}: {total} bytes")


if __name__ == "__main__":
    main()
