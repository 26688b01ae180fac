#include "models/architectures/transformer_seq2seq.h"

#include "models/recording/attention_recorder.h"

#include <cmath>

#include "models/architectures/attention.h"
#include "models/architectures/dropout.h"
#include "models/architectures/transformer_blocks.h"
#include "text/vocab.h"

namespace attnscope {

namespace nn = torch::nn;

torch::Tensor not_padding(const torch::Tensor& ids) { return ids != Vocab::kPad; }

// ---------------------------------------------------------------------------------------------
// Multi-head attention
// ---------------------------------------------------------------------------------------------

MultiHeadAttentionImpl::MultiHeadAttentionImpl(int64_t d_model, int64_t n, double p) : heads(n), dropout(p) {
  q = register_module("q", nn::Linear(d_model, d_model));
  k = register_module("k", nn::Linear(d_model, d_model));
  v = register_module("v", nn::Linear(d_model, d_model));
  o = register_module("o", nn::Linear(d_model, d_model));
}

torch::Tensor MultiHeadAttentionImpl::forward(const torch::Tensor& xq, const torch::Tensor& xkv,
                                              const torch::Tensor& allowed, AttentionRecorder* rec, AttentionKind kind, int layer) {
  const int64_t B = xq.size(0), Q = xq.size(1), K = xkv.size(1), D = xq.size(2), Dh = D / heads;
  auto split = [&](const torch::Tensor& x, int64_t L) { return x.view({B, L, heads, Dh}).transpose(1, 2); };  // [B, N, L, Dh]
  torch::Tensor qh = split(q->forward(xq), Q), kh = split(k->forward(xkv), K), vh = split(v->forward(xkv), K);
  // One causal sequence recorded as queries and keys (the decoder-only variant, on request or
  // when long): the shared core computes it in blocks and captures q, k and the log-sum-exps.
  if (rec && !is_training() && B == 1 && kind == AttentionKind::DecoderSelf && xq.is_same(xkv) && rec->query_keys(Q) &&
      allowed.numel() == Q * K && allowed.reshape({Q, K}).equal(causal_mask(Q, allowed.device()))) {
    const torch::Tensor context =
        self_attention(qh[0], kh[0], vh[0], {static_cast<float>(std::sqrt(static_cast<double>(Dh)))}, /*causal=*/true, rec, kind, layer);
    return o->forward(context.transpose(0, 1).reshape({B, Q, D}));
  }
  torch::Tensor scores = torch::matmul(qh, kh.transpose(-2, -1)) / std::sqrt(static_cast<double>(Dh));
  AttentionResult r = attend(scores, allowed, vh, {}, is_training() ? dropout : 0.0);
  if (rec) rec->record(kind, layer, r.weights);
  return o->forward(r.context.transpose(1, 2).reshape({B, Q, D}));
}

// ---------------------------------------------------------------------------------------------
// One layer
// ---------------------------------------------------------------------------------------------

TransformerLayerImpl::TransformerLayerImpl(const Seq2SeqConfig& cfg, bool has_cross) : pre_norm(cfg.norm == "pre") {
  const int64_t D = cfg.d_model;
  self_attn = register_module("self_attn", MultiHeadAttention(D, cfg.heads, cfg.dropout));
  norm_self = register_module("norm_self", nn::LayerNorm(nn::LayerNormOptions({D})));
  if (has_cross) {
    cross_attn = register_module("cross_attn", MultiHeadAttention(D, cfg.heads, cfg.dropout));
    norm_cross = register_module("norm_cross", nn::LayerNorm(nn::LayerNormOptions({D})));
  }
  ff_in = register_module("ff_in", nn::Linear(D, cfg.ff));
  ff_out = register_module("ff_out", nn::Linear(cfg.ff, D));
  norm_ff = register_module("norm_ff", nn::LayerNorm(nn::LayerNormOptions({D})));
  drop = register_module("drop", nn::Dropout(cfg.dropout));
}

torch::Tensor TransformerLayerImpl::sublayer(const torch::Tensor& x, nn::LayerNorm& norm,
                                             const std::function<torch::Tensor(const torch::Tensor&)>& f) {
  if (pre_norm) return x + apply_dropout(drop, f(norm->forward(x)));
  return norm->forward(x + apply_dropout(drop, f(x)));
}

torch::Tensor TransformerLayerImpl::forward(torch::Tensor x, const torch::Tensor& self_allowed, const torch::Tensor& memory,
                                            const torch::Tensor& cross_allowed, AttentionRecorder* rec, AttentionKind self_kind, int layer) {
  x = sublayer(x, norm_self, [&](const torch::Tensor& h) { return self_attn->forward(h, h, self_allowed, rec, self_kind, layer); });
  if (cross_attn)
    x = sublayer(x, norm_cross, [&](const torch::Tensor& h) { return cross_attn->forward(h, memory, cross_allowed, rec, AttentionKind::Cross, layer); });
  return sublayer(x, norm_ff, [&](const torch::Tensor& h) { return ff_out->forward(apply_dropout(drop, torch::relu(ff_in->forward(h)))); });
}

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

namespace {

// PE(pos, 2i) = sin(pos / 10000^(2i/D)), PE(pos, 2i+1) = cos(...).
torch::Tensor sinusoid_table(int64_t positions, int64_t D) {
  torch::Tensor pos = torch::arange(positions, torch::kFloat).unsqueeze(1);
  torch::Tensor rate = torch::exp(torch::arange(0, D, 2, torch::kFloat) * (-std::log(10000.0) / D));
  torch::Tensor table = torch::zeros({positions, D});
  table.index_put_({torch::indexing::Slice(), torch::indexing::Slice(0, torch::indexing::None, 2)}, torch::sin(pos * rate));
  table.index_put_({torch::indexing::Slice(), torch::indexing::Slice(1, torch::indexing::None, 2)},
                   torch::cos(pos * rate).narrow(1, 0, D / 2));
  return table;
}

int64_t max_positions(const Seq2SeqConfig& cfg) {
  const int64_t in = cfg.max_input_length + 2, out = cfg.max_output_length + 2;
  return cfg.transformer_variant() == TransformerVariant::DecoderOnly ? in + out : std::max(in, out);
}

// Position of each token among the non-padding tokens of its row: 0, 1, 2, ...
torch::Tensor positions_of(const torch::Tensor& valid) { return (valid.to(torch::kLong).cumsum(1) - 1).clamp_min(0); }

}  // namespace

TransformerSeq2SeqImpl::TransformerSeq2SeqImpl(const Seq2SeqConfig& c, int64_t source_vocab, int64_t target_vocab) : cfg(c) {
  const int64_t D = cfg.d_model;
  const bool pre = cfg.norm == "pre";
  const bool has_encoder = cfg.transformer_variant() != TransformerVariant::DecoderOnly, has_decoder = cfg.transformer_variant() != TransformerVariant::EncoderOnly;
  src_embed = register_module("src_embed", nn::Embedding(nn::EmbeddingOptions(source_vocab, D).padding_idx(Vocab::kPad)));
  if (has_decoder || cfg.tie_embeddings)
    tgt_embed = register_module("tgt_embed", nn::Embedding(nn::EmbeddingOptions(target_vocab, D).padding_idx(Vocab::kPad)));
  if (cfg.positional == "learned")
    learned_positions = register_module("positions", nn::Embedding(max_positions(cfg), D));
  else
    sinusoids = register_buffer("sinusoids", sinusoid_table(max_positions(cfg), D));
  if (has_encoder) {
    encoder = register_module("encoder", nn::ModuleList());
    for (int i = 0; i < cfg.layers; ++i) encoder->push_back(TransformerLayer(cfg, false));
    if (pre) encoder_norm = register_module("encoder_norm", nn::LayerNorm(nn::LayerNormOptions({D})));
  }
  if (has_decoder) {
    decoder = register_module("decoder", nn::ModuleList());
    for (int i = 0; i < cfg.layers; ++i) decoder->push_back(TransformerLayer(cfg, cfg.transformer_variant() == TransformerVariant::EncoderDecoder));
    if (pre) decoder_norm = register_module("decoder_norm", nn::LayerNorm(nn::LayerNormOptions({D})));
  }
  if (!cfg.tie_embeddings) project = register_module("project", nn::Linear(D, target_vocab));
  drop = register_module("drop", nn::Dropout(cfg.dropout));
  // Glorot-uniform for every matrix, as the reference implementations do.
  torch::NoGradGuard no_grad;
  for (auto& p : parameters())
    if (p.dim() > 1) nn::init::xavier_uniform_(p);
  for (nn::Embedding* e : {&src_embed, &tgt_embed})
    if (*e) (*e)->weight[Vocab::kPad].zero_();
}

torch::Tensor TransformerSeq2SeqImpl::embed(nn::Embedding& table, const torch::Tensor& ids, const torch::Tensor& positions) {
  torch::Tensor x = table->forward(ids) * std::sqrt(static_cast<double>(cfg.d_model));
  x = x + (learned_positions ? learned_positions->forward(positions) : sinusoids.index({positions}));
  return apply_dropout(drop, x);
}

torch::Tensor TransformerSeq2SeqImpl::run_stack(nn::ModuleList& stack, nn::LayerNorm& final_norm, torch::Tensor x,
                                                const torch::Tensor& self_allowed, const torch::Tensor& memory,
                                                const torch::Tensor& cross_allowed, AttentionRecorder* rec, AttentionKind self_kind) {
  int l = 0;
  for (const auto& layer : *stack)
    x = layer->as<TransformerLayer>()->forward(x, self_allowed, memory, cross_allowed, rec, self_kind, l++);
  return final_norm ? final_norm->forward(x) : x;
}

torch::Tensor TransformerSeq2SeqImpl::logits(const torch::Tensor& h) {
  return project ? project->forward(h) : torch::matmul(h, tgt_embed->weight.t());
}

torch::Tensor TransformerSeq2SeqImpl::encode(const torch::Tensor& src, AttentionRecorder* rec) {
  torch::Tensor valid = not_padding(src);
  torch::Tensor allowed = valid.unsqueeze(1).unsqueeze(1);  // [B, 1, 1, S]
  return run_stack(encoder, encoder_norm, embed(src_embed, src, positions_of(valid)), allowed, {}, {},
                   rec, AttentionKind::EncoderSelf);
}

torch::Tensor TransformerSeq2SeqImpl::decode(const torch::Tensor& tgt_in, const torch::Tensor& memory,
                                             const torch::Tensor& src_valid, AttentionRecorder* rec) {
  const int64_t T = tgt_in.size(1);
  torch::Tensor valid = not_padding(tgt_in);
  torch::Tensor self_allowed = causal_mask(T, tgt_in.device()).unsqueeze(0).unsqueeze(0) & valid.unsqueeze(1).unsqueeze(1);  // [B, 1, T, T]
  torch::Tensor cross_allowed = src_valid.unsqueeze(1).unsqueeze(1);                                 // [B, 1, 1, S]
  torch::Tensor h = run_stack(decoder, decoder_norm, embed(tgt_embed, tgt_in, positions_of(valid)), self_allowed, memory,
                              cross_allowed, rec, AttentionKind::DecoderSelf);
  return logits(h);
}

torch::Tensor TransformerSeq2SeqImpl::forward(const torch::Tensor& src, const torch::Tensor& tgt_in, AttentionRecorder* rec) {
  if (cfg.transformer_variant() == TransformerVariant::EncoderDecoder) return decode(tgt_in, encode(src, rec), not_padding(src), rec);
  if (cfg.transformer_variant() == TransformerVariant::EncoderOnly) return logits(encode(src, rec));
  // Decoder-only: one causal sequence "source </s> <s> y", each part with its own embedding
  // table and positions counted over the non-padding tokens of the whole row.
  const int64_t S = src.size(1), L = S + tgt_in.size(1);
  torch::Tensor valid = torch::cat({not_padding(src), not_padding(tgt_in)}, 1);  // [B, L]
  torch::Tensor pos = positions_of(valid);
  torch::Tensor x = torch::cat({embed(src_embed, src, pos.narrow(1, 0, S)), embed(tgt_embed, tgt_in, pos.narrow(1, S, L - S))}, 1);
  torch::Tensor allowed = causal_mask(L, src.device()).unsqueeze(0).unsqueeze(0) & valid.unsqueeze(1).unsqueeze(1);
  torch::Tensor h = run_stack(decoder, decoder_norm, x, allowed, {}, {}, rec, AttentionKind::DecoderSelf);
  return logits(h.narrow(1, S, L - S));
}

}  // namespace attnscope
