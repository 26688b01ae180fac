#include "models/attention_recorder.h"

#include <numeric>

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

namespace {
std::vector<int> all_up_to(int n) {
  std::vector<int> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}
}  // namespace

SelectedLayersSink::SelectedLayersSink(int total_layers, int total_heads, std::vector<int> layers, std::vector<int> heads,
                                       int64_t queries, int64_t keys, torch::Device device)
    : layers_(layers.empty() ? all_up_to(total_layers) : std::move(layers)),
      heads_(heads.empty() ? all_up_to(total_heads) : std::move(heads)),
      slot_of_layer_(static_cast<size_t>(total_layers), -1) {
  for (size_t i = 0; i < layers_.size(); ++i) slot_of_layer_.at(static_cast<size_t>(layers_[i])) = static_cast<int>(i);
  if (static_cast<int>(heads_.size()) != total_heads || heads_ != all_up_to(total_heads))
    head_index_ = torch::tensor(std::vector<int64_t>(heads_.begin(), heads_.end()), torch::kLong).to(device);
  buffer_ = torch::empty({static_cast<int64_t>(layers_.size()), static_cast<int64_t>(heads_.size()), queries, keys},
                         torch::TensorOptions(torch::kFloat).device(device));
}

void SelectedLayersSink::record(int layer, const torch::Tensor& weights) {
  const int slot = slot_of_layer_.at(static_cast<size_t>(layer));
  if (slot < 0) return;
  if (head_index_.defined())
    buffer_[slot].copy_(weights.index_select(0, head_index_));
  else
    buffer_[slot].copy_(weights);
}

std::vector<AttentionBlock> SelectedLayersSink::blocks(AttentionKind kind) const {
  const torch::Tensor host = buffer_.to(torch::kCPU);  // one device-to-host copy for every block
  std::vector<AttentionBlock> out;
  for (size_t i = 0; i < layers_.size(); ++i) out.push_back(to_block(kind, layers_[i], host[static_cast<int64_t>(i)]));
  return out;
}

}  // namespace attnscope
