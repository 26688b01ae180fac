// The one attention core every architecture calls: masked softmax over keys, then the
// weighted sum of values. Scoring functions (Luong, Bahdanau, scaled dot-product) differ;
// this part does not. Shapes: [..., Q, K] scores, [..., K, D] values.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "core/attention_set.h"

namespace attnscope {

struct AttentionResult {
  torch::Tensor weights;  // [..., Q, K], each row sums to 1, exactly 0 where masked
  torch::Tensor context;  // [..., Q, D]
};

// `allowed` is a bool tensor broadcastable to scores (true = may attend); every row must allow
// at least one key. `bias` (optional, same broadcast) is added to the scores before softmax
// (e.g. the log of local-p's Gaussian). `dropout` > 0 (training) drops weights before the sum
// with values; the returned weights stay the ones the model computed.
AttentionResult attend(const torch::Tensor& scores, const torch::Tensor& allowed, const torch::Tensor& values,
                       const torch::Tensor& bias = {}, double dropout = 0);

class AttentionRecorder;

// Scaled dot-product self-attention of one layer, recorded in the form the recorder asks for.
// q [H, T, d]; k, v [G, T, d] (G divides H: grouped-query attention); the scores are
// q k^T divided by each of `divisors` in turn (as the model's own code divides), causal or not;
// `window` > 0 (causal only) is a sliding window: query t sees keys t - window + 1 .. t (Mistral).
// Returns the context [H, T, d].
//
// Short inputs take the dense path (one [H, T, T] softmax, recorded as weights). From
// kQueryKeyFrom tokens, or when the recorder asks for query-key form, the scores are computed a
// block of query rows at a time, so no [H, T, T] tensor exists; the recorder then receives q, k,
// every row's log-sum-exp and pooled thumbnails of the weights (core/query_key.h). Both paths
// compute the same softmax.
torch::Tensor self_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                             const std::vector<float>& divisors, bool causal, AttentionRecorder* rec,
                             AttentionKind kind, int layer, int64_t window = 0);

}  // namespace attnscope
