#include "models/architectures/bert.h"

#include "models/recording/attention_recorder.h"

#include <cmath>
#include <stdexcept>

#include "models/architectures/attention.h"

namespace attnscope {

std::string BertConfig::describe() const {
  return "hidden " + std::to_string(hidden) + ", " + std::to_string(layers) + " layers, " + std::to_string(heads) +
         " heads, ffn " + std::to_string(intermediate) + ", vocab " + std::to_string(vocab_size) + ", " +
         std::to_string(max_positions) + " positions";
}

BertWeights BertWeights::to(torch::Device device) const {
  BertWeights out = *this;
  std::vector<torch::Tensor*> all = {&out.word_embeddings, &out.position_embeddings, &out.token_type_embeddings,
                                     &out.embed_norm.weight, &out.embed_norm.bias};
  for (auto& L : out.layers)
    for (Linear* lin : {&L.query, &L.key, &L.value, &L.attn_out, &L.ffn_in, &L.ffn_out}) {
      all.push_back(&lin->weight);
      all.push_back(&lin->bias);
    }
  for (auto& L : out.layers)
    for (Norm* n : {&L.attn_norm, &L.ffn_norm}) {
      all.push_back(&n->weight);
      all.push_back(&n->bias);
    }
  const bool tied = mlm.decoder.weight.is_same(word_embeddings);
  for (torch::Tensor* t : {&out.mlm.transform.weight, &out.mlm.transform.bias, &out.mlm.norm.weight,
                           &out.mlm.norm.bias, &out.mlm.decoder.bias})
    all.push_back(t);
  if (!tied) all.push_back(&out.mlm.decoder.weight);
  move_to(all, device);
  if (tied) out.mlm.decoder.weight = out.word_embeddings;  // one copy of the shared matrix
  return out;
}

BertOutput bert_forward(const BertWeights& w, const torch::Tensor& ids_in, const torch::Tensor& token_types,
                        const torch::Tensor& allowed_keys, AttentionRecorder* rec) {
  const BertConfig& c = w.config;
  const torch::Device device = w.word_embeddings.device();
  const torch::Tensor ids = ids_in.to(device);
  const int64_t T = ids.size(0), H = c.heads;
  if (T > c.max_positions)
    throw std::invalid_argument(std::to_string(T) + " tokens; this BERT reads at most " + std::to_string(c.max_positions));
  const float sqrt_dh = std::sqrt(static_cast<float>(c.head_dim()));
  // [1, T]: every query may attend to every non-padding key (bidirectional).
  const torch::Tensor allowed = allowed_keys.defined() ? allowed_keys.to(device).view({1, T})
                                                       : torch::ones({1, T}, torch::TensorOptions(torch::kBool).device(device));

  // embeddings: word + position + token type, LayerNorm
  const torch::Tensor positions = torch::arange(T, torch::TensorOptions(torch::kLong).device(device));
  const torch::Tensor types = token_types.defined() ? token_types.to(device) : torch::zeros_like(ids);
  torch::Tensor x = w.word_embeddings.index_select(0, ids) + w.position_embeddings.index_select(0, positions) +
                    w.token_type_embeddings.index_select(0, types);  // [T, D]
  x = layer_norm(x, w.embed_norm, c.layer_norm_eps);

  for (int l = 0; l < c.layers; ++l) {
    const BertLayerWeights& L = w.layers[static_cast<size_t>(l)];

    // self-attention over all tokens
    torch::Tensor q = split_heads(L.query(x), H);  // [H, T, Dh]
    torch::Tensor k = split_heads(L.key(x), H);    // [H, T, Dh]
    torch::Tensor v = split_heads(L.value(x), H);  // [H, T, Dh]
    AttentionResult att = attend(torch::matmul(q, k.transpose(1, 2)) / sqrt_dh, allowed, v);  // [H, T, T]
    if (rec) rec->record(AttentionKind::EncoderSelf, l, att.weights);

    // output projection, residual, LayerNorm (post-norm)
    x = layer_norm(x + L.attn_out(merge_heads(att.context)), L.attn_norm, c.layer_norm_eps);

    // feed-forward, residual, LayerNorm
    torch::Tensor h = activation(c.hidden_act, L.ffn_in(x));  // [T, F]
    x = layer_norm(x + L.ffn_out(h), L.ffn_norm, c.layer_norm_eps);
  }

  BertOutput out;
  out.hidden = x;
  if (w.has_mlm_head) {
    // masked-LM head: dense, activation, LayerNorm, then scores against every word embedding
    torch::Tensor h = layer_norm(activation(c.hidden_act, w.mlm.transform(x)), w.mlm.norm, c.layer_norm_eps);
    out.logits = w.mlm.decoder(h);  // [T, V]
  }
  return out;
}

}  // namespace attnscope
