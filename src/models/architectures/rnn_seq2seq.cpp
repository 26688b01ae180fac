#include "models/architectures/rnn_seq2seq.h"

#include "models/recording/attention_recorder.h"

#include "models/architectures/attention.h"
#include "models/architectures/dropout.h"
#include "text/char_vocab.h"

namespace attnscope {

namespace nn = torch::nn;

// ---------------------------------------------------------------------------------------------
// Attention scoring
// ---------------------------------------------------------------------------------------------

RnnAttentionImpl::RnnAttentionImpl(const Seq2SeqConfig& cfg)
    : method(cfg.attention), scope(cfg.scope), window(cfg.window) {
  const int64_t H = cfg.hidden;
  if (method == "luong-general") {
    w_a = register_module("w_a", nn::Linear(nn::LinearOptions(H, H).bias(false)));
  } else if (method == "luong-concat" || method == "bahdanau") {
    w_q = register_module("w_q", nn::Linear(nn::LinearOptions(H, H).bias(false)));
    w_k = register_module("w_k", nn::Linear(nn::LinearOptions(H, H)));
    v = register_module("v", nn::Linear(nn::LinearOptions(H, 1).bias(false)));
  }
  if (scope == "local-p") {
    w_p = register_module("w_p", nn::Linear(nn::LinearOptions(H, H).bias(false)));
    v_p = register_module("v_p", nn::Linear(nn::LinearOptions(H, 1).bias(false)));
  }
}

torch::Tensor RnnAttentionImpl::prepare_keys(const torch::Tensor& keys) {
  if (w_a) return w_a->forward(keys);
  if (w_k) return w_k->forward(keys);
  return keys;
}

RnnAttentionImpl::Output RnnAttentionImpl::forward(const torch::Tensor& query, const torch::Tensor& keys,
                                                   const torch::Tensor& prepared, const torch::Tensor& valid,
                                                   const torch::Tensor& lengths, int64_t first_step) {
  // Alignment scores [B, Q, S].
  torch::Tensor scores;
  if (w_q) {  // additive: v^T tanh(W_q h_t + W_k h_s)
    scores = v->forward(torch::tanh(w_q->forward(query).unsqueeze(2) + prepared.unsqueeze(1))).squeeze(-1);
  } else {  // dot (prepared = h_s) or general (prepared = W_a h_s)
    scores = torch::bmm(query, prepared.transpose(1, 2));
  }
  torch::Tensor allowed = valid.unsqueeze(1);  // [B, 1, S]
  torch::Tensor bias;
  torch::Tensor p;  // aligned source position p_t, [B, Q]: local scopes only
  if (scope != "global") {
    const int64_t Q = query.size(1), S = keys.size(1);
    torch::Tensor last = (lengths - 1).unsqueeze(1);  // [B, 1]
    if (scope == "local-m") {  // monotonic: p_t = t
      torch::Tensor t = torch::arange(first_step, first_step + Q, query.options()).unsqueeze(0);
      p = torch::minimum(t, last);
    } else {  // predictive: p_t = (len - 1) * sigmoid(v_p^T tanh(W_p h_t))
      p = last * torch::sigmoid(v_p->forward(torch::tanh(w_p->forward(query)))).squeeze(-1);
    }
    torch::Tensor s = torch::arange(S, query.options()).view({1, 1, S});
    torch::Tensor dist = s - p.unsqueeze(-1);  // [B, Q, S]
    allowed = allowed & (dist.abs() <= window);
    if (scope == "local-p") {  // Gaussian centred on p_t, sigma = D / 2 (Luong et al. 2015)
      const double sigma = window / 2.0;
      bias = -(dist * dist) / (2 * sigma * sigma);
    }
  }
  AttentionResult r = attend(scores, allowed, keys, bias);
  return {r.weights, r.context, scores, p};
}

// ---------------------------------------------------------------------------------------------
// States
// ---------------------------------------------------------------------------------------------

RnnState RnnState::index_select(const torch::Tensor& rows) const {
  RnnState s;
  s.h = h.index_select(1, rows);
  if (c.defined()) s.c = c.index_select(1, rows);
  if (feed.defined()) s.feed = feed.index_select(0, rows);
  return s;
}

Encoded Encoded::expand(int64_t n) const {
  Encoded e;
  e.outputs = outputs.expand({n, -1, -1});
  e.prepared = prepared.expand({n, -1, -1});
  e.valid = valid.expand({n, -1});
  e.lengths = lengths.expand({n});
  e.state.h = state.h.expand({-1, n, -1}).contiguous();
  if (state.c.defined()) e.state.c = state.c.expand({-1, n, -1}).contiguous();
  if (state.feed.defined()) e.state.feed = state.feed.expand({n, -1}).contiguous();
  return e;
}

// ---------------------------------------------------------------------------------------------
// Encoder-decoder
// ---------------------------------------------------------------------------------------------

RnnSeq2SeqImpl::RnnSeq2SeqImpl(const Seq2SeqConfig& c, int64_t source_vocab, int64_t target_vocab) : cfg(c) {
  const int64_t E = cfg.embedding, H = cfg.hidden, L = cfg.layers;
  const int64_t enc_units = cfg.bidirectional ? H / 2 : H;
  const double inner_dropout = L > 1 ? cfg.dropout : 0.0;
  const bool has_attention = cfg.attention != "none";
  int64_t dec_in = E;
  if (cfg.input_feeding) dec_in += H;
  if (cfg.attention == "bahdanau") dec_in += H;  // the context enters the RNN

  src_embed = register_module("src_embed", nn::Embedding(nn::EmbeddingOptions(source_vocab, E).padding_idx(CharVocab::kPad)));
  tgt_embed = register_module("tgt_embed", nn::Embedding(nn::EmbeddingOptions(target_vocab, E).padding_idx(CharVocab::kPad)));
  const bool lstm = cfg.cell == "lstm";
  encoder = register_module("encoder", FusedRnn(E, enc_units, L, cfg.bidirectional, lstm, inner_dropout));
  decoder = register_module("decoder", FusedRnn(dec_in, H, L, false, lstm, inner_dropout));
  if (has_attention) attention = register_module("attention", RnnAttention(cfg));
  combine = register_module("combine", nn::Linear(has_attention ? 2 * H : H, H));
  project = register_module("project", nn::Linear(H, target_vocab));
  dropout = register_module("dropout", nn::Dropout(cfg.dropout));
}

bool RnnSeq2SeqImpl::parallel_decoder() const { return cfg.attention != "bahdanau" && !cfg.input_feeding; }

Encoded RnnSeq2SeqImpl::encode(const torch::Tensor& src, const torch::Tensor& lengths) {
  const int64_t B = src.size(0), S = src.size(1), L = cfg.layers;
  torch::Tensor x = src_embed->forward(src);  // [B, S, E]
  Encoded enc;
  auto [outputs, final] = encoder->forward(x, {}, lengths);  // padding steps leave the state unchanged
  enc.outputs = outputs;                                     // [B, S, H]
  torch::Tensor h = final.h, c = final.c;
  // Final states [L * dirs, B, H/dirs] -> [L, B, H]: the decoder starts where the encoder ended.
  auto join = [&](const torch::Tensor& t) {
    if (!cfg.bidirectional) return t;
    return t.view({L, 2, B, -1}).permute({0, 2, 1, 3}).reshape({L, B, -1}).contiguous();
  };
  enc.state.h = join(h);
  if (c.defined()) enc.state.c = join(c);
  if (cfg.input_feeding) enc.state.feed = torch::zeros({B, cfg.hidden}, enc.outputs.options());
  enc.valid = torch::arange(S, src.options()).unsqueeze(0) < lengths.to(src.device()).unsqueeze(1);
  enc.lengths = lengths.to(enc.outputs.device()).to(torch::kFloat);
  enc.prepared = attention ? attention->prepare_keys(enc.outputs) : enc.outputs;
  return enc;
}

torch::Tensor RnnSeq2SeqImpl::run_decoder(const torch::Tensor& x, RnnState& state) {
  auto [out, final] = decoder->forward(x, {state.h, state.c}, {});
  state.h = final.h;
  state.c = final.c;
  return out;
}

torch::Tensor RnnSeq2SeqImpl::attentional(const torch::Tensor& out, const torch::Tensor& context) {
  // Luong's attentional hidden state: tanh(W_c [c_t; h_t]).
  return torch::tanh(combine->forward(context.defined() ? torch::cat({context, out}, -1) : out));
}

torch::Tensor RnnSeq2SeqImpl::step(const torch::Tensor& prev, RnnState& state, const Encoded& enc, int64_t t,
                                   AttentionRecorder* rec) {
  std::vector<torch::Tensor> inputs{tgt_embed->forward(prev).unsqueeze(1)};  // [B, 1, E]
  if (cfg.input_feeding) inputs.push_back(state.feed.unsqueeze(1));
  RnnAttentionImpl::Output attended;
  if (cfg.attention == "bahdanau") {  // attend with the previous state s_{t-1}, feed the context in
    torch::Tensor query = state.h[cfg.layers - 1].unsqueeze(1);
    attended = attention->forward(query, enc.outputs, enc.prepared, enc.valid, enc.lengths, t);
    inputs.push_back(attended.context);
  }
  torch::Tensor out = run_decoder(inputs.size() == 1 ? inputs[0] : torch::cat(inputs, -1), state);  // [B, 1, H]
  if (attention && cfg.attention != "bahdanau")  // Luong: attend with the new state h_t
    attended = attention->forward(out, enc.outputs, enc.prepared, enc.valid, enc.lengths, t);
  if (rec && attended.weights.defined()) {
    rec->record(AttentionKind::Cross, 0, attended.weights);                 // [1, 1, S]: one head, one query
    rec->record_extra(AttentionKind::Cross, 0, "scores", attended.scores);  // [1, 1, S]
    rec->record_extra(AttentionKind::Cross, 0, "context", attended.context[0]);  // [1, H]
    if (attended.position.defined())  // local: the window's centre, [1, 1]; rows become [Q, 1]
      rec->record_extra(AttentionKind::Cross, 0, "position", attended.position);
  }
  torch::Tensor att = attentional(out, attended.context);  // [B, 1, H]
  if (cfg.input_feeding) state.feed = att.squeeze(1);
  return project->forward(apply_dropout(dropout, att)).squeeze(1);
}

torch::Tensor RnnSeq2SeqImpl::forward_train(const Encoded& enc, const torch::Tensor& tgt_in, double teacher_forcing) {
  RnnState state = enc.state;
  if (parallel_decoder() && teacher_forcing >= 1.0) {
    torch::Tensor out = run_decoder(tgt_embed->forward(tgt_in), state);  // [B, T, H]
    torch::Tensor context;
    if (attention) context = attention->forward(out, enc.outputs, enc.prepared, enc.valid, enc.lengths, 0).context;
    return project->forward(apply_dropout(dropout, attentional(out, context)));
  }
  const int64_t T = tgt_in.size(1);
  std::vector<torch::Tensor> logits;
  logits.reserve(T);
  torch::Tensor prev = tgt_in.select(1, 0);
  for (int64_t t = 0; t < T; ++t) {
    if (t > 0) {
      const bool teach = teacher_forcing >= 1.0 || torch::rand({1}).item<double>() < teacher_forcing;
      prev = teach ? tgt_in.select(1, t) : logits.back().argmax(-1).detach();
    }
    logits.push_back(step(prev, state, enc, t));
  }
  return torch::stack(logits, 1);
}

}  // namespace attnscope
