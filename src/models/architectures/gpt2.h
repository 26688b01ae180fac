// GPT-2 (Radford et al. 2019) as Hugging Face's GPT2LMHeadModel computes it: learned token and
// position embeddings, pre-norm decoder layers (LayerNorm, causal self-attention, residual;
// LayerNorm, GELU-tanh feed-forward, residual), a final LayerNorm and the language-model head
// tied to the token embeddings. Weights are a plain struct; gpt2_reader fills it from a HF folder.
//
// Shape legend: T = tokens, D = width (n_embd), H = heads, Dh = D / H, F = inner width (4 D),
// V = vocabulary, P = positions, L = layers.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "models/architectures/transformer_blocks.h"

namespace attnscope {

class HfFolder;

struct Gpt2Config {
  int vocab_size = 0;     // V
  int dim = 0;            // D (n_embd)
  int layers = 0;         // L (n_layer)
  int heads = 0;          // H (n_head)
  int inner = 0;          // F (n_inner, default 4 D)
  int max_positions = 0;  // P (n_positions)
  double layer_norm_eps = 1e-5;
  std::string activation = "gelu_new";
  bool scale_attn_weights = true;               // divide scores by sqrt(Dh)
  bool scale_attn_by_inverse_layer_idx = false; // and by layer + 1
  int bos_id = -1, eos_id = -1;                 // from config.json (50256 for GPT-2)

  int head_dim() const { return dim / heads; }
  std::string describe() const;  // "dim 768, 12 layers, 12 heads, ffn 3072, vocab 50257, 1024 positions"
};

struct Gpt2LayerWeights {
  Norm ln_1;        // [D]
  Linear qkv;       // [3 D, D]: q, k, v stacked (HF's c_attn, stored transposed; see gpt2_reader)
  Linear attn_out;  // [D, D] (c_proj)
  Norm ln_2;        // [D]
  Linear ffn_in;    // [F, D] (c_fc)
  Linear ffn_out;   // [D, F] (mlp.c_proj)
};

struct Gpt2Weights {
  Gpt2Config config;
  torch::Tensor token_embedding;     // [V, D] (wte)
  torch::Tensor position_embedding;  // [P, D] (wpe)
  std::vector<Gpt2LayerWeights> layers;
  Norm ln_f;                         // [D]
  torch::Tensor lm_head;             // [V, D]: wte itself unless the checkpoint stores its own

  Gpt2Weights to(torch::Device device) const;
};

// Logits [T, V] for ids [T] (long); causal. The recorder receives each layer's weights [H, T, T];
// `final_hidden` (optional) receives the hidden states after ln_f [T, D].
torch::Tensor gpt2_forward(const Gpt2Weights& w, const torch::Tensor& ids, AttentionRecorder* rec = nullptr,
                           torch::Tensor* final_hidden = nullptr);

// Reads a GPT2LMHeadModel / GPT2Model folder (names with or without the "transformer." prefix).
Gpt2Weights read_gpt2(const HfFolder& folder);

}  // namespace attnscope
