#!/usr/bin/python3
"""Cross-checks `attnscope tokenize --ids` against Python transcriptions of the reference
tokenizers on fixed and random texts: OpenAI GPT-2's encoder.py (byte-level BPE; needs Debian's
python3-regex for \\p{L}) and Hugging Face's BertTokenizer (BasicTokenizer + WordpieceTokenizer,
tokenization_bert.py). The transcriptions follow the published code's rules; nothing here is
derived from attnscope's output.

Usage: tools/crosscheck_tokenizers.py BUILD/attnscope [../shared/tokenizers] [--random N]
Prints one line per mismatch and a summary; exits 1 on any mismatch.
"""
import json
import os
import random
import subprocess
import sys
import tempfile
import unicodedata

import regex  # python3-regex


# --- GPT-2: encoder.py --------------------------------------------------------------------------
def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


class Gpt2:
    PAT = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")

    def __init__(self, folder):
        self.encoder = json.load(open(os.path.join(folder, "vocab.json"), encoding="utf-8"))
        lines = open(os.path.join(folder, "merges.txt"), encoding="utf-8").read().split("\n")[1:-1]
        self.ranks = {tuple(l.split()): i for i, l in enumerate(lines)}
        self.byte_encoder = bytes_to_unicode()

    def bpe(self, word):
        word = list(word)
        while len(word) > 1:
            pairs = set(zip(word, word[1:]))
            best = min(pairs, key=lambda p: self.ranks.get(p, float("inf")))
            if best not in self.ranks:
                break
            first, second = best
            out, i = [], 0
            while i < len(word):
                if i < len(word) - 1 and word[i] == first and word[i + 1] == second:
                    out.append(first + second)
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            word = out
        return word

    def encode(self, text):
        ids = []
        for token in self.PAT.findall(text):
            symbols = "".join(self.byte_encoder[b] for b in token.encode("utf-8"))
            ids.extend(self.encoder[s] for s in self.bpe(symbols))
        return ids


# --- BERT: tokenization_bert.py -----------------------------------------------------------------
def is_whitespace(c):
    return c in " \t\n\r" or unicodedata.category(c) == "Zs"


def is_control(c):
    return c not in "\t\n\r" and unicodedata.category(c).startswith("C")


def is_punctuation(c):
    cp = ord(c)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def is_chinese(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


class Bert:
    def __init__(self, folder):
        self.vocab = {}
        for i, line in enumerate(open(os.path.join(folder, "vocab.txt"), encoding="utf-8").readlines()):
            self.vocab[line.rstrip("\n")] = i
        self.specials = ["[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]"]

    def basic(self, text):
        out = []
        for c in text:
            if ord(c) == 0 or ord(c) == 0xFFFD or is_control(c):
                continue
            out.append(" " if is_whitespace(c) else c)
        text = "".join(" " + c + " " if is_chinese(ord(c)) else c for c in out)
        words = []
        for token in text.strip().split():
            token = token.lower()
            token = "".join(c for c in unicodedata.normalize("NFD", token) if unicodedata.category(c) != "Mn")
            cur = ""
            for c in token:
                if is_punctuation(c):
                    if cur:
                        words.append(cur)
                    words.append(c)
                    cur = ""
                else:
                    cur += c
            if cur:
                words.append(cur)
        return " ".join(words).split()

    def wordpiece(self, word):
        if len(word) > 100:
            return [self.vocab["[UNK]"]]
        ids, start = [], 0
        while start < len(word):
            end, found = len(word), None
            while start < end:
                sub = ("##" if start > 0 else "") + word[start:end]
                if sub in self.vocab:
                    found = self.vocab[sub]
                    break
                end -= 1
            if found is None:
                return [self.vocab["[UNK]"]]
            ids.append(found)
            start = end
        return ids

    def encode(self, text):
        # Special tokens written in the text stay whole (Hugging Face's added-token split).
        parts = regex.split("(" + "|".join(regex.escape(s) for s in self.specials) + ")", text)
        ids = []
        for p in parts:
            if p in self.specials:
                ids.append(self.vocab[p])
            else:
                for w in self.basic(p):
                    ids.extend(self.wordpiece(w))
        return ids


# --- texts --------------------------------------------------------------------------------------
FIXED = [
    "", " ", "Hello world", " Hello", "  two spaces", "a   b  ", "it's don't we're I'M", "Hello\n\nworld\n",
    "naïve café, Ångström, façade, jalapeño", "NAÏVE CAFÉ ΣΑΣ ΟΔΟΣ. İstanbul", "東京は日本の首都です。我爱北京天安门",
    "emoji 🦙👩‍💻 🇫🇷 ☃", "العربية: مرحبا بالعالم ١٢٣", "Ελληνικά, русский, עברית, हिन्दी, 한국어",
    "tabs\tand\r\nnew\n\nlines", "a\u00a0b\u2003c\u3000d\u2028e\u0085f", "The [MASK] sat on the [MASK].",
    "zero\u200bwidth soft\u00adhyphen", "$5.00 ^_^ `code` ~tilde~ @user #tag 100%",
    "unaffable tokenization playing", "x" * 120, "a'''s ?'s 'll 've 're", "½ ² ³ Ⅻ ⓐ",
]
ALPHABET = (list("abcXYZ019 ") + [" ", "  ", "\n", "\t", "'", "s", "'s", "é", "É", "ï", "Σ", "ß", "東", "京", "한",
            "ـ", "ع", "١", "🦙", "👩‍💻", "!", "?", ".", ",", "$", "\u00a0", "\u0301", "\u200b", "İ", "[MASK]", "ǅ"])


def attnscope_ids(binary, folder, text):
    with tempfile.NamedTemporaryFile("wb", delete=False) as f:
        f.write(text.encode("utf-8"))
    try:
        out = subprocess.run([binary, "tokenize", "--tokenizer", folder, "--ids", f.name],
                             capture_output=True, check=True).stdout.decode()
    finally:
        os.unlink(f.name)
    return [int(x) for x in out.split()]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n_random = int(sys.argv[sys.argv.index("--random") + 1]) if "--random" in sys.argv else 100
    if n_random and str(n_random) in args:
        args.remove(str(n_random))
    binary = args[0]
    shared = args[1] if len(args) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "tokenizers")
    rng = random.Random(3)
    texts = FIXED + ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 30))) for _ in range(n_random)]
    failures = 0
    for name, ref in (("gpt2", Gpt2(os.path.join(shared, "gpt2"))),
                      ("bert-base-uncased", Bert(os.path.join(shared, "bert-base-uncased")))):
        bad = 0
        for text in texts:
            want, got = ref.encode(text), attnscope_ids(binary, os.path.join(shared, name), text)
            if want != got:
                bad += 1
                print(f"MISMATCH {name} {text!r}: reference {want}, attnscope {got}")
        print(f"{name}: {len(texts) - bad}/{len(texts)} texts agree")
        failures += bad
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
