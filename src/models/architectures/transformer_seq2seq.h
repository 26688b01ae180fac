// The trainable Transformer (Vaswani et al. 2017) as a libtorch module: encoder-decoder,
// decoder-only or encoder-only; multi-head scaled dot-product attention through the shared
// attend(); sinusoidal or learned positions; pre- or post-norm. Internal to models/ and train/.
//
// Legend: B batch, S source length, T target length, D d_model, N heads, V vocabulary.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "core/attention_set.h"
#include "models/seq2seq_config.h"

namespace attnscope {

class AttentionRecorder;  // models/recording/attention_recorder.h

struct MultiHeadAttentionImpl : torch::nn::Module {
  MultiHeadAttentionImpl(int64_t d_model, int64_t heads, double dropout);
  // xq [B, Q, D], xkv [B, K, D]; allowed: bool, broadcastable to [B, N, Q, K]. Records the
  // weights [B = 1, N, Q, K] as (kind, layer) when a recorder is given.
  torch::Tensor forward(const torch::Tensor& xq, const torch::Tensor& xkv, const torch::Tensor& allowed,
                        AttentionRecorder* rec = nullptr, AttentionKind kind = AttentionKind::EncoderSelf, int layer = 0);

  int64_t heads;
  double dropout;
  torch::nn::Linear q{nullptr}, k{nullptr}, v{nullptr}, o{nullptr};
};
TORCH_MODULE(MultiHeadAttention);

// Self-attention, optional cross-attention, feed-forward; each a residual sublayer.
struct TransformerLayerImpl : torch::nn::Module {
  TransformerLayerImpl(const Seq2SeqConfig& cfg, bool has_cross);
  // x [B, Q, D]; memory [B, S, D] and cross_allowed only with cross-attention. Self-attention
  // records as (self_kind, layer), cross-attention as (cross, layer).
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& self_allowed, const torch::Tensor& memory,
                        const torch::Tensor& cross_allowed, AttentionRecorder* rec, AttentionKind self_kind, int layer);

  bool pre_norm;
  MultiHeadAttention self_attn{nullptr}, cross_attn{nullptr};
  torch::nn::LayerNorm norm_self{nullptr}, norm_cross{nullptr}, norm_ff{nullptr};
  torch::nn::Linear ff_in{nullptr}, ff_out{nullptr};
  torch::nn::Dropout drop{nullptr};

 private:
  torch::Tensor sublayer(const torch::Tensor& x, torch::nn::LayerNorm& norm, const std::function<torch::Tensor(const torch::Tensor&)>& f);
};
TORCH_MODULE(TransformerLayer);

struct TransformerSeq2SeqImpl : torch::nn::Module {
  TransformerSeq2SeqImpl(const Seq2SeqConfig& cfg, int64_t source_vocab, int64_t target_vocab);

  // Logits [B, T, V] for source ids src [B, S] and decoder inputs tgt_in [B, T] ("<s> y"), both
  // padded with 0. Encoder-only ignores tgt_in and returns [B, S, V]: position i predicts output
  // token i. Records every layer's attention when a recorder is given (one sequence, B = 1).
  torch::Tensor forward(const torch::Tensor& src, const torch::Tensor& tgt_in, AttentionRecorder* rec = nullptr);

  // Encoder-decoder only: encode once, then decode many prefixes against the same memory.
  torch::Tensor encode(const torch::Tensor& src, AttentionRecorder* rec = nullptr);  // [B, S, D]
  torch::Tensor decode(const torch::Tensor& tgt_in, const torch::Tensor& memory, const torch::Tensor& src_valid,
                       AttentionRecorder* rec = nullptr);  // logits [B, T, V]

  Seq2SeqConfig cfg;
  torch::nn::Embedding src_embed{nullptr}, tgt_embed{nullptr}, learned_positions{nullptr};
  torch::nn::ModuleList encoder{nullptr}, decoder{nullptr};
  torch::nn::LayerNorm encoder_norm{nullptr}, decoder_norm{nullptr};  // pre-norm's final norms
  torch::nn::Linear project{nullptr};
  torch::nn::Dropout drop{nullptr};
  torch::Tensor sinusoids;  // [max positions, D] buffer (sinusoidal)

 private:
  // Embedding * sqrt(D) + position; positions [B, L] long.
  torch::Tensor embed(torch::nn::Embedding& table, const torch::Tensor& ids, const torch::Tensor& positions);
  torch::Tensor run_stack(torch::nn::ModuleList& stack, torch::nn::LayerNorm& final_norm, torch::Tensor x,
                          const torch::Tensor& self_allowed, const torch::Tensor& memory, const torch::Tensor& cross_allowed,
                          AttentionRecorder* rec, AttentionKind self_kind);
  torch::Tensor logits(const torch::Tensor& h);
};
TORCH_MODULE(TransformerSeq2Seq);

// Rows of `ids` [B, L] that are not padding, as [B, L] bool.
torch::Tensor not_padding(const torch::Tensor& ids);

}  // namespace attnscope
