// Training a Transformer to translate a parallel corpus with BPE subwords: data checks, BPE,
// token-bucketed batches, validation BLEU, best-checkpoint keeping, attention snapshots of a
// fixed sentence, resume after Ctrl-C or a crash. Torch-free header.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "models/seq2seq_config.h"

namespace attnscope {

struct TranslateTrainOptions {
  std::string src, tgt;              // training corpus: one sentence a line (.gz allowed)
  std::string valid_src, valid_tgt;  // validation corpus (BLEU every --eval-every steps)
  std::string codes;                 // an existing bpe.codes to use; empty: learn one
  int merges = 8000;                 // merges to learn on source + target (one joint codes file)
  bool shared_vocab = false;         // one vocabulary for both sides
  int min_count = 1;                 // pieces seen fewer times are <unk>
  int max_tokens = 100;              // pairs longer than this (BPE pieces) are left out of training
  std::string out;                   // model folder
  Seq2SeqConfig model;               // transformer fields; task, vocab and lengths are filled in
  int batch_tokens = 4096;           // source + target tokens per batch
  int64_t steps = 100000000;         // upper bound on steps
  double minutes = 0;                // > 0: stop after this much training time
  double lr = 0.0007, label_smoothing = 0.1, grad_clip = 1.0;
  int64_t warmup = 4000;
  int64_t eval_every = 1000;         // steps between validation BLEU, checkpoints and snapshots
  int valid_sentences = 500;         // validation lines decoded for BLEU (greedy)
  std::string snapshot_sentence;     // attention snapshot of this sentence; empty: first valid line
  uint64_t seed = 1;
  bool resume = false;
  std::string device = "cpu";
  bool progress = true;
  const std::atomic<bool>* stop = nullptr;
};

struct TranslateTrainResult {
  int64_t steps = 0;
  double train_minutes = 0;   // cumulative over resumed runs
  double best_bleu = 0;       // validation BLEU of the kept checkpoint
  int64_t best_step = 0;
  bool interrupted = false;
};

TranslateTrainResult train_translation(const TranslateTrainOptions& opts);

}  // namespace attnscope
