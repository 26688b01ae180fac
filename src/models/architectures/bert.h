// BERT (Devlin et al. 2018) as Hugging Face's BertModel / BertForMaskedLM computes it: embeddings
// (word + position + token type, LayerNorm), post-norm encoder layers (self-attention, residual,
// LayerNorm; GELU feed-forward, residual, LayerNorm), and the masked-LM head whose decoder shares
// the word embeddings. Weights are a plain struct; bert_reader fills it from a HF folder.
//
// Shape legend: T = tokens, D = hidden width, H = heads, Dh = D / H, F = intermediate width,
// V = vocabulary, P = positions, L = layers.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "models/architectures/transformer_blocks.h"

namespace attnscope {

class HfFolder;

struct BertConfig {
  int vocab_size = 0;        // V
  int hidden = 0;            // D
  int layers = 0;            // L
  int heads = 0;             // H
  int intermediate = 0;      // F
  int max_positions = 0;     // P
  int type_vocab_size = 2;   // segment ids 0..type_vocab_size-1
  double layer_norm_eps = 1e-12;
  std::string hidden_act = "gelu";  // "gelu" is the erf form

  int head_dim() const { return hidden / heads; }
  std::string describe() const;  // "hidden 768, 12 layers, 12 heads, ffn 3072, vocab 30522, 512 positions"
};

struct BertLayerWeights {
  Linear query, key, value;  // [D, D] each
  Linear attn_out;           // [D, D]
  Norm attn_norm;            // [D]
  Linear ffn_in;             // [F, D]
  Linear ffn_out;            // [D, F]
  Norm ffn_norm;             // [D]
};

// cls.predictions: transform (dense, activation, LayerNorm), then the decoder.
struct BertMlmHead {
  Linear transform;  // [D, D]
  Norm norm;         // [D]
  Linear decoder;    // weight [V, D]: the word embeddings (tied); bias [V]
};

struct BertWeights {
  BertConfig config;
  torch::Tensor word_embeddings;        // [V, D]
  torch::Tensor position_embeddings;    // [P, D]
  torch::Tensor token_type_embeddings;  // [type_vocab_size, D]
  Norm embed_norm;                      // [D]
  std::vector<BertLayerWeights> layers;
  bool has_mlm_head = false;            // BertForMaskedLM: true; BertModel: false
  BertMlmHead mlm;

  BertWeights to(torch::Device device) const;
};

struct BertOutput {
  torch::Tensor hidden;  // [T, D] the last layer's output
  torch::Tensor logits;  // [T, V] masked-LM scores; undefined without the head
};

// ids [T] long. token_types [T] long (undefined: all 0). allowed_keys [T] bool (undefined: all;
// false marks padding no query may attend to). The recorder receives each layer's weights [H, T, T].
BertOutput bert_forward(const BertWeights& w, const torch::Tensor& ids, const torch::Tensor& token_types = {},
                        const torch::Tensor& allowed_keys = {}, AttentionRecorder* rec = nullptr);

// Reads a BertModel / BertForMaskedLM folder (names with or without the "bert." prefix).
BertWeights read_bert(const HfFolder& folder);

}  // namespace attnscope
