"""bench/python's measurements (run by bench/python in .venv with PYTHONPATH=BUILD/python):
attnscope.show() against bertviz's head_view and model_view on the same attentions, in the same
headless Chromium (page.mjs), at 12 layers x 12 heads.

Per size: random softmaxed float32 attentions as torch tensors [1, 12, n, n] per layer, as
output_attentions returns them; from_attentions (median of 5; no copy); show() (building the page)
and its page's bytes and first paint (median of --visits fresh browsers; the kernel's data server
runs in this process, as in a notebook); bertviz's head_view and model_view pages
(html_action="return", their CDN scripts served from node_modules) and their first paint, or "did
not draw in N s". bertviz's page holds every weight as JSON text; sizes whose JSON would pass
--bertviz-max-mb are not built ("not run").
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

import attnscope

HERE = os.path.dirname(os.path.abspath(__file__))
LAYERS = HEADS = 12


def attentions(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    return tuple(torch.softmax(3 * torch.randn(1, HEADS, n, n, generator=g), dim=-1) for _ in range(LAYERS))


def paint(kind, page, limit_s):
    """page.mjs's JSON line for one page in a fresh browser."""
    env = {**os.environ, "NODE_PATH": os.path.join(HERE, "..", "..", "node_modules")}
    r = subprocess.run(["node", os.path.join(HERE, "page.mjs"), kind, page, str(limit_s)], capture_output=True, text=True,
                       env=env, timeout=limit_s + 60)
    lines = [l for l in r.stdout.splitlines() if l.startswith("{")]
    return json.loads(lines[-1]) if lines else {"first_paint_ms": None, "error": (r.stderr or r.stdout).strip()[-300:]}


def wrap(body):
    return "<!doctype html><html><head><meta charset='utf-8'></head><body>" + body + "</body></html>"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="128 512 2048")
    ap.add_argument("--visits", type=int, default=3)
    ap.add_argument("--limit", type=int, default=120, help="seconds a bertviz page gets to draw")
    ap.add_argument("--bertviz-max-mb", type=float, default=400)
    args = ap.parse_args()
    try:
        from bertviz import head_view, model_view
    except ImportError:
        head_view = model_view = None
        print("note: bertviz is not installed in this Python (python/requirements-reference.txt); its columns say so")
    out = tempfile.mkdtemp(prefix="bench-python-")
    rows = []
    for n in [int(x) for x in args.sizes.split()]:
        att, tokens = attentions(n), [f"w{i}" for i in range(n)]
        times = []
        for _ in range(5):
            t = time.perf_counter()
            s = attnscope.from_attentions(att, tokens)
            times.append((time.perf_counter() - t) * 1e3)
        row = {"tokens": n, "from_attentions_ms": statistics.median(times),
               "no_copy": bool(np.shares_memory(s.weights("encoder-self", 3), att[3].numpy()))}
        t = time.perf_counter()
        v = attnscope.show(s)
        page = wrap(v._repr_html_())
        row["show_ms"] = (time.perf_counter() - t) * 1e3
        row["embedded"] = v.embedded
        path = os.path.join(out, f"attnscope-{n}.html")
        open(path, "w", encoding="utf-8").write(page)
        row["bytes"] = os.path.getsize(path)
        visits = [paint("attnscope", path, 60) for _ in range(args.visits)]
        ms = [p["first_paint_ms"] for p in visits if p["first_paint_ms"] is not None]
        row["first_paint_ms"] = statistics.median(ms) if len(ms) == len(visits) else None
        row["attnscope_error"] = next((p["error"] for p in visits if p.get("error")), None)
        for name, fn in (("head_view", head_view), ("model_view", model_view)):
            json_mb = LAYERS * HEADS * n * n * 45 / 1e6  # ~45 bytes a weight in its page (108.6 MB at 128 tokens)
            if fn is None:
                row[name] = {"ms": None, "note": "not installed"}
                continue
            if json_mb > args.bertviz_max_mb:
                row[name] = {"ms": None, "note": f"not run: ~{json_mb / 1000:.1f} GB of JSON"}
                continue
            t = time.perf_counter()
            html = fn(att, tokens, html_action="return").data
            build_s = time.perf_counter() - t
            bpath = os.path.join(out, f"bertviz-{name}-{n}.html")
            open(bpath, "w", encoding="utf-8").write(wrap(html))
            del html
            p = paint("bertviz", bpath, args.limit)
            row[name] = {"ms": p["first_paint_ms"], "bytes": os.path.getsize(bpath), "build_s": build_s,
                         "note": p.get("error") or ""}
            os.remove(bpath)
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
        del att, s, v, page

    print(f"attnscope.show() vs bertviz, {LAYERS} x {HEADS} heads, headless Chromium; first paint in ms "
          f"(attnscope: median of {args.visits} visits)")
    print("| tokens | attnscope first paint | attnscope page | embedded | head_view first paint | head_view page "
          "| model_view first paint | bertviz / attnscope | from_attentions |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        def bv(name):
            b = r[name]
            if b["ms"] is None:
                return b["note"] or "did not draw", "-"
            return f"{b['ms']:.0f} ms", f"{b['bytes'] / 1e6:.1f} MB"
        hv, hv_bytes = bv("head_view")
        mv, _ = bv("model_view")
        ratios = [f"{r[k]['ms'] / r['first_paint_ms']:.0f}x ({k})" for k in ("head_view", "model_view")
                  if r[k]["ms"] is not None and r["first_paint_ms"]]
        fp = f"{r['first_paint_ms']:.0f} ms" if r["first_paint_ms"] else f"failed: {r['attnscope_error']}"
        print(f"| {r['tokens']:,} | {fp} | {r['bytes'] / 1e6:.2f} MB | {r['embedded']} | {hv} | {hv_bytes} | {mv} | "
              f"{', '.join(ratios) or '-'} | {r['from_attentions_ms']:.2f} ms{'' if r['no_copy'] else ' (copied!)'} |")


if __name__ == "__main__":
    main()
