// Pieces every training loop shares (includes libtorch; internal to train/).
#pragma once

#include <torch/torch.h>

#include "models/seq2seq_config.h"
#include "train/trainer.h"

namespace attnscope {

// The rate at `step` (1-based): constant, or with --warmup the inverse-square-root schedule
// peaking at opts.lr after opts.warmup steps.
double learning_rate(const TrainOptions& opts, int64_t step);
void set_learning_rate(torch::optim::Optimizer& optimizer, double lr);
// Adam; Transformers get the paper's betas (0.9, 0.98) and eps 1e-9.
torch::optim::AdamOptions adam_options(const TrainOptions& opts, const Seq2SeqConfig& cfg);
// optimizer.pt: written atomically; read when present (a checkpoint saved without it starts a
// fresh optimizer).
void save_optimizer(torch::optim::Optimizer& optimizer, const std::string& path);
void load_optimizer(torch::optim::Optimizer& optimizer, const std::string& path);
// Mean token cross-entropy of logits [B, T, V] against expected ids [B, T], padding ignored,
// optionally with label smoothing.
torch::Tensor sequence_loss(const torch::Tensor& logits, const torch::Tensor& expected, double label_smoothing);

}  // namespace attnscope
