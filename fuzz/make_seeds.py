#!/usr/bin/python3
"""Seed corpora for the fuzz targets: small valid inputs of every format, so the fuzzer starts
past the magic numbers. Written from the repo's tests/fixtures and generated here (never from
../shared). Usage: make_seeds.py OUT_DIR  ->  OUT_DIR/<target>/<seed files>.

Multi-part inputs join their parts with SEP (fuzz/fuzz_util.h kSeparator)."""
import io
import json
import os
import struct
import sys
import zipfile

SEP = b"\n#--attnscope-fuzz--#\n"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
W = "\u2581"  # ▁


def read(*parts):
    with open(os.path.join(*parts), "rb") as f:
        return f.read()


def join(*parts):
    return SEP.join(p if isinstance(p, bytes) else p.encode() for p in parts)


# --- safetensors ----------------------------------------------------------------------------------
def safetensors(tensors, metadata=None):
    """tensors: [(name, dtype, shape, raw bytes)]"""
    header, data = {}, b""
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    if metadata is not None:
        header["__metadata__"] = metadata
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + data


def f32(values):
    return struct.pack("<%df" % len(values), *values)


def uniform(h, q, k):
    return [1.0 / k] * (h * q * k)


def attn_file(runs_blocks, runs_meta, fmt="attnscope/1"):
    tensors = []
    multi = len(runs_blocks) > 1
    for r, blocks in enumerate(runs_blocks):
        for name, (h, q, k) in blocks.items():
            tensors.append(((f"{r}/" if multi else "") + name, "F32", [h, q, k], f32(uniform(h, q, k))))
    return safetensors(tensors, {"format": fmt, "meta": json.dumps({"model": "fuzz"}), "runs": json.dumps(runs_meta)})


def seeds_safetensors():
    out = {}
    for model in sorted(os.listdir(FIXTURES)):
        p = os.path.join(FIXTURES, model, "reference.safetensors")
        if os.path.exists(p) and os.path.getsize(p) <= 32 << 10:
            out[f"fixture-{model}-reference"] = read(p)
    out["tensors"] = safetensors([
        ("a", "F32", [2, 3], f32([1, 2, 3, 4, 5, 6])),
        ("b", "F16", [2], struct.pack("<2e", 1.5, -2.0)),
        ("c", "BF16", [1], b"\x80\x3f"),
        ("d", "I64", [1, 1], struct.pack("<q", 7)),
        ("e", "U8", [3], b"\x01\x02\x03"),
        ("f", "BOOL", [0], b""),
    ], {"note": "seed"})
    run = {"name": "", "input": "ab", "output": "ba", "source_tokens": ["a", "b"], "target_tokens": ["b", "a"], "info": {}}
    out["attn-one-run"] = attn_file([{"encoder-self.0": (2, 2, 2), "decoder-self.0": (2, 2, 2), "cross.0": (2, 2, 2)}], [run])
    out["attn-two-runs"] = attn_file([{"cross.0": (1, 2, 2)}, {"cross.0": (1, 2, 2)}], [dict(run, name="original"), dict(run, name="masked")])
    return out


# --- npy / npz ------------------------------------------------------------------------------------
def seeds_npy():
    import numpy as np
    out = {}
    arrays = {
        "f4-hqk": np.full((2, 3, 3), 1 / 3, dtype="<f4"),
        "f2-qk": np.full((3, 3), 1 / 3, dtype="<f2"),
        "f8-lhqk": np.full((2, 1, 2, 2), 0.5, dtype="<f8"),
        "i8": np.arange(6, dtype="<i8").reshape(2, 3),
        "u1": np.arange(4, dtype="u1"),
        "bool": np.array([True, False]),
        "fortran": np.asfortranarray(np.full((2, 3), 1 / 3, dtype="<f4")),
        "text-U": np.array(["the", "cat", "sat"]),
        "text-S": np.array([b"a", b"bc"]),
        "scalar": np.array(1.0, dtype="<f4"),
    }
    for name, a in arrays.items():
        b = io.BytesIO()
        np.save(b, a)
        out[name] = b.getvalue()
    b = io.BytesIO()
    np.lib.format.write_array(b, np.full((2, 2), 0.5, dtype="<f4"), version=(2, 0))
    out["version-2"] = b.getvalue()
    b = io.BytesIO()
    np.lib.format.write_array(b, np.full((2, 2), 0.5, dtype="<f4"), version=(3, 0))
    out["version-3"] = b.getvalue()
    return out


def seeds_npz():
    import numpy as np
    out = {}
    dense = {"encoder-self.0": np.full((2, 3, 3), 1 / 3, dtype="<f4"), "tokens": np.array(["a", "b", "c"])}
    cross = {"cross.0": np.full((1, 2, 3), 1 / 3, dtype="<f4"), "source_tokens": np.array(["a", "b", "c"]),
             "target_tokens": np.array(["x", "y"])}
    rng = np.random.default_rng(0)
    qk = {"decoder-self.0.q": rng.standard_normal((2, 4, 4)).astype("<f4"),
          "decoder-self.0.k": rng.standard_normal((1, 4, 4)).astype("<f4"), "tokens": np.array(list("abcd"))}
    layers = {"attentions.0": np.full((1, 2, 2, 2), 0.5, dtype="<f4"), "attentions.1": np.full((1, 2, 2, 2), 0.5, dtype="<f2")}
    for name, arrays in {"dense": dense, "cross": cross, "query-key": qk, "layers": layers}.items():
        for compressed in (False, True):
            b = io.BytesIO()
            (np.savez_compressed if compressed else np.savez)(b, **arrays)
            out[name + ("-deflate" if compressed else "-stored")] = b.getvalue()
    b = io.BytesIO()  # ZIP64 records, as numpy writes for large members
    with zipfile.ZipFile(b, "w") as z:
        with z.open("encoder-self.0.npy", "w", force_zip64=True) as f:
            np.save(f, np.full((1, 2, 2), 0.5, dtype="<f4"))
    out["zip64"] = b.getvalue()
    return out


# --- JSON attention, configs ----------------------------------------------------------------------
def seeds_attention_json():
    h = [[[0.5, 0.5], [0.25, 0.75]]]
    return {
        "layers": json.dumps({"tokens": ["a", "b"], "kind": "encoder-self", "attention": [h, h]}).encode(),
        "batch-axis": json.dumps({"tokens": ["a", "b"], "attention": [[h]]}).encode(),
        "bare-list": json.dumps([h]).encode(),
        "by-name": json.dumps({"source_tokens": ["a", "b"], "target_tokens": ["x", "y"], "meta": {"model": "m"},
                               "attention": {"cross.0": h, "encoder-self.0": h}}).encode(),
        "runs": json.dumps({"meta": {"k": "v"}, "runs": [{"name": "r0", "input": "ab", "output": "xy", "tokens": ["a", "b"],
                                                           "attention": [h]}, {"name": "r1", "tokens": ["a", "b"], "attention": [h]}]}).encode(),
        "token-file": json.dumps({"source_tokens": ["a"], "target_tokens": ["b"]}).encode(),
    }


def seeds_model_config():
    out = {}
    for model in sorted(os.listdir(FIXTURES)):
        p = os.path.join(FIXTURES, model, "config.json")
        if os.path.exists(p):
            out["fixture-" + model] = read(p)
    out["attnscope-rnn"] = json.dumps({"architecture": "rnn", "task": "reverse", "vocab": "chars", "input_alphabet": "abcdefghij",
                                       "output_alphabet": "abcdefghij", "max_input_length": 12, "max_output_length": 12,
                                       "layers": 2, "dropout": 0.0, "cell": "gru", "bidirectional": True, "embedding": 16,
                                       "hidden": 32, "attention": "luong-general", "scope": "local-p", "window": 3,
                                       "input_feeding": True}).encode()
    out["attnscope-transformer"] = json.dumps({"architecture": "transformer", "task": "copy", "vocab": "chars", "input_alphabet": "abcd",
                                               "output_alphabet": "abcd", "max_input_length": 12, "max_output_length": 12,
                                               "layers": 3, "dropout": 0.1, "variant": "encoder-decoder", "heads": 4, "d_model": 128,
                                               "ff": 512, "positional": "learned", "norm": "pre", "tie_embeddings": True}).encode()
    out["mistral"] = json.dumps({"model_type": "mistral", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                                 "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 100, "sliding_window": 16,
                                 "rope_theta": 10000.0, "max_position_embeddings": 128}).encode()
    out["qwen2"] = out["mistral"].replace(b'"mistral"', b'"qwen2"')
    return out


# --- llama2.c -------------------------------------------------------------------------------------
def llama2c_tokenizer(extra):
    pieces = [(b"<unk>", 0.0), (b"\n<s>\n", 0.0), (b"\n</s>\n", 0.0)]
    pieces += [(b"<0x%02X>" % i, 0.0) for i in range(256)]
    pieces += [(p.encode(), s) for p, s in extra]
    body = b"".join(struct.pack("<fi", s, len(p)) + p for p, s in pieces)
    return struct.pack("<i", max(len(p) for p, _ in pieces)) + body


def seeds_llama2c():
    tok = llama2c_tokenizer([(" ", -1.0), ("O", -2.0), ("n", -2.0), ("c", -2.0), ("e", -2.0), (" O", -1.5), ("nc", -1.2),
                             (" On", -1.1), ("once", -0.5), (" Once", -0.1), ("é", -3.0)])
    header = struct.pack("<7i", 64, 172, 5, 8, 4, 512, 512)
    return {
        "tokenizer": join(tok, "Once upon a time, \xe9t\xe9 \u65e5\u672c"),
        "tokenizer-no-text": tok,
        "model-header": b"M" + header + f32([0.0] * 64),
        "model-header-untied": b"M" + struct.pack("<7i", 64, 172, 5, 8, 8, -512, 256),
    }


# --- tokenizers -----------------------------------------------------------------------------------
def varint(v):
    s = b""
    while v >= 0x80:
        s += bytes([(v & 0x7F) | 0x80])
        v >>= 7
    return s + bytes([v])


def len_field(field, body):
    return varint(field << 3 | 2) + varint(len(body)) + body


def int_field(field, v):
    return varint(field << 3) + varint(v)


def spm_piece(text, score, type_=1):
    return len_field(1, len_field(1, text.encode()) + varint(2 << 3 | 5) + struct.pack("<f", score) + int_field(3, type_))


def spm_model(bpe=False, byte_fallback=False):
    m = spm_piece("<unk>", 0, 2) + spm_piece("<s>", 0, 3) + spm_piece("</s>", 0, 3)
    if byte_fallback:
        m += b"".join(spm_piece("<0x%02X>" % i, 0, 6) for i in range(256))
    m += spm_piece(W + "a", -1) + spm_piece(W + "ab", -1.5) + spm_piece("b", -2) + spm_piece(W, -3) + spm_piece("a", -2.5) + spm_piece("<x>", 0, 4)
    trainer = int_field(3, 2 if bpe else 1) + (int_field(35, 1) if byte_fallback else b"")
    return m + len_field(2, trainer) + len_field(3, len_field(1, b"identity") + int_field(3, 1) + int_field(4, 1) + int_field(5, 1))


def added(i, content, special=True):
    return {"id": i, "content": content, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": special}


def hf_tokenizers():
    G = "\u0120"
    llama2 = {
        "version": "1.0", "added_tokens": [added(0, "<unk>"), added(1, "<s>"), added(2, "</s>")],
        "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": W},
                                                           {"type": "Replace", "pattern": {"String": " "}, "content": W}]},
        "pre_tokenizer": None,
        "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                                                    {"Sequence": {"id": "A", "type_id": 0}}],
                           "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
        "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": W}, "content": " "},
                                                     {"type": "ByteFallback"}, {"type": "Fuse"},
                                                     {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
        "model": {"type": "BPE", "unk_token": "<unk>", "fuse_unk": True, "byte_fallback": True,
                  "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "<0xC3>": 3, "<0xA9>": 4, W: 5, "a": 6, "b": 7, W + "a": 8, "ab": 9, W + "ab": 10},
                  "merges": [W + " a", "a b", W + "a b"]}}
    bert = {"added_tokens": [added(0, "[UNK]"), added(1, "[CLS]"), added(2, "[SEP]")],
            "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True, "strip_accents": None, "lowercase": True},
            "pre_tokenizer": {"type": "BertPreTokenizer"},
            "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 2], "cls": ["[CLS]", 1]},
            "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
            "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
                      "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "the": 3, "cat": 4, "##s": 5, "!": 6, "ca": 7}}}
    unigram = {"pre_tokenizer": {"type": "Metaspace", "replacement": W, "prepend_scheme": "always", "split": True},
               "decoder": {"type": "Metaspace", "replacement": W, "prepend_scheme": "always", "split": True},
               "model": {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0], [W, -2.0], [W + "ab", -1.0], ["a", -3.0], ["b", -3.0],
                                                                  [W + "a", -1.5], ["c", -4.0]]}}
    byte_level = {"added_tokens": [added(7, "<m>")],
                  "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
                  "post_processor": {"type": "ByteLevel", "trim_offsets": True}, "decoder": {"type": "ByteLevel"},
                  "model": {"type": "BPE", "vocab": {"h": 0, "i": 1, G: 2, G + "h": 3, G + "hi": 4, "!": 5, "hi": 6},
                            "merges": [[G, "h"], [G + "h", "i"], ["h", "i"]]}}
    return {"llama2": llama2, "bert": bert, "unigram": unigram, "byte-level": byte_level}


def seeds_tokenizers():
    text = "Hello, world! The cats sat. h\u00e9llo \u65e5\u672c [MASK] <s> </s> <|endoftext|> ab a b"
    out = {}
    for name, tj in hf_tokenizers().items():
        out["hf-" + name] = bytes([0]) + join(json.dumps(tj), '{"add_bos_token": true}', text)
    bert = os.path.join(FIXTURES, "tiny-bert")
    out["bert"] = bytes([1]) + join(read(bert, "vocab.txt"), read(bert, "tokenizer_config.json"), text)
    gpt2 = os.path.join(FIXTURES, "tiny-gpt2")
    out["gpt2"] = bytes([2]) + join(read(gpt2, "vocab.json"), read(gpt2, "merges.txt"), text)
    marian_vocab = json.dumps({"</s>": 0, "<unk>": 1, W + "a": 2, W + "ab": 3, "b": 4, W: 5, "a": 6, "<pad>": 7})
    out["marian"] = bytes([3]) + join(spm_model(), marian_vocab, '{"source_lang": "en", "target_lang": "de"}', text)
    out["spm-unigram"] = bytes([4]) + join(spm_model(), '{"add_bos_token": true, "add_eos_token": false}', text)
    out["spm-bpe-bytes"] = bytes([4]) + join(spm_model(bpe=True, byte_fallback=True), "{}", text)
    out["llama2c"] = bytes([5]) + join(llama2c_tokenizer([(" ", -1.0), ("a", -2.0), (" a", -1.5), ("b", -2.0)]), text)
    return out


# --- BPE codes, alignments, requests --------------------------------------------------------------
def seeds_bpe_codes():
    codes = "#version: 0.2\ne r</w>\nc h\na l\nt h\nth e</w>\ni s\np h\nph y\nphy s\nW a\nWa ch\nm a\nma nn</w>\n"
    text = "physikalischen Wachmann\nthe tree is here  \n\tcafé  \u00a0x\n"
    return {"v02": join(codes, text), "v01": join("e r\nr </w>\nt h\n", "there\n"), "empty-codes": join("", text),
            "codes-only": codes.encode()}


def seeds_alignment():
    gold = "0-0 1-1 2p2 1p2\n0-1 1-0\n\n3-3 0p0\n"
    hyp = "0-0 1-2 2-2\n0-1\n\n3-3 0-0\n"
    return {"zero-based": bytes([0]) + join(gold, hyp), "one-based-swapped": bytes([3]) + join("1-1 2-2 3p3\n", "1-1 3-3\n"),
            "talp": bytes([1]) + join("1-1 2-3 3p2\n", "1-1\n")}


def seeds_serve_request():
    guard = "GET\n/api/sets/0/block\n127.0.0.1:8765\nhttp://127.0.0.1:8765\nattnscope_token=abc; other=1\n0123456789abcdef0123456789abcdef\n"
    reqs = {
        "block": "block?run=0&block=cross.0&head=-1&merge=1",
        "block-head": "block?run=1&block=decoder-self.1&head=2",
        "thumbs": "thumbs?run=1&kind=decoder-self&size=8",
        "tile": "tile?run=1&block=decoder-self.0&head=1&q0=3&q1=20&k0=0&k1=17",
        "pooled": "pooled?run=1&block=decoder-self.0&head=0&q0=0&q1=40&k0=0&k1=40&size=5&mode=mean",
        "pooled-dense": "pooled?run=0&block=encoder-self.1&size=2&mode=max",
        "topkeys": "topkeys?run=1&kind=decoder-self&query=39&k=5",
        "headsearch": "headsearch?run=0&kind=encoder-self&a0=0&a1=3&b0=1&b1=5&top=3",
        "unknown": "figure?view=heatmap",
    }
    return {name: (req + "\n" + guard).encode() for name, req in reqs.items()}


def seeds_viewer_set():
    requests = "\n".join(r for r in (line.split("\n")[0] for line in (v.decode() for v in seeds_serve_request().values())))
    out = {}
    for name, data in seeds_attention_json().items():
        if name != "token-file":
            own = "block?block=encoder-self.0&head=0\ntile?block=encoder-self.1&q1=2&k1=2\ntopkeys?kind=encoder-self&query=1\n" \
                  "pooled?block=cross.0&size=1\nthumbs?kind=cross&size=1\nheadsearch?kind=cross&a1=2&b1=2\n"
            out[name] = join(data, own + requests.replace("run=1", "run=0"))
    return out


TARGETS = {
    "safetensors": seeds_safetensors, "npy": seeds_npy, "npz": seeds_npz, "attention_json": seeds_attention_json,
    "model_config": seeds_model_config, "llama2c": seeds_llama2c, "tokenizers": seeds_tokenizers,
    "bpe_codes": seeds_bpe_codes, "alignment": seeds_alignment, "serve_request": seeds_serve_request,
    "viewer_set": seeds_viewer_set,
}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for target, make in TARGETS.items():
        d = os.path.join(sys.argv[1], target)
        os.makedirs(d, exist_ok=True)
        try:
            seeds = make()
        except ImportError as e:  # numpy missing: that target starts from an empty corpus
            print(f"make_seeds: {target}: skipped ({e})", file=sys.stderr)
            continue
        for name, data in seeds.items():
            with open(os.path.join(d, "seed-" + name), "wb") as f:
                f.write(data)
        print(f"make_seeds: {target}: {len(seeds)} seeds")


if __name__ == "__main__":
    main()
