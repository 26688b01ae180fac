#!/usr/bin/python3
"""A stdlib-only transcription of subword-nmt's BPE (learn_bpe.py and apply_bpe.py, version 0.2
codes, separator "@@"), to cross-check `attnscope bpe` where subword-nmt is not installed.

It follows learn_bpe.py's algorithm step for step, its quirks included: words split on " " only,
pairs counted per word type, the most frequent pair chosen by (count, pair), merges done with a
regex over the space-joined word, statistics updated only around merged occurrences, and the
pruned working set `stats` with its fallback to `big_stats`. apply follows apply_bpe.py's
process_line/encode. Files are read as UTF-8 (gzip when the name ends in .gz) and split on "\\n"
with a "\\r" before it dropped, as attnscope reads them.

Usage:
  tools/crosscheck_bpe.py learn --merges N [--min-frequency K] --out CODES FILE...
  tools/crosscheck_bpe.py apply --codes CODES FILE        (segmented lines on stdout)
  tools/crosscheck_bpe.py undo FILE
"""
import argparse
import gzip
import re
import sys
from collections import Counter, defaultdict

EOW = "</w>"


def read_lines(path):
    data = sys.stdin.buffer.read() if path == "-" else (
        gzip.open(path, "rb").read() if path.endswith(".gz") else open(path, "rb").read())
    text = data.decode("utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [l[:-1] if l.endswith("\r") else l for l in lines]


# --- learn_bpe.py -------------------------------------------------------------------------------
def word_counts(lines):
    counts = Counter()
    for line in lines:
        for w in line.strip("\r\n ").split(" "):
            if w:
                counts[w] += 1
    return counts


def pair_statistics(vocab):
    stats = defaultdict(int)
    index = defaultdict(lambda: defaultdict(int))  # pair -> word number -> occurrences
    for j, (word, freq) in enumerate(vocab):
        for a, b in zip(word, word[1:]):
            stats[a, b] += freq
            index[a, b][j] += 1
    return stats, index


def merge_in_words(pair, vocab, index):
    a, b = pair
    joined = (a + b).replace("\\", "\\\\")
    pattern = re.compile(r"(?<!\S)" + re.escape(a + " " + b) + r"(?!\S)")
    changed = []
    for j, n in index[pair].items():
        if n < 1:
            continue
        old, freq = vocab[j]
        new = tuple(pattern.sub(joined, " ".join(old)).split(" "))
        vocab[j] = (new, freq)
        changed.append((j, new, old, freq))
    return changed


def update_statistics(pair, changed, stats, index):
    stats[pair] = 0
    index[pair] = defaultdict(int)
    a, b = pair
    ab = a + b
    for j, new, old, freq in changed:
        i = 0
        while True:
            try:
                i = old.index(a, i)
            except ValueError:
                break
            if i < len(old) - 1 and old[i + 1] == b:
                if i:
                    p = old[i - 1:i + 1]
                    stats[p] -= freq
                    index[p][j] -= 1
                if i < len(old) - 2:
                    # in "x a b a b" the next occurrence removes "b a" itself
                    if old[i + 2] != a or i >= len(old) - 3 or old[i + 3] != b:
                        p = old[i + 1:i + 3]
                        stats[p] -= freq
                        index[p][j] -= 1
                i += 2
            else:
                i += 1
        i = 0
        while True:
            try:
                i = new.index(ab, i)
            except ValueError:
                break
            if i:
                p = new[i - 1:i + 1]
                stats[p] += freq
                index[p][j] += 1
            if i < len(new) - 1 and new[i + 1] != ab:
                p = new[i:i + 2]
                stats[p] += freq
                index[p][j] += 1
            i += 1


def prune(stats, big_stats, threshold):
    for p, c in list(stats.items()):
        if c < threshold:
            del stats[p]
            if c < 0:
                big_stats[p] += c
            else:
                big_stats[p] = c


def learn(lines, num_merges, min_frequency=2, log=None):
    counts = word_counts(lines)
    vocab = {tuple(w[:-1]) + (w[-1] + EOW,): c for w, c in counts.items()}
    vocab = sorted(vocab.items(), key=lambda x: x[1], reverse=True)
    stats, index = pair_statistics(vocab)
    big_stats = defaultdict(int, stats)
    merges = []
    if not stats:
        return merges
    threshold = max(stats.values()) / 10
    best = None
    for i in range(num_merges):
        if stats:
            best = max(stats, key=lambda x: (stats[x], x))
        if not stats or (i and stats[best] < threshold):
            prune(stats, big_stats, threshold)
            stats = defaultdict(int, big_stats)
            if not stats:
                break
            best = max(stats, key=lambda x: (stats[x], x))
            threshold = stats[best] * i / (i + 10000.0)
            prune(stats, big_stats, threshold)
        if stats[best] < min_frequency:
            if log:
                log("no pair has frequency >= %d. Stopping" % min_frequency)
            break
        merges.append(best)
        changed = merge_in_words(best, vocab, index)
        update_statistics(best, changed, stats, index)
        stats[best] = 0
        if not i % 100:
            prune(stats, big_stats, threshold)
    return merges


# --- apply_bpe.py -------------------------------------------------------------------------------
class Bpe:
    def __init__(self, path):
        text = open(path, encoding="utf-8").read()
        lines = text.split("\n")
        offset = 1
        self.version = (0, 1)
        if lines and lines[0].startswith("#version:"):
            self.version = tuple(int(x) for x in re.sub(r"(\.0+)*$", "", lines[0].split()[-1]).split("."))
            lines = lines[1:]
            offset = 2
        body = "\n".join(lines).rstrip("\n")
        codes = [tuple(l.strip("\r\n ").split(" ")) for l in body.split("\n")]  # "" fails, as there
        for n, c in enumerate(codes):
            if len(c) != 2:
                raise SystemExit("%s: invalid line %d: %r" % (path, n + offset, " ".join(c)))
        self.ranks = {}
        for r, c in enumerate(codes):
            self.ranks.setdefault(c, r)
        self.cache = {}

    def encode(self, orig):
        if orig in self.cache:
            return self.cache[orig]
        if len(orig) == 1:
            return (orig,)
        if self.version == (0, 1):
            word = list(orig) + [EOW]
        else:
            word = list(orig[:-1]) + [orig[-1] + EOW]
        while len(word) > 1:
            pairs = [(self.ranks[p], i, p) for i, p in enumerate(zip(word, word[1:])) if p in self.ranks]
            if not pairs:
                break
            best = min(pairs)[2]
            out, i = [], 0
            for j in [i for (r, i, p) in pairs if p == best]:
                if j < i:
                    continue
                out.extend(word[i:j])
                out.append(best[0] + best[1])
                i = j + 2
            out.extend(word[i:])
            word = out
        if word[-1] == EOW:
            word = word[:-1]
        elif word[-1].endswith(EOW):
            word[-1] = word[-1][:-len(EOW)]
        self.cache[orig] = tuple(word)
        return self.cache[orig]

    def process_line(self, line):
        pad = "\r\n "
        lead = len(line) - len(line.lstrip(pad))
        out = line[:lead]
        pieces = []
        for w in line.strip(pad).split(" "):
            if not w:
                continue
            seg = self.encode(w)
            pieces.extend(p + "@@" for p in seg[:-1])
            pieces.append(seg[-1])
        out += " ".join(pieces)
        trail = len(line) - len(line.rstrip(pad))
        if trail and trail != len(line):
            out += line[-trail:]
        return out


def undo(line):
    return re.sub(r"(@@ )|(@@ ?$)", "", line)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("learn")
    p.add_argument("--merges", type=int, required=True)
    p.add_argument("--min-frequency", type=int, default=2)
    p.add_argument("--out", required=True)
    p.add_argument("files", nargs="+")
    p = sub.add_parser("apply")
    p.add_argument("--codes", required=True)
    p.add_argument("file")
    p = sub.add_parser("undo")
    p.add_argument("file")
    args = ap.parse_args()

    out = sys.stdout
    if args.command == "learn":
        lines = [l for f in args.files for l in read_lines(f)]
        merges = learn(lines, args.merges, args.min_frequency, log=lambda m: print(m, file=sys.stderr))
        with open(args.out, "w", encoding="utf-8") as f:
            f.write("#version: 0.2\n")
            for a, b in merges:
                f.write("%s %s\n" % (a, b))
    elif args.command == "apply":
        bpe = Bpe(args.codes)
        for line in read_lines(args.file):
            out.write(bpe.process_line(line) + "\n")
    else:
        for line in read_lines(args.file):
            out.write(undo(line) + "\n")


if __name__ == "__main__":
    main()
