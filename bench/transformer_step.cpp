// bench_transformer: milliseconds per training step of attnscope's Transformer on the Annotated
// Transformer's copy task (d_model 512, 8 heads, ff 2048, 2 encoder + 2 decoder layers, pre-norm,
// sinusoidal positions, dropout 0.1; batch 80 x 10 random tokens, vocabulary 11). A step is what
// `attnscope train` does: forward, cross-entropy, backward, gradient-norm clipping, Adam.
// bench/transformer runs it once per thread count beside bench/pytorch_transformer.py, the same
// model written with torch.nn.Transformer.
//
//   bench_transformer [--threads N] [--steps N] [--warmup N] [--seed N] [--reuse-freed-memory]
//                     [--libtorch-optimizer] [--matmul-floor]
//
// --matmul-floor also replays the step's matrix products alone (same shapes, same BLAS) and prints
// matmul_ms: the floor under any implementation that runs these products on these kernels
// (packing q, k and v into one product, as nn.MultiheadAttention does, is 1-4% faster on those
// products, under 1% of the floor).
//
// --libtorch-optimizer replaces attnscope's one-pass step (train/adam_step.h) with what the Python
// side does: zero_grad(), clip_grad_norm_(), Adam::step(); bench/transformer prints both.
//
// --reuse-freed-memory calls models/threads.h's reuse_freed_memory() first, as `attnscope run` does
// for pretrained models; `attnscope train` does not, and neither does the default here.
//
// Prints one machine-readable line (ms per step: median and mean of the timed steps; params: the
// number of trainable parameters; losses of the first warm-up step and the last timed step):
//   attnscope threads=1 reuse_freed_memory=0 median_ms=... mean_ms=... params=... steps=20 warmup=3 first_loss=... last_loss=... libtorch=1.13.0
#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/seq2seq_config.h"
#include "models/blas_kernels.h"
#include "models/threads.h"
#include "models/architectures/transformer_seq2seq.h"
#include "text/char_vocab.h"
#include "train/adam_step.h"
#include "train/train_util.h"

using namespace attnscope;

namespace {

// The copy task of "The Annotated Transformer": sentences of 10 tokens drawn from 3..10.
constexpr int kBatch = 80;          // sentences per step
constexpr int kLength = 10;         // tokens per sentence (no padding)
constexpr int kFirstToken = 3;      // ids 0..2 are <pad> <s> </s>
constexpr double kLr = 5e-4;        // constant; the rate does not change the work of a step
constexpr double kGradClip = 5.0;   // attnscope train's default max gradient norm
const char* const kAlphabet = "abcdefgh";  // 3 specials + 8 characters = vocabulary 11

struct Args {
  int threads = 1, steps = 20, warmup = 3;
  uint64_t seed = 1;
  bool reuse_freed_memory = false;  // glibc keeps freed blocks for reuse (models/threads.h)
  bool libtorch_optimizer = false;  // zero_grad + clip_grad_norm_ + Adam::step instead of train/adam_step.h
  bool matmul_floor = false;        // also time the step's matrix products alone
};

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--reuse-freed-memory") {
      a.reuse_freed_memory = true;
      continue;
    }
    if (flag == "--matmul-floor") {
      a.matmul_floor = true;
      continue;
    }
    if (flag == "--libtorch-optimizer") {
      a.libtorch_optimizer = true;
      continue;
    }
    if (i + 1 >= argc) throw std::invalid_argument(flag + " needs a value");
    const long v = std::strtol(argv[++i], nullptr, 10);
    if (flag == "--threads") a.threads = static_cast<int>(v);
    else if (flag == "--steps") a.steps = static_cast<int>(v);
    else if (flag == "--warmup") a.warmup = static_cast<int>(v);
    else if (flag == "--seed") a.seed = static_cast<uint64_t>(v);
    else
      throw std::invalid_argument("unknown option " + flag + " (--threads, --steps, --warmup, --seed, --reuse-freed-memory, --libtorch-optimizer, --matmul-floor)");
  }
  if (a.threads < 1 || a.steps < 1 || a.warmup < 0)
    throw std::invalid_argument("need --threads >= 1, --steps >= 1, --warmup >= 0; got " + std::to_string(a.threads) +
                                ", " + std::to_string(a.steps) + ", " + std::to_string(a.warmup));
  return a;
}

Seq2SeqConfig copy_task_config() {
  Seq2SeqConfig c;
  c.arch = "transformer";
  c.variant = "encoder-decoder";
  c.task = "copy";
  c.vocab = "chars";
  c.input_alphabet = c.output_alphabet = kAlphabet;
  c.max_input_length = c.max_output_length = kLength + 2;
  c.layers = 2;
  c.heads = 8;
  c.d_model = 512;
  c.ff = 2048;
  c.dropout = 0.1;
  c.norm = "pre";
  c.positional = "sinusoidal";
  c.validate();
  return c;
}

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median_of(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  const size_t n = ms.size();
  return n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
}

// The matrix products of one training step of this model, replayed alone on the same shapes and
// layouts autograd uses, with nothing else in between: the floor under any implementation
// (C++ or Python) that runs them in the same BLAS. Per affine map x [M, in] -> [M, out]: the
// forward addmm(b, x, W^T), and backward dX = dY W, dW = dY^T x. Per attention: scores Q K^T and
// the weighted sum A V, and their four backward products, batched over sentences and heads.
std::pair<double, double> time_matrix_products(int reps) {  // (median ms, GFLOP)
  const int64_t B = kBatch, S = kLength, T = kLength + 1, D = 512, F = 2048, H = 8, Dh = D / H, V = 11;
  torch::NoGradGuard no_grad;
  double gflop = 0;
  struct Affine { torch::Tensor x, w, b, dy; };
  std::vector<Affine> affines;
  auto affine = [&](int64_t M, int64_t in, int64_t out) {
    affines.push_back({torch::randn({M, in}), torch::randn({out, in}), torch::randn({out}), torch::randn({M, out})});
    gflop += 3 * 2.0 * M * in * out * 1e-9;
  };
  struct Attention { torch::Tensor q, k, v, a, dc; };
  std::vector<Attention> attentions;
  auto attention = [&](int64_t Q, int64_t K) {
    attentions.push_back({torch::randn({B, H, Q, Dh}), torch::randn({B, H, K, Dh}), torch::randn({B, H, K, Dh}),
                          torch::randn({B, H, Q, K}), torch::randn({B, H, Q, Dh})});
    gflop += 6 * 2.0 * B * H * Q * K * Dh * 1e-9;
  };
  for (int layer = 0; layer < 2; ++layer) {  // encoder: self-attention, feed-forward
    for (int i = 0; i < 4; ++i) affine(B * S, D, D);
    attention(S, S);
    affine(B * S, D, F);
    affine(B * S, F, D);
  }
  for (int layer = 0; layer < 2; ++layer) {  // decoder: self, cross (keys from the encoder), feed-forward
    for (int i = 0; i < 4; ++i) affine(B * T, D, D);
    attention(T, T);
    affine(B * T, D, D);
    affine(B * S, D, D);
    affine(B * S, D, D);
    affine(B * T, D, D);
    attention(T, S);
    affine(B * T, D, F);
    affine(B * T, F, D);
  }
  affine(B * T, D, V);  // output projection
  auto once = [&]() {
    for (const Affine& a : affines) {
      torch::addmm(a.b, a.x, a.w.t());
      a.dy.mm(a.w);
      a.dy.t().mm(a.x);
    }
    for (const Attention& t : attentions) {
      torch::matmul(t.q, t.k.transpose(-2, -1));
      torch::matmul(t.a, t.v);
      torch::matmul(t.dc, t.v.transpose(-2, -1));  // dA
      torch::matmul(t.a.transpose(-2, -1), t.dc);   // dV
      torch::matmul(t.a, t.k);                      // dQ (from dScores, same shape as A)
      torch::matmul(t.a.transpose(-2, -1), t.q);    // dK
    }
  };
  once();
  std::vector<double> ms;
  for (int i = 0; i < reps; ++i) {
    const double t0 = now_ms();
    once();
    ms.push_back(now_ms() - t0);
  }
  return {median_of(ms), gflop};
}

}  // namespace

int main(int argc, char** argv) {
  use_fast_blas_kernels(argv);  // as attnscope's main does
  try {
    const Args args = parse_args(argc, argv);
    // Once per process: set_threads also fixes the inter-op pool, which libtorch lets be set only
    // once, so bench/transformer starts one process per thread count.
    set_threads(args.threads);
    if (args.reuse_freed_memory) reuse_freed_memory();
    torch::manual_seed(static_cast<int64_t>(args.seed));

    const Seq2SeqConfig cfg = copy_task_config();
    const int64_t src_vocab = CharVocab(cfg.input_alphabet).size(), tgt_vocab = CharVocab(cfg.output_alphabet).size();
    TransformerSeq2Seq model(cfg, src_vocab, tgt_vocab);
    model->train();
    int64_t params = 0;
    for (const auto& p : model->parameters()) params += p.numel();

    TrainOptions opts;
    opts.lr = kLr;
    torch::optim::Adam optimizer(model->parameters(), adam_options(opts, cfg));  // betas (0.9, 0.98), eps 1e-9

    // One training step on a fresh random batch: src [B, L], tgt_in "<s> y" [B, L+1], expected "y </s>" [B, L+1].
    auto step = [&]() {
      const torch::Tensor tokens = torch::randint(kFirstToken, tgt_vocab, {kBatch, kLength}, torch::kLong);
      const torch::Tensor bos = torch::full({kBatch, 1}, Vocab::kBos, torch::kLong);
      const torch::Tensor eos = torch::full({kBatch, 1}, Vocab::kEos, torch::kLong);
      const torch::Tensor tgt_in = torch::cat({bos, tokens}, 1), expected = torch::cat({tokens, eos}, 1);
      const torch::Tensor logits = model->forward(tokens, tgt_in);  // [B, L+1, V]
      torch::Tensor loss = sequence_loss(logits, expected, 0.0);
      if (args.libtorch_optimizer) {
        optimizer.zero_grad();
        loss.backward();
        torch::nn::utils::clip_grad_norm_(model->parameters(), kGradClip);
        optimizer.step();
      } else {  // as attnscope train does
        backward_and_step(optimizer, loss, kGradClip);
      }
      return loss.item<double>();
    };

    double first_loss = 0, last_loss = 0;
    for (int i = 0; i < args.warmup; ++i) {
      const double l = step();
      if (i == 0) first_loss = l;
    }
    std::vector<double> ms;
    for (int i = 0; i < args.steps; ++i) {
      const double t0 = now_ms();
      last_loss = step();
      ms.push_back(now_ms() - t0);
      if (args.warmup == 0 && i == 0) first_loss = last_loss;
    }
    const double mean = std::accumulate(ms.begin(), ms.end(), 0.0) / ms.size();
    const double median = median_of(ms);
    std::string floor;
    if (args.matmul_floor) {
      const auto [floor_ms, gflop] = time_matrix_products(std::max(3, args.steps / 2));
      char text[64];
      std::snprintf(text, sizeof text, " matmul_ms=%.1f matmul_gflop=%.1f", floor_ms, gflop);
      floor = text;
    }
    std::printf("attnscope threads=%d reuse_freed_memory=%d optimizer=%s median_ms=%.1f mean_ms=%.1f params=%lld steps=%d warmup=%d "
                "first_loss=%.4f last_loss=%.4f libtorch=%s blas_kernels=%s%s\n",
                args.threads, args.reuse_freed_memory ? 1 : 0, args.libtorch_optimizer ? "libtorch" : "one-pass", median, mean, static_cast<long long>(params), args.steps,
                args.warmup, first_loss, last_loss, TORCH_VERSION, blas_kernels().empty() ? "none" : blas_kernels().c_str(), floor.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_transformer: %s\n", e.what());
    return 1;
  }
}
