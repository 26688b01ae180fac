// bench_long_context: the query-key capture of a Llama-style model on a long input, against a
// plain forward pass of the same model in the same process. Prints one JSON line:
//   tokens, layers, heads, plain_forward_s, capture_s, capture_ratio, set_mb, capture_rss_mb,
//   max_abs_err (query-key vs the float32 dense path at --check tokens), max_abs_err_exact (vs
//   the float64 softmax of the recorded q and k), dense_float32_err (the dense path's own rounding)
// and writes the set to --out for the server half of bench/long_context.
//
//   bench_long_context --model random --tokens 8192 --out long.attn.safetensors
//   bench_long_context --model ../shared/models/stories260K/stories260K.bin --tokens 32768 --out s.attn.safetensors
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "io/attention_file.h"
#include "models/blas_kernels.h"
#include "models/loading/llama2c_reader.h"
#include "models/loading/random_llama.h"
#include "models/recording/attention_recorder.h"
#include "models/threads.h"

using namespace attnscope;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

torch::Tensor random_ids(int64_t n, int vocab, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int64_t> pick(3, vocab - 1);
  std::vector<int64_t> ids = {1};
  while (static_cast<int64_t>(ids.size()) < n) ids.push_back(pick(rng));
  return torch::tensor(ids, torch::kLong);
}

AttentionRun record(const LlamaWeights& w, const torch::Tensor& ids, WeightForm form) {
  AttentionRecorder rec;
  rec.set_form(form);
  llama_forward(w, ids, &rec);
  AttentionRun run;
  for (int64_t i = 0; i < ids.size(0); ++i) run.target_tokens.push_back(std::to_string(ids[i].item<int64_t>()));
  rec.into(run);
  return run;
}

struct Errors {
  double vs_dense = 0, vs_exact = 0, dense_error = 0;
};

// Random 64 x 64 tiles of every head (the first one at key 0, where sinks are), at `tokens`.
Errors compare_at(const LlamaWeights& w, int64_t tokens) {
  const torch::Tensor ids = random_ids(tokens, w.config.vocab_size, 5);
  const AttentionRun dense = record(w, ids, WeightForm::Dense), qk = record(w, ids, WeightForm::QueryKey);
  Errors e;
  std::mt19937 rng(3);
  std::uniform_int_distribution<int64_t> at(0, tokens - 64);
  const torch::Tensor future = torch::ones({tokens, tokens}, torch::kBool).tril().logical_not();  // built once
  for (size_t b = 0; b < qk.blocks.size(); ++b) {
    const AttentionBlock& D = dense.blocks[b];
    const QueryKeyHeads& h = *qk.blocks[b].qk;
    const torch::Tensor q = torch::from_blob(const_cast<float*>(h.q.data()), {int64_t(h.heads), tokens, int64_t(h.dim)}).to(torch::kDouble);
    const torch::Tensor k = torch::from_blob(const_cast<float*>(h.k.data()), {int64_t(h.key_heads), tokens, int64_t(h.dim)}).to(torch::kDouble);
    for (size_t head = 0; head < h.heads; ++head) {
      for (int t = 0; t < 8; ++t) {
        const int64_t q0 = at(rng), k0 = t == 0 ? 0 : std::min(q0, at(rng));
        torch::Tensor s = torch::matmul(q[int64_t(head)].slice(0, q0, q0 + 64), k[int64_t(head / (h.heads / h.key_heads))].transpose(0, 1)) * h.scale;
        s = s.masked_fill(future.slice(0, q0, q0 + 64), -INFINITY);
        const torch::Tensor exact = torch::softmax(s, -1).contiguous();
        std::vector<float> got(64 * 64);
        qk.blocks[b].tile(head, size_t(q0), size_t(q0 + 64), size_t(k0), size_t(k0 + 64), got.data());
        for (int64_t i = 0; i < 64; ++i)
          for (int64_t j = 0; j < 64; ++j) {
            const double g = got[size_t(i * 64 + j)], x = exact.data_ptr<double>()[i * tokens + k0 + j];
            const double d = D.at(head, size_t(q0 + i), size_t(k0 + j));
            e.vs_dense = std::max(e.vs_dense, std::abs(g - d));
            e.vs_exact = std::max(e.vs_exact, std::abs(g - x));
            e.dense_error = std::max(e.dense_error, std::abs(d - x));
          }
      }
    }
  }
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  use_fast_blas_kernels(argv);
  std::string model = "random", out;
  int64_t tokens = 8192, check = 2048;
  int threads = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--model") model = v;
    else if (a == "--tokens") tokens = std::atol(v.c_str());
    else if (a == "--out") out = v;
    else if (a == "--check") check = std::atol(v.c_str());
    else if (a == "--threads") threads = std::atoi(v.c_str());
    else {
      std::fprintf(stderr, "bench_long_context: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  if (tokens < 2 || out.empty()) {
    std::fprintf(stderr, "usage: bench_long_context --model random|CHECKPOINT.bin --tokens N --out SET [--check N] [--threads N]\n");
    return 2;
  }
  set_threads(threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency()));
  torch::InferenceMode no_grad;
  const LlamaWeights w = model == "random" ? random_llama(12, 12, 768, 512, 8192, 1) : read_llama2c_checkpoint(model);
  const torch::Tensor ids = random_ids(tokens, w.config.vocab_size, 7);
  std::fprintf(stderr, "%s: %ld tokens, %s\n", model.c_str(), long(tokens), w.config.describe().c_str());

  auto t0 = std::chrono::steady_clock::now();
  llama_forward(w, ids, nullptr);
  const double plain = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  AttentionRun run = record(w, ids, WeightForm::QueryKey);
  const double capture = seconds_since(t0);
  const double rss = peak_rss_mb();
  // Where dense still fits, its capture too: what picks the default threshold (kQueryKeyFrom).
  double dense = -1;
  if (tokens <= 4096) {
    t0 = std::chrono::steady_clock::now();
    record(w, ids, WeightForm::Dense);
    dense = seconds_since(t0);
  }

  AttentionSet set;
  set.meta = {{"model", model == "random" ? "random Llama 12 x 12 (seed 1)" : std::filesystem::path(model).stem().string()},
              {"architecture", "llama"}, {"subword", "none"}};
  run.input_text = "random token ids (seed 7)";
  set.runs.push_back(std::move(run));
  if (tokens > w.config.max_seq_len)
    set.runs[0].info["beyond_training"] = "trained on " + std::to_string(w.config.max_seq_len) + " tokens; RoPE runs to " +
                                          std::to_string(tokens) + ", where its output degrades; the attention is what it computes";
  save_attention_set(set, out);
  const double set_mb = static_cast<double>(std::filesystem::file_size(out)) / 1e6;
  set.runs.clear();

  const Errors e = compare_at(w, std::min(check, tokens));
  std::printf("{\"model\": \"%s\", \"tokens\": %ld, \"layers\": %d, \"heads\": %d, \"plain_forward_s\": %.2f, \"capture_s\": %.2f, "
              "\"capture_ratio\": %.2f, \"dense_capture_s\": %.2f, \"set_mb\": %.0f, \"capture_rss_mb\": %.0f, \"check_tokens\": %ld, \"max_abs_err\": %.3g, "
              "\"max_abs_err_exact\": %.3g, \"dense_float32_err\": %.3g, \"threads\": %d}\n",
              model == "random" ? "random-12x12" : std::filesystem::path(model).stem().string().c_str(), long(tokens),
              w.config.n_layers, w.config.n_heads, plain, capture, capture / plain, dense, set_mb, rss, long(std::min(check, tokens)),
              e.vs_dense, e.vs_exact, e.dense_error, compute_threads());
  return 0;
}
