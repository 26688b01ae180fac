// bench_pretrained: a BERT-base-sized encoder (random weights: 12 layers, 12 heads, hidden 768,
// ffn 3072) at 128 and 512 tokens. Prints ms per forward pass without and with recording every
// head of every layer, the recording overhead, achieved GFLOP/s against this machine's sgemm peak
// (torch::mm on large matrices, measured in the same run), and peak RSS. bench/pretrained runs it.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "models/recording/attention_recorder.h"
#include "models/architectures/bert.h"
#include "models/blas_kernels.h"
#include "models/threads.h"

using namespace attnscope;

namespace {

constexpr int kLayers = 12, kHeads = 12, kHidden = 768, kFfn = 3072, kVocab = 30522, kPositions = 512;

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Fastest of `repeats` calls after one warm-up; the fastest is the least disturbed by other load.
template <class F>
double best_ms(int repeats, F&& f) {
  f();
  double best = 1e300;
  for (int i = 0; i < repeats; ++i) {
    const double t0 = now_ms();
    f();
    best = std::min(best, now_ms() - t0);
  }
  return best;
}

BertWeights random_bert_base() {
  torch::manual_seed(0);
  auto r = [](std::vector<int64_t> shape) { return torch::randn(shape) * 0.02; };
  BertWeights w;
  w.config = {kVocab, kHidden, kLayers, kHeads, kFfn, kPositions, 2, 1e-12, "gelu"};
  w.word_embeddings = r({kVocab, kHidden});
  w.position_embeddings = r({kPositions, kHidden});
  w.token_type_embeddings = r({2, kHidden});
  w.embed_norm = {torch::ones({kHidden}), torch::zeros({kHidden})};
  for (int l = 0; l < kLayers; ++l) {
    BertLayerWeights L;
    for (Linear* lin : {&L.query, &L.key, &L.value, &L.attn_out}) *lin = {r({kHidden, kHidden}), r({kHidden})};
    L.ffn_in = {r({kFfn, kHidden}), r({kFfn})};
    L.ffn_out = {r({kHidden, kFfn}), r({kHidden})};
    L.attn_norm = L.ffn_norm = {torch::ones({kHidden}), torch::zeros({kHidden})};
    w.layers.push_back(L);
  }
  return w;
}

// Multiply-adds x 2 of one forward pass: projections, feed-forward, scores and weighted sums.
double forward_flops(int64_t T) {
  const double D = kHidden, F = kFfn;
  const double per_layer = 2.0 * T * D * D * 4 + 2.0 * T * D * F * 2 + 2.0 * T * T * D * 2;
  return per_layer * kLayers;
}

// The best sgemm rate over a few square sizes (one size can hit a slow blocking or a moment of
// load from other processes).
double sgemm_peak_gflops(int repeats) {
  double best = 0;
  for (int64_t n : {1024, 2048, 3072}) {
    const torch::Tensor a = torch::randn({n, n}), b = torch::randn({n, n});
    torch::Tensor c = torch::empty({n, n});
    const double ms = best_ms(repeats, [&] { torch::mm_out(c, a, b); });
    best = std::max(best, 2.0 * n * n * n / (ms * 1e6));
  }
  return best;
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

}  // namespace

int main(int argc, char** argv) {
  use_fast_blas_kernels(argv);  // as attnscope's main does
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  // Threads for libtorch and OpenBLAS alike: without set_threads OpenBLAS runs its own pool on every
  // core whatever torch reports, and the heading would name the wrong count.
  const int threads = argc > 2 ? std::max(1, std::atoi(argv[2])) : 1;
  set_threads(threads);
  torch::InferenceMode no_grad;
  reuse_freed_memory();  // as attnscope run does: see models/threads.h
  const double peak = sgemm_peak_gflops(repeats);
  const BertWeights w = random_bert_base();
  std::printf("BERT-base-sized encoder, random weights: %d layers, %d heads, hidden %d, ffn %d; %d threads, "
              "fastest of %d; OpenBLAS kernels: %s%s\n",
              kLayers, kHeads, kHidden, kFfn, threads, repeats, blas_kernels().empty() ? "(no OpenBLAS)" : blas_kernels().c_str(),
              std::getenv("ATTNSCOPE_BLAS_REEXEC") ? " (chosen by attnscope: OpenBLAS had fallen back to older ones)" : "");
  std::printf("sgemm peak (best torch::mm of 1024, 2048, 3072 square): %.1f GFLOP/s\n\n", peak);
  std::printf("%7s %12s %12s %10s %12s %10s %12s %10s\n", "tokens", "forward ms", "recorded ms", "overhead",
              "to set ms", "GFLOP/s", "% of peak", "RSS MB");
  for (int64_t T : {128, 512}) {
    const torch::Tensor ids = torch::randint(kVocab, {T}, torch::kLong);
    // Recording: every head of every layer through the one AttentionRecorder, as attnscope run
    // does. Plain and recorded passes alternate, so load from other processes hits both alike.
    double plain = 1e300, recorded = 1e300;
    std::unique_ptr<AttentionRecorder> kept;
    for (int i = 0; i < repeats; ++i) {
      plain = std::min(plain, best_ms(1, [&] { bert_forward(w, ids); }));
      recorded = std::min(recorded, best_ms(1, [&] {
        kept = std::make_unique<AttentionRecorder>();
        bert_forward(w, ids, {}, {}, kept.get());
      }));
    }
    // Turning what was recorded into AttentionSet blocks (plain float arrays), done once per run.
    const double to_set = best_ms(repeats, [&] { kept->blocks(); });
    const double gflops = forward_flops(T) / (plain * 1e6);
    std::printf("%7lld %12.1f %12.1f %9.1f%% %12.1f %10.1f %11.1f%% %10.0f\n", static_cast<long long>(T), plain,
                recorded, 100.0 * (recorded - plain) / plain, to_set, gflops, 100.0 * gflops / peak, peak_rss_mb());
    std::fflush(stdout);
  }
  std::printf("\nsgemm peak measured again after the runs: %.1f GFLOP/s (a large change means the machine was busy)\n",
              sgemm_peak_gflops(repeats));
  std::printf("targets: recording overhead < 10%%, >= 60%% of the sgemm peak\n");
  return 0;
}
