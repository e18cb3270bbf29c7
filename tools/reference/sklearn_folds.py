#!/usr/bin/env python3
"""Expected fold assignments of `--no-shuffle` from scikit-learn itself.

StratifiedKFold(n_splits=K, shuffle=False).split(X, y) for a few label
vectors (uneven classes, classes not in sorted order of first appearance,
a class smaller than K), written as tests/fixtures/analysis/folds_noshuffle.txt:
one case per line, "K n y_0 .. y_{n-1} : fold_0 .. fold_{n-1}". The labels are
0-based class indices in sorted order (as LabelEncoder gives them, what the
tool's el_dataset hands to cross-validation).

Usage: /usr/bin/python3 tools/reference/sklearn_folds.py  (needs scikit-learn)
"""
import os
import warnings

import numpy as np
from sklearn.model_selection import StratifiedKFold

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "tests", "fixtures", "analysis", "folds_noshuffle.txt")


def cases():
    rng = np.random.default_rng(18)
    yield 3, [0, 0, 0, 1, 1, 1, 2, 2, 2]
    yield 2, [1, 0, 1, 0, 1, 0, 1]
    yield 4, [2, 2, 0, 1, 0, 2, 1, 1, 0, 2, 2, 2, 0, 1]
    yield 3, [1, 1, 1, 1, 1, 0, 0, 2]                    # class 2 smaller than K
    yield 10, list(rng.integers(0, 4, 57))
    yield 10, sorted(list(rng.integers(0, 3, 40)))        # the format experiment: labels in blocks
    yield 5, list(rng.integers(0, 6, 33))
    yield 7, [3] * 9 + [0] * 5 + [2] * 8 + [1] * 7


def main():
    lines = []
    for k, y in cases():
        y = np.asarray(y, dtype=int)
        fold = np.empty(len(y), dtype=int)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "least populated class has only ... members"
            for f, (_, test) in enumerate(StratifiedKFold(n_splits=k, shuffle=False).split(np.zeros(len(y)), y)):
                fold[test] = f
        lines.append("%d %d %s : %s" % (k, len(y), " ".join(map(str, y)), " ".join(map(str, fold))))
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote", os.path.normpath(OUT), len(lines), "cases")


if __name__ == "__main__":
    main()
