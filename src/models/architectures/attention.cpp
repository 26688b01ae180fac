#include "models/architectures/attention.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>
#include <limits>

#include "core/vector_clones.h"
#include "models/architectures/dropout.h"
#include "models/architectures/transformer_blocks.h"
#include "models/recording/attention_recorder.h"
#include "models/threads.h"

namespace attnscope {

AttentionResult attend(const torch::Tensor& scores, const torch::Tensor& allowed, const torch::Tensor& values,
                       const torch::Tensor& bias, double dropout) {
  torch::Tensor logits = bias.defined() ? scores + bias : scores;
  // -inf (not a large negative sentinel) so masked keys get exactly zero weight.
  logits = logits.masked_fill(allowed.logical_not(), -std::numeric_limits<float>::infinity());
  torch::Tensor weights = torch::softmax(logits, -1);
  const torch::Tensor mixed = dropout > 0 ? apply_dropout(weights, dropout, /*training=*/true) : weights;
  return {weights, torch::matmul(mixed, values)};
}

namespace {

torch::Tensor scaled_scores(const torch::Tensor& q, const torch::Tensor& k, const std::vector<float>& divisors) {
  torch::Tensor s = torch::matmul(q, k.transpose(-1, -2));
  for (float d : divisors) s = s / d;
  return s;
}

// Query rows per block: enough to keep the matmuls efficient, a multiple of the thumbnail cell.
int64_t query_block(size_t pool) { return std::max<int64_t>(256, static_cast<int64_t>(pool)); }

// What a query-key capture keeps of one block of query rows, from the float32 pass the model made
// and the exact (float64) scores of its q and k, in one pass over each row:
//   - the row's exact log-sum-exp. The model's scores s_j carry float32 matmul rounding (~1e-5 for
//     scores of tens of units); the exact ones are s_j + d_j, so log sum exp(s_j + d_j) =
//     lse_f + log sum w_j exp(d_j), with the model's weights w and lse_f = s_j* - log w_j* at the
//     largest weight; exp(d_j) = 1 + d_j to within 1e-10.
//   - the thumbnails: max and sum of the weights in each pool x pool cell.
struct BlockRows {
  const double* s64;  // [H, b, kend] exact scores before scaling (q . k)
  const float* s;     // [H, b, kend] the model's scores (scaled, masked)
  const float* w;     // [H, b, kend] the model's weights
  int64_t b, kend, q0;
  bool causal;
  int64_t window;     // > 0: keys before q - window + 1 are masked too
  double scale;
  int64_t pool, thumb_cols;
  double* lse;        // [H, T]
  int64_t T;
  float* thumb_max;   // [H, rows, thumb_cols] or null
  float* thumb_sum;
};

ATTNSCOPE_VECTOR_CLONES
void capture_rows(const BlockRows& r, int64_t h) {
  const int64_t P = r.pool;
  for (int64_t i = 0; i < r.b; ++i) {
    const int64_t at = (h * r.b + i) * r.kend, n = r.causal ? r.q0 + i + 1 : r.kend;
    const int64_t first = r.window > 0 ? std::max<int64_t>(0, r.q0 + i - r.window + 1) : 0;  // masked keys: -inf scores
    const double* s64 = r.s64 + at;
    const float* s = r.s + at;
    const float* w = r.w + at;
    double total = 0;
    int64_t best = first;
    for (int64_t j = first; j < n; ++j) {
      total += static_cast<double>(w[j]) * (1.0 + (r.scale * s64[j] - static_cast<double>(s[j])));
      best = w[j] > w[best] ? j : best;
    }
    r.lse[h * r.T + r.q0 + i] = static_cast<double>(s[best]) - std::log(static_cast<double>(w[best])) + std::log(total);
    if (!r.thumb_max) continue;
    float* tmax = r.thumb_max + (h * ((r.T + P - 1) / P) + (r.q0 + i) / P) * r.thumb_cols;
    float* tsum = r.thumb_sum + (tmax - r.thumb_max);
    for (int64_t c = first / P; c * P < n; ++c) {
      float mx = tmax[c], sum = 0;
      for (int64_t j = std::max(c * P, first), e = std::min(n, c * P + P); j < e; ++j) {
        mx = std::max(mx, w[j]);
        sum += w[j];
      }
      tmax[c] = mx;
      tsum[c] += sum;
    }
  }
}

torch::Tensor attend_in_blocks(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const std::vector<float>& divisors, bool causal, AttentionRecorder* rec,
                               AttentionKind kind, int layer, int64_t window) {
  const int64_t H = q.size(0), T = q.size(1), G = k.size(0);
  const torch::Tensor kr = k.repeat_interleave(H / G, 0), vr = v.repeat_interleave(H / G, 0);
  const size_t pool = rec ? thumbnail_pool(static_cast<size_t>(T)) : 0;
  const int64_t B = query_block(pool), P = static_cast<int64_t>(pool);
  const bool on_cpu = q.device().is_cpu();
  torch::Tensor context = torch::empty_like(q);
  torch::Tensor lse, thumb_max, thumb_sum, kd;
  if (rec) {
    lse = torch::empty({H, T}, torch::TensorOptions(torch::kDouble));
    kd = kr.to(torch::kDouble);
    if (pool) {  // on the host: the capture's pass writes them there
      const int64_t rows = (T + P - 1) / P;
      thumb_max = torch::zeros({H, rows, rows});
      thumb_sum = torch::zeros({H, rows, rows});
    }
  }
  const float minus_inf = -std::numeric_limits<float>::infinity();
  double scale = 1.0;
  for (float d : divisors) scale /= static_cast<double>(d);
  const auto long_opts = torch::TensorOptions(torch::kLong).device(q.device());
  for (int64_t q0 = 0; q0 < T; q0 += B) {
    const int64_t q1 = std::min(T, q0 + B), b = q1 - q0, kend = causal ? q1 : T;
    torch::Tensor s = scaled_scores(q.slice(1, q0, q1), kr.slice(1, 0, kend), divisors);  // [H, b, kend]
    torch::Tensor hidden;  // [b, b]: the block's diagonal square, true where a key is in a query's future
    torch::Tensor behind;  // [b, kend]: with a sliding window, true where a key has left it
    if (causal) {
      hidden = torch::arange(q0, q1, long_opts).unsqueeze(0) > torch::arange(q0, q1, long_opts).unsqueeze(1);
      s.slice(2, q0, q1).masked_fill_(hidden, minus_inf);  // without a window, keys before the block are all visible
      if (window > 0) {
        behind = torch::arange(0, kend, long_opts).unsqueeze(0) <= torch::arange(q0, q1, long_opts).unsqueeze(1) - window;
        s.masked_fill_(behind, minus_inf);
      }
    }
    const torch::Tensor w = torch::softmax(s, -1);
    context.slice(1, q0, q1).copy_(torch::matmul(w, vr.slice(1, 0, kend)));
    if (!rec) continue;
    // The exact scores of the recorded q and k, in float64 (one batched dgemm per block).
    const torch::Tensor s64 = torch::matmul(q.slice(1, q0, q1).to(torch::kDouble), kd.slice(1, 0, kend).transpose(-1, -2));
    if (on_cpu) {
      const torch::Tensor wc = w.contiguous(), sc = s.contiguous(), s64c = s64.contiguous();
      const BlockRows rows{s64c.data_ptr<double>(), sc.data_ptr<float>(), wc.data_ptr<float>(), b, kend, q0, causal, window, scale,
                           P,                        pool ? (T + P - 1) / P : 0, lse.data_ptr<double>(), T,
                           pool ? thumb_max.data_ptr<float>() : nullptr, pool ? thumb_sum.data_ptr<float>() : nullptr};
      // Heads on attnscope's threads (torch's own pool is kept at one thread beside OpenBLAS).
      const int n_threads = std::max(1, std::min<int>(compute_threads(), static_cast<int>(H)));
      std::atomic<int64_t> next{0};
      auto work = [&] {
        for (int64_t h; (h = next++) < H;) capture_rows(rows, h);
      };
      std::vector<std::thread> pool_threads;
      for (int t = 1; t < n_threads; ++t) pool_threads.emplace_back(work);
      work();
      for (auto& t : pool_threads) t.join();
    } else {
      // Other devices: the log-sum-exp of the exact scores there, and the thumbnails by pooling.
      torch::Tensor x = s64 * scale;
      if (causal) x.slice(2, q0, q1).masked_fill_(hidden, minus_inf);
      if (behind.defined()) x.masked_fill_(behind, minus_inf);
      lse.slice(1, q0, q1).copy_(x.logsumexp(-1).cpu());
      if (pool) {
        const torch::Tensor w4 = w.unsqueeze(1);  // [H, 1, b, kend]
        const int64_t r0 = q0 / P, r1 = (q1 + P - 1) / P, c1 = (kend + P - 1) / P;
        thumb_max.slice(1, r0, r1).slice(2, 0, c1).copy_(torch::max_pool2d(w4, {P, P}, {P, P}, {0, 0}, {1, 1}, true).squeeze(1).cpu());
        thumb_sum.slice(1, r0, r1).slice(2, 0, c1).copy_(
            torch::avg_pool2d(w4, {P, P}, {P, P}, {0, 0}, true, false, /*divisor_override=*/1).squeeze(1).cpu());
      }
    }
  }
  if (rec) {
    QueryKeyCapture c;
    c.q = q;
    c.k = k;
    c.lse = lse;
    c.pool = pool;
    if (pool) {
      // Sums to means over the cells inside the matrix (masked cells count, as zeros).
      const int64_t rows = (T + P - 1) / P;
      const torch::Tensor extent = torch::clamp(T - torch::arange(rows, torch::kLong) * P, 0, P).to(torch::kFloat);
      c.thumb_max = thumb_max;
      c.thumb_mean = thumb_sum / (extent.unsqueeze(1) * extent.unsqueeze(0));
    }
    c.scale = scale;
    c.mask = causal ? MaskRule::Causal : MaskRule::None;
    c.window = window;
    rec->record_query_keys(kind, layer, c);
  }
  return context;
}

}  // namespace

torch::Tensor self_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                             const std::vector<float>& divisors, bool causal, AttentionRecorder* rec,
                             AttentionKind kind, int layer, int64_t window) {
  const int64_t H = q.size(0), T = q.size(1);
  TORCH_CHECK(k.size(0) > 0 && H % k.size(0) == 0, "key heads ", k.size(0), " do not divide query heads ", H);
  if (rec && !rec->wants(layer)) rec = nullptr;
  const bool query_keys = rec ? rec->query_keys(T) : use_query_keys(WeightForm::Auto, static_cast<size_t>(T));
  if (!causal) window = 0;
  if (query_keys) return attend_in_blocks(q, k, v, divisors, causal, rec, kind, layer, window);
  const torch::Tensor kr = k.repeat_interleave(H / k.size(0), 0), vr = v.repeat_interleave(H / v.size(0), 0);
  torch::Tensor allowed = causal ? causal_mask(T, q.device()) : torch::ones({T, T}, torch::TensorOptions(torch::kBool).device(q.device()));
  if (window > 0) {
    const auto long_opts = torch::TensorOptions(torch::kLong).device(q.device());
    allowed = allowed & (torch::arange(T, long_opts).unsqueeze(0) > torch::arange(T, long_opts).unsqueeze(1) - window);
  }
  AttentionResult att = attend(scaled_scores(q, kr, divisors), allowed, vr);
  if (rec) rec->record(kind, layer, att.weights);
  return att.context;
}

}  // namespace attnscope
