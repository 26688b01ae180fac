// The Llama architecture (decoder-only Transformer): RMSNorm, rotary position embeddings (RoPE),
// grouped-query attention, SwiGLU feed-forward. The family members within reach of it are
// variants of the config: Mistral (a sliding attention window), Qwen2 (biases on q, k and v),
// RoPE scaling (linear, dynamic NTK, Llama 3) and head widths other than D / H. Weights come in as a plain LlamaWeights struct,
// so every file format (llama2.c checkpoints today, Hugging Face folders later) is one reader
// producing that struct; the forward pass never knows where they came from.
//
// Shape legend:
//   T = tokens, D = model width, H = query heads, G = key/value heads (H % G == 0),
//   Dh = head width (D / H), F = feed-forward width, V = vocabulary size, L = layers
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "models/architectures/transformer_blocks.h"

namespace attnscope {

// How RoPE's frequencies are rescaled for contexts longer than training, as Hugging Face's
// modeling_rope_utils.py computes them (config.json "rope_scaling").
struct RopeScaling {
  enum class Type { None, Linear, Dynamic, Llama3 };
  Type type = Type::None;
  double factor = 1.0;
  // Llama 3: the training context and the band edges between scaled and unscaled frequencies.
  // Dynamic: `original_positions` is max_position_embeddings, past which the base grows with T.
  int original_positions = 0;
  double low_freq_factor = 1.0, high_freq_factor = 4.0;
  std::string describe() const;  // "", "linear x4", "dynamic x2 from 2048", "llama3 x8 from 8192"
};

struct LlamaConfig {
  int dim = 0;            // D
  int hidden_dim = 0;     // F
  int n_layers = 0;       // L
  int n_heads = 0;        // H, query heads
  int n_kv_heads = 0;     // G, key/value heads shared by H / G query heads each
  int vocab_size = 0;     // V
  int max_seq_len = 0;    // longest sequence the model was trained on (RoPE is defined beyond it)
  float norm_eps = 1e-5f;        // RMSNorm epsilon (llama2.c: 1e-5)
  float rope_theta = 10000.0f;   // RoPE base: pair i of a head turns at theta^(-2i / Dh) per position
  RopeScaling rope_scaling;
  int head_width = 0;            // Dh when it is not D / H (Mistral and Qwen2 configs' "head_dim"); 0: D / H
  int sliding_window = 0;        // > 0: query t sees keys t - window + 1 .. t (Mistral); 0: all before it
  bool qkv_bias = false;         // q, k and v projections carry biases (Qwen2, Llama attention_bias)
  bool output_bias = false;      // the output projection carries one (Llama attention_bias)

  int head_dim() const { return head_width > 0 ? head_width : dim / n_heads; }  // Dh
  std::string describe() const;  // "dim 64, hidden 172, 5 layers, 8 heads (4 kv), vocab 512, seq 512"
  // Throws std::invalid_argument naming the first bad field and its value.
  void validate() const;
};

struct LlamaLayerWeights {
  torch::Tensor attn_norm;  // [D]
  // Query and key rows use RoPE's interleaved-pair layout (llama2.c and Meta's original code:
  // pairs (2i, 2i+1) of each head rotate together). Readers of other layouts (Hugging Face's
  // rotate-half) permute the rows on load.
  torch::Tensor wq;         // [H * Dh, D]
  torch::Tensor wk;         // [G * Dh, D]
  torch::Tensor wv;         // [G * Dh, D]
  torch::Tensor wo;         // [D, H * Dh]
  torch::Tensor ffn_norm;   // [D]
  torch::Tensor w1;         // [F, D] gate
  torch::Tensor w2;         // [D, F] down
  torch::Tensor w3;         // [F, D] up
  // Biases where the config has them (undefined otherwise); bq and bk in wq's and wk's row layout.
  torch::Tensor bq, bk, bv;  // [H * Dh], [G * Dh], [G * Dh]
  torch::Tensor bo;          // [D]
};

struct LlamaWeights {
  LlamaConfig config;
  torch::Tensor token_embedding;  // [V, D]
  std::vector<LlamaLayerWeights> layers;
  torch::Tensor final_norm;       // [D]
  torch::Tensor classifier;       // [V, D]; the embedding itself when the checkpoint shares them

  // Checks every tensor's shape against the config; throws naming the tensor and both shapes.
  void validate() const;
  LlamaWeights to(torch::Device device) const;
};

// Logits of every position: ids [T] (long) -> [T, V]. Causal: position t sees tokens 0..t.
// When `rec` is given, it receives each layer's weights [H, T, T] (exactly 0 above the diagonal);
// when `final_hidden` is given, it receives the hidden states after the final norm [T, D].
torch::Tensor llama_forward(const LlamaWeights& w, const torch::Tensor& ids, AttentionRecorder* rec = nullptr,
                            torch::Tensor* final_hidden = nullptr);

}  // namespace attnscope
