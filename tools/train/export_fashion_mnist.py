#!/usr/bin/env python3
"""Write Fashion-MNIST test images as PNG in ImageFolder layout (OUT/<class>/),
named after the sample model's classes, for the worked example.

Usage: tools/train/export_fashion_mnist.py OUT [--per-class N] [--offset K]
Reads Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
Images from the test split only (the sample model never trained on them);
--offset skips the first K of each class (samples/images holds the first 4).
"""
import argparse
import gzip
import os
import struct

from PIL import Image

CLASSES = ["tshirt_top", "trouser", "pullover", "dress", "coat",
           "sandal", "shirt", "sneaker", "bag", "ankle_boot"]
ROOT = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, n = struct.unpack(">II", data[:8])
    if magic == 2051:
        rows, cols = struct.unpack(">II", data[8:16])
        return [data[16 + i * rows * cols:16 + (i + 1) * rows * cols] for i in range(n)], (cols, rows)
    return list(data[8:8 + n]), None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--per-class", type=int, default=50)
    ap.add_argument("--offset", type=int, default=4)
    a = ap.parse_args()
    images, size = read_idx(os.path.join(ROOT, "t10k-images-idx3-ubyte.gz"))
    labels, _ = read_idx(os.path.join(ROOT, "t10k-labels-idx1-ubyte.gz"))
    seen = [0] * 10
    for i, (img, lab) in enumerate(zip(images, labels)):
        seen[lab] += 1
        if seen[lab] <= a.offset or seen[lab] > a.offset + a.per_class:
            continue
        d = os.path.join(a.out, CLASSES[lab])
        os.makedirs(d, exist_ok=True)
        Image.frombytes("L", size, img).save(os.path.join(d, "test_%05d.png" % i))


if __name__ == "__main__":
    main()
