// The RNN encoder-decoder with attention (DESIGN.md §3), as a libtorch module.
// Internal to models/ and train/: includes libtorch.
//
// Legend: B batch, S source length, T target length, E embedding, H hidden, V vocabulary,
//         L layers. Encoder outputs are [B, S, H] (bidirectional: H/2 per direction, concatenated).
#pragma once

#include <torch/torch.h>

#include "models/architectures/fused_rnn.h"
#include "models/seq2seq_config.h"

namespace attnscope {

// Luong (dot, general, concat) or Bahdanau scoring with global, local-m or local-p scope.
struct RnnAttentionImpl : torch::nn::Module {
  explicit RnnAttentionImpl(const Seq2SeqConfig& cfg);

  struct Output {
    torch::Tensor weights;  // [B, Q, S]
    torch::Tensor context;  // [B, Q, H]
    torch::Tensor scores;   // [B, Q, S] alignment scores before window, Gaussian and softmax
    torch::Tensor position; // [B, Q] the aligned source position p_t (local scopes; else undefined)
  };
  // Per-source work done once per encode (general: W_a h_s; concat/bahdanau: W_k h_s).
  torch::Tensor prepare_keys(const torch::Tensor& keys);
  // query [B, Q, H]; keys/prepared [B, S, H]; valid [B, S] (false on padding); lengths [B] float;
  // first_step: decoding step of query row 0 (local-m aligns step t with source position t).
  Output forward(const torch::Tensor& query, const torch::Tensor& keys, const torch::Tensor& prepared,
                 const torch::Tensor& valid, const torch::Tensor& lengths, int64_t first_step);

  std::string method, scope;
  int window;
  torch::nn::Linear w_a{nullptr};            // general
  torch::nn::Linear w_q{nullptr}, w_k{nullptr}, v{nullptr};  // concat, bahdanau
  torch::nn::Linear w_p{nullptr}, v_p{nullptr};              // local-p position predictor
};
TORCH_MODULE(RnnAttention);

// GRU or LSTM behind one face; the LSTM cell state travels beside h.
struct RnnState {
  torch::Tensor h;     // [L, B, H]
  torch::Tensor c;     // [L, B, H], LSTM only
  torch::Tensor feed;  // [B, H] previous attentional state (input feeding), else undefined
  RnnState index_select(const torch::Tensor& rows) const;  // reorders the batch (beam search)
};

struct Encoded {
  torch::Tensor outputs;   // [B, S, H]
  torch::Tensor prepared;  // [B, S, H] attention's per-source precomputation
  torch::Tensor valid;     // [B, S] bool
  torch::Tensor lengths;   // [B] float
  RnnState state;          // decoder's initial state: the encoder's final state
  Encoded expand(int64_t n) const;  // a batch-of-1 encoding repeated n times (beam search)
};

class AttentionRecorder;  // models/recording/attention_recorder.h

struct RnnSeq2SeqImpl : torch::nn::Module {
  RnnSeq2SeqImpl(const Seq2SeqConfig& cfg, int64_t source_vocab, int64_t target_vocab);

  // src [B, S] ids (padding 0), lengths [B] (long, on CPU or the model's device).
  Encoded encode(const torch::Tensor& src, const torch::Tensor& lengths);
  // One decoding step: previous tokens [B]; `step` is t (0-based). Updates `state`; returns the
  // logits [B, V]. With a recorder (B = 1), the step's weights become row t of cross.0, with its
  // alignment scores (before window, Gaussian and softmax) and context as extras, and with local
  // attention its window's centre p_t as the extra cross.0.position ([Q, 1] over the steps).
  torch::Tensor step(const torch::Tensor& prev, RnnState& state, const Encoded& enc, int64_t step,
                     AttentionRecorder* rec = nullptr);
  // Teacher-forced logits [B, T, V] for tgt_in [B, T]. When the decoder's inputs do not depend
  // on attention (Luong or none, no input feeding) the whole sequence runs as one RNN call;
  // otherwise step by step. teacher_forcing < 1 feeds back the model's own argmax at random steps.
  torch::Tensor forward_train(const Encoded& enc, const torch::Tensor& tgt_in, double teacher_forcing = 1.0);
  bool parallel_decoder() const;

  Seq2SeqConfig cfg;
  torch::nn::Embedding src_embed{nullptr}, tgt_embed{nullptr};
  FusedRnn encoder{nullptr}, decoder{nullptr};
  RnnAttention attention{nullptr};
  torch::nn::Linear combine{nullptr};  // W_c: [context; h] -> attentional state
  torch::nn::Linear project{nullptr};  // W_s: attentional state -> vocabulary
  torch::nn::Dropout dropout{nullptr};

 private:
  // Runs the decoder RNN over x [B, T, in] from `state`; returns outputs [B, T, H].
  torch::Tensor run_decoder(const torch::Tensor& x, RnnState& state);
  torch::Tensor attentional(const torch::Tensor& out, const torch::Tensor& context);
};
TORCH_MODULE(RnnSeq2Seq);

}  // namespace attnscope
