#!/usr/bin/env python3
"""How far a test corpus is from a model's training corpus: the share of its words (tokens and
types) that never occur in the training side, and, with --pieces, the mean number of BPE pieces
per word in each (a segmenter that knows a domain keeps its words whole).

usage: tools/oov_rate.py TRAIN(.gz) TEST [--pieces TRAIN_PIECES TEST_PIECES]
Words are the space-separated tokens after splitting punctuation off (so "playhouse." and
"playhouse ." count alike); case is kept, as the model sees it. Standard library only.
"""
import argparse
import gzip
import re

WORD = re.compile(r"\w+(?:[-']\w+)*|[^\w\s]", re.UNICODE)


def lines(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            yield line.rstrip("\n")


def words(path):
    for line in lines(path):
        yield from WORD.findall(line)


def pieces_per_word(path):
    n_words = n_pieces = 0
    for line in lines(path):
        toks = line.split()
        n_pieces += len(toks)
        n_words += sum(1 for t in toks if not t.endswith("@@"))
    return n_pieces / max(n_words, 1)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("train")
    p.add_argument("test")
    p.add_argument("--pieces", nargs=2, metavar=("TRAIN_PIECES", "TEST_PIECES"))
    a = p.parse_args()
    known = set(words(a.train))
    test = list(words(a.test))
    unknown = [w for w in test if w not in known]
    types = set(test)
    unknown_types = {w for w in types if w not in known}
    print(f"{a.test}: {len(test)} words, {len(unknown)} unknown to {a.train} "
          f"({100 * len(unknown) / max(len(test), 1):.1f}% of tokens, "
          f"{100 * len(unknown_types) / max(len(types), 1):.1f}% of {len(types)} types)")
    if a.pieces:
        print(f"BPE pieces per word: {pieces_per_word(a.pieces[0]):.2f} ({a.pieces[0]}), "
              f"{pieces_per_word(a.pieces[1]):.2f} ({a.pieces[1]})")


if __name__ == "__main__":
    main()
