// The one place where attention is captured, for every architecture: the forward passes of BERT,
// GPT-2, Llama, Marian, the trainable Transformer and the RNN hand each layer's weights to an
// AttentionRecorder the caller passed in (null: nothing is recorded), and the recorder turns
// them into AttentionSet blocks. It is also the one place torch tensors become plain arrays.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/attention_set.h"

namespace attnscope {

// weights [H, Q, K] (any device, any float dtype) -> an AttentionBlock of float32 weights.
AttentionBlock to_block(AttentionKind kind, int layer, const torch::Tensor& weights);
// Any tensor -> a float32 Array with its shape.
Array to_array(const torch::Tensor& t);

// What a query-key capture hands the recorder for one layer (core/query_key.h): the queries and
// keys as the scores used them, each row's log-sum-exp, and pooled thumbnails of the weights.
struct QueryKeyCapture {
  torch::Tensor q;            // [H, T, d]
  torch::Tensor k;            // [G, K, d]
  torch::Tensor lse;          // [H, T] double
  torch::Tensor thumb_max;    // [H, ceil(T / pool), ceil(K / pool)], undefined when pool == 0
  torch::Tensor thumb_mean;
  size_t pool = 0;
  double scale = 1.0;
  MaskRule mask = MaskRule::Causal;
  int64_t window = 0;  // causal with a sliding window of this many keys (0: none)
};

class AttentionRecorder {
 public:
  // Keeps only these layers and heads (empty: all). Callers validate the indices against the
  // model first (a recorder does not know its size).
  explicit AttentionRecorder(std::vector<int> layers = {}, std::vector<int> heads = {});

  // One layer's weights [H, Q, K], or [1, H, Q, K] (a batch of one sequence). Recording the same
  // kind and layer again appends the new query rows: decoders that run step by step (the RNN)
  // record one row per step.
  void record(AttentionKind kind, int layer, const torch::Tensor& weights);
  // An extra array of a layer, "<kind>.<layer>.<what>" in the run ("cross.0.scores" [H, Q, K],
  // "cross.0.context" [Q, D]); rows appended along dimension -2 like record().
  void record_extra(AttentionKind kind, int layer, const std::string& what, const torch::Tensor& values);
  // One layer in query-key form (instead of record()).
  void record_query_keys(AttentionKind kind, int layer, const QueryKeyCapture& capture);
  bool wants(int layer) const;
  // Which form to record in; forward passes that can capture queries and keys ask
  // query_keys(T) and call record_query_keys() when it says so.
  void set_form(WeightForm form) { form_ = form; }
  bool query_keys(int64_t tokens) const { return use_query_keys(form_, static_cast<size_t>(tokens)); }

  // Everything recorded, copied to the host once: blocks in (kind, layer) order, and extras.
  std::vector<AttentionBlock> blocks() const;
  // Appends the blocks and extras to `run`, and notes a layer or head selection in its info.
  void into(AttentionRun& run) const;

 private:
  std::vector<int> layers_, heads_;
  std::map<std::pair<AttentionKind, int>, std::vector<torch::Tensor>> parts_;  // [H kept, q, K] pieces
  std::map<std::string, std::vector<torch::Tensor>> extras_;
  std::map<std::pair<AttentionKind, int>, QueryKeyCapture> query_keys_;
  WeightForm form_ = WeightForm::Auto;
  std::map<torch::Device::Type, torch::Tensor> head_index_;  // per device; undefined: all heads
  const torch::Tensor& head_index(torch::Device device);       // heads_ as a long tensor there
};

}  // namespace attnscope
