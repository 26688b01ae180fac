#include "models/architectures/gpt2.h"

#include "models/recording/attention_recorder.h"

#include <cmath>
#include <stdexcept>

#include "models/architectures/attention.h"

namespace attnscope {

std::string Gpt2Config::describe() const {
  return "dim " + std::to_string(dim) + ", " + std::to_string(layers) + " layers, " + std::to_string(heads) +
         " heads, ffn " + std::to_string(inner) + ", vocab " + std::to_string(vocab_size) + ", " +
         std::to_string(max_positions) + " positions";
}

Gpt2Weights Gpt2Weights::to(torch::Device device) const {
  Gpt2Weights out = *this;
  const bool tied = lm_head.is_same(token_embedding);
  std::vector<torch::Tensor*> all = {&out.token_embedding, &out.position_embedding, &out.ln_f.weight, &out.ln_f.bias};
  for (auto& L : out.layers) {
    for (Linear* lin : {&L.qkv, &L.attn_out, &L.ffn_in, &L.ffn_out}) {
      all.push_back(&lin->weight);
      all.push_back(&lin->bias);
    }
    for (Norm* n : {&L.ln_1, &L.ln_2}) {
      all.push_back(&n->weight);
      all.push_back(&n->bias);
    }
  }
  if (!tied) all.push_back(&out.lm_head);
  move_to(all, device);
  if (tied) out.lm_head = out.token_embedding;
  return out;
}

torch::Tensor gpt2_forward(const Gpt2Weights& w, const torch::Tensor& ids_in, AttentionRecorder* rec,
                           torch::Tensor* final_hidden) {
  const Gpt2Config& c = w.config;
  const torch::Device device = w.token_embedding.device();
  const torch::Tensor ids = ids_in.to(device);
  const int64_t T = ids.size(0), H = c.heads, D = c.dim;
  if (T > c.max_positions)
    throw std::invalid_argument(std::to_string(T) + " tokens; this GPT-2 reads at most " + std::to_string(c.max_positions));
  const float sqrt_dh = c.scale_attn_weights ? std::sqrt(static_cast<float>(c.head_dim())) : 1.0f;

  // embeddings: token + learned position
  const torch::Tensor positions = torch::arange(T, torch::TensorOptions(torch::kLong).device(device));
  torch::Tensor x = w.token_embedding.index_select(0, ids) + w.position_embedding.index_select(0, positions);  // [T, D]

  for (int l = 0; l < c.layers; ++l) {
    const Gpt2LayerWeights& L = w.layers[static_cast<size_t>(l)];

    // attention: LayerNorm, q/k/v in one projection, causal scaled dot-product
    torch::Tensor h = layer_norm(x, L.ln_1, c.layer_norm_eps);
    const auto qkv = L.qkv(h).split(D, -1);  // 3 x [T, D]
    torch::Tensor q = split_heads(qkv[0], H), k = split_heads(qkv[1], H), v = split_heads(qkv[2], H);  // [H, T, Dh]
    std::vector<float> divisors = {sqrt_dh};
    if (c.scale_attn_by_inverse_layer_idx) divisors.push_back(static_cast<float>(l + 1));
    const torch::Tensor context = self_attention(q, k, v, divisors, /*causal=*/true, rec, AttentionKind::DecoderSelf, l);

    // residual
    x = x + L.attn_out(merge_heads(context));

    // feed-forward: LayerNorm, dense, GELU (tanh), dense, residual
    h = layer_norm(x, L.ln_2, c.layer_norm_eps);
    x = x + L.ffn_out(activation(c.activation, L.ffn_in(h)));
  }
  x = layer_norm(x, w.ln_f, c.layer_norm_eps);
  if (final_hidden) *final_hidden = x;
  return torch::linear(x, w.lm_head);  // [T, V]
}

}  // namespace attnscope
