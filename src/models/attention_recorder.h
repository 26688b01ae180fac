// The one place where torch tensors become AttentionSet pieces.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "core/attention_set.h"
#include "models/transformer_blocks.h"

namespace attnscope {

// weights [H, Q, K] (any device, any float dtype) -> an AttentionBlock of float32 weights.
AttentionBlock to_block(AttentionKind kind, int layer, const torch::Tensor& weights);
// Any tensor -> a float32 Array with its shape.
Array to_array(const torch::Tensor& t);

// Keeps the chosen layers and heads of a forward pass in one buffer allocated before the pass
// ([layers kept, heads kept, Q, K]), so recording costs one copy per layer and nothing else.
class SelectedLayersSink : public LayerAttentionSink {
 public:
  // `layers` / `heads`: indices to keep, in order (already validated); empty keeps all of
  // `total_layers` / `total_heads`.
  SelectedLayersSink(int total_layers, int total_heads, std::vector<int> layers, std::vector<int> heads, int64_t queries,
                     int64_t keys, torch::Device device);
  void record(int layer, const torch::Tensor& weights) override;  // weights [total_heads, Q, K]
  // One block per kept layer, numbered by its layer in the model.
  std::vector<AttentionBlock> blocks(AttentionKind kind) const;

 private:
  std::vector<int> layers_, heads_;
  std::vector<int> slot_of_layer_;  // [total_layers] -> buffer slot, -1 when not kept
  torch::Tensor head_index_;        // [heads kept] long, on the device; undefined when all
  torch::Tensor buffer_;            // [layers kept, heads kept, Q, K]
};

}  // namespace attnscope
