#!/usr/bin/env python3
"""attnscope's tokenizers against Hugging Face's, line by line, on real corpora.

usage: tokenizer_parity.py --bin BUILD/attnscope [--lines N] [--work DIR] [--show K]

Texts: the first N lines (default 20,000) of ../shared/data/multi30k/train.{en,de,fr}.gz and of
../shared/data/tatoeba/deu-eng.first50k.tsv, both columns (English and German) of each of those
as two texts; so 5N texts per tokenizer.

Tokenizers (each encoded with its special tokens, as for a model's input):
  bert-base-uncased  tokenizer.json, and vocab.txt        vs tokenizers (its tokenizer.json)
  gpt2               vocab.json + merges.txt, and the tokenizer.json GPT2TokenizerFast.save_pretrained writes
                                                          vs tokenizers (that tokenizer.json)
  opus-mt-en-mg      source.spm                           vs transformers' MarianTokenizer
  trained here with `tokenizers` on those multi30k lines, each vs tokenizers on its tokenizer.json:
    bpe-bytelevel-llama3  BPE, Split (Llama 3's regex) + ByteLevel, BOS template
    bpe-bytelevel-qwen2   the same model with Qwen2's regex, no template
    bpe-bytefallback      BPE with byte_fallback and fuse_unk, Llama 2's Prepend/Replace normalizer and
                          Replace/ByteFallback/Fuse/Strip decoder, "<s> $A"
    bpe-metaspace-first   the same model with a Metaspace(prepend_scheme "first") pre-tokenizer
    bpe-charlevel         BPE with end_of_word_suffix </w>, BertNormalizer, Whitespace pre-tokenizer
    wordpiece             BertWordPieceTokenizer (BertNormalizer, BertPreTokenizer, BertProcessing)
    unigram               Unigram, Replace(" {2,}"), Digits + Metaspace, BOS/EOS template
  spm-bpe-llama      a SentencePiece BPE tokenizer.model with byte_fallback trained here with
                     `sentencepiece` (Llama's options), alone in its folder
                                                          vs sentencepiece + BOS, as LlamaTokenizer
  spm-bpe-llama-json the tokenizer.json transformers' LlamaTokenizerFast converts it into
                                                          vs tokenizers on it

For each: lines whose ids are identical, the first mismatches, and the speed of both sides on the
same texts in one thread (attnscope: `tokenize --lines --time`, encoding only; Hugging Face:
encode_batch with parallelism off, or a loop for the Python-side tokenizers). Exits 1 when any
line differs, 2 when something is missing.
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["RAYON_RS_NUM_CPUS"] = "1"

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "shared"))


def read_texts(n):
    texts = []
    for lang in ("en", "de", "fr"):
        with gzip.open(os.path.join(SHARED, "data", "multi30k", f"train.{lang}.gz"), "rt", encoding="utf-8") as f:
            for i, line in enumerate(f):
                if i >= n:
                    break
                texts.append(line.rstrip("\r\n"))
    with open(os.path.join(SHARED, "data", "tatoeba", "deu-eng.first50k.tsv"), encoding="utf-8", newline="") as f:
        for i, line in enumerate(f):
            if i >= n:
                break
            texts.extend(line.rstrip("\r\n").split("\t")[:2])
    # Texts are sent one per line: a stray \r or \n inside one would split it.
    return [t.replace("\r", " ").replace("\n", " ") for t in texts]


def train_tokenizers(work, texts, small):
    """tokenizer.json folders trained with `tokenizers` on the multi30k texts."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from tokenizers.implementations import BertWordPieceTokenizer

    vocab = 600 if small else 4000
    out = {}

    def save(name, tok, config=None):
        d = os.path.join(work, name)
        os.makedirs(d, exist_ok=True)
        tok.save(os.path.join(d, "tokenizer.json"))
        if config is not None:
            with open(os.path.join(d, "tokenizer_config.json"), "w") as f:
                json.dump(config, f)
        out[name] = d

    llama3 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
    qwen2 = llama3.replace(r"\p{N}{1,3}", r"\p{N}")

    # Byte-level BPE, Llama 3 style.
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(llama3), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(texts, trainers.BpeTrainer(
        vocab_size=vocab, special_tokens=["<|begin_of_text|>", "<|end_of_text|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))
    tok.post_processor = processors.TemplateProcessing(single="<|begin_of_text|> $A",
                                                       special_tokens=[("<|begin_of_text|>", 0)])
    save("bpe-bytelevel-llama3", tok)
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(qwen2), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    save("bpe-bytelevel-qwen2", tok)

    # BPE with byte fallback, Llama 2 style: the alphabet is limited so that rarer characters fall
    # back to bytes; the 256 byte pieces are added to the model's vocabulary afterwards.
    tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("\u2581"), normalizers.Replace(" ", "\u2581")])
    tok.decoder = decoders.Sequence([decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse(),
                                     decoders.Strip(content=" ", left=1, right=0)])
    # Trained on words (a Metaspace split, else every line is one word and training crawls), then
    # saved without a pre-tokenizer as Llama 2 ships it.
    tok.pre_tokenizer = pre_tokenizers.Metaspace(prepend_scheme="first")
    tok.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=vocab, special_tokens=["<unk>", "<s>", "</s>"],
                                                       limit_alphabet=70, show_progress=False))
    tok.pre_tokenizer = None
    spec = json.loads(tok.to_str())
    v = spec["model"]["vocab"]
    for b in range(256):
        v.setdefault(f"<0x{b:02X}>", len(v))
    spec["post_processor"] = json.loads(processors.TemplateProcessing(
        single="<s> $A", special_tokens=[("<s>", v["<s>"])]).__getstate__())
    tok = Tokenizer.from_str(json.dumps(spec))
    save("bpe-bytefallback", tok)
    spec["normalizer"] = None
    spec["pre_tokenizer"] = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": False}
    spec["decoder"] = {"type": "Sequence", "decoders": [
        {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": False},
        {"type": "ByteFallback"}, {"type": "Fuse"}]}
    save("bpe-metaspace-first", Tokenizer.from_str(json.dumps(spec)))

    # Character-level BPE with an end-of-word suffix.
    tok = Tokenizer(models.BPE(unk_token="<unk>", end_of_word_suffix="</w>"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=False)
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.decoder = decoders.BPEDecoder(suffix="</w>")
    tok.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=vocab, special_tokens=["<unk>"],
                                                       end_of_word_suffix="</w>", limit_alphabet=80,
                                                       show_progress=False))
    save("bpe-charlevel", tok)

    # WordPiece, BERT style.
    wp = BertWordPieceTokenizer(lowercase=True)
    wp.train_from_iterator(texts, vocab_size=vocab, limit_alphabet=100, show_progress=False)
    save("wordpiece", wp._tokenizer)

    # Unigram with Metaspace.
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.Sequence([normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                                 pre_tokenizers.Metaspace(prepend_scheme="always")])
    tok.decoder = decoders.Metaspace(prepend_scheme="always")
    tok.train_from_iterator(texts, trainers.UnigramTrainer(vocab_size=vocab, special_tokens=["<unk>", "<s>", "</s>"],
                                                           unk_token="<unk>", show_progress=False))
    tok.post_processor = processors.TemplateProcessing(single="<s> $A </s>",
                                                       special_tokens=[("<s>", 1), ("</s>", 2)])
    save("unigram", tok)
    return out


def train_spm(work, texts, small):
    import sentencepiece as spm

    d = os.path.join(work, "spm-bpe-llama")
    os.makedirs(d, exist_ok=True)
    corpus = os.path.join(work, "spm-corpus.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        f.write("\n".join(texts) + "\n")
    spm.SentencePieceTrainer.train(
        input=corpus, model_prefix=os.path.join(d, "tokenizer"), model_type="bpe",
        vocab_size=800 if small else 4000, byte_fallback=True, character_coverage=0.995, split_digits=True,
        normalization_rule_name="identity", add_dummy_prefix=True, remove_extra_whitespaces=False,
        allow_whitespace_only_pieces=True, hard_vocab_limit=False, minloglevel=2,
        unk_id=0, bos_id=1, eos_id=2, pad_id=-1)
    os.remove(os.path.join(d, "tokenizer.vocab"))
    with open(os.path.join(d, "tokenizer_config.json"), "w") as f:
        json.dump({"add_bos_token": True, "add_eos_token": False, "bos_token": "<s>", "eos_token": "</s>"}, f)
    return d


def attnscope_ids(binary, tokenizer, texts, work):
    src = os.path.join(work, "texts.txt")
    with open(src, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(texts) + "\n")
    r = subprocess.run([binary, "tokenize", "--tokenizer", tokenizer, "--ids", "--special", "--lines", "--time", src],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None, 0.0, r.stderr.strip().splitlines()[-1] if r.stderr.strip() else f"exit {r.returncode}"
    lines = r.stdout.split("\n")[:-1]
    ids = [[int(x) for x in line.split()] for line in lines]
    tps = 0.0
    for line in r.stderr.splitlines():
        if line.startswith("encoded ") and "tokens/s" in line:
            tps = float(line.split("(")[1].split(" tokens/s")[0])
    return ids, tps, None


def hf_reference(kind, path, texts):
    """(ids per text, tokens/s) of the Hugging Face side."""
    if kind == "tokenizers":
        from tokenizers import Tokenizer
        tok = Tokenizer.from_file(path)
        tok.no_truncation()
        tok.no_padding()
        t0 = time.perf_counter()
        enc = tok.encode_batch(texts, add_special_tokens=True)
        dt = time.perf_counter() - t0
        ids = [e.ids for e in enc]
    elif kind == "marian":
        from transformers import MarianTokenizer
        tok = MarianTokenizer.from_pretrained(path)
        t0 = time.perf_counter()
        ids = [tok(t)["input_ids"] for t in texts]
        dt = time.perf_counter() - t0
    elif kind == "spm":
        import sentencepiece as spm
        sp = spm.SentencePieceProcessor(model_file=os.path.join(path, "tokenizer.model"))
        t0 = time.perf_counter()
        ids = [[sp.bos_id()] + sp.encode(t) for t in texts]
        dt = time.perf_counter() - t0
    else:
        raise ValueError(kind)
    return ids, sum(map(len, ids)) / dt if dt > 0 else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default="build/attnscope")
    ap.add_argument("--lines", type=int, default=20000, help="lines taken from each corpus file")
    ap.add_argument("--work", default=None, help="folder for trained tokenizers (default: a temporary one)")
    ap.add_argument("--show", type=int, default=3, help="mismatches printed per tokenizer")
    ap.add_argument("--only", default=None, help="comma-separated names to run")
    args = ap.parse_args()
    if not os.path.isdir(SHARED):
        print("skipped: ../shared not found")
        return 0
    if not os.access(args.bin, os.X_OK):
        print(f"tokenizer_parity: {args.bin} not found; build it first", file=sys.stderr)
        return 2

    work = args.work or tempfile.mkdtemp(prefix="attnscope-tokparity-")
    os.makedirs(work, exist_ok=True)
    texts = read_texts(args.lines)
    small = args.lines < 5000
    multi30k = texts[: 3 * args.lines]
    print(f"{len(texts)} texts: first {args.lines} lines of multi30k train.en/de/fr and of tatoeba deu-eng "
          f"(English and German columns as two texts)", flush=True)

    from transformers import GPT2TokenizerFast, LlamaTokenizerFast
    tk = os.path.join(SHARED, "tokenizers")
    gpt2_json = os.path.join(work, "gpt2-json")
    GPT2TokenizerFast.from_pretrained(os.path.join(tk, "gpt2")).save_pretrained(gpt2_json)
    trained = train_tokenizers(work, multi30k, small)
    spm_dir = train_spm(work, multi30k, small)
    llama_json = os.path.join(work, "spm-bpe-llama-json")
    LlamaTokenizerFast.from_pretrained(spm_dir, legacy=True, from_slow=True).save_pretrained(llama_json)

    # name, attnscope's --tokenizer, reference kind, reference path
    cases = [
        ("bert-base-uncased (tokenizer.json)", os.path.join(tk, "bert-base-uncased"), "tokenizers",
         os.path.join(tk, "bert-base-uncased", "tokenizer.json")),
        ("bert-base-uncased (vocab.txt)", os.path.join(tk, "bert-base-uncased", "vocab.txt"), "tokenizers",
         os.path.join(tk, "bert-base-uncased", "tokenizer.json")),
        ("gpt2 (vocab.json + merges.txt)", os.path.join(tk, "gpt2"), "tokenizers", os.path.join(gpt2_json, "tokenizer.json")),
        ("gpt2 (tokenizer.json)", os.path.join(gpt2_json, "tokenizer.json"), "tokenizers", os.path.join(gpt2_json, "tokenizer.json")),
        ("opus-mt-en-mg (source.spm)", os.path.join(tk, "opus-mt-en-mg"), "marian", os.path.join(tk, "opus-mt-en-mg")),
    ]
    for name, d in trained.items():
        cases.append((name, d, "tokenizers", os.path.join(d, "tokenizer.json")))
    cases.append(("spm-bpe-llama (tokenizer.model)", spm_dir, "spm", spm_dir))
    cases.append(("spm-bpe-llama (tokenizer.json)", llama_json, "tokenizers", os.path.join(llama_json, "tokenizer.json")))
    if args.only:
        keep = args.only.split(",")
        cases = [c for c in cases if any(k in c[0] for k in keep)]

    rows, failed = [], False
    for name, ours, kind, ref in cases:
        ref_ids, hf_tps = hf_reference(kind, ref, texts)
        got, our_tps, err = attnscope_ids(args.bin, ours, texts, work)
        if err:
            print(f"{name}: attnscope failed: {err}")
            rows.append((name, len(texts), 0, 0.0, hf_tps))
            failed = True
            continue
        same = sum(1 for a, b in zip(got, ref_ids) if a == b) if len(got) == len(ref_ids) else 0
        if same != len(texts):
            failed = True
            shown = 0
            for i, (a, b) in enumerate(zip(got, ref_ids)):
                if a != b and shown < args.show:
                    print(f"{name}: text {i} {texts[i]!r}\n  attnscope {a}\n  reference {b}")
                    shown += 1
            if len(got) != len(ref_ids):
                print(f"{name}: attnscope gave {len(got)} lines for {len(ref_ids)} texts")
        rows.append((name, len(texts), same, our_tps, hf_tps))
        print(f"{name}: {same}/{len(texts)} identical", flush=True)

    print()
    print(f"| tokenizer | texts | identical | attnscope tokens/s | Hugging Face tokens/s |")
    print(f"|---|---:|---:|---:|---:|")
    for name, n, same, ours, hf in rows:
        print(f"| {name} | {n:,} | {same:,} | {ours:,.0f} | {hf:,.0f} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
