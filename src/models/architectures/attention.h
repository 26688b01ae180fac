// The one attention core every architecture calls: masked softmax over keys, then the
// weighted sum of values. Scoring functions (Luong, Bahdanau, scaled dot-product) differ;
// this part does not. Shapes: [..., Q, K] scores, [..., K, D] values.
#pragma once

#include <torch/torch.h>

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

}  // namespace attnscope
