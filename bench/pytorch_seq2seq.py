#!/usr/bin/python3
"""The PyTorch twin of `attnscope train`, for bench/train_toy.

The same model, data and training step as attnscope's default configuration, written the
way the PyTorch tutorial "NLP From Scratch: Translation with a Sequence to Sequence Network
and Attention" writes it: EncoderRNN / AttnDecoderRNN modules, a decoder that loops over the
target in Python calling forward_step once per time step (teacher forcing feeds the reference
token), torch.cat of the per-step outputs, log_softmax + NLLLoss, and a train_epoch-style loop
with zero_grad / backward / step.

Model (must match attnscope's defaults exactly):
  character vocabularies, ids 0=<pad> 1=<s> 2=</s>, then one id per character;
  embeddings 64 (source and target), padding_idx 0;
  encoder: bidirectional GRU, 64 units per direction, packed; decoder starts from
    concat(final forward, final backward) -> [1, B, 128];
  decoder: GRU, hidden 128;
  attention luong-general: score = h_t . W_a h_s, masked softmax, context, att = tanh(W_c [c; h]),
    logits = W_s att;
  attention bahdanau: score = v^T tanh(W_q s_{t-1} + W_k h_s); context concatenated to the
    embedding as GRU input; then att = tanh(W_c [c; h]), logits = W_s att;
  Adam lr 0.003, gradient-norm clip 5, batch 64.

Prints one JSON line: {"task","attention","steps","ms_per_step"} (+ "seconds_to_target",
"heldout_acc", "train_steps" with --target-acc).  Run it with Debian's /usr/bin/python3.
"""

import argparse
import calendar
import datetime
import json
import random
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import optim
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

PAD_token = 0
SOS_token = 1
EOS_token = 2

EMBEDDING = 64
HIDDEN = 128
LR = 0.003
CLIP = 5.0
BATCH = 64

# ---------------------------------------------------------------------------------------------
# Data: the same tasks and length distributions as attnscope's src/tasks.
# ---------------------------------------------------------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyz"
DIGITS = "0123456789"
MONTHS = [calendar.month_name[m] for m in range(1, 13)]      # January .. December
WEEKDAYS = [calendar.day_name[w] for w in range(7)]          # Monday .. Sunday
FIRST_DAY = datetime.date(2000, 1, 1).toordinal()
LAST_DAY = datetime.date(2024, 1, 1).toordinal()              # inclusive


class Lang:
    """A character vocabulary: 0 <pad>, 1 <s>, 2 </s>, then the alphabet."""

    def __init__(self, alphabet):
        self.index2char = {PAD_token: "<pad>", SOS_token: "<s>", EOS_token: "</s>"}
        self.char2index = {}
        for c in alphabet:
            if c not in self.char2index:
                self.char2index[c] = len(self.index2char)
                self.index2char[len(self.index2char)] = c
        self.n_chars = len(self.index2char)

    def indexes(self, text):
        return [self.char2index[c] for c in text]

    def decode(self, ids):
        out = []
        for i in ids:
            if i == EOS_token:
                break
            if i > EOS_token:
                out.append(self.index2char[i])
        return "".join(out)


def format_date(d, f):
    month, weekday = MONTHS[d.month - 1], WEEKDAYS[d.weekday()]
    mon, wd, day, year = month[:3], weekday[:3], str(d.day), str(d.year)
    return [
        f"{d.month} {day} {d.year % 100:02d}",
        f"{month} {day}, {year}",
        f"{mon} {day}, {year}",
        f"{weekday}, {month} {day}, {year}",
        f"{day} {mon} {year}",
        f"{day} {month} {year}",
        f"{d.day:02d} {d.month:02d} {year}",
        f"{wd} {day} {mon} {year}",
        f"{weekday} {day} {month} {year}",
    ][f]


def date_noise(text, rng):
    """attnscope's training noise, close enough for shapes: a typo in one name (p 0.3), a
    dropped comma (p 0.1)."""
    if rng.random() < 0.3:
        words = text.split(" ")
        named = [i for i, w in enumerate(words) if w.rstrip(",").isalpha()]
        if named:
            i = rng.choice(named)
            w = words[i].rstrip(",")
            rest = words[i][len(w):]
            kind = rng.randrange(3)
            if kind == 0 and len(w) > 1:                      # drop a letter
                j = rng.randrange(len(w))
                w = w[:j] + w[j + 1:]
            elif kind == 1:                                    # double a letter
                j = rng.randrange(len(w))
                w = w[:j] + w[j] + w[j:]
            elif kind == 2 and len(w) > 1:                     # swap two neighbours
                j = rng.randrange(len(w) - 1)
                w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
            words[i] = w + rest
            text = " ".join(words)
    if rng.random() < 0.1 and "," in text:
        commas = [i for i, c in enumerate(text) if c == ","]
        j = rng.choice(commas)
        text = text[:j] + text[j + 1:]
    return text


class Task:
    def __init__(self, spec):
        self.spec = spec
        if spec == "reverse" or spec.startswith("shift-left:") or spec.startswith("shift-right:"):
            self.k = int(spec.split(":")[1]) if ":" in spec else 0
            self.input_lang, self.output_lang = Lang(LETTERS), Lang(LETTERS)
            self.max_output = 12
        elif spec == "sort":
            self.input_lang, self.output_lang = Lang(DIGITS + ", "), Lang(DIGITS + ", ")
            self.max_output = 28
        elif spec == "dates":
            self.input_lang = Lang(LETTERS + DIGITS + " ,")
            self.output_lang = Lang(DIGITS + "-")
            self.max_output = 10
        else:
            raise SystemExit(f"unknown task '{spec}' (reverse, shift-left:K, shift-right:K, sort, dates)")

    def sample(self, rng, noisy):
        s = self.spec
        if s == "sort":
            digits = "".join(rng.choice(DIGITS) for _ in range(rng.randint(3, 10)))
            if rng.random() < 0.5:
                return ", ".join(digits), ", ".join(sorted(digits))
            return digits, "".join(sorted(digits))
        if s == "dates":
            d = datetime.date.fromordinal(rng.randint(FIRST_DAY, LAST_DAY))
            text = format_date(d, rng.randrange(9))
            if noisy:
                text = date_noise(text, rng)
            return text.lower(), f"{d.day:02d}-{d.month:02d}-{d.year}"
        text = "".join(rng.choice(LETTERS) for _ in range(rng.randint(5, 12)))
        if s == "reverse":
            return text, text[::-1]
        if s.startswith("shift-left:"):
            return text, text[self.k:] + text[:self.k]
        return text, text[-self.k:] + text[:-self.k]


def tensors_from_pairs(task, pairs):
    """Source = x </s>; decoder input = <s> y; target = y </s>; all padded with 0."""
    src = [task.input_lang.indexes(x) + [EOS_token] for x, _ in pairs]
    tgt = [task.output_lang.indexes(y) for _, y in pairs]
    lengths = torch.tensor([len(s) for s in src], dtype=torch.long)
    S, T = max(len(s) for s in src), max(len(t) for t in tgt) + 1
    input_tensor = torch.zeros(len(pairs), S, dtype=torch.long)
    decoder_input = torch.zeros(len(pairs), T, dtype=torch.long)
    target_tensor = torch.zeros(len(pairs), T, dtype=torch.long)
    for i, (s, t) in enumerate(zip(src, tgt)):
        input_tensor[i, :len(s)] = torch.tensor(s)
        decoder_input[i, :len(t) + 1] = torch.tensor([SOS_token] + t)
        target_tensor[i, :len(t) + 1] = torch.tensor(t + [EOS_token])
    return input_tensor, lengths, decoder_input, target_tensor


# ---------------------------------------------------------------------------------------------
# Model, tutorial style.
# ---------------------------------------------------------------------------------------------

class EncoderRNN(nn.Module):
    def __init__(self, input_size, embedding_size, hidden_size):
        super().__init__()
        self.embedding = nn.Embedding(input_size, embedding_size, padding_idx=PAD_token)
        self.gru = nn.GRU(embedding_size, hidden_size // 2, batch_first=True, bidirectional=True)

    def forward(self, input, lengths):
        embedded = self.embedding(input)
        packed = pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)
        output, hidden = self.gru(packed)
        output, _ = pad_packed_sequence(output, batch_first=True, total_length=input.size(1))
        hidden = torch.cat((hidden[0], hidden[1]), dim=-1).unsqueeze(0)  # [1, B, hidden]
        return output, hidden


class LuongGeneralAttention(nn.Module):
    def __init__(self, hidden_size):
        super().__init__()
        self.Wa = nn.Linear(hidden_size, hidden_size, bias=False)

    def forward(self, query, keys, mask):
        scores = torch.bmm(query, self.Wa(keys).transpose(1, 2))      # [B, 1, S]
        scores = scores.masked_fill(~mask.unsqueeze(1), float("-inf"))
        weights = F.softmax(scores, dim=-1)
        context = torch.bmm(weights, keys)                             # [B, 1, H]
        return context, weights


class BahdanauAttention(nn.Module):
    def __init__(self, hidden_size):
        super().__init__()
        self.Wa = nn.Linear(hidden_size, hidden_size, bias=False)
        self.Ua = nn.Linear(hidden_size, hidden_size)
        self.Va = nn.Linear(hidden_size, 1, bias=False)

    def forward(self, query, keys, mask):
        scores = self.Va(torch.tanh(self.Wa(query) + self.Ua(keys)))  # [B, S, 1]
        scores = scores.squeeze(2).unsqueeze(1)                        # [B, 1, S]
        scores = scores.masked_fill(~mask.unsqueeze(1), float("-inf"))
        weights = F.softmax(scores, dim=-1)
        context = torch.bmm(weights, keys)
        return context, weights


class AttnDecoderRNN(nn.Module):
    def __init__(self, embedding_size, hidden_size, output_size, attention="luong-general"):
        super().__init__()
        self.method = attention
        self.embedding = nn.Embedding(output_size, embedding_size, padding_idx=PAD_token)
        if attention == "bahdanau":
            self.attention = BahdanauAttention(hidden_size)
            self.gru = nn.GRU(embedding_size + hidden_size, hidden_size, batch_first=True)
        else:
            self.attention = LuongGeneralAttention(hidden_size)
            self.gru = nn.GRU(embedding_size, hidden_size, batch_first=True)
        self.concat = nn.Linear(2 * hidden_size, hidden_size)
        self.out = nn.Linear(hidden_size, output_size)

    def forward(self, encoder_outputs, encoder_hidden, mask, target_tensor=None, max_length=None):
        batch_size = encoder_outputs.size(0)
        decoder_input = torch.empty(batch_size, 1, dtype=torch.long).fill_(SOS_token)
        decoder_hidden = encoder_hidden
        decoder_outputs = []
        attentions = []
        steps = target_tensor.size(1) if target_tensor is not None else max_length
        for i in range(steps):
            decoder_output, decoder_hidden, attn_weights = self.forward_step(
                decoder_input, decoder_hidden, encoder_outputs, mask)
            decoder_outputs.append(decoder_output)
            attentions.append(attn_weights)
            if target_tensor is not None:
                decoder_input = target_tensor[:, i].unsqueeze(1)  # Teacher forcing
            else:
                _, topi = decoder_output.topk(1)
                decoder_input = topi.squeeze(-1).detach()
        decoder_outputs = torch.cat(decoder_outputs, dim=1)
        decoder_outputs = F.log_softmax(decoder_outputs, dim=-1)
        attentions = torch.cat(attentions, dim=1)
        return decoder_outputs, decoder_hidden, attentions

    def forward_step(self, input, hidden, encoder_outputs, mask):
        embedded = self.embedding(input)                               # [B, 1, E]
        if self.method == "bahdanau":
            query = hidden.permute(1, 0, 2)                            # s_{t-1}
            context, attn_weights = self.attention(query, encoder_outputs, mask)
            output, hidden = self.gru(torch.cat((embedded, context), dim=2), hidden)
        else:
            output, hidden = self.gru(embedded, hidden)                # h_t
            context, attn_weights = self.attention(output, encoder_outputs, mask)
        attentional = torch.tanh(self.concat(torch.cat((context, output), dim=2)))
        output = self.out(attentional)
        return output, hidden, attn_weights


# ---------------------------------------------------------------------------------------------
# Training and evaluation.
# ---------------------------------------------------------------------------------------------

class Batches:
    """The training stream: batches of fresh examples, never one of the held-out inputs."""

    def __init__(self, task, rng, heldout_inputs):
        self.task, self.rng, self.heldout_inputs = task, rng, heldout_inputs

    def next(self):
        pairs = []
        while len(pairs) < BATCH:
            x, y = self.task.sample(self.rng, noisy=True)
            if x not in self.heldout_inputs:
                pairs.append((x, y))
        return tensors_from_pairs(self.task, pairs)


class PhaseClock:
    """--breakdown: wall time per phase of the training step."""

    def __init__(self):
        self.totals, self.last = {}, None

    def start(self):
        self.last = time.perf_counter()

    def lap(self, phase):
        now = time.perf_counter()
        self.totals[phase] = self.totals.get(phase, 0.0) + now - self.last
        self.last = now


def train_step(batches, encoder, decoder, encoder_optimizer, decoder_optimizer, criterion, clock=None):
    lap = clock.lap if clock else (lambda phase: None)
    if clock:
        clock.start()
    input_tensor, lengths, decoder_input, target_tensor = batches.next()
    lap("data")
    encoder_optimizer.zero_grad()
    decoder_optimizer.zero_grad()
    mask = input_tensor != PAD_token
    encoder_outputs, encoder_hidden = encoder(input_tensor, lengths)
    lap("encoder forward")
    # forward() feeds <s> first and then target_tensor[:, i] after step i, i.e. <s> y.
    decoder_outputs, _, _ = decoder(encoder_outputs, encoder_hidden, mask, target_tensor)
    loss = criterion(decoder_outputs.view(-1, decoder_outputs.size(-1)), target_tensor.view(-1))
    lap("decoder forward + loss")
    loss.backward()
    lap("backward")
    nn.utils.clip_grad_norm_(list(encoder.parameters()) + list(decoder.parameters()), CLIP)
    encoder_optimizer.step()
    decoder_optimizer.step()
    lap("clip + Adam")
    return loss.item()


def evaluate(task, encoder, decoder, heldout):
    encoder.eval()
    decoder.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(heldout), 250):
            pairs = heldout[i:i + 250]
            input_tensor, lengths, _, _ = tensors_from_pairs(task, pairs)
            mask = input_tensor != PAD_token
            encoder_outputs, encoder_hidden = encoder(input_tensor, lengths)
            decoder_outputs, _, _ = decoder(encoder_outputs, encoder_hidden, mask,
                                            max_length=task.max_output + 1)
            _, topi = decoder_outputs.topk(1)
            for (_, y), ids in zip(pairs, topi.squeeze(-1).tolist()):
                correct += task.output_lang.decode(ids) == y
    encoder.train()
    decoder.train()
    return correct / len(heldout)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--task", default="dates")
    p.add_argument("--attention", default="luong-general", choices=["luong-general", "bahdanau"])
    p.add_argument("--steps", type=int, default=200, help="timed steps (default 200)")
    p.add_argument("--warmup", type=int, default=5, help="untimed steps first (default 5)")
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--target-acc", type=float, default=None,
                   help="then train on until greedy exact match on 1000 held-out examples reaches this")
    p.add_argument("--max-steps", type=int, default=20000, help="give up --target-acc after this")
    p.add_argument("--eval-every", type=int, default=250)
    p.add_argument("--profile", action="store_true", help="print a torch.profiler table to stderr")
    p.add_argument("--breakdown", action="store_true", help="print ms per phase of the step to stderr")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    task = Task(args.task)

    # Held-out set: 1000 distinct inputs from their own stream; training never sees them.
    heldout_rng = random.Random(args.seed)
    heldout, heldout_inputs = [], set()
    while len(heldout) < 1000:
        x, y = task.sample(heldout_rng, noisy=False)
        if x not in heldout_inputs:
            heldout_inputs.add(x)
            heldout.append((x, y))
    batches = Batches(task, random.Random(args.seed + 1_000_003), heldout_inputs)

    encoder = EncoderRNN(task.input_lang.n_chars, EMBEDDING, HIDDEN)
    decoder = AttnDecoderRNN(EMBEDDING, HIDDEN, task.output_lang.n_chars, args.attention)
    encoder_optimizer = optim.Adam(encoder.parameters(), lr=LR)
    decoder_optimizer = optim.Adam(decoder.parameters(), lr=LR)
    criterion = nn.NLLLoss(ignore_index=PAD_token)

    clock = None

    def step():
        return train_step(batches, encoder, decoder, encoder_optimizer, decoder_optimizer, criterion,
                          clock)

    start = time.perf_counter()
    for _ in range(args.warmup):
        step()
    t0 = time.perf_counter()
    if args.profile:
        from torch.profiler import profile, ProfilerActivity
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(args.steps):
                step()
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25), file=sys.stderr)
    else:
        clock = PhaseClock() if args.breakdown else None
        for _ in range(args.steps):
            step()
    train_seconds = time.perf_counter() - t0
    if clock:
        for phase, seconds in clock.totals.items():
            print(f"{phase:>24}: {1000.0 * seconds / args.steps:8.2f} ms/step "
                  f"({100.0 * seconds / train_seconds:4.1f}%)", file=sys.stderr)
        clock = None
    result = {"task": args.task, "attention": args.attention, "steps": args.steps,
              "ms_per_step": 1000.0 * train_seconds / max(args.steps, 1)}

    if args.target_acc is not None:
        done, acc, seconds_to_target = args.warmup + args.steps, 0.0, -1.0
        while True:
            if done % args.eval_every == 0 or done >= args.max_steps:
                acc = evaluate(task, encoder, decoder, heldout)
                if acc >= args.target_acc:
                    seconds_to_target = time.perf_counter() - start
                    break
                if done >= args.max_steps:
                    break
            step()
            done += 1
        result.update({"train_steps": done, "heldout_acc": acc, "seconds_to_target": seconds_to_target})

    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
