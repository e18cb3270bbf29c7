#!/usr/bin/python3
"""Reference numbers for the analysis commands (classify, correctness, embed).

Writes a small synthetic data set of entropy profiles and the numbers
scikit-learn / scipy / numpy give on it into tests/fixtures/analysis/:

  profiles.jsonl   3 classes x 40 image-like records, 12-layer profiles that
                   overlap partially, `correct` true/false for most of them,
                   plus 3 `error` records, 2 records with label null and 4
                   with `correct` null
  mixed.jsonl      hand-made records for the reader tests (image record with
                   embeddings, patch map, mean and Renyi profiles; text
                   record with W x L windows; error record; blank line)
  invalid.jsonl    a malformed JSON line (line 3)
  no_entropy.jsonl a record without `entropy` (line 2)
  expected.json    the reference numbers (see below)

The fold assignment is entropy-lens's own documented algorithm (SplitMix64
shuffle per class, then dealing; docs/analysis.md), reimplemented here bit for
bit, and so is the stratified random baseline; everything else is computed by
scikit-learn (KNeighborsClassifier, roc_auc_score, StandardScaler), scipy
(ttest_rel, betainc, t.sf) and numpy (SVD for PCA) on the records as read back
from the JSONL file.

Usage: /usr/bin/python3 tools/reference/analysis_reference.py [--check-cli build/entropy-lens]
(needs Debian's python3-sklearn and python3-scipy; only for regenerating).
With --check-cli it also runs the built binary's `classify --folds-out` and
`--json` and compares the fold CSV and the numbers with this script's.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import scipy.special
import scipy.stats
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fixtures", "analysis")
M64 = (1 << 64) - 1


class SplitMix64:
    """entropy-lens's RNG (src/analysis/rng.c)."""

    def __init__(self, seed):
        self.s = seed & M64

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & M64
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def below(self, m):
        return self.next() % m


def stratified_folds(y, n_classes, k, seed):
    """src/analysis/folds.c: per class (in order) a Fisher-Yates shuffle of its
    indices with one shared SplitMix64(seed), then deal t % k with a counter t
    running on across classes."""
    rng = SplitMix64(seed)
    fold = [None] * len(y)
    t = 0
    for c in range(n_classes):
        a = [i for i in range(len(y)) if y[i] == c]
        for j in range(len(a) - 1, 0, -1):
            r = rng.below(j + 1)
            a[j], a[r] = a[r], a[j]
        for i in a:
            fold[i] = t % k
            t += 1
    return fold


def baseline_predict(ytr, n_classes, n_test, rng):
    """src/analysis/baseline.c: r = below(n_train); the class whose cumulative
    training count range holds r."""
    cum = np.cumsum(np.bincount(ytr, minlength=n_classes))
    out = []
    for _ in range(n_test):
        r = rng.below(len(ytr))
        c = 0
        while c < n_classes - 1 and r >= cum[c]:
            c += 1
        out.append(c)
    return np.array(out)


def cv_knn(X, y, n_classes, k, folds, seed, standardize=False):
    fold = np.array(stratified_folds(list(y), n_classes, folds, seed))
    brng = SplitMix64(seed + 1)
    n = len(y)
    proba = np.zeros((n, n_classes))
    pred = np.zeros(n, dtype=int)
    acc, auc, base = [], [], []
    for f in range(folds):
        te, tr = fold == f, fold != f
        Xtr, Xte = X[tr], X[te]
        if standardize:
            sc = StandardScaler().fit(Xtr)
            Xtr, Xte = sc.transform(Xtr), sc.transform(Xte)
        ke = min(k, int(tr.sum()))
        clf = KNeighborsClassifier(n_neighbors=ke, algorithm="brute").fit(Xtr, y[tr])
        # predict_proba columns are clf.classes_; every class is in every
        # training fold here, so they are 0..C-1.
        assert list(clf.classes_) == list(range(n_classes))
        p = clf.predict_proba(Xte)
        pr = clf.predict(Xte)
        proba[te] = p
        pred[te] = pr
        acc.append(float(np.mean(pr == y[te])))
        if n_classes == 2:
            auc.append(float(roc_auc_score(y[te], p[:, 1])))
        else:
            auc.append(float(roc_auc_score(y[te], p, multi_class="ovr", average="macro", labels=list(range(n_classes)))))
        b = baseline_predict(y[tr], n_classes, int(te.sum()), brng)
        base.append(float(np.mean(b == y[te])))
    if n_classes == 2:
        pooled_auc = roc_auc_score(y, proba[:, 1])
    else:
        pooled_auc = roc_auc_score(y, proba, multi_class="ovr", average="macro")
    t = scipy.stats.ttest_rel(acc, base)
    conf = np.zeros((n_classes, n_classes), dtype=int)
    for a, b in zip(y, pred):
        conf[a, b] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.nan_to_num(np.diag(conf) / conf.sum(axis=0))
        recall = np.diag(conf) / conf.sum(axis=1)
    return {
        "folds": [int(v) for v in fold],
        "fold_acc": acc,
        "fold_auc": auc,
        "fold_base_acc": base,
        "acc_mean": float(np.mean(acc)),
        "acc_std": float(np.std(acc)),
        "auc_mean": float(np.mean(auc)),
        "base_mean": float(np.mean(base)),
        "pooled_acc": float(np.mean(pred == y)),
        "pooled_auc": float(pooled_auc),
        "t": float(t.statistic),
        "p": float(t.pvalue),
        "confusion": conf.tolist(),
        "precision": precision.tolist(),
        "recall": recall.tolist(),
        "pred": [int(v) for v in pred],
        "proba": proba.tolist(),
    }


def g7(v):
    """Numbers as entropy-lens writes them (%.7g)."""
    return float("%.7g" % v)


def make_profiles(path):
    rng = np.random.RandomState(20250216)
    L = 12
    classes = ["cat", "dog", "fish"]
    mids = [4.5, 6.0, 7.5]
    layers = np.arange(1, L + 1)
    recs = []
    for c, (name, mid) in enumerate(zip(classes, mids)):
        for i in range(40):
            shift = rng.normal(0, 0.9)
            scale = 2.3 * (1 + rng.normal(0, 0.08))
            h = scale / (1 + np.exp((layers - mid - shift) / 1.3)) + 0.05 + rng.normal(0, 0.18, L)
            h = np.clip(h, 0.001, None)
            # The model is right more often when the last layers are confident.
            p_right = 1 / (1 + np.exp((h[-3:].mean() - 0.35) * 6))
            correct = bool(rng.uniform() < p_right)
            top1 = c if correct else (c + 1 + rng.randint(2)) % 3
            recs.append({
                "file": "synthetic/%s/%s_%02d.png" % (name, name, i),
                "label": name,
                "label_index": c,
                "top1": int(top1),
                "top1_label": classes[top1],
                "prob": g7(0.34 + 0.6 * rng.uniform()),
                "correct": correct,
                "model": "synthetic-vit",
                "units": "nats",
                "first_layer": 1,
                "entropy": [g7(v) for v in h],
            })
    # Some records without a known answer, some without a label, some errors,
    # interleaved so that skipping has to keep the order right.
    for j in (5, 50, 77, 111):
        recs[j]["correct"] = None
        recs[j]["label_index"] = None
    lines = [json.dumps(r) for r in recs]
    lines.insert(10, json.dumps({"file": "synthetic/broken_1.png", "label": "cat", "error": "corrupt PNG", "model": "synthetic-vit"}))
    lines.insert(60, json.dumps({"file": "synthetic/broken_2.png", "label": "dog", "error": "truncated JPEG", "model": "synthetic-vit"}))
    lines.insert(100, json.dumps({"file": "synthetic/broken_3.png", "label": None, "error": "not an image", "model": "synthetic-vit"}))
    for j, pos in enumerate((30, 90)):
        r = dict(recs[0])
        r["file"] = "synthetic/unlabelled_%d.png" % j
        r["label"] = None
        r["label_index"] = None
        r["correct"] = None
        r["entropy"] = [g7(2.0 - 0.1 * l) for l in range(L)]
        lines.insert(pos, json.dumps(r))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def make_reader_fixtures():
    mixed = [
        {"file": "img/a.png", "label": "cat", "label_index": 0, "top1": 0, "top1_label": "cat", "prob": 0.75,
         "correct": True, "model": "vit-small", "units": "nats", "first_layer": 0,
         "entropy": [3.0, 2.0, 1.0],
         "entropy_mean": [3.5, 2.5, 1.5],
         "patch_entropy": [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]],
         "renyi": {"0.5": [3.1, 2.1, 1.1], "2": [2.9, 1.9, 0.9], "inf": [2.5, 1.5, 0.5]}},
        {"file": "img/b.png", "label": "dog", "error": "corrupt PNG", "model": "vit-small"},
        None,
        {"prompt": "Once upon", "label": 7, "generated": " a time", "tokens": [1, 2], "n_prompt_tokens": 2,
         "windows": 2, "entropy": [[4.0, 3.0, 2.0], [1.0, 0.5, 0.25]], "model": "tiny-lm", "units": "nats",
         "difficulty": True},
        {"file": "img/c.png", "label": None, "label_index": None, "top1": 1, "prob": 0.5, "correct": None,
         "model": "vit-small", "units": "nats", "first_layer": 1, "entropy": [1.0, 1.0, 1.0]},
        {"file": "img/d.png", "top1": 2, "prob": 0.9, "correct": False, "model": "vit-small",
         "first_layer": 1, "entropy": [0.5, 0.25, 0.125]},
    ]
    with open(os.path.join(OUT, "mixed.jsonl"), "w") as f:
        for r in mixed:
            f.write(("" if r is None else json.dumps(r)) + "\n")
    with open(os.path.join(OUT, "invalid.jsonl"), "w") as f:
        f.write(json.dumps({"file": "x.png", "label": "a", "entropy": [1, 2]}) + "\n\n")
        f.write('{"file": "y.png", "label": "b", "entropy": [1, 2\n')
    with open(os.path.join(OUT, "no_entropy.jsonl"), "w") as f:
        f.write(json.dumps({"file": "x.png", "label": "a", "entropy": [1, 2]}) + "\n")
        f.write(json.dumps({"file": "y.png", "label": "b", "top1": 3}) + "\n")


def read_dataset(path, by):
    X, groups, files, correct = [], [], [], []
    for line in open(path):
        if not line.strip():
            continue
        r = json.loads(line)
        if r.get("error") is not None:
            continue
        if r.get(by) is None:
            continue
        X.append(np.array(r["entropy"], dtype=float).ravel())
        groups.append(r[by])
        files.append(r["file"])
        correct.append(r.get("correct"))
    classes = sorted(set(groups))
    y = np.array([classes.index(g) for g in groups])
    return np.array(X), y, classes, files, correct


def pca_ref(X):
    Xc = X - X.mean(axis=0)
    U, S, Vt = np.linalg.svd(Xc, full_matrices=False)
    coords = U[:, :2] * S[:2]
    var = S ** 2 / np.sum(S ** 2)
    return coords, var[:2]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check-cli", metavar="BINARY", help="compare with the built entropy-lens binary")
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    prof = os.path.join(OUT, "profiles.jsonl")
    make_profiles(prof)
    make_reader_fixtures()

    X, y, classes, files, correct = read_dataset(prof, "label")
    exp = {"n": len(y), "classes": classes, "dim": X.shape[1]}
    exp["classify"] = []
    for k, folds, seed, std in ((29, 10, 42, False), (5, 5, 7, False), (29, 10, 42, True)):
        r = cv_knn(X, y, len(classes), k, folds, seed, std)
        r.update({"k": k, "n_folds": folds, "seed": seed, "standardize": std})
        del r["proba"]
        exp["classify"].append(r)

    # correctness: every record with `correct` true/false (the `by`-less reader keeps
    # unlabelled records too, so read again without a group field).
    Xc_, yc_ = [], []
    for line in open(prof):
        if not line.strip():
            continue
        r = json.loads(line)
        if r.get("error") is not None or r.get("correct") is None:
            continue
        Xc_.append(r["entropy"])
        yc_.append(1 if r["correct"] else 0)
    Xc_, yc_ = np.array(Xc_, dtype=float), np.array(yc_)
    cr = cv_knn(Xc_, yc_, 2, 29, 10, 42)
    exp["correctness"] = {
        "n": len(yc_),
        "n_correct": int(yc_.sum()),
        "folds": cr["folds"],
        "fold_auc": cr["fold_auc"],
        "auc_mean": cr["auc_mean"],
        "pooled_auc": cr["pooled_auc"],
        "acc_mean": cr["acc_mean"],
        "layer_auc": [float(roc_auc_score(yc_, -Xc_[:, j])) for j in range(Xc_.shape[1])],
        "mean_correct": Xc_[yc_ == 1].mean(axis=0).tolist(),
        "mean_wrong": Xc_[yc_ == 0].mean(axis=0).tolist(),
    }

    coords, var = pca_ref(X)
    exp["pca"] = {"coords": coords.tolist(), "var_ratio": var.tolist()}

    # Special functions: scipy's values for the C implementation to match.
    bi = []
    for a, b, x in ((0.5, 0.5, 0.3), (2, 3, 0.5), (5, 0.5, 0.9), (0.5, 4.5, 0.05), (10, 10, 0.45),
                    (4.5, 0.5, 0.99), (100, 0.5, 0.98), (1, 1, 0.7), (0.1, 20, 0.001)):
        bi.append([a, b, x, float(scipy.special.betainc(a, b, x))])
    exp["betainc"] = bi
    tp = []
    for t, df in ((2.0, 10), (1.0, 1), (2.228138851986, 10), (-3.5, 4), (0.0, 9), (12.0, 9), (1.5, 2.5), (40.0, 30)):
        tp.append([t, df, float(2 * scipy.stats.t.sf(abs(t), df))])
    exp["t_two_sided_p"] = tp

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(exp, f, indent=1)
        f.write("\n")

    for r in exp["classify"]:
        print("classify k=%d folds=%d seed=%d std=%s: accuracy %.4f (pooled %.4f), AUC %.4f (pooled %.4f), "
              "baseline %.4f, t %.4f, p %.4g" % (r["k"], r["n_folds"], r["seed"], r["standardize"], r["acc_mean"],
                                                 r["pooled_acc"], r["auc_mean"], r["pooled_auc"], r["base_mean"],
                                                 r["t"], r["p"]))
    c = exp["correctness"]
    print("correctness: n %d (%d right), k-NN AUC %.4f (pooled %.4f), best layer AUC %.4f" %
          (c["n"], c["n_correct"], c["auc_mean"], c["pooled_auc"], max(c["layer_auc"])))

    if args.check_cli:
        ok = True
        with tempfile.TemporaryDirectory() as td:
            fcsv = os.path.join(td, "folds.csv")
            for r in exp["classify"]:
                cmd = [args.check_cli, "classify", prof, "--by", "label", "--k", str(r["k"]), "--folds",
                       str(r["n_folds"]), "--seed", str(r["seed"]), "--json", "--folds-out", fcsv]
                if r["standardize"]:
                    cmd.append("--standardize")
                out = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
                rows = list(csv.DictReader(open(fcsv)))
                folds_c = [int(row["fold"]) for row in rows]
                same = folds_c == r["folds"] and [row["file"] for row in rows] == files
                print("CLI k=%d folds=%d seed=%d std=%s: folds %s; accuracy %.6f vs %.6f (|d| %.2g), AUC %.6f vs "
                      "%.6f (|d| %.2g), p %.6g vs %.6g" %
                      (r["k"], r["n_folds"], r["seed"], r["standardize"], "identical" if same else "DIFFER",
                       out["accuracy"]["mean"], r["acc_mean"], abs(out["accuracy"]["mean"] - r["acc_mean"]),
                       out["auc"]["mean"], r["auc_mean"], abs(out["auc"]["mean"] - r["auc_mean"]),
                       out["t_test"]["p"], r["p"]))
                ok &= same
            cmd = [args.check_cli, "correctness", prof, "--json"]
            out = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
            d = max(abs(a["auc"] - b) for a, b in zip(out["layers"], c["layer_auc"]))
            print("CLI correctness: k-NN AUC %.6f vs %.6f, max |d| single-layer AUC %.2g" %
                  (out["knn"]["auc"]["mean"], c["auc_mean"], d))
        if not ok:
            sys.exit(1)


if __name__ == "__main__":
    main()
