#!/usr/bin/python3
"""Independent reference forward passes for BERT, GPT-2, Hugging Face Llama and MarianMT, and the tiny
fixtures attnscope's C++ tests compare against (tests/fixtures/tiny-{bert,gpt2,llama,marian}/).

Run with Debian's python3-torch:   /usr/bin/python3 tools/reference_models.py [--out tests/fixtures]

Why this exists: Hugging Face `transformers` cannot be installed on the development machines, so
the parity fixtures are made here from the papers and the formulas HF documents, written without
looking at attnscope's C++ (different code paths on purpose: float64 throughout, HF's additive
finfo.min masks instead of -inf, rotate-half RoPE in HF's own row layout, Conv1D weights used as
[in, out]). tools/make_reference_fixtures.py does the same job with `transformers` itself, on a
machine that has it; both write the same files.

Each model folder is what `save_pretrained` writes: config.json + model.safetensors (the
safetensors byte layout written by hand: 8-byte little-endian header length, JSON header, data;
python3-safetensors is not installed). Weights: BERT F32, GPT-2 and Marian F16, Llama BF16, so every dtype
the loader reads is exercised; the references compute with exactly the stored (rounded) values.
reference.safetensors holds, per case: ids, every layer's attention [H, T, T], the last hidden
states [T, D], the logits [T, V], and for decoders the greedy continuation.
"""
import argparse
import json
import math
import os
import struct

import torch

F64 = torch.float64


# --- safetensors, by hand ---------------------------------------------------------------------

_DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64", torch.uint8: "U8"}


def tensor_bytes(t):
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: reinterpret the bits
        t = t.view(torch.int16)
    return t.numpy().tobytes()


def write_safetensors(path, tensors, metadata=None):
    """tensors: {name: torch tensor} in the order written."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = tensor_bytes(t)
        header[name] = {"dtype": _DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)  # data starts 8-byte aligned, as safetensors pads
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")


# --- random weights ---------------------------------------------------------------------------

class Init:
    """Seeded random tensors. Scales are larger than real initialisations so attention is peaked
    (near-uniform attention would make a weak test)."""

    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)

    def normal(self, *shape, std=0.2, mean=0.0):
        return torch.randn(*shape, generator=self.g, dtype=torch.float32) * std + mean

    def scale(self, *shape):  # norm weights near 1
        return self.normal(*shape, std=0.1, mean=1.0)


def stored(weights, dtype):
    """Round every weight to the dtype it is stored in; the reference computes with those values."""
    return {k: v.to(dtype) for k, v in weights.items()}


def f64(t):
    return t.to(F64)


# --- shared formulas --------------------------------------------------------------------------

def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)  # biased, as nn.LayerNorm
    return (x - mean) / torch.sqrt(var + eps) * w + b


def gelu_erf(x):  # BERT "gelu"
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def gelu_tanh(x):  # GPT-2 "gelu_new"
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def attention(q, k, v, allowed):
    """q [H, T, Dh], k, v [H, S, Dh], allowed [T, S] bool. HF adds finfo.min where not allowed."""
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    scores = scores + (~allowed).to(F64) * torch.finfo(F64).min
    probs = torch.softmax(scores, -1)
    return probs, probs @ v


def heads(x, n):  # [T, n * Dh] -> [n, T, Dh]
    return x.reshape(x.shape[0], n, -1).transpose(0, 1)


def unheads(x):  # [n, T, Dh] -> [T, n * Dh]
    return x.transpose(0, 1).reshape(x.shape[1], -1)


def lin(x, W, prefix, bias=True):  # nn.Linear: y = x W^T + b
    y = x @ f64(W[prefix + ".weight"]).T
    return y + f64(W[prefix + ".bias"]) if bias else y


# --- BERT -------------------------------------------------------------------------------------

BERT_CONFIG = {
    "architectures": ["BertForMaskedLM"], "model_type": "bert", "vocab_size": 100, "hidden_size": 32,
    "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 64, "hidden_act": "gelu",
    "max_position_embeddings": 64, "type_vocab_size": 2, "layer_norm_eps": 1e-12, "pad_token_id": 0,
    "position_embedding_type": "absolute", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
    "initializer_range": 0.02, "torch_dtype": "float32", "use_cache": True,
}
BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
BERT_WORDS = ("the a of and to in is was he she it that for on with as his her at by this had not are but from "
              "they you we an be one all there were which their has been law laws universe physics "
              "cat dog sat mat ran big small red blue green house tree book time day night world man woman "
              "child water fire earth light dark new old good bad first last long short up down over under").split()
BERT_PIECES = ["##s", "##ed", "##ing", "##ly", "##er", "##est", "##al", "##ic", "##un", "##aff", "##able", "un",
               ".", ",", "!", "?", "'", "-"]


def bert_vocab():
    vocab = BERT_SPECIALS + BERT_WORDS + BERT_PIECES
    vocab = vocab[:BERT_CONFIG["vocab_size"]]
    while len(vocab) < BERT_CONFIG["vocab_size"]:
        vocab.append("[unused%d]" % len(vocab))
    assert len(set(vocab)) == len(vocab)
    return vocab


def make_bert(seed=1):
    c, r = BERT_CONFIG, Init(seed)
    D, F, V, P = c["hidden_size"], c["intermediate_size"], c["vocab_size"], c["max_position_embeddings"]
    W = {
        "bert.embeddings.word_embeddings.weight": r.normal(V, D, std=0.5),
        "bert.embeddings.position_embeddings.weight": r.normal(P, D, std=0.5),
        "bert.embeddings.token_type_embeddings.weight": r.normal(c["type_vocab_size"], D, std=0.5),
        "bert.embeddings.LayerNorm.weight": r.scale(D),
        "bert.embeddings.LayerNorm.bias": r.normal(D, std=0.1),
    }
    for l in range(c["num_hidden_layers"]):
        p = "bert.encoder.layer.%d." % l
        for name, (o, i) in {"attention.self.query": (D, D), "attention.self.key": (D, D),
                             "attention.self.value": (D, D), "attention.output.dense": (D, D),
                             "intermediate.dense": (F, D), "output.dense": (D, F)}.items():
            W[p + name + ".weight"] = r.normal(o, i, std=0.5 if "self.q" in name or "self.k" in name else 0.2)
            W[p + name + ".bias"] = r.normal(o, std=0.1)
        for name in ("attention.output.LayerNorm", "output.LayerNorm"):
            W[p + name + ".weight"] = r.scale(D)
            W[p + name + ".bias"] = r.normal(D, std=0.1)
    W["cls.predictions.transform.dense.weight"] = r.normal(D, D)
    W["cls.predictions.transform.dense.bias"] = r.normal(D, std=0.1)
    W["cls.predictions.transform.LayerNorm.weight"] = r.scale(D)
    W["cls.predictions.transform.LayerNorm.bias"] = r.normal(D, std=0.1)
    W["cls.predictions.bias"] = r.normal(V, std=0.1)
    return stored(W, torch.float32)


def bert_forward(W, c, ids, token_types, attention_mask):
    """BertForMaskedLM (Devlin et al. 2018; HF modeling_bert): returns attentions, hidden, logits."""
    eps, H = c["layer_norm_eps"], c["num_attention_heads"]
    T = len(ids)
    ids, types = torch.tensor(ids), torch.tensor(token_types)
    x = (f64(W["bert.embeddings.word_embeddings.weight"])[ids]
         + f64(W["bert.embeddings.position_embeddings.weight"])[torch.arange(T)]
         + f64(W["bert.embeddings.token_type_embeddings.weight"])[types])
    x = layer_norm(x, f64(W["bert.embeddings.LayerNorm.weight"]), f64(W["bert.embeddings.LayerNorm.bias"]), eps)
    allowed = torch.tensor(attention_mask, dtype=torch.bool).unsqueeze(0).expand(T, T)
    attentions = []
    for l in range(c["num_hidden_layers"]):
        p = "bert.encoder.layer.%d." % l
        q, k, v = (heads(lin(x, W, p + "attention.self." + n), H) for n in ("query", "key", "value"))
        probs, ctx = attention(q, k, v, allowed)
        attentions.append(probs)
        a = lin(unheads(ctx), W, p + "attention.output.dense")
        x = layer_norm(x + a, f64(W[p + "attention.output.LayerNorm.weight"]), f64(W[p + "attention.output.LayerNorm.bias"]), eps)
        h = lin(gelu_erf(lin(x, W, p + "intermediate.dense")), W, p + "output.dense")
        x = layer_norm(x + h, f64(W[p + "output.LayerNorm.weight"]), f64(W[p + "output.LayerNorm.bias"]), eps)
    h = gelu_erf(lin(x, W, "cls.predictions.transform.dense"))
    h = layer_norm(h, f64(W["cls.predictions.transform.LayerNorm.weight"]), f64(W["cls.predictions.transform.LayerNorm.bias"]), eps)
    logits = h @ f64(W["bert.embeddings.word_embeddings.weight"]).T + f64(W["cls.predictions.bias"])
    return attentions, x, logits


def bert_cases(vocab):
    idx = {w: i for i, w in enumerate(vocab)}
    s = lambda words: [idx[w] for w in words.split()]
    plain = s("[CLS] the laws of physics [MASK] the universe . [SEP]")
    pair = s("[CLS] the cat sat [SEP] on the mat [SEP] [PAD] [PAD] [PAD]")
    return {
        "plain": (plain, [0] * len(plain), [1] * len(plain)),
        # a sentence pair (token types 0 / 1) padded to 12: padding keys get no attention
        "padded": (pair, [0] * 5 + [1] * 4 + [0] * 3, [1] * 9 + [0] * 3),
    }


def write_bert(out):
    c, vocab = BERT_CONFIG, bert_vocab()
    W = make_bert()
    folder = os.path.join(out, "tiny-bert")
    os.makedirs(folder, exist_ok=True)
    write_json(os.path.join(folder, "config.json"), c)
    write_safetensors(os.path.join(folder, "model.safetensors"), W, {"format": "pt"})
    with open(os.path.join(folder, "vocab.txt"), "w") as f:
        f.write("\n".join(vocab) + "\n")
    write_json(os.path.join(folder, "tokenizer_config.json"), {"do_lower_case": True, "tokenizer_class": "BertTokenizer"})
    ref = {}
    for name, (ids, types, mask) in bert_cases(vocab).items():
        atts, hidden, logits = bert_forward(W, c, ids, types, mask)
        ref[name + ".ids"] = torch.tensor(ids, dtype=torch.int64)
        ref[name + ".token_types"] = torch.tensor(types, dtype=torch.int64)
        ref[name + ".attention_mask"] = torch.tensor(mask, dtype=torch.int64)
        for l, a in enumerate(atts):
            ref["%s.attention.%d" % (name, l)] = a.float()
        ref[name + ".hidden"] = hidden.float()
        ref[name + ".logits"] = logits.float()
    write_safetensors(os.path.join(folder, "reference.safetensors"), ref, {"made_by": "tools/reference_models.py"})
    return folder


# --- GPT-2 ------------------------------------------------------------------------------------

def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character map (openai/gpt-2 encoder.py)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


GPT2_MERGES = [("Ġ", "t"), ("h", "e"), ("Ġ", "a"), ("i", "n"), ("Ġt", "he"), ("Ġ", "s"), ("e", "r"), ("o", "n"),
               ("Ġ", "w"), ("r", "e"), ("a", "t"), ("e", "n"), ("Ġ", "c"), ("o", "r"), ("Ġ", "o"), ("Ġ", "b"),
               ("e", "s"), ("i", "s"), ("Ġ", "f"), ("i", "t"), ("Ġ", "m"), ("a", "n"), ("a", "l"), ("Ġ", "p"),
               ("a", "r"), ("e", "d"), ("Ġt", "o"), ("Ġ", "d"), ("Ġ", "h"), ("o", "u"), ("n", "g"), ("in", "g"),
               ("Ġ", "l"), ("l", "e"), ("a", "s"), ("Ġw", "as"), ("Ġc", "at"), ("Ġs", "at"), ("Ġo", "n"),
               ("Ġm", "at"), ("Ġa", "n"), ("Ġan", "d"), ("Ġ", "u")]
GPT2_CONFIG = {
    "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": 300, "n_embd": 32, "n_layer": 2,
    "n_head": 4, "n_inner": None, "n_positions": 32, "n_ctx": 32, "activation_function": "gelu_new",
    "layer_norm_epsilon": 1e-5, "bos_token_id": 299, "eos_token_id": 299, "scale_attn_weights": True,
    "scale_attn_by_inverse_layer_idx": False, "reorder_and_upcast_attn": False, "resid_pdrop": 0.1,
    "embd_pdrop": 0.1, "attn_pdrop": 0.1, "initializer_range": 0.02, "torch_dtype": "float16", "use_cache": True,
}


def gpt2_vocab():
    vocab = list(bytes_to_unicode().values())
    for a, b in GPT2_MERGES:
        assert a in vocab and b in vocab, (a, b)
        vocab.append(a + b)
    vocab.append("<|endoftext|>")
    assert len(vocab) == GPT2_CONFIG["vocab_size"] and len(set(vocab)) == len(vocab)
    return vocab


def make_gpt2(seed=2):
    c, r = GPT2_CONFIG, Init(seed)
    D, V, P = c["n_embd"], c["vocab_size"], c["n_positions"]
    F = c["n_inner"] or 4 * D
    W = {"transformer.wte.weight": r.normal(V, D, std=0.5), "transformer.wpe.weight": r.normal(P, D, std=0.3)}
    for l in range(c["n_layer"]):
        p = "transformer.h.%d." % l
        W[p + "ln_1.weight"], W[p + "ln_1.bias"] = r.scale(D), r.normal(D, std=0.1)
        # Conv1D: weight [in, out]
        W[p + "attn.c_attn.weight"], W[p + "attn.c_attn.bias"] = r.normal(D, 3 * D, std=0.4), r.normal(3 * D, std=0.1)
        W[p + "attn.c_proj.weight"], W[p + "attn.c_proj.bias"] = r.normal(D, D), r.normal(D, std=0.1)
        W[p + "ln_2.weight"], W[p + "ln_2.bias"] = r.scale(D), r.normal(D, std=0.1)
        W[p + "mlp.c_fc.weight"], W[p + "mlp.c_fc.bias"] = r.normal(D, F), r.normal(F, std=0.1)
        W[p + "mlp.c_proj.weight"], W[p + "mlp.c_proj.bias"] = r.normal(F, D), r.normal(D, std=0.1)
    W["transformer.ln_f.weight"], W["transformer.ln_f.bias"] = r.scale(D), r.normal(D, std=0.1)
    return stored(W, torch.float16)


def gpt2_forward(W, c, ids):
    """GPT2LMHeadModel (Radford et al. 2019; HF modeling_gpt2): pre-norm, Conv1D x @ W + b."""
    eps, H, D = c["layer_norm_epsilon"], c["n_head"], c["n_embd"]
    T = len(ids)
    conv = lambda x, p: x @ f64(W[p + ".weight"]) + f64(W[p + ".bias"])
    x = f64(W["transformer.wte.weight"])[torch.tensor(ids)] + f64(W["transformer.wpe.weight"])[torch.arange(T)]
    allowed = torch.ones(T, T, dtype=torch.bool).tril()
    attentions = []
    for l in range(c["n_layer"]):
        p = "transformer.h.%d." % l
        h = layer_norm(x, f64(W[p + "ln_1.weight"]), f64(W[p + "ln_1.bias"]), eps)
        q, k, v = conv(h, p + "attn.c_attn").split(D, dim=-1)
        probs, ctx = attention(heads(q, H), heads(k, H), heads(v, H), allowed)
        attentions.append(probs)
        x = x + conv(unheads(ctx), p + "attn.c_proj")
        h = layer_norm(x, f64(W[p + "ln_2.weight"]), f64(W[p + "ln_2.bias"]), eps)
        x = x + conv(gelu_tanh(conv(h, p + "mlp.c_fc")), p + "mlp.c_proj")
    x = layer_norm(x, f64(W["transformer.ln_f.weight"]), f64(W["transformer.ln_f.bias"]), eps)
    return attentions, x, x @ f64(W["transformer.wte.weight"]).T  # lm_head tied to wte


def greedy(forward, ids, steps, eos, context):
    ids = list(ids)
    for _ in range(steps):
        if len(ids) >= context:
            break
        nxt = int(torch.argmax(forward(ids)[2][-1]))
        if nxt == eos:
            break
        ids.append(nxt)
    return ids


def write_decoder_reference(folder, forward, cases, eos, context, new_tokens=8):
    ref = {}
    for name, ids in cases.items():
        atts, hidden, logits = forward(ids)
        ref[name + ".ids"] = torch.tensor(ids, dtype=torch.int64)
        for l, a in enumerate(atts):
            ref["%s.attention.%d" % (name, l)] = a.float()
        ref[name + ".hidden"] = hidden.float()
        ref[name + ".logits"] = logits.float()
        ref[name + ".greedy"] = torch.tensor(greedy(forward, ids, new_tokens, eos, context), dtype=torch.int64)
    write_safetensors(os.path.join(folder, "reference.safetensors"), ref, {"made_by": "tools/reference_models.py"})


def write_gpt2(out):
    c, vocab = GPT2_CONFIG, gpt2_vocab()
    W = make_gpt2()
    folder = os.path.join(out, "tiny-gpt2")
    os.makedirs(folder, exist_ok=True)
    write_json(os.path.join(folder, "config.json"), c)
    write_safetensors(os.path.join(folder, "model.safetensors"), W, {"format": "pt"})
    write_json(os.path.join(folder, "vocab.json"), {piece: i for i, piece in enumerate(vocab)})
    with open(os.path.join(folder, "merges.txt"), "w") as f:
        f.write("#version: 0.2\n" + "".join("%s %s\n" % m for m in GPT2_MERGES))
    idx = {p: i for i, p in enumerate(vocab)}
    # "The cat sat on the mat" ("The" is two pieces in this small vocabulary)
    cases = {"prompt": [idx[p] for p in ["T", "he", "Ġcat", "Ġsat", "Ġon", "Ġthe", "Ġmat"]],
             "bos": [idx["<|endoftext|>"]]}
    write_decoder_reference(folder, lambda ids: gpt2_forward(W, c, ids), cases, c["eos_token_id"], c["n_positions"])
    return folder


# --- Llama (Hugging Face layout) --------------------------------------------------------------

LLAMA_CONFIG = {
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 100, "hidden_size": 32,
    "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
    "max_position_embeddings": 64, "rms_norm_eps": 1e-5, "rope_theta": 1000.0, "rope_scaling": None,
    "hidden_act": "silu", "tie_word_embeddings": False, "attention_bias": False, "bos_token_id": 1,
    "eos_token_id": 2, "initializer_range": 0.02, "torch_dtype": "bfloat16", "use_cache": True,
}


def make_llama(seed=3):
    c, r = LLAMA_CONFIG, Init(seed)
    D, F, V = c["hidden_size"], c["intermediate_size"], c["vocab_size"]
    Dh = D // c["num_attention_heads"]
    HD, GD = c["num_attention_heads"] * Dh, c["num_key_value_heads"] * Dh
    W = {"model.embed_tokens.weight": r.normal(V, D, std=0.5)}
    for l in range(c["num_hidden_layers"]):
        p = "model.layers.%d." % l
        W[p + "input_layernorm.weight"] = r.scale(D)
        W[p + "self_attn.q_proj.weight"] = r.normal(HD, D, std=0.5)
        W[p + "self_attn.k_proj.weight"] = r.normal(GD, D, std=0.5)
        W[p + "self_attn.v_proj.weight"] = r.normal(GD, D)
        W[p + "self_attn.o_proj.weight"] = r.normal(D, HD)
        W[p + "post_attention_layernorm.weight"] = r.scale(D)
        W[p + "mlp.gate_proj.weight"] = r.normal(F, D)
        W[p + "mlp.up_proj.weight"] = r.normal(F, D)
        W[p + "mlp.down_proj.weight"] = r.normal(D, F)
    W["model.norm.weight"] = r.scale(D)
    W["lm_head.weight"] = r.normal(V, D)
    return stored(W, torch.bfloat16)


def rms_norm(x, w, eps):
    return x / torch.sqrt((x ** 2).mean(-1, keepdim=True) + eps) * w


def rotate_half(x):  # HF: [x1, x2] -> [-x2, x1]
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


def llama_forward(W, c, ids):
    """LlamaForCausalLM (Touvron et al. 2023; HF modeling_llama): RMSNorm, rotate-half RoPE,
    grouped-query attention, SwiGLU."""
    eps, H, G = c["rms_norm_eps"], c["num_attention_heads"], c["num_key_value_heads"]
    T, Dh = len(ids), c["hidden_size"] // H
    inv_freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, Dh, 2, dtype=F64) / Dh))  # [Dh/2]
    angles = torch.arange(T, dtype=F64)[:, None] * inv_freq[None, :]                # [T, Dh/2]
    cos, sin = torch.cat([angles, angles], -1).cos(), torch.cat([angles, angles], -1).sin()  # [T, Dh]
    rope = lambda x: x * cos + rotate_half(x) * sin
    x = f64(W["model.embed_tokens.weight"])[torch.tensor(ids)]
    allowed = torch.ones(T, T, dtype=torch.bool).tril()
    attentions = []
    for l in range(c["num_hidden_layers"]):
        p = "model.layers.%d." % l
        h = rms_norm(x, f64(W[p + "input_layernorm.weight"]), eps)
        q = rope(heads(lin(h, W, p + "self_attn.q_proj", bias=False), H))
        k = rope(heads(lin(h, W, p + "self_attn.k_proj", bias=False), G))
        v = heads(lin(h, W, p + "self_attn.v_proj", bias=False), G)
        k, v = k.repeat_interleave(H // G, 0), v.repeat_interleave(H // G, 0)  # HF repeat_kv
        probs, ctx = attention(q, k, v, allowed)
        attentions.append(probs)
        x = x + lin(unheads(ctx), W, p + "self_attn.o_proj", bias=False)
        h = rms_norm(x, f64(W[p + "post_attention_layernorm.weight"]), eps)
        gate, up = lin(h, W, p + "mlp.gate_proj", bias=False), lin(h, W, p + "mlp.up_proj", bias=False)
        x = x + lin(torch.nn.functional.silu(gate) * up, W, p + "mlp.down_proj", bias=False)
    x = rms_norm(x, f64(W["model.norm.weight"]), eps)
    return attentions, x, lin(x, W, "lm_head", bias=False)


def write_llama(out):
    c = LLAMA_CONFIG
    W = make_llama()
    folder = os.path.join(out, "tiny-llama")
    os.makedirs(folder, exist_ok=True)
    write_json(os.path.join(folder, "config.json"), c)
    write_safetensors(os.path.join(folder, "model.safetensors"), W, {"format": "pt"})
    cases = {"prompt": [1, 17, 42, 5, 99, 23, 64, 8, 31, 77], "bos": [1]}
    write_decoder_reference(folder, lambda ids: llama_forward(W, c, ids), cases, c["eos_token_id"],
                            c["max_position_embeddings"])
    return folder

# --- MarianMT ---------------------------------------------------------------------------------

MARIAN_CONFIG = {
    "architectures": ["MarianMTModel"], "model_type": "marian", "vocab_size": 100, "d_model": 32,
    "encoder_layers": 2, "decoder_layers": 2, "encoder_attention_heads": 4, "decoder_attention_heads": 4,
    "encoder_ffn_dim": 64, "decoder_ffn_dim": 64, "activation_function": "swish", "max_position_embeddings": 64,
    "scale_embedding": True, "normalize_before": False, "normalize_embedding": False, "static_position_embeddings": True,
    "pad_token_id": 99, "eos_token_id": 0, "bos_token_id": 0, "decoder_start_token_id": 99,
    "bad_words_ids": [[99]], "is_encoder_decoder": True, "share_encoder_decoder_embeddings": True,
    "tie_word_embeddings": True, "dropout": 0.1, "attention_dropout": 0.0, "activation_dropout": 0.0,
    "num_beams": 1, "max_length": 64, "torch_dtype": "float16", "use_cache": True,
}


def make_marian(seed=4):
    c, r = MARIAN_CONFIG, Init(seed)
    D, V = c["d_model"], c["vocab_size"]
    W = {"model.shared.weight": r.normal(V, D, std=0.3)}

    def attn(p):
        for n in ("q_proj", "k_proj", "v_proj", "out_proj"):
            W[p + n + ".weight"] = r.normal(D, D, std=0.4 if n in ("q_proj", "k_proj") else 0.2)
            W[p + n + ".bias"] = r.normal(D, std=0.1)

    def norm(p):
        W[p + ".weight"], W[p + ".bias"] = r.scale(D), r.normal(D, std=0.1)

    def ffn(p, F):
        W[p + "fc1.weight"], W[p + "fc1.bias"] = r.normal(F, D), r.normal(F, std=0.1)
        W[p + "fc2.weight"], W[p + "fc2.bias"] = r.normal(D, F), r.normal(D, std=0.1)

    for l in range(c["encoder_layers"]):
        p = "model.encoder.layers.%d." % l
        attn(p + "self_attn.")
        norm(p + "self_attn_layer_norm")
        ffn(p, c["encoder_ffn_dim"])
        norm(p + "final_layer_norm")
    for l in range(c["decoder_layers"]):
        p = "model.decoder.layers.%d." % l
        attn(p + "self_attn.")
        norm(p + "self_attn_layer_norm")
        attn(p + "encoder_attn.")
        norm(p + "encoder_attn_layer_norm")
        ffn(p, c["decoder_ffn_dim"])
        norm(p + "final_layer_norm")
    W["final_logits_bias"] = r.normal(1, V, std=0.1)
    return stored(W, torch.float16)  # F16 keeps the fixture under 200 KB


def sinusoidal(n, dim):
    """Marian's table: sin in the first half of the columns, cos in the second (HF
    MarianSinusoidalPositionalEmbedding), angle pos / 10000^(2i/dim)."""
    pos = torch.arange(n, dtype=F64)[:, None]
    i = torch.arange(dim // 2, dtype=F64)[None, :]
    angle = pos / torch.pow(torch.tensor(10000.0, dtype=F64), 2 * i / dim)
    return torch.cat([angle.sin(), angle.cos()], 1)


def marian_attention(W, p, x, y, H, allowed):
    q = heads(lin(x, W, p + "q_proj") * (x.shape[1] // H) ** -0.5, H)  # HF scales q, not the scores
    k, v = heads(lin(y, W, p + "k_proj"), H), heads(lin(y, W, p + "v_proj"), H)
    scores = q @ k.transpose(-1, -2) + (~allowed).to(F64) * torch.finfo(F64).min
    probs = torch.softmax(scores, -1)
    return probs, lin(unheads(probs @ v), W, p + "out_proj")


def marian_forward(W, c, source, target_inputs):
    """MarianMTModel (HF modeling_marian): post-norm encoder-decoder, scaled shared embeddings,
    sinusoidal positions, logits = x E^T + final_logits_bias."""
    D, H, eps = c["d_model"], c["encoder_attention_heads"], 1e-5
    E = f64(W["model.shared.weight"])
    n = lambda x, p: layer_norm(x, f64(W[p + ".weight"]), f64(W[p + ".bias"]), eps)
    swish = torch.nn.functional.silu
    S, T = len(source), len(target_inputs)
    x = E[torch.tensor(source)] * math.sqrt(D) + sinusoidal(S, D)
    enc_att = []
    for l in range(c["encoder_layers"]):
        p = "model.encoder.layers.%d." % l
        probs, a = marian_attention(W, p + "self_attn.", x, x, H, torch.ones(S, S, dtype=torch.bool))
        enc_att.append(probs)
        x = n(x + a, p + "self_attn_layer_norm")
        x = n(x + lin(swish(lin(x, W, p + "fc1")), W, p + "fc2"), p + "final_layer_norm")
    memory = x
    y = E[torch.tensor(target_inputs)] * math.sqrt(D) + sinusoidal(T, D)
    self_att, cross_att = [], []
    for l in range(c["decoder_layers"]):
        p = "model.decoder.layers.%d." % l
        probs, a = marian_attention(W, p + "self_attn.", y, y, H, torch.ones(T, T, dtype=torch.bool).tril())
        self_att.append(probs)
        y = n(y + a, p + "self_attn_layer_norm")
        probs, a = marian_attention(W, p + "encoder_attn.", y, memory, H, torch.ones(T, S, dtype=torch.bool))
        cross_att.append(probs)
        y = n(y + a, p + "encoder_attn_layer_norm")
        y = n(y + lin(swish(lin(y, W, p + "fc1")), W, p + "fc2"), p + "final_layer_norm")
    logits = y @ E.T + f64(W["final_logits_bias"])[0]
    return enc_att, self_att, cross_att, y, logits


def marian_greedy(W, c, source, steps):
    """HF generate with num_beams 1: start from decoder_start_token_id, ban <pad>, stop at </s>."""
    inputs, out = [c["decoder_start_token_id"]], []
    for _ in range(steps):
        logits = marian_forward(W, c, source, inputs)[4][-1].clone()
        logits[c["pad_token_id"]] = -math.inf
        nxt = int(torch.argmax(logits))
        out.append(nxt)
        if nxt == c["eos_token_id"]:
            break
        inputs.append(nxt)
    return out


def write_marian(out):
    c = MARIAN_CONFIG
    W = make_marian()
    folder = os.path.join(out, "tiny-marian")
    os.makedirs(folder, exist_ok=True)
    write_json(os.path.join(folder, "config.json"), c)
    write_safetensors(os.path.join(folder, "model.safetensors"), W, {"format": "pt"})
    source = [17, 42, 5, 61, 23, 8, 0]  # ... </s>, as MarianTokenizer ends a source
    target_inputs = [99, 12, 33, 7, 50]  # <pad> (the decoder start) then target tokens
    enc, dec, cross, hidden, logits = marian_forward(W, c, source, target_inputs)
    ref = {"source": torch.tensor(source), "target_inputs": torch.tensor(target_inputs)}
    for kind, atts in (("encoder-self", enc), ("decoder-self", dec), ("cross", cross)):
        for l, a in enumerate(atts):
            ref["%s.%d" % (kind, l)] = a.float()
    ref["hidden"], ref["logits"] = hidden.float(), logits.float()
    ref["greedy"] = torch.tensor(marian_greedy(W, c, source, 12), dtype=torch.int64)
    write_safetensors(os.path.join(folder, "reference.safetensors"), ref, {"made_by": "tools/reference_models.py"})
    return folder



def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures"))
    args = ap.parse_args()
    for write in (write_bert, write_gpt2, write_llama, write_marian):
        folder = write(args.out)
        size = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
        print("%-40s %7.1f KB" % (os.path.normpath(folder), size / 1024))


if __name__ == "__main__":
    main()
