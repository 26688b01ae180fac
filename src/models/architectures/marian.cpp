#include "models/architectures/marian.h"

#include "models/recording/attention_recorder.h"

#include <cmath>
#include <stdexcept>

#include "models/architectures/attention.h"

namespace attnscope {

std::string MarianConfig::describe() const {
  return "d " + std::to_string(dim) + ", " + std::to_string(encoder_layers) + "+" + std::to_string(decoder_layers) +
         " layers, " + std::to_string(encoder_heads) + " heads, ffn " + std::to_string(encoder_ffn) + ", vocab " +
         std::to_string(vocab_size);
}

MarianWeights MarianWeights::to(torch::Device device) const {
  MarianWeights out = *this;
  std::vector<torch::Tensor*> all = {&out.embedding, &out.final_logits_bias};
  auto attention = [&](MarianAttention& a) {
    for (Linear* l : {&a.q, &a.k, &a.v, &a.out}) all.insert(all.end(), {&l->weight, &l->bias});
  };
  auto norm = [&](Norm& n) { all.insert(all.end(), {&n.weight, &n.bias}); };
  auto linear = [&](Linear& l) { all.insert(all.end(), {&l.weight, &l.bias}); };
  for (auto& L : out.encoder) {
    attention(L.self_attn);
    norm(L.self_attn_norm);
    linear(L.fc1);
    linear(L.fc2);
    norm(L.final_norm);
  }
  for (auto& L : out.decoder) {
    attention(L.self_attn);
    norm(L.self_attn_norm);
    attention(L.cross_attn);
    norm(L.cross_attn_norm);
    linear(L.fc1);
    linear(L.fc2);
    norm(L.final_norm);
  }
  move_to(all, device);
  return out;
}

torch::Tensor marian_positions(int64_t positions, int64_t dim, torch::Device device) {
  const auto f64 = torch::TensorOptions(torch::kDouble);
  const torch::Tensor pos = torch::arange(positions, f64).unsqueeze(1);                          // [P, 1]
  const torch::Tensor i = torch::arange(dim / 2, f64).unsqueeze(0);                              // [1, D/2]
  const torch::Tensor angle = pos / torch::pow(10000.0, 2.0 * i / static_cast<double>(dim));     // [P, D/2]
  return torch::cat({angle.sin(), angle.cos()}, 1).to(torch::kFloat).to(device);                // [P, D]
}

namespace {

constexpr double kLayerNormEps = 1e-5;  // nn.LayerNorm's default; Marian's config has no eps

// queries x [Q, D] attend to keys/values y [K, D]: weights [H, Q, K], output [Q, D].
AttentionResult multi_head(const MarianAttention& a, const torch::Tensor& x, const torch::Tensor& y, int64_t heads,
                           const torch::Tensor& allowed) {
  const float sqrt_dh = std::sqrt(static_cast<float>(x.size(1) / heads));
  torch::Tensor q = split_heads(a.q(x), heads);  // [H, Q, Dh]
  torch::Tensor k = split_heads(a.k(y), heads);  // [H, K, Dh]
  torch::Tensor v = split_heads(a.v(y), heads);  // [H, K, Dh]
  AttentionResult r = attend(torch::matmul(q, k.transpose(1, 2)) / sqrt_dh, allowed, v);
  r.context = a.out(merge_heads(r.context));  // [Q, D]
  return r;
}

// Scaled token embeddings plus sinusoidal positions: ids [N] -> [N, D].
torch::Tensor embed(const MarianWeights& w, const torch::Tensor& ids) {
  const MarianConfig& c = w.config;
  const int64_t N = ids.size(0);
  if (N > c.max_positions)
    throw std::invalid_argument(std::to_string(N) + " tokens; this Marian model reads at most " + std::to_string(c.max_positions));
  const double scale = c.scale_embedding ? std::sqrt(static_cast<double>(c.dim)) : 1.0;
  return w.embedding.index_select(0, ids) * scale + marian_positions(N, c.dim, w.embedding.device());
}

}  // namespace

torch::Tensor marian_encode(const MarianWeights& w, const torch::Tensor& source_ids, AttentionRecorder* rec) {
  const MarianConfig& c = w.config;
  const torch::Device device = w.embedding.device();
  const torch::Tensor ids = source_ids.to(device);
  const int64_t S = ids.size(0);
  const torch::Tensor allowed = torch::ones({1, S}, torch::TensorOptions(torch::kBool).device(device));

  torch::Tensor x = embed(w, ids);  // [S, D]
  for (int l = 0; l < c.encoder_layers; ++l) {
    const MarianEncoderLayer& L = w.encoder[static_cast<size_t>(l)];

    // self-attention, residual, LayerNorm (post-norm)
    AttentionResult att = multi_head(L.self_attn, x, x, c.encoder_heads, allowed);  // [H, S, S]
    if (rec) rec->record(AttentionKind::EncoderSelf, l, att.weights);
    x = layer_norm(x + att.context, L.self_attn_norm, kLayerNormEps);

    // feed-forward, residual, LayerNorm
    x = layer_norm(x + L.fc2(activation(c.activation, L.fc1(x))), L.final_norm, kLayerNormEps);
  }
  return x;
}

torch::Tensor marian_decode(const MarianWeights& w, const torch::Tensor& memory, const torch::Tensor& target_ids,
                            AttentionRecorder* rec, torch::Tensor* hidden) {
  const MarianConfig& c = w.config;
  const torch::Device device = w.embedding.device();
  const torch::Tensor ids = target_ids.to(device);
  const int64_t T = ids.size(0), S = memory.size(0);
  const torch::Tensor causal = causal_mask(T, device);
  const torch::Tensor all_source = torch::ones({1, S}, torch::TensorOptions(torch::kBool).device(device));

  torch::Tensor x = embed(w, ids);  // [T, D]
  for (int l = 0; l < c.decoder_layers; ++l) {
    const MarianDecoderLayer& L = w.decoder[static_cast<size_t>(l)];

    // causal self-attention, residual, LayerNorm
    AttentionResult self = multi_head(L.self_attn, x, x, c.decoder_heads, causal);  // [H, T, T]
    if (rec) rec->record(AttentionKind::DecoderSelf, l, self.weights);
    x = layer_norm(x + self.context, L.self_attn_norm, kLayerNormEps);

    // cross-attention over the encoder's memory, residual, LayerNorm
    AttentionResult cross = multi_head(L.cross_attn, x, memory, c.decoder_heads, all_source);  // [H, T, S]
    if (rec) rec->record(AttentionKind::Cross, l, cross.weights);
    x = layer_norm(x + cross.context, L.cross_attn_norm, kLayerNormEps);

    // feed-forward, residual, LayerNorm
    x = layer_norm(x + L.fc2(activation(c.activation, L.fc1(x))), L.final_norm, kLayerNormEps);
  }
  if (hidden) *hidden = x;
  return torch::linear(x, w.embedding, w.final_logits_bias);  // [T, V]
}

}  // namespace attnscope
