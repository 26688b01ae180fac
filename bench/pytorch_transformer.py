#!/usr/bin/python3
"""The PyTorch twin of bench_transformer, for bench/transformer.

The Annotated Transformer's copy task written the way a PyTorch user writes it: nn.Embedding
scaled by sqrt(d_model), the Annotated Transformer's sinusoidal PositionalEncoding module,
nn.Transformer (batch_first, norm_first, relu, dim_feedforward 2048) and an nn.Linear
generator, nn.CrossEntropyLoss(ignore_index=0), clip_grad_norm_ and Adam(0.9, 0.98, eps 1e-9).

Model (must match attnscope's TransformerSeq2Seq with bench_transformer's configuration):
  vocabulary 11 on both sides, ids 0=<pad> 1=<s> 2=</s>, tokens 3..10; embeddings padding_idx 0;
  d_model 512, 8 heads, ff 2048, 2 encoder + 2 decoder layers, pre-norm with a final LayerNorm
  after each stack, dropout 0.1 (embeddings + positions, attention weights, sublayer outputs,
  inside the feed-forward); Glorot-uniform init of every matrix.
Batch: 80 random sentences of 10 tokens; source = tokens, decoder input = <s> tokens,
target = tokens </s>; causal mask plus key-padding masks (all false here, as attnscope also
builds them).

Prints one line:
  pytorch threads=1 median_ms=... mean_ms=... params=... steps=20 warmup=3 first_loss=... last_loss=...
Run it with Debian's /usr/bin/python3 (python3-torch).
"""

import argparse
import math
import os
import statistics
import sys
import time

PAD, BOS, EOS = 0, 1, 2
VOCAB = 11
BATCH, LENGTH = 80, 10
D_MODEL, HEADS, FF, LAYERS, DROPOUT = 512, 8, 2048, 2, 0.1
LR = 5e-4          # constant; the rate does not change the work of a step
GRAD_CLIP = 5.0    # attnscope train's default


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    p.add_argument("--blas-threads", type=int, default=None,
                   help="OpenBLAS threads (default: --threads); --threads 1 --blas-threads N is attnscope's split")
    p.add_argument("--steps", type=int, default=20, help="timed steps (default 20)")
    p.add_argument("--warmup", type=int, default=3, help="untimed steps first (default 3)")
    p.add_argument("--seed", type=int, default=1)
    return p.parse_args()


args = parse_args()
# Debian's torch calls OpenBLAS for matrix products, and OpenBLAS keeps its own thread pool that
# torch.set_num_threads does not reach; it reads this variable when torch is imported. attnscope's
# set_threads sets the same count, so both sides run their products on the same number of threads.
os.environ["OPENBLAS_NUM_THREADS"] = str(args.blas_threads or args.threads)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402


class PositionalEncoding(nn.Module):
    """The Annotated Transformer's: add sinusoids, then dropout (batch_first here)."""

    def __init__(self, d_model, dropout, max_len=5000):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        pe = torch.zeros(max_len, d_model)
        position = torch.arange(0, max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * -(math.log(10000.0) / d_model))
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe.unsqueeze(0))

    def forward(self, x):
        x = x + self.pe[:, : x.size(1)].requires_grad_(False)
        return self.dropout(x)


class Seq2SeqTransformer(nn.Module):
    def __init__(self, src_vocab, tgt_vocab):
        super().__init__()
        self.src_embed = nn.Embedding(src_vocab, D_MODEL, padding_idx=PAD)
        self.tgt_embed = nn.Embedding(tgt_vocab, D_MODEL, padding_idx=PAD)
        self.positional_encoding = PositionalEncoding(D_MODEL, DROPOUT)
        self.transformer = nn.Transformer(d_model=D_MODEL, nhead=HEADS, num_encoder_layers=LAYERS,
                                          num_decoder_layers=LAYERS, dim_feedforward=FF, dropout=DROPOUT,
                                          activation="relu", batch_first=True, norm_first=True)
        self.generator = nn.Linear(D_MODEL, tgt_vocab)
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)

    def forward(self, src, tgt):
        src_emb = self.positional_encoding(self.src_embed(src) * math.sqrt(D_MODEL))
        tgt_emb = self.positional_encoding(self.tgt_embed(tgt) * math.sqrt(D_MODEL))
        tgt_mask = nn.Transformer.generate_square_subsequent_mask(tgt.size(1))
        src_padding_mask = src == PAD
        tgt_padding_mask = tgt == PAD
        out = self.transformer(src_emb, tgt_emb, tgt_mask=tgt_mask, src_key_padding_mask=src_padding_mask,
                               tgt_key_padding_mask=tgt_padding_mask, memory_key_padding_mask=src_padding_mask)
        return self.generator(out)


def main():
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = Seq2SeqTransformer(VOCAB, VOCAB)
    model.train()
    params = sum(p.numel() for p in model.parameters())
    optimizer = torch.optim.Adam(model.parameters(), lr=LR, betas=(0.9, 0.98), eps=1e-9)
    criterion = nn.CrossEntropyLoss(ignore_index=PAD)

    def train_step():
        tokens = torch.randint(3, VOCAB, (BATCH, LENGTH))
        tgt_in = torch.cat([torch.full((BATCH, 1), BOS), tokens], dim=1)
        tgt_out = torch.cat([tokens, torch.full((BATCH, 1), EOS)], dim=1)
        logits = model(tokens, tgt_in)
        loss = criterion(logits.reshape(-1, logits.size(-1)), tgt_out.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), GRAD_CLIP)
        optimizer.step()
        return loss.item()

    first_loss = last_loss = 0.0
    for i in range(args.warmup):
        loss = train_step()
        if i == 0:
            first_loss = loss
    ms = []
    for i in range(args.steps):
        t0 = time.perf_counter()
        last_loss = train_step()
        ms.append(1000.0 * (time.perf_counter() - t0))
        if args.warmup == 0 and i == 0:
            first_loss = last_loss
    print(f"pytorch threads={args.threads} median_ms={statistics.median(ms):.1f} "
          f"mean_ms={statistics.fmean(ms):.1f} params={params} steps={args.steps} warmup={args.warmup} "
          f"first_loss={first_loss:.4f} last_loss={last_loss:.4f} torch={torch.__version__}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
