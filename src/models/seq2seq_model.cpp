#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <numeric>
#include <stdexcept>

#include "io/atomic_file.h"
#include "models/recording/attention_recorder.h"
#include "models/loading/checkpoint.h"
#include "models/model_adapters.h"  // check_mask_positions, join_indices
#include "models/decoding/beam_search.h"
#include "models/seq2seq_impl.h"
#include "text/char_vocab.h"
#include "text/subword_vocab.h"

namespace attnscope {

namespace fs = std::filesystem;

torch::Device parse_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name.rfind("cuda", 0) == 0) {
    if (!torch::cuda::is_available())
      throw std::invalid_argument("--device " + name + ": this libtorch build has no CUDA or no GPU is visible");
    return torch::Device(name);
  }
  throw std::invalid_argument("--device must be cpu or cuda[:N], got '" + name + "'");
}

Seq2SeqModel::Impl::Impl(const Seq2SeqConfig& config, torch::Device dev, std::shared_ptr<const Vocab> source,
                         std::shared_ptr<const Vocab> target)
    : cfg(config),
      source_vocab(std::move(source)),
      target_vocab(std::move(target)),
      task(config.is_translation() ? nullptr : make_task(config.task)),
      device(dev) {
  cfg.validate();
  if (cfg.is_transformer()) {
    transformer = TransformerSeq2Seq(cfg, source_vocab->size(), target_vocab->size());
    transformer->to(device);
  } else {
    rnn = RnnSeq2Seq(cfg, source_vocab->size(), target_vocab->size());
    rnn->to(device);
  }
}

torch::nn::Module& Seq2SeqModel::Impl::module() {
  if (transformer) return *transformer;
  return *rnn;
}

std::string Seq2SeqModel::Impl::normalize(const std::string& text) const {
  return task ? task->normalize_input(text) : text;
}

namespace {
TokenBatch pad(const std::vector<std::vector<int>>& seqs, torch::Device device) {
  size_t T = 0;
  for (const auto& s : seqs) T = std::max(T, s.size());
  torch::Tensor ids = torch::zeros({static_cast<int64_t>(seqs.size()), static_cast<int64_t>(T)}, torch::kLong);
  torch::Tensor lengths = torch::empty({static_cast<int64_t>(seqs.size())}, torch::kLong);
  auto a = ids.accessor<int64_t, 2>();
  auto l = lengths.accessor<int64_t, 1>();
  for (size_t b = 0; b < seqs.size(); ++b) {
    for (size_t t = 0; t < seqs[b].size(); ++t) a[b][t] = seqs[b][t];
    l[b] = static_cast<int64_t>(seqs[b].size());
  }
  return {ids.to(device), lengths};
}

std::vector<std::vector<int>> encode_all(const Vocab& vocab, const std::vector<std::string>& texts) {
  std::vector<std::vector<int>> ids;
  ids.reserve(texts.size());
  for (const auto& t : texts) ids.push_back(vocab.encode(t));
  return ids;
}
}  // namespace

TokenBatch Seq2SeqModel::Impl::source_batch(const std::vector<std::string>& texts) const {
  return source_batch_ids(encode_all(*source_vocab, texts));
}

TokenBatch Seq2SeqModel::Impl::source_batch_ids(const std::vector<std::vector<int>>& ids) const {
  std::vector<std::vector<int>> seqs = ids;
  for (auto& s : seqs) s.push_back(Vocab::kEos);
  return pad(seqs, device);
}

std::pair<TokenBatch, TokenBatch> Seq2SeqModel::Impl::target_batch(const std::vector<std::string>& texts) const {
  return target_batch_ids(encode_all(*target_vocab, texts));
}

std::pair<TokenBatch, TokenBatch> Seq2SeqModel::Impl::target_batch_ids(const std::vector<std::vector<int>>& seqs) const {
  std::vector<std::vector<int>> in, out;
  for (const auto& ids : seqs) {
    in.push_back({Vocab::kBos});
    in.back().insert(in.back().end(), ids.begin(), ids.end());
    out.push_back(ids);
    out.back().push_back(Vocab::kEos);
  }
  return {pad(in, device), pad(out, device)};
}

std::pair<torch::Tensor, torch::Tensor> Seq2SeqModel::Impl::training_logits(const TokenBatch& src, const TokenBatch& tgt_in,
                                                                            const TokenBatch& tgt_out, double teacher_forcing) {
  if (rnn) {
    Encoded enc = rnn->encode(src.ids, src.lengths);
    return {rnn->forward_train(enc, tgt_in.ids, teacher_forcing), tgt_out.ids};
  }
  if (cfg.transformer_variant() != TransformerVariant::EncoderOnly) return {transformer->forward(src.ids, tgt_in.ids), tgt_out.ids};
  // Encoder-only: source position i predicts output token i, so outputs may not be longer.
  const int64_t S = src.ids.size(1), T = tgt_out.ids.size(1);
  if (T > S || (tgt_out.lengths > src.lengths).any().item<bool>())
    throw std::invalid_argument("an encoder-only Transformer predicts one output token per input token, so outputs "
                                "may not be longer than inputs; this task's are (use --variant encoder-decoder)");
  return {transformer->forward(src.ids, {}), torch::constant_pad_nd(tgt_out.ids, {0, S - T}, 0)};
}

// Tokens a search may produce (</s> included): the model's maximum; for translation also at most
// twice the source plus 10, so an undertrained model cannot babble for hundreds of steps.
int output_limit(const Seq2SeqConfig& cfg, int64_t source_tokens) {
  const int most = cfg.max_output_length + 1;
  return cfg.is_translation() ? std::min<int>(most, static_cast<int>(2 * source_tokens + 10)) : most;
}

std::vector<std::vector<int>> Seq2SeqModel::Impl::greedy_ids(const TokenBatch& src) {
  const int64_t B = src.ids.size(0);
  std::vector<torch::Tensor> steps;
  if (transformer && cfg.transformer_variant() == TransformerVariant::EncoderOnly) {
    steps.push_back(transformer->forward(src.ids, {}).argmax(-1));
  } else {
    torch::Tensor prev = torch::full({B, 1}, Vocab::kBos, torch::TensorOptions(torch::kLong).device(device));
    torch::Tensor done = torch::zeros({B}, torch::TensorOptions(torch::kBool).device(device));
    Encoded enc;
    RnnState state;
    torch::Tensor memory, src_valid;
    if (rnn) {
      enc = rnn->encode(src.ids, src.lengths);
      state = enc.state;
    } else if (cfg.transformer_variant() == TransformerVariant::EncoderDecoder) {
      memory = transformer->encode(src.ids);
      src_valid = not_padding(src.ids);
    }
    torch::Tensor inputs = prev;  // Transformer: the whole prefix, <s> first
    const int limit = output_limit(cfg, src.ids.size(1) - 1);
    for (int t = 0; t < limit; ++t) {
      torch::Tensor next;
      if (rnn) {
        next = rnn->step(prev.squeeze(1), state, enc, t).argmax(-1);
      } else {
        torch::Tensor logits = memory.defined() ? transformer->decode(inputs, memory, src_valid) : transformer->forward(src.ids, inputs);
        next = logits.select(1, -1).argmax(-1);
      }
      // Finished rows keep producing padding, so they never grow a second </s>.
      next = next.masked_fill(done, Vocab::kPad);
      steps.push_back(next);
      done = done | (next == Vocab::kEos);
      if (done.all().item<bool>()) break;
      prev = next.unsqueeze(1);
      if (!rnn) inputs = torch::cat({inputs, prev}, 1);
    }
  }
  torch::Tensor ids = torch::stack(steps, 1).reshape({B, -1}).to(torch::kCPU).contiguous();
  std::vector<std::vector<int>> out(B);
  for (int64_t b = 0; b < B; ++b) {
    const int64_t* row = ids[b].data_ptr<int64_t>();
    for (int64_t t = 0; t < ids.size(1) && row[t] != Vocab::kEos; ++t)
      if (row[t] != Vocab::kPad) out[b].push_back(static_cast<int>(row[t]));
  }
  return out;
}

Seq2SeqModel::Seq2SeqModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Seq2SeqModel::~Seq2SeqModel() = default;
Seq2SeqModel::Seq2SeqModel(Seq2SeqModel&&) noexcept = default;

const Seq2SeqConfig& Seq2SeqModel::config() const { return impl_->cfg; }

namespace {
std::pair<std::shared_ptr<const Vocab>, std::shared_ptr<const Vocab>> vocabs_of(const Seq2SeqConfig& cfg, const std::string& dir) {
  if (cfg.character_vocab())
    return {std::make_shared<CharVocab>(cfg.input_alphabet), std::make_shared<CharVocab>(cfg.output_alphabet)};
  SubwordVocabs v = load_subword_vocabs(dir);
  return {v.source, v.target};
}
}  // namespace

Seq2SeqModel Seq2SeqModel::create(const Seq2SeqConfig& config, const std::string& device, uint64_t seed) {
  auto [source, target] = vocabs_of(config, "");
  return create(config, device, seed, source, target);
}

Seq2SeqModel Seq2SeqModel::create(const Seq2SeqConfig& config, const std::string& device, uint64_t seed,
                                  std::shared_ptr<const Vocab> source, std::shared_ptr<const Vocab> target) {
  torch::manual_seed(seed);
  return Seq2SeqModel(std::make_unique<Impl>(config, parse_device(device), std::move(source), std::move(target)));
}

Seq2SeqModel Seq2SeqModel::load(const std::string& dir, const std::string& device) {
  if (!fs::is_directory(dir)) throw std::runtime_error("model folder " + dir + " does not exist");
  const std::string config_path = dir + "/config.json", weights_path = dir + "/model.safetensors";
  if (!fs::exists(config_path)) throw std::runtime_error(dir + " is not a model folder: config.json is missing");
  if (!fs::exists(weights_path)) throw std::runtime_error(dir + " is not a model folder: model.safetensors is missing");
  Seq2SeqConfig cfg;
  try {
    cfg = Seq2SeqConfig::from_json(read_file(config_path));
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(config_path + ": " + e.what());
  }
  auto [source, target] = vocabs_of(cfg, dir);
  auto impl = std::make_unique<Impl>(cfg, parse_device(device), source, target);
  load_parameters(impl->module(), weights_path);
  impl->module().eval();
  return Seq2SeqModel(std::move(impl));
}

void Seq2SeqModel::save(const std::string& dir) const {
  fs::create_directories(dir);
  write_file_atomic(dir + "/config.json", impl_->cfg.to_json() + "\n");
  save_parameters(impl_->module(), dir + "/model.safetensors");
}

std::string Seq2SeqModel::prepare_input(const std::string& text) const {
  const std::string norm = impl_->normalize(text);
  if (norm.find_first_not_of(" \t\r\n") == std::string::npos) throw std::invalid_argument("input is empty");
  const std::vector<int> ids = impl_->source_vocab->encode(norm);  // throws naming what cannot be encoded
  if (static_cast<int>(ids.size()) > impl_->cfg.max_input_length)
    throw std::invalid_argument("input is " + std::to_string(ids.size()) + (impl_->cfg.character_vocab() ? " characters" : " tokens") +
                                "; this model accepts at most " + std::to_string(impl_->cfg.max_input_length));
  return norm;
}

namespace {

// Source ids of one prepared input, </s> last, with masked positions replaced by <unk>.
TokenBatch masked_source_batch(Seq2SeqModel::Impl& m, const std::string& norm, const DecodeOptions& opts) {
  TokenBatch src = m.source_batch({norm});
  if (opts.masked_source.empty()) return src;
  if (opts.mask_id < 0 && m.cfg.character_vocab())
    throw std::invalid_argument("a character vocabulary has no <unk>: masking needs a placeholder character");
  const int mask_id = opts.mask_id >= 0 ? opts.mask_id : SubwordVocab::kUnk;
  check_mask_positions(opts.masked_source, static_cast<size_t>(src.ids.size(1)), /*last_is_end=*/true);
  for (size_t p : opts.masked_source) src.ids[0][static_cast<int64_t>(p)] = mask_id;
  return src;
}

// The search: what the model produces for one source, through the shared models/beam_search.
struct Searched {
  std::vector<int> ids;  // </s> included when produced
  double log_prob = 0;
  std::string stopped;
};

// Next-token log-probabilities with the specials a decoder must never produce banned.
torch::Tensor banned_specials(torch::Tensor last) {
  last.select(1, Vocab::kPad).fill_(-std::numeric_limits<float>::infinity());
  last.select(1, Vocab::kBos).fill_(-std::numeric_limits<float>::infinity());
  return torch::log_softmax(last, -1);
}

Searched search(Seq2SeqModel::Impl& m, const TokenBatch& src, const DecodeOptions& opts) {
  BeamSearchOptions bo;
  bo.beam = std::max(1, opts.beam);
  bo.max_steps = output_limit(m.cfg, src.ids.size(1) - 1);
  if (opts.max_new_tokens > 0) bo.max_steps = std::min(bo.max_steps, opts.max_new_tokens);
  bo.eos = Vocab::kEos;
  bo.length_penalty = bo.beam > 1 ? opts.length_penalty : 0.0;
  bo.gnmt_penalty = true;
  bo.before_step = opts.before_step;
  NextLogProbs next;
  // RNN: the state after each prefix is cached, so each call runs one step per prefix.
  Encoded enc;
  std::map<std::vector<int>, RnnState> states;
  torch::Tensor memory, valid;
  if (m.rnn) {
    enc = m.rnn->encode(src.ids, src.lengths);
    next = [&](const std::vector<std::vector<int>>& prefixes) {
      std::vector<torch::Tensor> rows;
      std::map<std::vector<int>, RnnState> after;
      for (const auto& p : prefixes) {
        RnnState state = p.empty() ? enc.state : states.at(std::vector<int>(p.begin(), p.end() - 1));
        const int64_t prev = p.empty() ? Vocab::kBos : p.back();
        torch::Tensor logits = m.rnn->step(torch::tensor({prev}, torch::kLong).to(m.device), state, enc,
                                           static_cast<int64_t>(p.size()));
        rows.push_back(banned_specials(logits)[0]);
        after[p] = state;
      }
      states = std::move(after);
      return torch::stack(rows);
    };
  } else {
    TransformerSeq2Seq& net = m.transformer;
    if (m.cfg.transformer_variant() == TransformerVariant::EncoderDecoder) {
      memory = net->encode(src.ids);
      valid = not_padding(src.ids);
    }
    next = [&](const std::vector<std::vector<int>>& prefixes) {
      // Decoder inputs "<s> prefix" (every open prefix has the same length).
      const torch::Tensor tgt = m.target_batch_ids(prefixes).first.ids;
      const int64_t n = tgt.size(0);
      torch::Tensor logits = memory.defined() ? net->decode(tgt, memory.expand({n, -1, -1}), valid.expand({n, -1}))
                                              : net->forward(src.ids.expand({n, -1}), tgt);
      return banned_specials(logits.select(1, -1));
    };
  }
  const BeamSearchResult r = beam_search(next, bo);
  return {r.ids, r.log_prob, r.finished ? "end of text" : "max new tokens"};
}

// An encoder-only Transformer predicts one output token per input position, in one pass.
Searched one_per_position(Seq2SeqModel::Impl& m, const TokenBatch& src) {
  Searched s;
  torch::Tensor logp = torch::log_softmax(m.transformer->forward(src.ids, {}), -1)[0];  // [S, V]
  auto [best, ids] = logp.max(-1);
  s.stopped = "max new tokens";
  for (int64_t i = 0; i < ids.size(0); ++i) {
    s.ids.push_back(static_cast<int>(ids[i].item<int64_t>()));
    s.log_prob += best[i].item<double>();
    if (s.ids.back() == Vocab::kEos) {
      s.stopped = "end of text";
      break;
    }
  }
  return s;
}

// Log-probability of `ids` under teacher forcing, and the attention of that pass into `run`:
// the one place trained models record. The same weights the search computed, since each
// position sees only the positions before it.
double forced_pass(Seq2SeqModel::Impl& m, const TokenBatch& src, const std::vector<int>& ids, const DecodeOptions& opts,
                   AttentionRun& run) {
  const bool record = opts.record;
  if (ids.empty()) return 0;
  // Decoder inputs that produced the output: <s>, y1 .. y(n-1).
  std::vector<int64_t> inputs = {Vocab::kBos};
  for (size_t i = 0; i + 1 < ids.size(); ++i) inputs.push_back(ids[i]);
  torch::Tensor tgt_in = torch::tensor(inputs, torch::kLong).unsqueeze(0).to(m.device);
  torch::Tensor logp;  // [T, V]
  if (m.rnn) {
    Encoded enc = m.rnn->encode(src.ids, src.lengths);
    RnnState state = enc.state;
    AttentionRecorder rec(opts.layers, opts.heads);
    std::vector<torch::Tensor> rows;
    for (size_t t = 0; t < inputs.size(); ++t)
      rows.push_back(m.rnn->step(tgt_in.select(1, static_cast<int64_t>(t)), state, enc, static_cast<int64_t>(t),
                                 record ? &rec : nullptr)[0]);
    logp = torch::log_softmax(torch::stack(rows), -1).to(torch::kCPU);
    rec.into(run);
  } else {
    TransformerSeq2Seq& net = m.transformer;
    const TransformerVariant variant = m.cfg.transformer_variant();
    AttentionRecorder rec(opts.layers, opts.heads);
    rec.set_form(opts.form);
    AttentionRecorder* r = record ? &rec : nullptr;
    if (variant == TransformerVariant::EncoderOnly) {
      logp = torch::log_softmax(net->forward(src.ids, {}, r), -1)[0].to(torch::kCPU);
    } else if (variant == TransformerVariant::DecoderOnly) {
      // One sequence: source, then <s> and every output token, each row the position's input.
      inputs.push_back(ids.back());
      tgt_in = torch::tensor(inputs, torch::kLong).unsqueeze(0).to(m.device);
      logp = torch::log_softmax(net->forward(src.ids, tgt_in, r), -1)[0].to(torch::kCPU);
      logp = logp.slice(0, 0, static_cast<int64_t>(ids.size()));
      if (record) {
        run.target_tokens = run.source_tokens;
        for (int64_t id : inputs) run.target_tokens.push_back(m.target_vocab->token(static_cast<int>(id)));
        run.info["layout"] = "decoder-only: one causal sequence, the source then <s> and the output (each position labelled by its input token)";
      }
    } else {
      logp = torch::log_softmax(net->forward(src.ids, tgt_in, r), -1)[0].to(torch::kCPU);
      run.info["target_axis"] = "row i: the decoding step that produced target token i (its input: the previous token)";
    }
    rec.into(run);
  }
  double log_prob = 0;
  for (size_t i = 0; i < ids.size() && static_cast<int64_t>(i) < logp.size(0); ++i)
    log_prob += logp[static_cast<int64_t>(i)][ids[i]].item<double>();
  return log_prob;
}

Translation translate_one(Seq2SeqModel::Impl& m, const std::string& input, const std::string& norm, const DecodeOptions& opts) {
  const TokenBatch src = masked_source_batch(m, norm, opts);
  const bool per_position = m.cfg.is_transformer() && m.cfg.transformer_variant() == TransformerVariant::EncoderOnly;
  Searched found;
  if (opts.forced) {
    const int V = m.target_vocab->size();
    for (int id : *opts.forced)
      if (id < 0 || id >= V)
        throw std::invalid_argument("forced output: token id " + std::to_string(id) + " is outside the target vocabulary (0.." +
                                    std::to_string(V - 1) + ")");
    found.ids = *opts.forced;
    found.stopped = "forced";
  } else if (per_position) {
    found = one_per_position(m, src);
  } else {
    found = search(m, src, opts);
  }

  Translation tr;
  tr.input = input;
  tr.output_ids = found.ids;
  tr.stopped = found.stopped;
  tr.output = m.target_vocab->decode(found.ids);
  AttentionRun& run = tr.run;
  run.input_text = input;
  run.output_text = tr.output;
  const torch::Tensor src_cpu = src.ids[0].to(torch::kCPU);
  for (int64_t i = 0; i < src_cpu.size(0); ++i) {
    tr.source_ids.push_back(static_cast<int>(src_cpu[i].item<int64_t>()));
    run.source_tokens.push_back(m.source_vocab->token(tr.source_ids.back()));
  }
  for (int id : found.ids) run.target_tokens.push_back(m.target_vocab->token(id));
  tr.output_tokens = run.target_tokens;
  run.info["decoding"] = opts.forced                 ? "forced: the given output"
                         : per_position ? "one token per input position"
                         : opts.beam > 1             ? "beam " + std::to_string(opts.beam)
                                                     : "greedy";
  if (norm != input && m.task) run.info["normalised_input"] = norm;
  if (!opts.masked_source.empty())
    run.info["mask"] = m.cfg.character_vocab()
                           ? "characters " + join_indices(opts.masked_source) + " replaced by '" + m.source_vocab->token(opts.mask_id) +
                                 "' (a placeholder: character models have no mask token)"
                           : "source tokens " + join_indices(opts.masked_source) + " replaced by <unk>";
  if (m.cfg.attention == "none" && !m.cfg.is_transformer())
    run.info["attention"] = "none: this model has no attention, so nothing was recorded";
  // The teacher-forced pass records the attention and scores a forced or per-position output;
  // a searched output unrecorded needs neither.
  const bool scored_by_pass = opts.forced || per_position;
  if (opts.record || scored_by_pass) {
    const double pass_log_prob = forced_pass(m, src, found.ids, opts, run);
    if (scored_by_pass) found.log_prob = pass_log_prob;
  }
  tr.log_prob = found.log_prob;
  return tr;
}

}  // namespace

Translation Seq2SeqModel::translate(const std::string& input, const DecodeOptions& opts) const {
  torch::NoGradGuard no_grad;
  impl_->module().eval();
  return translate_one(*impl_, input, prepare_input(input), opts);
}

Translation Seq2SeqModel::force(const std::string& input, const std::string& output) const {
  DecodeOptions opts;
  opts.forced = encode_output(output);
  Translation t = translate(input, opts);
  t.output = t.run.output_text = output;
  return t;
}

std::vector<int> Seq2SeqModel::encode_output(const std::string& output) const {
  try {
    std::vector<int> ids = impl_->target_vocab->encode(output);
    ids.push_back(Vocab::kEos);
    return ids;
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("forced output: ") + e.what());
  }
}

std::vector<std::string> Seq2SeqModel::source_tokens(const std::string& prepared_input) const {
  std::vector<std::string> out;
  for (int id : impl_->source_vocab->encode(prepared_input)) out.push_back(impl_->source_vocab->token(id));
  out.push_back(Vocab::kEosToken);
  return out;
}

std::vector<int> Seq2SeqModel::encode_source(const std::string& text) const { return impl_->source_vocab->encode(text); }

std::vector<std::string> Seq2SeqModel::translate_batch(const std::vector<std::string>& inputs) const {
  torch::NoGradGuard no_grad;
  impl_->module().eval();
  std::vector<std::string> norm;
  norm.reserve(inputs.size());
  for (const auto& s : inputs) norm.push_back(prepare_input(s));
  std::vector<std::string> out;
  for (const auto& ids : impl_->greedy_ids(impl_->source_batch(norm))) out.push_back(impl_->target_vocab->decode(ids));
  return out;
}

std::vector<std::string> Seq2SeqModel::translate_corpus(const std::vector<std::string>& inputs,
                                                        const std::function<void(size_t)>& progress) const {
  constexpr size_t kBatch = 64;
  std::vector<size_t> order(inputs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return inputs[a].size() < inputs[b].size(); });
  std::vector<std::string> outputs(inputs.size());
  for (size_t i = 0; i < order.size(); i += kBatch) {
    std::vector<std::string> batch;
    for (size_t j = i; j < std::min(order.size(), i + kBatch); ++j) batch.push_back(inputs[order[j]]);
    std::vector<std::string> out = translate_batch(batch);
    for (size_t j = 0; j < out.size(); ++j) outputs[order[i + j]] = std::move(out[j]);
    if (progress) progress(i + out.size());
  }
  return outputs;
}

AttentionSet Seq2SeqModel::to_attention_set(const std::vector<Translation>& translations) const {
  std::vector<AttentionRun> runs;
  for (const auto& t : translations) runs.push_back(t.run);
  return to_attention_set(std::move(runs));
}

AttentionSet Seq2SeqModel::to_attention_set(std::vector<AttentionRun> runs) const {
  AttentionSet set;
  const Seq2SeqConfig& c = impl_->cfg;
  set.meta["model"] = "attnscope " + std::string(c.is_transformer() ? "transformer " + c.variant : "rnn seq2seq") + " (" + c.task + ")";
  set.meta["architecture"] = c.arch;
  set.meta["attention"] = c.is_transformer() ? "multi-head scaled dot-product" : c.attention;
  set.meta["config"] = c.to_json();
  set.meta["subword"] = !c.character_vocab() ? "bpe@@" : "none";
  set.meta["transforms"] = "";
  if (!c.is_transformer() && c.attention != "none" && c.scope != "global") {  // local attention: [p_t - D, p_t + D]
    set.meta["scope"] = c.scope;
    set.meta["window"] = std::to_string(c.window);
  }
  set.runs = std::move(runs);
  if (set.runs.size() > 1)
    for (auto& run : set.runs)
      if (run.name.empty()) run.name = run.input_text;
  return set;
}

}  // namespace attnscope
