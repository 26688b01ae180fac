#include "models/recording/attention_recorder.h"

#include <algorithm>

#include "models/model_adapters.h"  // join_indices

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

AttentionRecorder::AttentionRecorder(std::vector<int> layers, std::vector<int> heads)
    : layers_(std::move(layers)), heads_(std::move(heads)) {}

bool AttentionRecorder::wants(int layer) const {
  return layers_.empty() || std::find(layers_.begin(), layers_.end(), layer) != layers_.end();
}

const torch::Tensor& AttentionRecorder::head_index(torch::Device device) {
  torch::Tensor& index = head_index_[device.type()];
  if (!index.defined()) index = torch::tensor(std::vector<int64_t>(heads_.begin(), heads_.end()), torch::kLong).to(device);
  return index;
}

void AttentionRecorder::record(AttentionKind kind, int layer, const torch::Tensor& weights) {
  if (!wants(layer)) return;
  torch::Tensor w = weights.detach();
  if (w.dim() == 4) {
    TORCH_CHECK(w.size(0) == 1, "recording takes one sequence at a time, got a batch of ", w.size(0));
    w = w[0];
  }
  TORCH_CHECK(w.dim() == 3, "attention weights must be [heads, queries, keys], got ", weights.sizes());
  if (!heads_.empty()) {
    w = w.index_select(0, head_index(w.device()));
  }
  // Kept on the model's device until blocks(): one host copy per block, none per step.
  parts_[{kind, layer}].push_back(w);
}

void AttentionRecorder::record_query_keys(AttentionKind kind, int layer, const QueryKeyCapture& capture) {
  if (!wants(layer)) return;
  QueryKeyCapture c = capture;
  c.q = c.q.detach();
  c.k = c.k.detach();
  if (!heads_.empty()) {
    // Keep the chosen query heads, each with its own copy of the key head it reads.
    const torch::Tensor& index = head_index(c.q.device());
    c.k = c.k.repeat_interleave(c.q.size(0) / c.k.size(0), 0).index_select(0, index);
    c.q = c.q.index_select(0, index);
    c.lse = c.lse.index_select(0, index);
    if (c.pool) {
      c.thumb_max = c.thumb_max.index_select(0, index);
      c.thumb_mean = c.thumb_mean.index_select(0, index);
    }
  }
  query_keys_[{kind, layer}] = c;
}

void AttentionRecorder::record_extra(AttentionKind kind, int layer, const std::string& what, const torch::Tensor& values) {
  if (!wants(layer)) return;
  extras_[kind_name(kind) + "." + std::to_string(layer) + "." + what].push_back(values.detach());
}

std::vector<AttentionBlock> AttentionRecorder::blocks() const {
  std::vector<AttentionBlock> out;
  for (const auto& [key, parts] : parts_)
    out.push_back(to_block(key.first, key.second, parts.size() == 1 ? parts[0] : torch::cat(parts, 1)));
  return out;
}

namespace {

std::vector<float> host_floats(const torch::Tensor& t) {
  torch::Tensor c = t.to(torch::kCPU, torch::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

AttentionBlock to_query_key_block(AttentionKind kind, int layer, const QueryKeyCapture& c) {
  auto qk = std::make_shared<QueryKeyHeads>();
  qk->heads = static_cast<size_t>(c.q.size(0));
  qk->queries = static_cast<size_t>(c.q.size(1));
  qk->dim = static_cast<size_t>(c.q.size(2));
  qk->key_heads = static_cast<size_t>(c.k.size(0));
  qk->keys = static_cast<size_t>(c.k.size(1));
  qk->scale = c.scale;
  qk->mask = c.mask;
  qk->window = static_cast<size_t>(c.window);
  qk->q = host_floats(c.q);
  qk->k = host_floats(c.k);
  torch::Tensor lse = c.lse.to(torch::kCPU, torch::kDouble).contiguous();
  qk->lse.assign(lse.data_ptr<double>(), lse.data_ptr<double>() + lse.numel());
  qk->pool = c.pool;
  if (c.pool) {
    qk->thumb_max = host_floats(c.thumb_max);
    qk->thumb_mean = host_floats(c.thumb_mean);
  }
  AttentionBlock b;
  b.kind = kind;
  b.layer = layer;
  b.heads = qk->heads;
  b.queries = qk->queries;
  b.keys = qk->keys;
  b.qk = std::move(qk);
  return b;
}

}  // namespace

void AttentionRecorder::into(AttentionRun& run) const {
  std::vector<AttentionBlock> recorded = blocks();
  for (const auto& [key, capture] : query_keys_) recorded.push_back(to_query_key_block(key.first, key.second, capture));
  std::stable_sort(recorded.begin(), recorded.end(), [](const AttentionBlock& a, const AttentionBlock& b) {
    return std::make_pair(a.kind, a.layer) < std::make_pair(b.kind, b.layer);
  });
  for (auto& b : recorded) run.blocks.push_back(std::move(b));
  for (const auto& [name, parts] : extras_) run.extras[name] = to_array(parts.size() == 1 ? parts[0] : torch::cat(parts, -2));
  if (!layers_.empty()) run.info["layers"] = join_indices(layers_);
  if (!heads_.empty()) run.info["heads"] = join_indices(heads_);  // block head i is model head heads[i]
}

}  // namespace attnscope
