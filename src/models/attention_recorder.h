// The one place where torch tensors become AttentionSet pieces.
#pragma once

#include <torch/torch.h>

#include "core/attention_set.h"

namespace attnscope {

// weights [H, Q, K] (any device, any float dtype) -> an AttentionBlock of float32 weights.
AttentionBlock to_block(AttentionKind kind, int layer, const torch::Tensor& weights);
// Any tensor -> a float32 Array with its shape.
Array to_array(const torch::Tensor& t);

}  // namespace attnscope
