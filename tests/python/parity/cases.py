"""Parity with Hugging Face `transformers` itself: tiny seeded models built from configs (no hub),
saved with save_pretrained, run by attnscope from the folder, compared with the library.

Each case measures: token ids against the HF tokenizer, the greedy continuation or translation
against generate(), every attention weight against output_attentions (eager, fp32) and the
logits. test_transformers.py asserts the tolerances; `python cases.py` prints the table that
docs/models.md keeps.

Runs in the project's venv (.venv, scripts/install-deps.sh), with PYTHONPATH=BUILD/python.
"""
import json
import os
import sys
import tempfile

import numpy as np
import torch
import transformers
from transformers import AutoModelForCausalLM, AutoModelForMaskedLM, AutoModelForSeq2SeqLM

import attnscope

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.environ.get("ATTNSCOPE_SOURCE_DIR", os.path.normpath(os.path.join(HERE, "..", "..", "..")))
SHARED = os.path.normpath(os.path.join(SOURCE, "..", "shared"))
TOKENIZERS = os.path.join(SHARED, "tokenizers")

ATTENTION_TOL = 1e-5
LOGITS_TOL = 1e-4
NEW_TOKENS = 8

# Text for the tokenizers trained here and for the prompts: plain English with digits,
# punctuation, accents and a character outside the training text (byte fallback).
TRAIN_TEXT = """Two young men are playing football on a green field near the old river.
A woman in a red coat walks her dog past the bakery at 7 o'clock every morning.
The children built a sandcastle, then watched the waves wash it away.
Ein Mann fährt mit dem Fahrrad über die Brücke; die Sonne geht unter.
Der Hund läuft über die Straße und bellt laut.
Une femme lit un livre à la terrasse d'un café près de la gare.
Three dogs run through the snow while a boy throws a ball for them.
An old man sells fresh bread, cheese and apples at the market on Saturday.
The musicians played until midnight and the crowd sang along to every song.
In 2016, 42 people climbed the mountain in less than 5 hours.
""".strip().split("\n")
PROMPT = "A woman in a red coat walks her dog past the old bakery near the river, and the children wave."
MASKED = "the man went to the [MASK] to buy some [MASK] and bread ."
SOURCE_TEXT = "The children built a sandcastle near the river."


def seeded(model, seed):
    """Weights that make attention decisive (HF's 0.02 init gives near-uniform heads, which would
    hide a wrong mask or position), with random norms and biases so that each one counts."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias") or "norm" in name.lower() or "LayerNorm" in name:
                base = 1.0 if name.endswith("weight") else 0.0
                p.copy_(base + 0.3 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.15 * torch.randn(p.shape, generator=g))
        if hasattr(model, "final_logits_bias"):
            model.final_logits_bias.copy_(0.3 * torch.randn(model.final_logits_bias.shape, generator=g))
    return model.eval()


_SPM = None  # the folder of the SentencePiece model trained once per process


def llama_tokenizer(folder, layout):
    """A SentencePiece BPE with byte fallback trained here (as Llama's tokenizer.model), saved by
    LlamaTokenizerFast as `layout`: "json" (tokenizer.json alone), "model" (tokenizer.model
    alone) or "both"."""
    import sentencepiece as spm
    from transformers import LlamaTokenizerFast

    global _SPM
    if _SPM is None:
        _SPM = tempfile.mkdtemp(prefix="spm-")
        with open(os.path.join(_SPM, "train.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(TRAIN_TEXT * 3) + "\n")
        spm.SentencePieceTrainer.train(input=os.path.join(_SPM, "train.txt"), model_prefix=os.path.join(_SPM, "tok"),
                                       vocab_size=600, model_type="bpe", byte_fallback=True, character_coverage=1.0,
                                       bos_id=1, eos_id=2, unk_id=0, pad_id=-1, add_dummy_prefix=True, minloglevel=2)
    tok = LlamaTokenizerFast(vocab_file=os.path.join(_SPM, "tok.model"), legacy=False, from_slow=True)
    tok.save_pretrained(folder)
    if layout == "json":
        os.remove(os.path.join(folder, "tokenizer.model"))
    elif layout == "model":
        os.remove(os.path.join(folder, "tokenizer.json"))
    return tok


# --- the cases ----------------------------------------------------------------------------------

LLAMA_BASE = dict(hidden_size=64, intermediate_size=96, num_hidden_layers=2, num_attention_heads=4,
                  num_key_value_heads=4, max_position_embeddings=64, rms_norm_eps=1e-6, bos_token_id=1,
                  eos_token_id=2, tie_word_embeddings=False)

# name -> (model_type, config overrides, dtype saved, tokenizer layout, save_pretrained options)
LLAMA_CASES = {
    "llama MHA": ("llama", {}, torch.float32, "both", {}),
    "llama GQA (4 q / 2 kv heads)": ("llama", {"num_key_value_heads": 2}, torch.float32, "json", {}),
    "llama rope_theta 500000": ("llama", {"rope_theta": 500000.0}, torch.float32, "model", {}),
    "llama rope_scaling linear x4": ("llama", {"rope_scaling": {"rope_type": "linear", "factor": 4.0}}, torch.float32, "json", {}),
    "llama rope_scaling dynamic x2 (past 16)": ("llama", {"max_position_embeddings": 16,
                                                          "rope_scaling": {"rope_type": "dynamic", "factor": 2.0}},
                                                torch.float32, "json", {}),
    "llama rope_scaling llama3 x8": ("llama", {"rope_theta": 500000.0, "rope_scaling": {
        "rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
        "original_max_position_embeddings": 16}}, torch.float32, "json", {}),
    "llama tied embeddings": ("llama", {"tie_word_embeddings": True}, torch.float32, "json", {}),
    "llama attention_bias": ("llama", {"attention_bias": True}, torch.float32, "json", {}),
    "llama F16 checkpoint": ("llama", {}, torch.float16, "json", {}),
    "llama BF16 checkpoint": ("llama", {}, torch.bfloat16, "json", {}),
    "llama sharded checkpoint": ("llama", {}, torch.float32, "json", {"max_shard_size": "40KB"}),
    "mistral sliding window 6": ("mistral", {"sliding_window": 6, "num_key_value_heads": 2}, torch.float32, "json", {}),
    "qwen2 (q/k/v biases, GQA)": ("qwen2", {"num_key_value_heads": 2}, torch.float32, "json", {}),
}


def build_llama(name, folder):
    model_type, overrides, dtype, layout, save_opts = LLAMA_CASES[name]
    tok = llama_tokenizer(folder, layout)
    cfg_cls = transformers.CONFIG_MAPPING[model_type]
    cfg = cfg_cls(**{**LLAMA_BASE, "vocab_size": len(tok), **overrides}, attn_implementation="eager")
    model = seeded(AutoModelForCausalLM.from_config(cfg, attn_implementation="eager"), seed=len(name))
    model.to(dtype).save_pretrained(folder, safe_serialization=True, **save_opts)
    return tok


def hf_model(auto, folder):
    return auto.from_pretrained(folder, attn_implementation="eager", torch_dtype=torch.float32).eval()


def max_diff(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def attention_diff(attention, kind, hf_layers):
    return max(max_diff(attention.weights(kind, l), a[0].numpy()) for l, a in enumerate(hf_layers))


def run_decoder(name):
    folder = tempfile.mkdtemp(prefix="parity-")
    tok = build_llama(name, folder)
    ref = hf_model(AutoModelForCausalLM, folder)
    ours = attnscope.load(folder)
    hf_ids = tok(PROMPT)["input_ids"]
    r = ours.run(PROMPT, max_new_tokens=0)
    row = {"case": name, "ids_equal": r.ids == hf_ids, "tokens": len(hf_ids)}
    with torch.no_grad():
        out = ref(torch.tensor([hf_ids]), output_attentions=True)
    r = ours.run(input_ids=hf_ids, max_new_tokens=0, weights="dense")
    row["attention"] = attention_diff(r.attention, "decoder-self", out.attentions)
    row["logits"] = max_diff(ours.logits(hf_ids), out.logits[0].numpy())
    # Dynamic NTK rescales RoPE for the length of each pass; generate's cache would keep keys
    # rotated for shorter lengths, so the reference reruns the whole prefix as attnscope does.
    use_cache = "dynamic" not in name
    with torch.no_grad():
        gen = ref.generate(torch.tensor([hf_ids]), max_new_tokens=NEW_TOKENS, do_sample=False, num_beams=1,
                           eos_token_id=ref.config.eos_token_id, pad_token_id=ref.config.eos_token_id,
                           use_cache=use_cache)[0, len(hf_ids):].tolist()
    if ref.config.eos_token_id in gen:
        gen = gen[:gen.index(ref.config.eos_token_id)]
    r = ours.run(input_ids=hf_ids, max_new_tokens=NEW_TOKENS)
    row["greedy_equal"] = r.ids[len(hf_ids):] == gen
    row["layout"] = LLAMA_CASES[name][3]
    return row


def shared(*parts):
    path = os.path.join(TOKENIZERS, *parts)
    return path if os.path.exists(path) else None


def saved_with_shared_tokenizer(name, tokenizer_cls, tokenizer_dir, make_model, seed):
    """A folder holding a shared tokenizer and a seeded model made by make_model(tokenizer), both
    saved with save_pretrained; returns (folder, tokenizer)."""
    folder = tempfile.mkdtemp(prefix=f"parity-{name}-")
    tok = tokenizer_cls.from_pretrained(shared(tokenizer_dir))
    tok.save_pretrained(folder)
    seeded(make_model(tok), seed=seed).save_pretrained(folder)
    return folder, tok


def build_gpt2():
    from transformers import GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast

    return saved_with_shared_tokenizer("gpt2", GPT2TokenizerFast, "gpt2", lambda tok: GPT2LMHeadModel(GPT2Config(
        vocab_size=len(tok), n_embd=32, n_layer=2, n_head=4, n_positions=64, attn_implementation="eager")), seed=2)


def build_bert():
    from transformers import BertConfig, BertForMaskedLM, BertTokenizerFast

    return saved_with_shared_tokenizer("bert", BertTokenizerFast, "bert-base-uncased", lambda tok: BertForMaskedLM(BertConfig(
        vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
        max_position_embeddings=64, attn_implementation="eager")), seed=3)


def marian_config(tok):
    from transformers import MarianConfig

    return MarianConfig(vocab_size=len(tok), d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
                        decoder_attention_heads=4, encoder_ffn_dim=64, decoder_ffn_dim=64, max_position_embeddings=64,
                        pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id,
                        decoder_start_token_id=tok.pad_token_id, forced_eos_token_id=tok.eos_token_id,
                        attn_implementation="eager")


def build_marian():
    from transformers import MarianMTModel, MarianTokenizer

    return saved_with_shared_tokenizer("marian", MarianTokenizer, "opus-mt-en-mg",
                                       lambda tok: MarianMTModel(marian_config(tok)), seed=4)


def run_gpt2():
    folder, tok = build_gpt2()
    ref, ours = hf_model(AutoModelForCausalLM, folder), attnscope.load(folder)
    hf_ids = tok(PROMPT)["input_ids"]
    row = {"case": "gpt2", "ids_equal": ours.run(PROMPT, max_new_tokens=0).ids == hf_ids, "tokens": len(hf_ids)}
    with torch.no_grad():
        out = ref(torch.tensor([hf_ids]), output_attentions=True)
        gen = ref.generate(torch.tensor([hf_ids]), max_new_tokens=NEW_TOKENS, do_sample=False,
                           pad_token_id=tok.eos_token_id)[0, len(hf_ids):].tolist()
    if tok.eos_token_id in gen:
        gen = gen[:gen.index(tok.eos_token_id)]
    row["attention"] = attention_diff(ours.run(input_ids=hf_ids, max_new_tokens=0).attention, "decoder-self", out.attentions)
    row["logits"] = max_diff(ours.logits(hf_ids), out.logits[0].numpy())
    row["greedy_equal"] = ours.run(input_ids=hf_ids, max_new_tokens=NEW_TOKENS).ids[len(hf_ids):] == gen
    row["layout"] = "tokenizer.json, vocab.json + merges.txt"
    return row


def run_bert():
    folder, tok = build_bert()
    ref, ours = hf_model(AutoModelForMaskedLM, folder), attnscope.load(folder)
    hf_ids = tok(MASKED)["input_ids"]
    r = ours.run(MASKED)
    row = {"case": "bert (masked LM)", "ids_equal": r.ids == hf_ids, "tokens": len(hf_ids)}
    with torch.no_grad():
        out = ref(torch.tensor([hf_ids]), output_attentions=True)
    r = ours.run(input_ids=hf_ids)
    row["attention"] = attention_diff(r.attention, "encoder-self", out.attentions)
    row["logits"] = max_diff(ours.logits(hf_ids), out.logits[0].numpy())
    # The encoder's "greedy output": its best token at each [MASK].
    hf_best = [int(out.logits[0, p].argmax()) for p, i in enumerate(hf_ids) if i == tok.mask_token_id]
    row["greedy_equal"] = [p["ids"][0] for p in r.predictions] == hf_best
    row["layout"] = "tokenizer.json + vocab.txt"
    return row


def run_marian():
    folder, tok = build_marian()
    ref, ours = hf_model(AutoModelForSeq2SeqLM, folder), attnscope.load(folder)
    src = tok(SOURCE_TEXT)["input_ids"]
    row = {"case": "marian (encoder, decoder, cross)", "ids_equal": ours.tokenize(SOURCE_TEXT) ==
           tok.convert_ids_to_tokens(src), "tokens": len(src)}
    with torch.no_grad():
        # Marian's generation config bans <pad> (bad_words_ids) and, at the length limit, forces </s>.
        gen = ref.generate(torch.tensor([src]), max_new_tokens=NEW_TOKENS, do_sample=False, num_beams=1,
                           bad_words_ids=[[tok.pad_token_id]])[0, 1:].tolist()
    r = ours.run(input_ids=src, max_new_tokens=NEW_TOKENS)
    row["greedy_equal"] = r.ids[len(src):] == gen
    target = r.ids[len(src):]
    decoder_inputs = [tok.pad_token_id] + target[:-1]  # decoder_start_token_id
    with torch.no_grad():
        out = ref(input_ids=torch.tensor([src]), decoder_input_ids=torch.tensor([decoder_inputs]), output_attentions=True)
    row["attention"] = max(attention_diff(r.attention, "encoder-self", out.encoder_attentions),
                           attention_diff(r.attention, "decoder-self", out.decoder_attentions),
                           attention_diff(r.attention, "cross", out.cross_attentions))
    row["logits"] = max_diff(ours.logits(src, decoder_inputs), out.logits[0].numpy())
    row["layout"] = "source.spm + target.spm + vocab.json"
    return row


def all_cases():
    """(name, function) for every case this machine can build."""
    cases = [(n, (lambda n=n: run_decoder(n))) for n in LLAMA_CASES]
    if shared("bert-base-uncased"):
        cases.append(("bert", run_bert))
    if shared("gpt2"):
        cases.append(("gpt2", run_gpt2))
    if shared("opus-mt-en-mg"):
        cases.append(("marian", run_marian))
    return cases


def table(rows):
    lines = ["| model (variant) | tokenizer files | transformers | ids equal | greedy equal | max abs diff attention | max abs diff logits |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append("| %s | %s | %s | %s | %s | %.1e | %.1e |" % (
            r["case"], r["layout"], transformers.__version__, "yes" if r["ids_equal"] else "NO",
            "yes" if r["greedy_equal"] else "NO", r["attention"], r["logits"]))
    return "\n".join(lines)


if __name__ == "__main__":
    rows = []
    for name, fn in all_cases():
        rows.append(fn())
        print(json.dumps(rows[-1]), file=sys.stderr)
    print(table(rows))
