#!/usr/bin/python3
"""BLEU over training time as an SVG line chart, from a model folder's train_log.tsv.

usage: tools/plot_bleu.py MODEL_DIR/train_log.tsv OUT.svg [--title TEXT] [--test-bleu X] [--test-label TEXT]
Standard library only (this machine has no matplotlib). bench/translate turns the SVG into a PNG
with headless Chromium when it is installed.
"""
import argparse
import math
import sys


def nice_step(span, ticks=6):
    """A tick step of 1, 2 or 5 times a power of ten giving at most `ticks` intervals over span."""
    if span <= 0:
        return 1
    power = 10 ** math.floor(math.log10(span / ticks))
    for m in (1, 2, 5, 10):
        if span / (m * power) <= ticks:
            return m * power
    return 10 * power


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("out")
    ap.add_argument("--title", default="Validation BLEU during training")
    ap.add_argument("--test-bleu", type=float, default=None, help="test BLEU of the best checkpoint, drawn at its time")
    ap.add_argument("--test-label", default="beam 4", help="how the test BLEU was decoded (default: beam 4)")
    a = ap.parse_args()
    rows = []
    with open(a.log, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        if header[:4] != ["step", "minutes", "train_loss", "valid_bleu"]:
            sys.exit(f"{a.log}: not a train_log.tsv (header {header})")
        for n, line in enumerate(f, 2):
            parts = line.split("\t")
            try:
                rows.append((int(parts[0]), float(parts[1]), float(parts[2]), float(parts[3])))
            except (ValueError, IndexError):
                sys.exit(f"{a.log}:{n}: malformed line")
    if not rows:
        sys.exit(f"{a.log}: no evaluations yet")
    W, H, L, R, T, B = 760, 440, 70, 30, 60, 60
    best = max(rows, key=lambda r: r[3])  # the checkpoint training keeps (best validation BLEU)
    top_minutes = max(r[1] for r in rows)
    top_bleu = max(best[3], a.test_bleu or 0) * 1.1  # headroom above the highest point
    xstep, ystep = nice_step(top_minutes), nice_step(top_bleu)
    xmax = xstep * max(1, math.ceil(top_minutes / xstep))
    ymax = ystep * max(1, math.ceil(top_bleu / ystep))
    x = lambda m: L + (W - L - R) * m / xmax
    y = lambda b: H - B - (H - T - B) * b / ymax
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="DejaVu Sans, sans-serif">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{L}" y="28" font-size="17" font-weight="bold">{a.title}</text>',
           f'<text x="{L}" y="46" font-size="12" fill="#555">sacreBLEU-13a, 300 validation sentences, greedy;'
           f' x: minutes of training steps</text>']
    for i in range(int(round(ymax / ystep)) + 1):  # grid and y ticks
        b = ystep * i
        out.append(f'<line x1="{L}" x2="{W - R}" y1="{y(b):.1f}" y2="{y(b):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{L - 8}" y="{y(b) + 4:.1f}" font-size="11" text-anchor="end">{b:g}</text>')
    for i in range(int(round(xmax / xstep)) + 1):
        m = xstep * i
        out.append(f'<text x="{x(m):.1f}" y="{H - B + 18}" font-size="11" text-anchor="middle">{m:g}</text>')
    out.append(f'<line x1="{L}" x2="{W - R}" y1="{H - B}" y2="{H - B}" stroke="#333"/>')
    out.append(f'<line x1="{L}" x2="{L}" y1="{T}" y2="{H - B}" stroke="#333"/>')
    out.append(f'<text x="{(L + W - R) / 2}" y="{H - 15}" font-size="12" text-anchor="middle">training minutes</text>')
    out.append(f'<text x="18" y="{(T + H - B) / 2}" font-size="12" text-anchor="middle" '
               f'transform="rotate(-90 18 {(T + H - B) / 2})">BLEU</text>')
    pts = " ".join(f"{x(r[1]):.1f},{y(r[3]):.1f}" for r in rows)
    out.append(f'<polyline points="{pts}" fill="none" stroke="#1f77b4" stroke-width="2"/>')
    for r in rows:
        out.append(f'<circle cx="{x(r[1]):.1f}" cy="{y(r[3]):.1f}" r="2.5" fill="#1f77b4"/>')
    # The best checkpoint, ringed; the test score belongs to it, so it is drawn at its time.
    out.append(f'<circle cx="{x(best[1]):.1f}" cy="{y(best[3]):.1f}" r="5.5" fill="none" stroke="#1f77b4" stroke-width="1.5"/>')
    if a.test_bleu is not None:
        out.append(f'<circle cx="{x(best[1]):.1f}" cy="{y(a.test_bleu):.1f}" r="5" fill="#d62728"/>')
    # Legend in the lower right, where a rising curve leaves room.
    last = rows[-1]
    lines = [("line", "#1f77b4", f"validation BLEU: best {best[3]:.1f} (step {best[0]}, ringed), last {last[3]:.1f} (step {last[0]})")]
    if a.test_bleu is not None:
        lines.append(("dot", "#d62728", f"test_2016_flickr {a.test_bleu:.1f}, {a.test_label} (best checkpoint)"))
    lx, ly = W - R - 420, H - B - 14 - 18 * len(lines)
    out.append(f'<rect x="{lx - 8}" y="{ly - 6}" width="428" height="{18 * len(lines) + 8}" fill="white" stroke="#ccc"/>')
    for i, (kind, colour, text) in enumerate(lines):
        cy = ly + 18 * i + 7
        if kind == "line":
            out.append(f'<line x1="{lx}" x2="{lx + 18}" y1="{cy}" y2="{cy}" stroke="{colour}" stroke-width="2"/>')
        else:
            out.append(f'<circle cx="{lx + 9}" cy="{cy}" r="5" fill="{colour}"/>')
        out.append(f'<text x="{lx + 26}" y="{cy + 4}" font-size="11" fill="{colour}">{text}</text>')
    out.append("</svg>")
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
