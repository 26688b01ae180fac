// Internals of Seq2SeqModel shared by models/ and train/ (includes libtorch).
#pragma once

#include <torch/torch.h>

#include <memory>

#include "models/rnn_seq2seq.h"
#include "models/seq2seq_model.h"
#include "tasks/task.h"
#include "text/char_vocab.h"

namespace attnscope {

struct TokenBatch {
  torch::Tensor ids;      // [B, T] padded with 0
  torch::Tensor lengths;  // [B] long, CPU
};

struct Seq2SeqModel::Impl {
  Impl(const Seq2SeqConfig& config, torch::Device device);

  Seq2SeqConfig cfg;
  CharVocab source_vocab, target_vocab;
  std::unique_ptr<Task> task;  // normalises inputs the way training did
  torch::Device device;
  RnnSeq2Seq net{nullptr};

  // Source batch: each text's ids followed by </s>.
  TokenBatch source_batch(const std::vector<std::string>& texts) const;
  // Target batch: decoder inputs "<s> y" and expected outputs "y </s>".
  std::pair<TokenBatch, TokenBatch> target_batch(const std::vector<std::string>& texts) const;
};

torch::Device parse_device(const std::string& name);  // "cpu" | "cuda" | "cuda:N"; throws if unavailable

}  // namespace attnscope
