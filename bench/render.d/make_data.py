"""Synthetic attention for bench/render: softmax rows of seeded random scores with a diagonal
and a first-token bias (so figures have structure), written as .npy files that both attnscope
(through `attnscope import`) and matplotlib read.

    make_data.py DIR      writes grid.npy [12, 12, 512, 512], big.npy [4096, 4096],
                          small.npy [64, 64] and tokens_{512,4096,64}.json
"""
import json
import os
import sys

import numpy as np


def softmax_rows(t, rng, scale=3.0):
    scores = rng.standard_normal((t, t), dtype=np.float32) * scale
    idx = np.arange(t)
    scores[idx, idx] += 4.0
    scores[:, 0] += 2.0
    scores -= scores.max(axis=1, keepdims=True)
    e = np.exp(scores)
    return e / e.sum(axis=1, keepdims=True)


def tokens(n):
    words = "the cat sat on a mat while it rained and we read".split()
    return [words[i % len(words)] + ("" if i < len(words) else str(i // len(words))) for i in range(n)]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(0)
    grid = np.empty((12, 12, 512, 512), dtype=np.float32)
    for layer in range(12):
        for head in range(12):
            grid[layer, head] = softmax_rows(512, rng)
    np.save(os.path.join(out, "grid.npy"), grid)
    np.save(os.path.join(out, "big.npy"), softmax_rows(4096, rng))
    np.save(os.path.join(out, "small.npy"), softmax_rows(64, rng))
    for n in (512, 4096, 64):
        with open(os.path.join(out, f"tokens_{n}.json"), "w") as f:
            json.dump(tokens(n), f)


if __name__ == "__main__":
    main()
