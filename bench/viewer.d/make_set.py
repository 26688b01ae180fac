#!/usr/bin/python3
"""Writes a synthetic .attn.safetensors (docs/attention-file.md) for viewer tests and the bench.

usage: make_set.py LAYERS HEADS TOKENS OUT [--kind encoder-self] [--dtype F32|F16] [--seed 0] [--noise 1]

Every head is a softmax over keys of a recognisable pattern (diagonal, previous token, first
token, a band, noise), so thumbnails differ and a wrong head is visible. Written layer by layer,
so 12 x 12 x 2,048 tokens needs only one block in memory.
"""
import argparse, json, struct
import numpy as np

p = argparse.ArgumentParser()
p.add_argument("layers", type=int); p.add_argument("heads", type=int); p.add_argument("tokens", type=int)
p.add_argument("out"); p.add_argument("--kind", default="encoder-self")
p.add_argument("--dtype", default="F32", choices=["F32", "F16"]); p.add_argument("--seed", type=int, default=0)
p.add_argument("--noise", type=float, default=1.0, help="scale of the random part of the scores")
a = p.parse_args()
L, H, N = a.layers, a.heads, a.tokens
rng = np.random.default_rng(a.seed)
words = ["the", "cat", "sat", "on", "a", "mat", "and", "then", "it", "slept", "for", "hours"]
tokens = [f"{words[i % len(words)]}{i // len(words) or ''}" for i in range(N)]

def block(layer):
    out = np.empty((H, N, N), dtype=np.float32)
    q = np.arange(N)[:, None]; k = np.arange(N)[None, :]
    for h in range(H):
        kind = (layer * H + h) % 5
        if kind == 0: s = -np.abs(q - k).astype(np.float32)                 # diagonal
        elif kind == 1: s = -np.abs(q - 1 - k).astype(np.float32) * 2      # previous token
        elif kind == 2: s = np.where(k == 0, 4.0, 0.0).astype(np.float32) + 0 * q  # first token
        elif kind == 3: s = -np.abs(q - k - (h + 2)).astype(np.float32) / 2  # a band
        else: s = np.zeros((N, N), np.float32)
        s = s + rng.standard_normal((N, N), dtype=np.float32) * (0.5 + layer / max(L, 1)) * a.noise
        s -= s.max(axis=1, keepdims=True)
        e = np.exp(s); out[h] = e / e.sum(axis=1, keepdims=True)
    return out

np_dtype = np.float32 if a.dtype == "F32" else np.float16
size = H * N * N * np.dtype(np_dtype).itemsize
names = [f"{a.kind}.{l}" for l in range(L)]
tensors = {n: {"dtype": a.dtype, "shape": [H, N, N], "data_offsets": [i * size, (i + 1) * size]} for i, n in enumerate(names)}
src = tokens if a.kind != "decoder-self" else []
tgt = tokens if a.kind != "encoder-self" else []
runs = [{"name": "", "input": " ".join(tokens[:32]), "output": "", "source_tokens": src, "target_tokens": tgt,
         "blocks": names, "extras": [], "info": {}}]
meta = {"model": f"synthetic {L}x{H}, {N} tokens", "architecture": "synthetic", "attention": "softmax",
        "config": "{}", "subword": "none", "transforms": ""}
tensors["__metadata__"] = {"format": "attnscope/1", "meta": json.dumps(meta), "runs": json.dumps(runs)}
header = json.dumps(tensors).encode()
header += b" " * ((8 - (8 + len(header)) % 8) % 8)
with open(a.out + ".tmp", "wb") as f:
    f.write(struct.pack("<Q", len(header))); f.write(header)
    for l in range(L): f.write(block(l).astype(np_dtype).tobytes())
import os; os.replace(a.out + ".tmp", a.out)
