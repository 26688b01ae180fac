#!/usr/bin/env python3
"""Parity fixtures made with Hugging Face `transformers` itself (tests/fixtures/tiny-*).

Runs in the project's venv, which scripts/install-deps.sh makes (transformers 4.45.2 over
Debian's torch 1.13):

    .venv/bin/python tools/make_reference_fixtures.py --out /tmp/hf-fixtures
    # prints the largest differences from the committed fixtures; then copy config.json,
    # generation_config.json, model.safetensors and reference.safetensors over tests/fixtures/tiny-*

It takes the weights, configs and inputs of tools/reference_models.py (the plain-torch
re-implementation the fixtures first came from), loads them into BertForMaskedLM,
GPT2LMHeadModel, LlamaForCausalLM and MarianMTModel, saves them with save_pretrained (in the dtype
the fixture uses: F16 GPT-2 and Marian, BF16 Llama), and records output_attentions /
output_hidden_states / logits and greedy generate() for fixed inputs into reference.safetensors.
The reference is computed by the model as a user gets it: from_pretrained on the saved folder in
float32. (Casting the in-memory model to F16 and back would also round its computed buffers,
RoPE's inverse frequencies and Marian's sinusoidal table, which no loaded model has.)
"""
import argparse
import os
import sys

import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_models as ref  # noqa: E402  (the configs, weights and inputs)

from transformers import (BertConfig, BertForMaskedLM, GPT2Config, GPT2LMHeadModel,  # noqa: E402
                          LlamaConfig, LlamaForCausalLM, MarianConfig, MarianMTModel)


def cfg(config_cls, d):
    """A transformers config from the plain-torch script's dict (model_type is the class's own)."""
    return config_cls(**{k: v for k, v in d.items() if k not in ("model_type", "torch_dtype")},
                      attn_implementation="eager")  # eager: the attention probabilities are returned


def load(model, weights):
    missing, unexpected = model.load_state_dict({k: v.float() for k, v in weights.items()}, strict=False)
    # Tied decoders and embeddings, non-persistent buffers and Marian's sinusoidal tables (computed,
    # not learnt) are the only keys allowed to be absent.
    missing = [m for m in missing if not m.endswith(("decoder.weight", "decoder.bias", "lm_head.weight", "attn.bias",
                                                      "attn.masked_bias", "rotary_emb.inv_freq", "embed_tokens.weight",
                                                      "embed_positions.weight"))]
    assert not missing and not unexpected, (missing, unexpected)
    return model.eval()


def outputs(model, ids, **extra):
    with torch.no_grad():
        out = model(torch.tensor([ids]), output_attentions=True, output_hidden_states=True, **extra)
    return [a[0] for a in out.attentions], out.hidden_states[-1][0], out.logits[0]


def record(name, ids, atts, hidden, logits, into):
    into[name + ".ids"] = torch.tensor(ids, dtype=torch.int64)
    for l, a in enumerate(atts):
        into["%s.attention.%d" % (name, l)] = a.float().contiguous()
    into[name + ".hidden"] = hidden.float().contiguous()
    into[name + ".logits"] = logits.float().contiguous()


def greedy(model, ids, steps, eos, context):
    ids = list(ids)
    for _ in range(steps):
        if len(ids) >= context:
            break
        with torch.no_grad():
            nxt = int(model(torch.tensor([ids])).logits[0, -1].argmax())
        if nxt == eos:
            break
        ids.append(nxt)
    return ids


def bert(out):
    weights = ref.make_bert()
    model = load(BertForMaskedLM(cfg(BertConfig, ref.BERT_CONFIG)), weights)
    folder = os.path.join(out, "tiny-bert")
    model.save_pretrained(folder, safe_serialization=True)
    model = reloaded(BertForMaskedLM, folder)
    tensors = {}
    for name, (ids, types, mask) in ref.bert_cases(ref.bert_vocab()).items():
        atts, hidden, logits = outputs(model, ids, token_type_ids=torch.tensor([types]),
                                       attention_mask=torch.tensor([mask]))
        record(name, ids, atts, hidden, logits, tensors)
        tensors[name + ".token_types"] = torch.tensor(types, dtype=torch.int64)
        tensors[name + ".attention_mask"] = torch.tensor(mask, dtype=torch.int64)
    save_file(tensors, os.path.join(folder, "reference.safetensors"), {"made_by": "tools/make_reference_fixtures.py"})
    return folder


def reloaded(model_cls, folder):
    """The saved folder as a user loads it: float32, eager attention."""
    return model_cls.from_pretrained(folder, torch_dtype=torch.float32, attn_implementation="eager").eval()


def decoder(out, name, config_cls, model_cls, config, weights, cases, eos, context, dtype):
    model = load(model_cls(cfg(config_cls, config)), weights)
    folder = os.path.join(out, name)
    model.to(dtype).save_pretrained(folder, safe_serialization=True)
    model = reloaded(model_cls, folder)
    tensors = {}
    for case, ids in cases.items():
        record(case, ids, *outputs(model, ids), tensors)
        tensors[case + ".greedy"] = torch.tensor(greedy(model, ids, 8, eos, context), dtype=torch.int64)
    save_file(tensors, os.path.join(folder, "reference.safetensors"), {"made_by": "tools/make_reference_fixtures.py"})
    return folder


def marian(out):
    """The same keys as write_marian in reference_models.py: source, target_inputs,
    {encoder-self,decoder-self,cross}.L, hidden, logits and greedy (tokens after the start token)."""
    c = ref.MARIAN_CONFIG
    model = load(MarianMTModel(cfg(MarianConfig, c)), ref.make_marian())
    folder = os.path.join(out, "tiny-marian")
    model.to(torch.float16).save_pretrained(folder, safe_serialization=True)
    model = reloaded(MarianMTModel, folder)
    source, target_inputs = [17, 42, 5, 61, 23, 8, 0], [99, 12, 33, 7, 50]
    with torch.no_grad():
        o = model(input_ids=torch.tensor([source]), decoder_input_ids=torch.tensor([target_inputs]),
                  output_attentions=True, output_hidden_states=True)
        generated = model.generate(torch.tensor([source]), num_beams=1, do_sample=False, max_new_tokens=12,
                                   bad_words_ids=[[c["pad_token_id"]]])
    tensors = {"source": torch.tensor(source), "target_inputs": torch.tensor(target_inputs)}
    for kind, atts in (("encoder-self", o.encoder_attentions), ("decoder-self", o.decoder_attentions),
                       ("cross", o.cross_attentions)):
        for l, a in enumerate(atts):
            tensors["%s.%d" % (kind, l)] = a[0].float().contiguous()
    tensors["hidden"] = o.decoder_hidden_states[-1][0].float().contiguous()
    tensors["logits"] = o.logits[0].float().contiguous()
    tensors["greedy"] = generated[0, 1:].to(torch.int64)  # generate starts with decoder_start_token_id
    save_file(tensors, os.path.join(folder, "reference.safetensors"), {"made_by": "tools/make_reference_fixtures.py"})
    return folder


def kind_of(key):
    """'prompt.attention.3' -> 'attention', 'cross.1' -> 'cross', 'hidden' -> 'hidden'."""
    return [p for p in key.split(".") if not p.isdigit()][-1]


def main():
    ap = argparse.ArgumentParser(description="tiny BERT/GPT-2/Llama/Marian parity fixtures from transformers")
    ap.add_argument("--out", required=True)
    ap.add_argument("--check", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures"),
                    help="fixtures to compare with (default: the committed ones)")
    args = ap.parse_args()
    vocab = ref.gpt2_vocab()
    idx = {p: i for i, p in enumerate(vocab)}
    folders = [
        bert(args.out),
        decoder(args.out, "tiny-gpt2", GPT2Config, GPT2LMHeadModel, ref.GPT2_CONFIG, ref.make_gpt2(),
                {"prompt": [idx[p] for p in ["T", "he", "Ġcat", "Ġsat", "Ġon", "Ġthe", "Ġmat"]],
                 "bos": [idx["<|endoftext|>"]]},
                ref.GPT2_CONFIG["eos_token_id"], ref.GPT2_CONFIG["n_positions"], torch.float16),
        decoder(args.out, "tiny-llama", LlamaConfig, LlamaForCausalLM, ref.LLAMA_CONFIG, ref.make_llama(),
                {"prompt": [1, 17, 42, 5, 99, 23, 64, 8, 31, 77], "bos": [1]},
                ref.LLAMA_CONFIG["eos_token_id"], ref.LLAMA_CONFIG["max_position_embeddings"], torch.bfloat16),
        marian(args.out),
    ]
    from safetensors.torch import load_file
    for folder in folders:
        mine = load_file(os.path.join(folder, "reference.safetensors"))
        theirs = load_file(os.path.join(args.check, os.path.basename(folder), "reference.safetensors"))
        worst = {}
        for k, v in mine.items():
            kind = kind_of(k)
            if v.shape != theirs[k].shape:
                print("%s %s: shape %s, committed %s" % (os.path.basename(folder), k, tuple(v.shape), tuple(theirs[k].shape)))
                continue
            d = (v.double() - theirs[k].double()).abs().max().item() if v.numel() else 0.0
            worst[kind] = max(worst.get(kind, 0.0), d)
        print(os.path.basename(folder), " ".join("%s %.3g" % kv for kv in sorted(worst.items())))


if __name__ == "__main__":
    main()
