// Training a sequence-to-sequence model (RNN or Transformer) on a toy task: the loop, held-out evaluation, checkpoints,
// resume and clean interruption. Torch-free header.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "models/seq2seq_config.h"
#include "models/seq2seq_model.h"

namespace attnscope {

struct TrainOptions {
  std::string task = "reverse";  // task spec (tasks/task.h)
  std::string out;               // model folder: config.json, model.safetensors, train_state.*
  Seq2SeqConfig model;           // architecture fields; task, alphabets and lengths are filled in
  int min_len = 5, max_len = 12; // string lengths for reverse / shift
  int64_t steps = 20000;         // upper bound on training steps
  int batch = 64;
  double lr = 0.003;             // Adam learning rate (halved when held-out accuracy plateaus)
  int plateau_evals = 5;         // evaluations without a new best before the rate is halved
  double min_lr = 1e-4;          // the rate is never halved below this
  int64_t warmup = 0;            // > 0: linear warm-up to `lr` over this many steps, then 1/sqrt decay
  double label_smoothing = 0;    // share of probability spread over the vocabulary
  double grad_clip = 5.0;        // max global gradient norm
  double teacher_forcing = 1.0;  // probability of feeding the reference token at a step
  double target_acc = 0.995;     // stop once held-out exact match reaches this
  int64_t eval_every = 100;      // steps between held-out evaluations and checkpoints
  int heldout = 1000;            // held-out examples
  uint64_t seed = 1;
  bool resume = false;           // continue from the checkpoint in `out`
  std::string device = "cpu";
  bool progress = true;          // live progress line on stderr
  const std::atomic<bool>* stop = nullptr;  // set asynchronously (Ctrl-C): save and return
};

struct TrainResult {
  int64_t steps = 0;              // total steps taken (including resumed ones)
  double seconds = 0;             // wall time of this call
  double ms_per_step = 0;         // mean over this call's steps, excluding evaluation
  double heldout_acc = 0;         // last held-out exact match
  double seconds_to_target = -1;  // when held-out first reached target_acc (-1: never)
  bool interrupted = false;
};

TrainResult train_seq2seq(const TrainOptions& opts);

// Held-out exact match of the model in `dir` on its task's held-out set (rebuilt from the seed
// stored at training time).
double evaluate_seq2seq(const std::string& dir, const std::string& device = "cpu");
// The same for a model already loaded from `dir` (its train_state.json gives the seed).
double evaluate_seq2seq(const Seq2SeqModel& model, const std::string& dir);

}  // namespace attnscope
