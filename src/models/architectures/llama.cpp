#include "models/architectures/llama.h"

#include "models/recording/attention_recorder.h"

#include <math.h>  // powf: RoPE frequencies in float32, as run.c computes them

#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "models/architectures/attention.h"
#include "models/architectures/transformer_blocks.h"

namespace attnscope {

// --- config and weights ------------------------------------------------------------------------

std::string RopeScaling::describe() const {
  char f[32];
  std::snprintf(f, sizeof f, "%g", factor);
  switch (type) {
    case Type::None: return "";
    case Type::Linear: return std::string("linear x") + f;
    case Type::Dynamic: return std::string("dynamic x") + f + " from " + std::to_string(original_positions);
    case Type::Llama3: return std::string("llama3 x") + f + " from " + std::to_string(original_positions);
  }
  return "";
}

std::string LlamaConfig::describe() const {
  std::string s = "dim " + std::to_string(dim) + ", hidden " + std::to_string(hidden_dim) + ", " + std::to_string(n_layers) +
                  " layers, " + std::to_string(n_heads) + " heads (" + std::to_string(n_kv_heads) + " kv";
  if (head_width > 0) s += ", width " + std::to_string(head_width);
  s += "), vocab " + std::to_string(vocab_size) + ", seq " + std::to_string(max_seq_len);
  if (rope_scaling.type != RopeScaling::Type::None) s += ", rope " + rope_scaling.describe();
  if (sliding_window > 0) s += ", window " + std::to_string(sliding_window);
  if (qkv_bias) s += ", qkv bias";
  return s;
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
  if (head_width < 0) throw std::invalid_argument("head_dim must be positive, got " + std::to_string(head_width));
  if (sliding_window < 0) throw std::invalid_argument("sliding_window must be positive, got " + std::to_string(sliding_window));
  if (head_width == 0 && dim % n_heads != 0)
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
    if (c.qkv_bias) {
      expect_shape(w.bq, {HDh}, at + "bq");
      expect_shape(w.bk, {GDh}, at + "bk");
      expect_shape(w.bv, {GDh}, at + "bv");
    }
    if (c.output_bias) expect_shape(w.bo, {D}, at + "bo");
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
    for (torch::Tensor* t : {&w.attn_norm, &w.wq, &w.wk, &w.wv, &w.wo, &w.bq, &w.bk, &w.bv, &w.bo, &w.ffn_norm, &w.w1, &w.w2, &w.w3})
      if (t->defined()) move(*t);
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

// RoPE's inverse frequencies, one per pair, in float32 as Hugging Face's modeling_rope_utils.py
// computes them (its default is llama2.c's: 1 / theta^(2i / Dh)), rescaled as the config says.
// Dynamic NTK grows the base with the sequence: the whole sequence of T tokens uses the base for
// T, as Hugging Face computes a forward pass without a cache.
std::vector<float> rope_inverse_frequencies(const LlamaConfig& c, int64_t T) {
  const RopeScaling& r = c.rope_scaling;
  const int64_t Dh = c.head_dim();
  double base = c.rope_theta;
  if (r.type == RopeScaling::Type::Dynamic && T > r.original_positions)
    base *= std::pow(r.factor * static_cast<double>(T) / r.original_positions - (r.factor - 1),
                     static_cast<double>(Dh) / static_cast<double>(Dh - 2));
  std::vector<float> inv(static_cast<size_t>(Dh / 2));
  for (int64_t i = 0; i < Dh / 2; ++i) {
    float f = 1.0f / powf(static_cast<float>(base), static_cast<float>(2 * i) / static_cast<float>(Dh));
    if (r.type == RopeScaling::Type::Linear) f /= static_cast<float>(r.factor);
    if (r.type == RopeScaling::Type::Llama3) {
      // Long wavelengths are slowed by `factor`, short ones kept, the band between blended.
      const float old_len = static_cast<float>(r.original_positions);
      const float low_wavelen = old_len / static_cast<float>(r.low_freq_factor);
      const float high_wavelen = old_len / static_cast<float>(r.high_freq_factor);
      const float wavelen = static_cast<float>(2 * M_PI) / f;
      const float factor = static_cast<float>(r.factor);
      if (wavelen > low_wavelen) {
        f = f / factor;
      } else if (!(wavelen < high_wavelen)) {
        const float smooth = (old_len / wavelen - static_cast<float>(r.low_freq_factor)) /
                             static_cast<float>(r.high_freq_factor - r.low_freq_factor);
        f = (1 - smooth) * f / factor + smooth * f;
      }
    }
    inv[static_cast<size_t>(i)] = f;
  }
  return inv;
}

// Angles pos * inverse frequency in float32 (as llama2.c and Hugging Face compute them).
RopeTables rope_tables(const LlamaConfig& c, int64_t T, torch::Device device) {
  const int64_t half = c.head_dim() / 2;
  const std::vector<float> inv = rope_inverse_frequencies(c, T);
  std::vector<float> angles(static_cast<size_t>(T * half));
  for (int64_t pos = 0; pos < T; ++pos)
    for (int64_t i = 0; i < half; ++i)
      angles[static_cast<size_t>(pos * half + i)] = static_cast<float>(pos) * inv[static_cast<size_t>(i)];
  torch::Tensor a = torch::from_blob(angles.data(), {T, half}, torch::kFloat).clone().to(device);
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
  const RopeTables rope = rope_tables(c, T, device);
  const float sqrt_dh = std::sqrt(static_cast<float>(Dh));  // scores are divided by it, as in run.c

  torch::Tensor x = w.token_embedding.index_select(0, ids.to(device));  // [T, D]
  for (int l = 0; l < c.n_layers; ++l) {
    const LlamaLayerWeights& L = w.layers[static_cast<size_t>(l)];

    // attention: norm, q/k/v projections, RoPE on q and k, G kv heads shared by H query heads
    torch::Tensor h = rms_norm(x, L.attn_norm, c.norm_eps);
    torch::Tensor q = apply_rope(split_heads(torch::linear(h, L.wq, L.bq), H), rope);  // [H, T, Dh]
    torch::Tensor k = apply_rope(split_heads(torch::linear(h, L.wk, L.bk), G), rope);  // [G, T, Dh]
    torch::Tensor v = split_heads(torch::linear(h, L.wv, L.bv), G);                    // [G, T, Dh]
    // query head i reads kv head i / (H / G)
    const torch::Tensor context =
        self_attention(q, k, v, {sqrt_dh}, /*causal=*/true, rec, AttentionKind::DecoderSelf, l, c.sliding_window);

    // residual
    x = x + torch::linear(merge_heads(context), L.wo, L.bo);

    // feed-forward (SwiGLU) and residual
    h = rms_norm(x, L.ffn_norm, c.norm_eps);
    x = x + torch::linear(torch::silu(torch::linear(h, L.w1)) * torch::linear(h, L.w3), L.w2);
  }
  x = rms_norm(x, w.final_norm, c.norm_eps);
  if (final_hidden) *final_hidden = x;
  return torch::linear(x, w.classifier);  // [T, V]
}

}  // namespace attnscope
