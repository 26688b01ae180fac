#include "models/architectures/llama.h"

#include "models/recording/attention_recorder.h"

#include <math.h>  // powf: RoPE frequencies in float32, as run.c computes them

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "models/architectures/attention.h"
#include "models/architectures/transformer_blocks.h"

namespace attnscope {

// --- config and weights ------------------------------------------------------------------------

std::string LlamaConfig::describe() const {
  return "dim " + std::to_string(dim) + ", hidden " + std::to_string(hidden_dim) + ", " + std::to_string(n_layers) +
         " layers, " + std::to_string(n_heads) + " heads (" + std::to_string(n_kv_heads) + " kv), vocab " +
         std::to_string(vocab_size) + ", seq " + std::to_string(max_seq_len);
}

void LlamaConfig::validate() const {
  auto positive = [](const char* name, int v) {
    if (v <= 0) throw std::invalid_argument(std::string(name) + " must be positive, got " + std::to_string(v));
  };
  positive("dim", dim);
  positive("hidden_dim", hidden_dim);
  positive("n_layers", n_layers);
  positive("n_heads", n_heads);
  positive("n_kv_heads", n_kv_heads);
  positive("vocab_size", vocab_size);
  positive("seq_len", max_seq_len);
  if (dim % n_heads != 0)
    throw std::invalid_argument("n_heads " + std::to_string(n_heads) + " does not divide dim " + std::to_string(dim));
  if (n_heads % n_kv_heads != 0)
    throw std::invalid_argument("n_kv_heads " + std::to_string(n_kv_heads) + " does not divide n_heads " +
                                std::to_string(n_heads));
  if (head_dim() % 2 != 0)
    throw std::invalid_argument("head width " + std::to_string(head_dim()) + " is odd; RoPE rotates pairs");
}

namespace {

void expect_shape(const torch::Tensor& t, std::vector<int64_t> shape, const std::string& name) {
  if (!t.defined()) throw std::invalid_argument(name + " is missing");
  if (!t.sizes().equals(shape)) {
    std::ostringstream msg;
    msg << name << " has shape " << t.sizes() << ", expected " << torch::IntArrayRef(shape);
    throw std::invalid_argument(msg.str());
  }
}

}  // namespace

void LlamaWeights::validate() const {
  const LlamaConfig& c = config;
  c.validate();
  const int64_t D = c.dim, F = c.hidden_dim, V = c.vocab_size, Dh = c.head_dim();
  const int64_t HDh = c.n_heads * Dh, GDh = c.n_kv_heads * Dh;
  expect_shape(token_embedding, {V, D}, "token_embedding");
  if (static_cast<int>(layers.size()) != c.n_layers)
    throw std::invalid_argument(std::to_string(layers.size()) + " layers of weights for n_layers " +
                                std::to_string(c.n_layers));
  for (size_t l = 0; l < layers.size(); ++l) {
    const LlamaLayerWeights& w = layers[l];
    const std::string at = "layers." + std::to_string(l) + ".";
    expect_shape(w.attn_norm, {D}, at + "attn_norm");
    expect_shape(w.wq, {HDh, D}, at + "wq");
    expect_shape(w.wk, {GDh, D}, at + "wk");
    expect_shape(w.wv, {GDh, D}, at + "wv");
    expect_shape(w.wo, {D, HDh}, at + "wo");
    expect_shape(w.ffn_norm, {D}, at + "ffn_norm");
    expect_shape(w.w1, {F, D}, at + "w1");
    expect_shape(w.w2, {D, F}, at + "w2");
    expect_shape(w.w3, {F, D}, at + "w3");
  }
  expect_shape(final_norm, {D}, "final_norm");
  expect_shape(classifier, {V, D}, "classifier");
}

LlamaWeights LlamaWeights::to(torch::Device device) const {
  LlamaWeights out = *this;
  auto move = [&](torch::Tensor& t) { t = t.to(device); };
  const bool shared = classifier.is_same(token_embedding);
  move(out.token_embedding);
  for (auto& w : out.layers)
    for (torch::Tensor* t : {&w.attn_norm, &w.wq, &w.wk, &w.wv, &w.wo, &w.ffn_norm, &w.w1, &w.w2, &w.w3}) move(*t);
  move(out.final_norm);
  if (shared)
    out.classifier = out.token_embedding;  // keep one copy of a tied embedding
  else
    move(out.classifier);
  return out;
}

// --- shared builders ---------------------------------------------------------------------------

namespace {

// x [T, D] -> [T, D]: x / rms(x) * weight.
torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& weight, float eps) {
  return x * torch::rsqrt(x.pow(2).mean(-1, /*keepdim=*/true) + eps) * weight;
}

struct RopeTables {
  torch::Tensor cos, sin;  // [T, Dh / 2]
};

// Angles as llama2.c computes them, in float32: pair i turns by pos * theta^(-2i / Dh).
RopeTables rope_tables(int64_t T, int64_t Dh, float theta, torch::Device device) {
  std::vector<float> angles(static_cast<size_t>(T * Dh / 2));
  for (int64_t pos = 0; pos < T; ++pos)
    for (int64_t i = 0; i < Dh / 2; ++i) {
      const float freq = 1.0f / powf(theta, static_cast<float>(2 * i) / static_cast<float>(Dh));
      angles[static_cast<size_t>(pos * (Dh / 2) + i)] = static_cast<float>(pos) * freq;
    }
  torch::Tensor a = torch::from_blob(angles.data(), {T, Dh / 2}, torch::kFloat).clone().to(device);
  return {a.cos(), a.sin()};
}

// x [N, T, Dh] -> [N, T, Dh]: rotates each interleaved pair (2i, 2i+1) by its angle.
torch::Tensor apply_rope(const torch::Tensor& x, const RopeTables& rope) {
  const auto sizes = x.sizes();
  torch::Tensor pairs = x.reshape({sizes[0], sizes[1], sizes[2] / 2, 2});
  torch::Tensor x0 = pairs.select(-1, 0), x1 = pairs.select(-1, 1);  // [N, T, Dh / 2]
  torch::Tensor r0 = x0 * rope.cos - x1 * rope.sin;
  torch::Tensor r1 = x0 * rope.sin + x1 * rope.cos;
  return torch::stack({r0, r1}, -1).reshape(sizes);
}

}  // namespace

// --- the forward pass ---------------------------------------------------------------------------

torch::Tensor llama_forward(const LlamaWeights& w, const torch::Tensor& ids, AttentionRecorder* rec,
                            torch::Tensor* final_hidden) {
  const LlamaConfig& c = w.config;
  const int64_t T = ids.size(0), H = c.n_heads, G = c.n_kv_heads, Dh = c.head_dim();
  const torch::Device device = w.token_embedding.device();
  const RopeTables rope = rope_tables(T, Dh, c.rope_theta, device);
  const float sqrt_dh = std::sqrt(static_cast<float>(Dh));  // scores are divided by it, as in run.c

  torch::Tensor x = w.token_embedding.index_select(0, ids.to(device));  // [T, D]
  for (int l = 0; l < c.n_layers; ++l) {
    const LlamaLayerWeights& L = w.layers[static_cast<size_t>(l)];

    // attention: norm, q/k/v projections, RoPE on q and k, G kv heads shared by H query heads
    torch::Tensor h = rms_norm(x, L.attn_norm, c.norm_eps);
    torch::Tensor q = apply_rope(split_heads(torch::linear(h, L.wq), H), rope);  // [H, T, Dh]
    torch::Tensor k = apply_rope(split_heads(torch::linear(h, L.wk), G), rope);  // [G, T, Dh]
    torch::Tensor v = split_heads(torch::linear(h, L.wv), G);                    // [G, T, Dh]
    // query head i reads kv head i / (H / G)
    const torch::Tensor context = self_attention(q, k, v, {sqrt_dh}, /*causal=*/true, rec, AttentionKind::DecoderSelf, l);

    // residual
    x = x + torch::linear(merge_heads(context), L.wo);

    // feed-forward (SwiGLU) and residual
    h = rms_norm(x, L.ffn_norm, c.norm_eps);
    x = x + torch::linear(torch::silu(torch::linear(h, L.w1)) * torch::linear(h, L.w3), L.w2);
  }
  x = rms_norm(x, w.final_norm, c.norm_eps);
  if (final_hidden) *final_hidden = x;
  return torch::linear(x, w.classifier);  // [T, V]
}

}  // namespace attnscope
