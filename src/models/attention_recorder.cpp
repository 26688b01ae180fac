#include "models/attention_recorder.h"

namespace attnscope {

Array to_array(const torch::Tensor& t) {
  torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
  Array a;
  for (int64_t d : c.sizes()) a.shape.push_back(static_cast<size_t>(d));
  a.data.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  return a;
}

AttentionBlock to_block(AttentionKind kind, int layer, const torch::Tensor& weights) {
  TORCH_CHECK(weights.dim() == 3, "attention weights must be [heads, queries, keys], got ", weights.sizes());
  Array a = to_array(weights);
  AttentionBlock b;
  b.kind = kind;
  b.layer = layer;
  b.heads = a.shape[0];
  b.queries = a.shape[1];
  b.keys = a.shape[2];
  b.weights = std::move(a.data);
  return b;
}

}  // namespace attnscope
