#include "train/translate_trainer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <stdexcept>

#include "io/json_limits.h"
#include "analysis/bleu.h"
#include "core/progress.h"
#include "io/atomic_file.h"
#include "io/attention_file.h"
#include "io/text_lines.h"
#include "models/loading/checkpoint.h"
#include "models/seq2seq_impl.h"
#include "text/subword_vocab.h"
#include "train/adam_step.h"
#include "train/train_util.h"

namespace attnscope {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Corpus {
  std::vector<std::string> src, tgt;
};

// Both sides, checked: same number of lines, no empty line.
Corpus read_parallel(const std::string& src_path, const std::string& tgt_path) {
  LinePairs pairs = read_line_pairs(src_path, tgt_path);
  Corpus c{std::move(pairs.first), std::move(pairs.second)};
  if (c.src.empty()) throw std::runtime_error(src_path + " is empty");
  for (const auto* side : {&c.src, &c.tgt})
    for (size_t i = 0; i < side->size(); ++i)
      if ((*side)[i].find_first_not_of(" \t\r") == std::string::npos)
        throw std::runtime_error((side == &c.src ? src_path : tgt_path) + ":" + std::to_string(i + 1) +
                                 ": empty line (every line must hold a sentence; remove the pair from both files)");
  return c;
}

struct State {
  int64_t step = 0, epoch = 0, batch_in_epoch = 0, best_step = 0;
  double train_seconds = 0, best_bleu = -1;
  uint64_t seed = 1;
  std::string codes_fingerprint;

  std::string to_json() const {
    return nlohmann::json{{"step", step},       {"epoch", epoch},          {"batch_in_epoch", batch_in_epoch},
                          {"best_step", best_step}, {"train_seconds", train_seconds}, {"best_bleu", best_bleu},
                          {"seed", seed},       {"codes_fingerprint", codes_fingerprint}}
        .dump(2);
  }
  static State load(const std::string& dir) {
    const std::string path = dir + "/train_state.json";
    if (!fs::exists(path)) throw std::runtime_error("--resume: " + path + " is missing");
    try {
      auto j = parse_json_bounded(read_file(path), path);
      State s;
      s.step = j.at("step");
      s.epoch = j.at("epoch");
      s.batch_in_epoch = j.at("batch_in_epoch");
      s.best_step = j.at("best_step");
      s.train_seconds = j.at("train_seconds");
      s.best_bleu = j.at("best_bleu");
      s.seed = j.at("seed");
      s.codes_fingerprint = j.at("codes_fingerprint");
      return s;
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(path + ": " + e.what());
    }
  }
};

struct Pair {
  std::vector<int> src, tgt;
};

// Batches of similar lengths, at most `batch_tokens` (padded) tokens each, in a seeded order.
std::vector<std::vector<size_t>> make_batches(const std::vector<Pair>& pairs, int batch_tokens, uint64_t seed) {
  std::vector<size_t> order(pairs.size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);  // ties in length land in a random order
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::make_pair(pairs[a].src.size(), pairs[a].tgt.size()) < std::make_pair(pairs[b].src.size(), pairs[b].tgt.size());
  });
  std::vector<std::vector<size_t>> batches;
  std::vector<size_t> cur;
  size_t max_s = 0, max_t = 0;
  for (size_t i : order) {
    const size_t s = std::max(max_s, pairs[i].src.size() + 1), t = std::max(max_t, pairs[i].tgt.size() + 1);
    if (!cur.empty() && (cur.size() + 1) * (s + t) > static_cast<size_t>(batch_tokens)) {
      batches.push_back(std::move(cur));
      cur.clear();
      max_s = max_t = 0;
    }
    cur.push_back(i);
    max_s = std::max(max_s, pairs[i].src.size() + 1);
    max_t = std::max(max_t, pairs[i].tgt.size() + 1);
  }
  if (!cur.empty()) batches.push_back(std::move(cur));
  std::shuffle(batches.begin(), batches.end(), rng);
  return batches;
}

double validation_bleu(const Seq2SeqModel& model, const std::vector<std::string>& src, const std::vector<std::string>& ref) {
  return corpus_bleu(model.translate_corpus(src), ref).score;
}

void save_resume_point(Seq2SeqModel& model, torch::optim::Adam& optimizer, const State& state, const std::string& dir) {
  save_parameters(model.impl().module(), dir + "/last.safetensors");
  save_optimizer(optimizer, dir + "/optimizer.pt");
  write_file_atomic(dir + "/train_state.json", state.to_json() + "\n");
}

void append_log(const std::string& dir, const std::string& line) {
  const std::string path = dir + "/train_log.tsv";
  const bool fresh = !fs::exists(path);
  std::string text = fresh ? "step\tminutes\ttrain_loss\tvalid_bleu\n" : read_file(path);
  write_file_atomic(path, text + line + "\n");
}

}  // namespace

TranslateTrainResult train_translation(const TranslateTrainOptions& o) {
  const std::string& dir = o.out;
  const bool has_model = fs::exists(dir + "/model.safetensors");
  if (o.resume && !fs::exists(dir + "/last.safetensors")) throw std::runtime_error("--resume: no checkpoint in " + dir);
  if (!o.resume && has_model)
    throw std::runtime_error(dir + " already holds a model; pass --resume to continue training it or choose another --out");

  Corpus train = read_parallel(o.src, o.tgt);
  Corpus valid;
  if (!o.valid_src.empty()) {
    valid = read_parallel(o.valid_src, o.valid_tgt);
  } else {  // hold out the last lines
    const size_t n = std::min<size_t>(500, train.src.size() / 10);
    valid.src.assign(train.src.end() - n, train.src.end());
    valid.tgt.assign(train.tgt.end() - n, train.tgt.end());
    train.src.resize(train.src.size() - n);
    train.tgt.resize(train.tgt.size() - n);
  }
  if (valid.src.size() > static_cast<size_t>(o.valid_sentences)) {
    valid.src.resize(o.valid_sentences);
    valid.tgt.resize(o.valid_sentences);
  }

  State state;
  std::shared_ptr<const BpeCodes> codes;
  std::shared_ptr<SubwordVocab> src_vocab, tgt_vocab;
  Seq2SeqConfig cfg;
  if (o.resume) {
    state = State::load(dir);
    SubwordVocabs v = load_subword_vocabs(dir);
    src_vocab = v.source;
    tgt_vocab = v.target;
    cfg = Seq2SeqConfig::from_json(read_file(dir + "/config.json"));
  } else {
    fs::create_directories(dir);
    if (!o.codes.empty()) {
      codes = std::make_shared<const BpeCodes>(BpeCodes::load(o.codes));
    } else {
      std::vector<std::string> both = train.src;
      both.insert(both.end(), train.tgt.begin(), train.tgt.end());
      ProgressBar bar(o.progress, o.merges, "BPE merges");
      codes = std::make_shared<const BpeCodes>(learn_bpe(both, o.merges, 2, [&](int done, int) { bar.update(done); }));
      bar.done();
    }
    codes->save(dir + "/bpe.codes");
    std::vector<std::string> seg_src, seg_tgt;
    for (const auto& s : train.src) seg_src.push_back(codes->apply(s));
    for (const auto& s : train.tgt) seg_tgt.push_back(codes->apply(s));
    if (o.shared_vocab) {
      std::vector<std::string> both = seg_src;
      both.insert(both.end(), seg_tgt.begin(), seg_tgt.end());
      src_vocab = std::make_shared<SubwordVocab>(codes, SubwordVocab::count_pieces(both, o.min_count));
      tgt_vocab = src_vocab;
    } else {
      src_vocab = std::make_shared<SubwordVocab>(codes, SubwordVocab::count_pieces(seg_src, o.min_count));
      tgt_vocab = std::make_shared<SubwordVocab>(codes, SubwordVocab::count_pieces(seg_tgt, o.min_count));
    }
    src_vocab->save(dir + "/source.vocab");
    tgt_vocab->save(dir + "/target.vocab");
    cfg = o.model;
    cfg.arch = "transformer";
    cfg.task = "translate";
    cfg.vocab = "bpe";
    cfg.max_input_length = cfg.max_output_length = std::max(o.max_tokens, 256);
    state.seed = o.seed;
    state.codes_fingerprint = codes->fingerprint();
  }
  if (state.codes_fingerprint != src_vocab->codes().fingerprint())
    throw std::runtime_error(dir + "/bpe.codes is not the codes file this model was trained with (fingerprint differs)");

  Seq2SeqModel model = Seq2SeqModel::create(cfg, o.device, state.seed, src_vocab, tgt_vocab);
  Seq2SeqModel::Impl& m = model.impl();
  if (o.resume) load_parameters(m.module(), dir + "/last.safetensors");
  TrainOptions sched;  // the shared schedule helpers read lr and warmup from here
  sched.lr = o.lr;
  sched.warmup = o.warmup;
  torch::optim::Adam optimizer(m.module().parameters(), adam_options(sched, cfg));
  if (o.resume) load_optimizer(optimizer, dir + "/optimizer.pt");

  std::vector<Pair> pairs;
  size_t skipped = 0;
  for (size_t i = 0; i < train.src.size(); ++i) {
    Pair p{src_vocab->encode(train.src[i]), tgt_vocab->encode(train.tgt[i])};
    if (static_cast<int>(std::max(p.src.size(), p.tgt.size())) > o.max_tokens) {
      ++skipped;
      continue;
    }
    pairs.push_back(std::move(p));
  }
  if (o.progress)
    std::fprintf(stderr, "%zu training pairs (%zu longer than %d pieces left out), %zu validation; vocabularies %d / %d pieces\n",
                 pairs.size(), skipped, o.max_tokens, valid.src.size(), src_vocab->size(), tgt_vocab->size());
  const std::string snapshot = o.snapshot_sentence.empty() ? valid.src.front() : o.snapshot_sentence;
  const std::string snapshots_path = dir + "/snapshots.attn.safetensors";
  AttentionSet snapshots = o.resume && fs::exists(snapshots_path) ? load_attention_set(snapshots_path) : model.to_attention_set(std::vector<AttentionRun>{});
  snapshots.meta["snapshots"] = "the same sentence every " + std::to_string(o.eval_every) + " training steps";

  TranslateTrainResult result;
  const double budget_seconds = o.minutes * 60;
  Progress progress(o.progress, budget_seconds, "valid BLEU");
  double loss_avg = -1, last_bleu = std::max(0.0, state.best_bleu);
  torch::manual_seed(state.seed + static_cast<uint64_t>(state.step));
  std::vector<std::vector<size_t>> batches = make_batches(pairs, o.batch_tokens, state.seed + state.epoch);
  const double seconds_at_start = state.train_seconds;

  auto evaluate_and_save = [&]() {
    const double bleu = validation_bleu(model, valid.src, valid.tgt);
    last_bleu = bleu;
    if (bleu > state.best_bleu) {
      state.best_bleu = bleu;
      state.best_step = state.step;
      model.save(dir);  // the folder's model is always the best one so far
    }
    save_resume_point(model, optimizer, state, dir);
    Translation t = model.translate(snapshot);
    t.run.name = "step " + std::to_string(state.step);
    snapshots.runs.push_back(t.run);
    save_attention_set(snapshots, snapshots_path);
    char line[128];
    std::snprintf(line, sizeof line, "%lld\t%.2f\t%.4f\t%.2f", static_cast<long long>(state.step), state.train_seconds / 60,
                  loss_avg, bleu);
    append_log(dir, line);
    m.module().train();
  };

  m.module().train();
  while (state.step < o.steps) {
    if (o.stop && o.stop->load()) {
      result.interrupted = true;
      break;
    }
    if (budget_seconds > 0 && state.train_seconds - seconds_at_start >= budget_seconds) break;
    if (state.batch_in_epoch >= static_cast<int64_t>(batches.size())) {
      ++state.epoch;
      state.batch_in_epoch = 0;
      batches = make_batches(pairs, o.batch_tokens, state.seed + state.epoch);
    }
    const auto t0 = Clock::now();
    std::vector<std::vector<int>> s, t;
    for (size_t i : batches[state.batch_in_epoch]) {
      s.push_back(pairs[i].src);
      t.push_back(pairs[i].tgt);
    }
    TokenBatch src = m.source_batch_ids(s);
    auto [tgt_in, tgt_out] = m.target_batch_ids(t);
    set_learning_rate(optimizer, learning_rate(sched, state.step + 1));
    auto [logits, expected] = m.training_logits(src, tgt_in, tgt_out, 1.0);
    torch::Tensor loss = sequence_loss(logits, expected, o.label_smoothing);
    backward_and_step(optimizer, loss, o.grad_clip);
    ++state.step;
    ++state.batch_in_epoch;
    state.train_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    const double l = loss.item<double>();
    loss_avg = loss_avg < 0 ? l : 0.98 * loss_avg + 0.02 * l;
    progress.set_elapsed(state.train_seconds - seconds_at_start);
    progress.update(state.step, loss_avg, last_bleu, state.step / std::max(state.train_seconds, 1e-9));
    if (state.step % o.eval_every == 0) {
      evaluate_and_save();
      progress.checkpoint(state.step, loss_avg, last_bleu, state.step / std::max(state.train_seconds, 1e-9));
      if (o.progress && budget_seconds > 0)
        std::fprintf(stderr, "  %.1f of %.0f training minutes, validation BLEU %.2f (best %.2f at step %lld)\n",
                     (state.train_seconds - seconds_at_start) / 60, o.minutes, last_bleu, state.best_bleu,
                     static_cast<long long>(state.best_step));
    }
  }
  if (state.step % o.eval_every != 0) evaluate_and_save();
  progress.done();
  result.steps = state.step;
  result.train_minutes = state.train_seconds / 60;
  result.best_bleu = state.best_bleu;
  result.best_step = state.best_step;
  return result;
}

}  // namespace attnscope
