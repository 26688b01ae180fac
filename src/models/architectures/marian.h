// MarianMT (Junczys-Dowmunt et al. 2018) as Hugging Face's MarianMTModel computes it: a post-norm
// Transformer encoder-decoder (Vaswani et al. 2017) with shared, scaled token embeddings,
// sinusoidal positions (no learned ones), and logits against the shared embeddings plus
// final_logits_bias. Weights are a plain struct; read_marian fills it from a HF folder.
//
// Shape legend: S = source tokens, T = target tokens, D = d_model, H = heads, Dh = D / H,
// F = ffn width, V = vocabulary, L = layers (encoder or decoder).
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "models/architectures/transformer_blocks.h"

namespace attnscope {

class HfFolder;

struct MarianConfig {
  int vocab_size = 0;      // V (shared by source and target)
  int dim = 0;             // D (d_model)
  int encoder_layers = 0, decoder_layers = 0;
  int encoder_heads = 0, decoder_heads = 0;
  int encoder_ffn = 0, decoder_ffn = 0;
  int max_positions = 0;
  bool scale_embedding = true;       // embeddings times sqrt(D)
  std::string activation = "swish";
  int pad_id = -1;                   // also the decoder's start token (decoder_start_token_id)
  int eos_id = 0;
  int decoder_start_id = -1;
  // Generation: the token forced as the last one when the length limit is reached (Hugging Face's
  // forced_eos_token_id; MarianConfig's default is </s>, 0); -1: none.
  int forced_eos_id = 0;

  std::string describe() const;  // "d 512, 6+6 layers, 8 heads, ffn 2048, vocab 58101"
};

// Multi-head attention as Marian/BART store it (all four projections have biases).
struct MarianAttention {
  Linear q, k, v, out;  // [D, D] each
};

struct MarianEncoderLayer {
  MarianAttention self_attn;
  Norm self_attn_norm;  // [D]
  Linear fc1;           // [F, D]
  Linear fc2;           // [D, F]
  Norm final_norm;      // [D]
};

struct MarianDecoderLayer {
  MarianAttention self_attn;
  Norm self_attn_norm;
  MarianAttention cross_attn;  // queries from the decoder, keys and values from the encoder
  Norm cross_attn_norm;
  Linear fc1, fc2;
  Norm final_norm;
};

struct MarianWeights {
  MarianConfig config;
  torch::Tensor embedding;          // [V, D] shared by encoder, decoder and the output layer
  std::vector<MarianEncoderLayer> encoder;
  std::vector<MarianDecoderLayer> decoder;
  torch::Tensor final_logits_bias;  // [V]

  MarianWeights to(torch::Device device) const;
};

// [P, D] sinusoidal positions as Marian's: column i < D/2 is sin(pos / 10000^(2i/D)), column
// D/2 + i the matching cos (halves, not interleaved).
torch::Tensor marian_positions(int64_t positions, int64_t dim, torch::Device device);

// Encoder: source ids [S] -> memory [S, D]. The recorder receives each layer's weights [H, S, S].
torch::Tensor marian_encode(const MarianWeights& w, const torch::Tensor& source_ids, AttentionRecorder* rec = nullptr);

// Decoder over target ids [T] (decoder start token first) against memory [S, D]: logits [T, V].
// the recorder: each layer's decoder-self [H, T, T] (causal) and cross [H, T, S];
// `hidden` (optional): the last decoder states [T, D].
torch::Tensor marian_decode(const MarianWeights& w, const torch::Tensor& memory, const torch::Tensor& target_ids,
                            AttentionRecorder* rec = nullptr,
                            torch::Tensor* hidden = nullptr);

MarianWeights read_marian(const HfFolder& folder);

}  // namespace attnscope
