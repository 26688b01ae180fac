// Internals of Seq2SeqModel shared by models/ and train/ (includes libtorch). One model object
// holds either network (RNN or Transformer) behind the same vocabularies, batches and loss.
#pragma once

#include <torch/torch.h>

#include <memory>

#include "models/architectures/rnn_seq2seq.h"
#include "models/seq2seq_model.h"
#include "models/architectures/transformer_seq2seq.h"
#include "tasks/task.h"
#include "text/vocab.h"

namespace attnscope {

struct TokenBatch {
  torch::Tensor ids;      // [B, T] padded with 0
  torch::Tensor lengths;  // [B] long, CPU
};

struct Seq2SeqModel::Impl {
  Impl(const Seq2SeqConfig& config, torch::Device device, std::shared_ptr<const Vocab> source,
       std::shared_ptr<const Vocab> target);

  Seq2SeqConfig cfg;
  std::shared_ptr<const Vocab> source_vocab, target_vocab;
  std::unique_ptr<Task> task;  // normalises inputs the way training did; null for translation
  torch::Device device;
  RnnSeq2Seq rnn{nullptr};                  // arch "rnn"
  TransformerSeq2Seq transformer{nullptr};  // arch "transformer"

  torch::nn::Module& module();
  std::string normalize(const std::string& text) const;
  // Source batch: each text's ids followed by </s>.
  TokenBatch source_batch(const std::vector<std::string>& texts) const;
  TokenBatch source_batch_ids(const std::vector<std::vector<int>>& ids) const;
  // Target batch: decoder inputs "<s> y" and expected outputs "y </s>".
  std::pair<TokenBatch, TokenBatch> target_batch(const std::vector<std::string>& texts) const;
  std::pair<TokenBatch, TokenBatch> target_batch_ids(const std::vector<std::vector<int>>& ids) const;
  // Teacher-forced logits [B, T, V] and the ids they should predict [B, T] (0 = ignore).
  std::pair<torch::Tensor, torch::Tensor> training_logits(const TokenBatch& src, const TokenBatch& tgt_in,
                                                          const TokenBatch& tgt_out, double teacher_forcing);
  // Greedy outputs (ids, without </s>) of a batch of sources, no recording.
  std::vector<std::vector<int>> greedy_ids(const TokenBatch& src);
};

int output_limit(const Seq2SeqConfig& cfg, int64_t source_tokens);  // see seq2seq_model.cpp
torch::Device parse_device(const std::string& name);  // "cpu" | "cuda" | "cuda:N"; throws if unavailable

}  // namespace attnscope
