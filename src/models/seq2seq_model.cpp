#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "io/atomic_file.h"
#include "models/attention_recorder.h"
#include "models/checkpoint.h"
#include "models/seq2seq_impl.h"

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

Seq2SeqModel::Impl::Impl(const Seq2SeqConfig& config, torch::Device dev)
    : cfg(config),
      source_vocab(config.input_alphabet),
      target_vocab(config.output_alphabet),
      task(make_task(config.task)),
      device(dev) {
  cfg.validate();
  net = RnnSeq2Seq(cfg, source_vocab.size(), target_vocab.size());
  net->to(device);
}

namespace {
TokenBatch pad(const std::vector<std::vector<int>>& seqs, torch::Device device) {
  size_t T = 0;
  for (const auto& s : seqs) T = std::max(T, s.size());
  torch::Tensor ids = torch::zeros({static_cast<int64_t>(seqs.size()), static_cast<int64_t>(T)}, torch::kLong);
  torch::Tensor lengths = torch::empty({static_cast<int64_t>(seqs.size())}, torch::kLong);
  auto a = ids.accessor<int64_t, 2>();
  for (size_t b = 0; b < seqs.size(); ++b) {
    for (size_t t = 0; t < seqs[b].size(); ++t) a[b][t] = seqs[b][t];
    lengths[b] = static_cast<int64_t>(seqs[b].size());
  }
  return {ids.to(device), lengths};
}
}  // namespace

TokenBatch Seq2SeqModel::Impl::source_batch(const std::vector<std::string>& texts) const {
  std::vector<std::vector<int>> seqs;
  seqs.reserve(texts.size());
  for (const auto& t : texts) {
    seqs.push_back(source_vocab.encode(t));
    seqs.back().push_back(CharVocab::kEos);
  }
  return pad(seqs, device);
}

std::pair<TokenBatch, TokenBatch> Seq2SeqModel::Impl::target_batch(const std::vector<std::string>& texts) const {
  std::vector<std::vector<int>> in, out;
  for (const auto& t : texts) {
    std::vector<int> ids = target_vocab.encode(t);
    in.push_back({CharVocab::kBos});
    in.back().insert(in.back().end(), ids.begin(), ids.end());
    out.push_back(ids);
    out.back().push_back(CharVocab::kEos);
  }
  return {pad(in, device), pad(out, device)};
}

Seq2SeqModel::Seq2SeqModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Seq2SeqModel::~Seq2SeqModel() = default;
Seq2SeqModel::Seq2SeqModel(Seq2SeqModel&&) noexcept = default;

const Seq2SeqConfig& Seq2SeqModel::config() const { return impl_->cfg; }

Seq2SeqModel Seq2SeqModel::create(const Seq2SeqConfig& config, const std::string& device, uint64_t seed) {
  torch::manual_seed(seed);
  return Seq2SeqModel(std::make_unique<Impl>(config, parse_device(device)));
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
  auto impl = std::make_unique<Impl>(cfg, parse_device(device));
  load_parameters(*impl->net, weights_path);
  impl->net->eval();
  return Seq2SeqModel(std::move(impl));
}

void Seq2SeqModel::save(const std::string& dir) const {
  fs::create_directories(dir);
  write_file_atomic(dir + "/config.json", impl_->cfg.to_json() + "\n");
  save_parameters(*impl_->net, dir + "/model.safetensors");
}

std::string Seq2SeqModel::prepare_input(const std::string& text) const {
  const std::string norm = impl_->task->normalize_input(text);
  if (norm.empty()) throw std::invalid_argument("input is empty");
  if (static_cast<int>(norm.size()) > impl_->cfg.max_input_length)
    throw std::invalid_argument("input is " + std::to_string(norm.size()) + " characters; this model accepts at most " +
                                std::to_string(impl_->cfg.max_input_length));
  impl_->source_vocab.encode(norm);  // throws naming an out-of-vocabulary character
  return norm;
}

namespace {

// What one decoding hypothesis has produced so far.
struct Hypothesis {
  std::vector<int> tokens;
  double log_prob = 0;
  std::vector<torch::Tensor> weights, scores, context;  // per step: [S], [S], [H]
};

double normalised(const Hypothesis& h, double alpha) {
  return h.log_prob / std::pow((5.0 + h.tokens.size()) / 6.0, alpha);
}

}  // namespace

Translation Seq2SeqModel::translate(const std::string& input, const DecodeOptions& opts) const {
  Impl& m = *impl_;
  torch::NoGradGuard no_grad;
  m.net->eval();
  const std::string norm = prepare_input(input);
  TokenBatch src = m.source_batch({norm});
  Encoded enc1 = m.net->encode(src.ids, src.lengths);
  const bool recording = opts.record && m.cfg.attention != "none";
  const int beam = std::max(1, opts.beam);
  const int max_steps = m.cfg.max_output_length + 1;

  std::vector<Hypothesis> alive(1), finished;
  RnnState state = enc1.state;
  for (int t = 0; t < max_steps && !alive.empty(); ++t) {
    const int64_t n = static_cast<int64_t>(alive.size());
    Encoded enc = n == 1 ? enc1 : enc1.expand(n);
    enc.state = state;
    std::vector<int64_t> prev_ids;
    for (const auto& h : alive) prev_ids.push_back(h.tokens.empty() ? CharVocab::kBos : h.tokens.back());
    torch::Tensor prev = torch::tensor(prev_ids, torch::kLong).to(m.device);
    StepOutput so = m.net->step(prev, enc.state, enc, t);
    torch::Tensor logp = torch::log_softmax(so.logits, -1).to(torch::kCPU);  // [n, V]
    const int64_t V = logp.size(1);
    // Candidates: the best `beam` continuations of every live hypothesis, ranked overall.
    torch::Tensor total = logp + torch::tensor(std::vector<double>([&] {
                                   std::vector<double> v;
                                   for (const auto& h : alive) v.push_back(h.log_prob);
                                   return v;
                                 }()), torch::kDouble).to(torch::kFloat).unsqueeze(1);
    auto [top_vals, top_idx] = total.view({-1}).topk(std::min<int64_t>(2 * beam, n * V));
    std::vector<Hypothesis> next;
    std::vector<int64_t> parents;
    for (int64_t i = 0; i < top_idx.size(0) && static_cast<int>(next.size()) < beam; ++i) {
      const int64_t flat = top_idx[i].item<int64_t>(), parent = flat / V;
      const int token = static_cast<int>(flat % V);
      Hypothesis h = alive[parent];
      h.tokens.push_back(token);
      h.log_prob = top_vals[i].item<double>();
      if (recording) {
        h.weights.push_back(so.attention.weights[parent][0].to(torch::kCPU));
        h.scores.push_back(so.attention.scores[parent][0].to(torch::kCPU));
        h.context.push_back(so.attention.context[parent][0].to(torch::kCPU));
      }
      if (token == CharVocab::kEos) {
        finished.push_back(std::move(h));
        if (beam == 1) break;
      } else {
        next.push_back(std::move(h));
        parents.push_back(parent);
      }
    }
    alive = std::move(next);
    if (static_cast<int>(finished.size()) >= beam) break;
    if (!alive.empty()) state = enc.state.index_select(torch::tensor(parents, torch::kLong).to(m.device));
  }
  if (finished.empty()) finished = std::move(alive);  // ran out of steps: keep the unfinished
  const double alpha = beam > 1 ? opts.length_penalty : 0.0;
  const Hypothesis& best = *std::max_element(finished.begin(), finished.end(), [&](const auto& a, const auto& b) {
    return normalised(a, alpha) < normalised(b, alpha);
  });

  Translation tr;
  tr.input = input;
  tr.output = m.target_vocab.decode(best.tokens);
  tr.log_prob = best.log_prob;
  AttentionRun& run = tr.run;
  run.input_text = input;
  run.output_text = tr.output;
  for (char c : norm) run.source_tokens.push_back(std::string(1, c));
  run.source_tokens.push_back(CharVocab::kEosToken);
  for (int id : best.tokens) run.target_tokens.push_back(m.target_vocab.token(id));
  run.info["decoding"] = beam > 1 ? "beam " + std::to_string(beam) : "greedy";
  if (norm != input) run.info["normalised_input"] = norm;
  if (m.cfg.attention == "none") {
    run.info["attention"] = "none: this model has no attention, so nothing was recorded";
  } else if (recording) {
    run.blocks.push_back(to_block(AttentionKind::Cross, 0, torch::stack(best.weights).unsqueeze(0)));
    run.extras["cross.0.scores"] = to_array(torch::stack(best.scores).unsqueeze(0));
    run.extras["cross.0.context"] = to_array(torch::stack(best.context));
  }
  return tr;
}

std::vector<std::string> Seq2SeqModel::translate_batch(const std::vector<std::string>& inputs) const {
  Impl& m = *impl_;
  torch::NoGradGuard no_grad;
  m.net->eval();
  std::vector<std::string> norm;
  norm.reserve(inputs.size());
  for (const auto& s : inputs) norm.push_back(prepare_input(s));
  TokenBatch src = m.source_batch(norm);
  Encoded enc = m.net->encode(src.ids, src.lengths);
  const int64_t B = static_cast<int64_t>(inputs.size());
  torch::Tensor prev = torch::full({B}, CharVocab::kBos, torch::TensorOptions(torch::kLong).device(m.device));
  torch::Tensor done = torch::zeros({B}, torch::TensorOptions(torch::kBool).device(m.device));
  std::vector<torch::Tensor> steps;
  RnnState state = enc.state;
  for (int t = 0; t <= m.cfg.max_output_length; ++t) {
    prev = m.net->step(prev, state, enc, t).logits.argmax(-1);
    steps.push_back(prev);
    done = done | (prev == CharVocab::kEos);
    if (done.all().item<bool>()) break;
  }
  torch::Tensor ids = torch::stack(steps, 1).to(torch::kCPU);
  std::vector<std::string> out;
  for (int64_t b = 0; b < B; ++b) {
    auto row = ids[b];
    std::vector<int> v(row.data_ptr<int64_t>(), row.data_ptr<int64_t>() + row.numel());
    out.push_back(m.target_vocab.decode(v));
  }
  return out;
}

AttentionSet Seq2SeqModel::to_attention_set(const std::vector<Translation>& translations) const {
  AttentionSet set;
  set.meta["model"] = "attnscope rnn seq2seq (" + impl_->cfg.task + ")";
  set.meta["architecture"] = "rnn";
  set.meta["attention"] = impl_->cfg.attention;
  set.meta["config"] = impl_->cfg.to_json();
  set.meta["subword"] = "none";
  set.meta["transforms"] = "";
  for (const auto& t : translations) set.runs.push_back(t.run);
  if (set.runs.size() > 1)
    for (size_t i = 0; i < set.runs.size(); ++i) set.runs[i].name = set.runs[i].input_text;
  return set;
}

}  // namespace attnscope
