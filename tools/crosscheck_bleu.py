#!/usr/bin/python3
"""A stdlib-only transcription of sacreBLEU 2.x's default corpus BLEU (tokenizer 13a, mixed case,
n-grams 1..4, smoothing "exp", no effective order, one reference), to cross-check `attnscope bleu`
where sacreBLEU is not installed. It follows tokenizers/tokenizer_13a.py + tokenizer_re.py and
metrics/bleu.py (compute_bleu, _compute_segment_statistics); lines are right-stripped first, as
sacreBLEU's command line does.

Usage:
  tools/crosscheck_bleu.py score --hyp FILE --ref FILE [--json]   the sacreBLEU line (or JSON)
  tools/crosscheck_bleu.py tok FILE                               13a tokens, one line each
  tools/crosscheck_bleu.py perturb --seed S --level P FILE        a damaged copy, for tests
"""
import argparse
import gzip
import json
import math
import random
import re
import sys
from collections import Counter

MAX_ORDER = 4


def read_lines(path):
    data = sys.stdin.buffer.read() if path == "-" else (
        gzip.open(path, "rb").read() if path.endswith(".gz") else open(path, "rb").read())
    lines = data.decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [l[:-1] if l.endswith("\r") else l for l in lines]


# --- tokenizer_13a.py + tokenizer_re.py ---------------------------------------------------------
RULES = [
    (re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])"), r" \1 "),  # ASCII symbols but ' , - .
    (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),  # period/comma not after a digit
    (re.compile(r"([\.,])([^0-9])"), r" \1 \2"),  # period/comma not before a digit
    (re.compile(r"([0-9])(-)"), r"\1 \2 "),  # dash after a digit
]


def tokenize_13a(line):
    for a, b in (("<skipped>", ""), ("-\n", ""), ("\n", " "), ("&quot;", '"'), ("&amp;", "&"),
                 ("&lt;", "<"), ("&gt;", ">")):
        line = line.replace(a, b)
    line = " %s " % line
    for pattern, repl in RULES:
        line = pattern.sub(repl, line)
    return " ".join(line.strip().split())


# --- metrics/bleu.py ----------------------------------------------------------------------------
def ngrams(line):
    tokens = line.split()
    counts = Counter()
    for n in range(1, MAX_ORDER + 1):
        for i in range(len(tokens) - n + 1):
            counts[tuple(tokens[i:i + n])] += 1
    return counts, len(tokens)


def safe_log(x):
    return math.log(x) if x != 0 else -9999999999


def corpus_bleu(hyps, refs):
    if len(hyps) != len(refs):
        raise SystemExit("%d hypotheses but %d references" % (len(hyps), len(refs)))
    sys_len = ref_len = 0
    correct = [0] * MAX_ORDER
    total = [0] * MAX_ORDER
    for k, (hyp, ref) in enumerate(zip(hyps, refs)):
        hyp, ref = hyp.rstrip(), ref.rstrip()
        if ref == "":
            raise SystemExit("reference line %d is empty" % (k + 1))
        ref_counts, rlen = ngrams(tokenize_13a(ref))
        hyp_counts, hlen = ngrams(tokenize_13a(hyp))
        sys_len += hlen
        ref_len += rlen
        for gram, c in hyp_counts.items():
            n = len(gram) - 1
            total[n] += c
            if gram in ref_counts:
                correct[n] += min(c, ref_counts[gram])

    if sys_len < ref_len:
        bp = math.exp(1 - ref_len / sys_len) if sys_len > 0 else 0.0
    else:
        bp = 1.0
    precisions = [0.0] * MAX_ORDER
    score = 0.0
    if any(correct):
        smooth = 1.0
        for n in range(1, MAX_ORDER + 1):
            if total[n - 1] == 0:
                break
            if correct[n - 1] == 0:
                smooth *= 2
                precisions[n - 1] = 100.0 / (smooth * total[n - 1])
            else:
                precisions[n - 1] = 100.0 * correct[n - 1] / total[n - 1]
        score = bp * math.exp(sum([safe_log(p) for p in precisions]) / MAX_ORDER)
    ratio = sys_len / ref_len if ref_len else 0
    line = "BLEU = %.2f %s (BP = %.3f ratio = %.3f hyp_len = %d ref_len = %d)" % (
        score, "/".join("%.1f" % p for p in precisions), bp, ratio, sys_len, ref_len)
    return {"score": score, "precisions": precisions, "counts": correct, "totals": total, "bp": bp,
            "ratio": ratio, "hyp_len": sys_len, "ref_len": ref_len, "line": line}


# --- test data ----------------------------------------------------------------------------------
def perturb(lines, seed, level):
    """Drops, repeats and swaps words, and sprinkles in what 13a treats specially (&quot;,
    digit-dash, commas in numbers, brackets), so scores land well below 100."""
    rng = random.Random(seed)
    extras = ["&quot;", "3-4", "1,000", "2.5", "(", ")", "...", "--", "&amp;", "<skipped>", "a.b", "\u00a0"]
    out = []
    for line in lines:
        words = line.split(" ")
        new = []
        for w in words:
            r = rng.random()
            if r < level * 0.3:
                continue
            new.append(w)
            if r > 1 - level * 0.2:
                new.append(w)
            if rng.random() < level * 0.1:
                new.append(rng.choice(extras))
        for _ in range(int(len(new) * level * 0.2)):
            if len(new) > 1:
                i = rng.randrange(len(new) - 1)
                new[i], new[i + 1] = new[i + 1], new[i]
        out.append(" ".join(new))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("score")
    p.add_argument("--hyp", required=True)
    p.add_argument("--ref", required=True)
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("tok")
    p.add_argument("file")
    p = sub.add_parser("perturb")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--level", type=float, default=0.3)
    p.add_argument("file")
    args = ap.parse_args()
    if args.command == "score":
        r = corpus_bleu(read_lines(args.hyp), read_lines(args.ref))
        print(json.dumps(r) if args.json else r["line"])
    elif args.command == "tok":
        for line in read_lines(args.file):
            print(tokenize_13a(line))
    else:
        for line in perturb(read_lines(args.file), args.seed, args.level):
            print(line)


if __name__ == "__main__":
    main()
