"""The bench/render figures drawn with matplotlib, as a notebook user would: one process per
figure, numpy reads the .npy, pyplot draws and saves. Same data, same content as attnscope's:

    matplotlib_figures.py grid DIR OUT.png     12 x 12 thumbnails of 512^2 heads, head (8, 8) in
                                               detail with token labels and a colour bar
    matplotlib_figures.py big DIR OUT.png      one 4,096^2 heatmap, thinned labels, colour bar
    matplotlib_figures.py small DIR OUT.svg|pdf  a 64^2 heatmap, every token labelled, colour bar
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def load_tokens(d, n):
    with open(os.path.join(d, f"tokens_{n}.json")) as f:
        return json.load(f)


def labelled(ax, m, toks, every):
    im = ax.imshow(m, cmap="viridis", interpolation="nearest", aspect="equal")
    ticks = list(range(0, len(toks), every))
    ax.set_xticks(ticks)
    ax.set_xticklabels([toks[i] for i in ticks], rotation=90, fontsize=7)
    ax.set_yticks(ticks)
    ax.set_yticklabels([toks[i] for i in ticks], fontsize=7)
    return im


def grid(d, out):
    a = np.load(os.path.join(d, "grid.npy"), mmap_mode="r")
    toks = load_tokens(d, 512)
    fig = plt.figure(figsize=(16, 8), dpi=96)
    outer = fig.add_gridspec(1, 2, width_ratios=[1, 1.1])
    thumbs = outer[0].subgridspec(12, 12, wspace=0.05, hspace=0.05)
    for layer in range(12):
        for head in range(12):
            ax = fig.add_subplot(thumbs[layer, head])
            ax.imshow(a[layer, head], cmap="viridis", interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if (layer, head) == (7, 7):
                for s in ax.spines.values():
                    s.set_edgecolor("yellow")
                    s.set_linewidth(2)
    ax = fig.add_subplot(outer[1])
    im = labelled(ax, a[7, 7], toks, 16)
    ax.set_title("layer 8, head 8")
    fig.colorbar(im, ax=ax, label="attention weight")
    fig.savefig(out)


def big(d, out):
    a = np.load(os.path.join(d, "big.npy"), mmap_mode="r")
    toks = load_tokens(d, 4096)
    fig, ax = plt.subplots(figsize=(10, 9), dpi=96)
    im = labelled(ax, a, toks, 128)
    ax.set_title("4,096 tokens")
    fig.colorbar(im, ax=ax, label="attention weight")
    fig.savefig(out)


def small(d, out):
    a = np.load(os.path.join(d, "small.npy"))
    toks = load_tokens(d, 64)
    fig, ax = plt.subplots(figsize=(9, 8), dpi=96)
    im = labelled(ax, a, toks, 1)
    ax.set_title("64 tokens")
    fig.colorbar(im, ax=ax, label="attention weight")
    fig.savefig(out)


if __name__ == "__main__":
    {"grid": grid, "big": big, "small": small}[sys.argv[1]](sys.argv[2], sys.argv[3])
