#include "train/trainer.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

#include "io/json_limits.h"
#include "io/atomic_file.h"
#include "models/seq2seq_impl.h"
#include "core/progress.h"
#include "train/adam_step.h"
#include "train/train_util.h"

namespace attnscope {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kEvalBatch = 500;  // held-out examples decoded at once

double exact_match(const Seq2SeqModel& model, const std::vector<Example>& examples) {
  size_t correct = 0;
  for (size_t i = 0; i < examples.size(); i += kEvalBatch) {
    std::vector<std::string> inputs, outputs;
    for (size_t j = i; j < std::min(examples.size(), i + kEvalBatch); ++j) inputs.push_back(examples[j].input);
    outputs = model.translate_batch(inputs);
    for (size_t j = 0; j < outputs.size(); ++j) correct += outputs[j] == examples[i + j].output;
  }
  return examples.empty() ? 0.0 : static_cast<double>(correct) / examples.size();
}

struct TrainState {
  int64_t step = 0;
  uint64_t seed = 1;
  int min_len = 5, max_len = 12, heldout = 1000;
  double heldout_acc = 0;
  // The plateau schedule (the learning rate halves after plateau_evals evaluations without a new
  // best): kept so that a resumed run takes the steps an uninterrupted one would.
  double best_acc = -1, lr_scale = 1;
  int evals_since_best = 0;

  std::string to_json() const {
    return nlohmann::json{{"step", step},       {"seed", seed},       {"min_len", min_len},
                          {"max_len", max_len}, {"heldout", heldout}, {"heldout_acc", heldout_acc},
                          {"best_acc", best_acc}, {"lr_scale", lr_scale}, {"evals_since_best", evals_since_best}}
        .dump(2);
  }
  static TrainState load(const std::string& dir) {
    const std::string path = dir + "/train_state.json";
    if (!fs::exists(path)) throw std::runtime_error(dir + ": train_state.json is missing (not trained by attnscope train?)");
    TrainState s;
    try {
      auto j = parse_json_bounded(read_file(path), path);
      s.step = j.at("step");
      s.seed = j.at("seed");
      s.min_len = j.at("min_len");
      s.max_len = j.at("max_len");
      s.heldout = j.at("heldout");
      s.heldout_acc = j.value("heldout_acc", 0.0);
      s.best_acc = j.value("best_acc", -1.0);  // absent in checkpoints from before: start afresh
      s.lr_scale = j.value("lr_scale", 1.0);
      s.evals_since_best = j.value("evals_since_best", 0);
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(path + ": " + e.what());
    }
    return s;
  }
};

void save_checkpoint(const Seq2SeqModel& model, torch::optim::Adam& optimizer, const TrainState& state,
                     const std::string& dir) {
  model.save(dir);
  save_optimizer(optimizer, dir + "/optimizer.pt");
  write_file_atomic(dir + "/train_state.json", state.to_json() + "\n");
}

}  // namespace

double learning_rate(const TrainOptions& opts, int64_t step) {
  if (opts.warmup <= 0) return opts.lr;
  // Linear warm-up to the peak at `warmup` steps, then decay with 1/sqrt(step) (Vaswani et al.).
  const double s = static_cast<double>(std::max<int64_t>(step, 1)), w = static_cast<double>(opts.warmup);
  return opts.lr * std::min(s / w, std::sqrt(w / s));
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
}

torch::optim::AdamOptions adam_options(const TrainOptions& opts, const Seq2SeqConfig& cfg) {
  torch::optim::AdamOptions o(opts.lr);
  if (cfg.is_transformer()) o.betas({0.9, 0.98}).eps(1e-9);  // the paper's settings
  return o;
}

void save_optimizer(torch::optim::Optimizer& optimizer, const std::string& path) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  torch::save(optimizer, tmp);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot write " + path);
}

void load_optimizer(torch::optim::Optimizer& optimizer, const std::string& path) {
  if (fs::exists(path)) torch::load(optimizer, path);
}

torch::Tensor sequence_loss(const torch::Tensor& logits, const torch::Tensor& expected, double label_smoothing) {
  return torch::nn::functional::cross_entropy(logits.reshape({-1, logits.size(-1)}), expected.reshape({-1}),
                                              torch::nn::functional::CrossEntropyFuncOptions()
                                                  .ignore_index(Vocab::kPad)
                                                  .label_smoothing(label_smoothing));
}

TrainResult train_seq2seq(const TrainOptions& opts) {
  const auto start = Clock::now();
  std::unique_ptr<Task> task = make_task(opts.task, opts.min_len, opts.max_len);
  const bool has_model = fs::exists(opts.out + "/model.safetensors");
  if (opts.resume && !has_model) throw std::runtime_error("--resume: no checkpoint in " + opts.out);
  if (!opts.resume && has_model)
    throw std::runtime_error(opts.out + " already holds a model; pass --resume to continue training it or choose another --out");

  TrainState state;
  std::optional<Seq2SeqModel> model;
  if (opts.resume) {
    state = TrainState::load(opts.out);
    model.emplace(Seq2SeqModel::load(opts.out, opts.device));
    if (model->config().task != task->name())
      throw std::runtime_error(opts.out + " was trained on " + model->config().task + ", not " + task->name());
  } else {
    Seq2SeqConfig cfg = opts.model;
    cfg.task = task->name();
    cfg.input_alphabet = task->input_alphabet();
    cfg.output_alphabet = task->output_alphabet();
    cfg.max_input_length = static_cast<int>(task->max_input_length());
    cfg.max_output_length = static_cast<int>(task->max_output_length());
    cfg.validate();
    state.seed = opts.seed;
    state.min_len = opts.min_len;
    state.max_len = opts.max_len;
    state.heldout = opts.heldout;
    model.emplace(Seq2SeqModel::create(cfg, opts.device, opts.seed));
  }
  Seq2SeqModel::Impl& m = model->impl();
  torch::optim::Adam optimizer(m.module().parameters(), adam_options(opts, m.cfg));
  if (opts.resume) load_optimizer(optimizer, opts.out + "/optimizer.pt");
  torch::manual_seed(state.seed + static_cast<uint64_t>(state.step));
  // Held-out set is fixed by the seed; the training stream is re-seeded on resume.
  TaskData data(*task, state.seed, static_cast<size_t>(state.heldout));
  // Resuming replays the training stream up to where it stopped, so a resumed run sees the
  // same examples an uninterrupted one would (given the same --batch).
  for (int64_t i = 0; i < state.step * opts.batch; ++i) data.next_train();

  TrainResult result;
  Progress progress(opts.progress, opts.steps);
  double train_seconds = 0, loss_avg = -1;
  int64_t steps_this_call = 0;
  m.module().train();
  auto finish = [&]() {
    state.heldout_acc = result.heldout_acc;
    save_checkpoint(*model, optimizer, state, opts.out);
    result.steps = state.step;
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    result.ms_per_step = steps_this_call ? 1000.0 * train_seconds / steps_this_call : 0;
    progress.done();
    return result;
  };

  while (state.step < opts.steps) {
    if (opts.stop && opts.stop->load()) {
      result.interrupted = true;
      return finish();
    }
    const auto t0 = Clock::now();
    std::vector<std::string> inputs, outputs;
    for (int i = 0; i < opts.batch; ++i) {
      Example e = data.next_train();
      inputs.push_back(task->normalize_input(e.input));
      outputs.push_back(e.output);
    }
    TokenBatch src = m.source_batch(inputs);
    auto [tgt_in, tgt_out] = m.target_batch(outputs);
    set_learning_rate(optimizer, state.lr_scale * learning_rate(opts, state.step + 1));
    auto [logits, expected] = m.training_logits(src, tgt_in, tgt_out, opts.teacher_forcing);
    torch::Tensor loss = sequence_loss(logits, expected, opts.label_smoothing);
    backward_and_step(optimizer, loss, opts.grad_clip);
    ++state.step;
    ++steps_this_call;
    train_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    const double l = loss.item<double>();
    loss_avg = loss_avg < 0 ? l : 0.95 * loss_avg + 0.05 * l;
    progress.update(state.step, loss_avg, result.heldout_acc, steps_this_call / train_seconds);

    if (state.step % opts.eval_every == 0 || state.step == opts.steps) {
      result.heldout_acc = exact_match(*model, data.heldout());
      m.module().train();
      state.heldout_acc = result.heldout_acc;
      // Halve the learning rate when held-out accuracy stops improving: the last fraction of a
      // percent on the positional tasks comes much faster at a lower rate. Updated before the
      // checkpoint, which keeps it.
      if (result.heldout_acc > state.best_acc) {
        state.best_acc = result.heldout_acc;
        state.evals_since_best = 0;
      } else if (++state.evals_since_best >= opts.plateau_evals) {
        state.evals_since_best = 0;
        state.lr_scale = std::max(opts.min_lr / opts.lr, state.lr_scale / 2);
      }
      save_checkpoint(*model, optimizer, state, opts.out);
      progress.checkpoint(state.step, loss_avg, result.heldout_acc, steps_this_call / train_seconds);
      if (result.heldout_acc >= opts.target_acc) {
        result.seconds_to_target = std::chrono::duration<double>(Clock::now() - start).count();
        break;
      }
    }
  }
  return finish();
}

double evaluate_seq2seq(const std::string& dir, const std::string& device) {
  return evaluate_seq2seq(Seq2SeqModel::load(dir, device), dir);
}

double evaluate_seq2seq(const Seq2SeqModel& model, const std::string& dir) {
  TrainState state = TrainState::load(dir);
  std::unique_ptr<Task> task = make_task(model.config().task, state.min_len, state.max_len);
  TaskData data(*task, state.seed, static_cast<size_t>(state.heldout));
  return exact_match(model, data.heldout());
}

}  // namespace attnscope
