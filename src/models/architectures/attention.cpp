#include "models/architectures/attention.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/vector_clones.h"
#include "models/architectures/dropout.h"
#include "models/architectures/transformer_blocks.h"
#include "models/recording/attention_recorder.h"

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

// One query row's exact log-sum-exp, from the float32 pass the model made. The model's scores s_j
// carry float32 matmul rounding (~1e-5 for scores of tens of units); the exact scores of its q and
// k are s_j + d_j. Then log sum exp(s_j + d_j) = lse_f + log sum w_j exp(d_j), where w are the
// model's weights and lse_f = s_j* - log w_j* at the largest weight. d_j is computed here in
// double (q . k_j over keys transposed to kt [dim, stride]), and exp(d_j) = 1 + d_j to within
// 1e-10. One pass over the row, no [H, T, T] double tensor.
ATTNSCOPE_VECTOR_CLONES
double exact_row_lse(const float* q, const double* kt, size_t stride, size_t dim, const float* w, const float* s, size_t n,
                     double scale, double* acc) {
  for (size_t j = 0; j < n; ++j) acc[j] = 0;
  for (size_t c = 0; c < dim; ++c) {
    const double qc = q[c];
    const double* kr = kt + c * stride;
    for (size_t j = 0; j < n; ++j) acc[j] += qc * kr[j];
  }
  double total = 0;
  size_t best = 0;
  for (size_t j = 0; j < n; ++j) {
    total += static_cast<double>(w[j]) * (1.0 + (scale * acc[j] - static_cast<double>(s[j])));
    if (w[j] > w[best]) best = j;
  }
  return static_cast<double>(s[best]) - std::log(static_cast<double>(w[best])) + std::log(total);
}

torch::Tensor attend_in_blocks(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const std::vector<float>& divisors, bool causal, AttentionRecorder* rec,
                               AttentionKind kind, int layer) {
  const int64_t H = q.size(0), T = q.size(1), G = k.size(0), Dh = q.size(2);
  const torch::Tensor kr = k.repeat_interleave(H / G, 0), vr = v.repeat_interleave(H / G, 0);
  const size_t pool = rec ? thumbnail_pool(static_cast<size_t>(T)) : 0;
  const int64_t B = query_block(pool), P = static_cast<int64_t>(pool);
  const auto opts = q.options();
  const bool on_cpu = q.device().is_cpu();
  torch::Tensor context = torch::empty_like(q);
  torch::Tensor lse, thumb_max, thumb_mean, q_host, kt;
  if (rec) {
    lse = torch::empty({H, T}, torch::TensorOptions(torch::kDouble));
    if (on_cpu) {
      q_host = q.contiguous();
      kt = k.to(torch::kDouble).transpose(1, 2).contiguous();  // [G, Dh, T]
    }
    if (pool) {
      const int64_t rows = (T + P - 1) / P;
      thumb_max = torch::zeros({H, rows, rows}, opts);
      thumb_mean = torch::zeros({H, rows, rows}, opts);
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
    if (causal) {
      hidden = torch::arange(q0, q1, long_opts).unsqueeze(0) > torch::arange(q0, q1, long_opts).unsqueeze(1);
      s.slice(2, q0, q1).masked_fill_(hidden, minus_inf);  // keys before the block are all visible
    }
    const torch::Tensor w = torch::softmax(s, -1);
    context.slice(1, q0, q1).copy_(torch::matmul(w, vr.slice(1, 0, kend)));
    if (!rec) continue;
    if (on_cpu) {
      const torch::Tensor wc = w.contiguous(), sc = s.contiguous();
      const float* wp = wc.data_ptr<float>();
      const float* sp = sc.data_ptr<float>();
      const float* qp = q_host.data_ptr<float>();
      const double* ktp = kt.data_ptr<double>();
      double* out = lse.data_ptr<double>();
      at::parallel_for(0, H * b, 1, [&](int64_t begin, int64_t end) {
        std::vector<double> acc(static_cast<size_t>(kend));
        for (int64_t r = begin; r < end; ++r) {
          const int64_t h = r / b, i = r % b, n = causal ? q0 + i + 1 : kend;
          out[h * T + q0 + i] =
              exact_row_lse(qp + (h * T + q0 + i) * Dh, ktp + (h / (H / G)) * Dh * T, static_cast<size_t>(T),
                            static_cast<size_t>(Dh), wp + r * kend, sp + r * kend, static_cast<size_t>(n), scale, acc.data());
        }
      });
    } else {
      // Other devices: the exact scores in float64 there.
      torch::Tensor s64 = torch::matmul(q.slice(1, q0, q1).to(torch::kDouble), kr.slice(1, 0, kend).to(torch::kDouble).transpose(-1, -2));
      s64.mul_(scale);
      if (causal) s64.slice(2, q0, q1).masked_fill_(hidden, minus_inf);
      lse.slice(1, q0, q1).copy_(s64.logsumexp(-1).cpu());
    }
    if (pool) {
      const torch::Tensor w4 = w.unsqueeze(1);  // [H, 1, b, kend]
      const int64_t r0 = q0 / P, r1 = (q1 + P - 1) / P, c1 = (kend + P - 1) / P;
      thumb_max.slice(1, r0, r1).slice(2, 0, c1).copy_(torch::max_pool2d(w4, {P, P}, {P, P}, {0, 0}, {1, 1}, true).squeeze(1));
      thumb_mean.slice(1, r0, r1).slice(2, 0, c1).copy_(torch::avg_pool2d(w4, {P, P}, {P, P}, {0, 0}, true, false).squeeze(1));
    }
  }
  if (rec) {
    QueryKeyCapture c;
    c.q = q;
    c.k = k;
    c.lse = lse;
    c.pool = pool;
    c.thumb_max = thumb_max;
    c.thumb_mean = thumb_mean;
    c.scale = scale;
    c.mask = causal ? MaskRule::Causal : MaskRule::None;
    rec->record_query_keys(kind, layer, c);
  }
  return context;
}

}  // namespace

torch::Tensor self_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                             const std::vector<float>& divisors, bool causal, AttentionRecorder* rec,
                             AttentionKind kind, int layer) {
  const int64_t H = q.size(0), T = q.size(1);
  TORCH_CHECK(k.size(0) > 0 && H % k.size(0) == 0, "key heads ", k.size(0), " do not divide query heads ", H);
  if (rec && !rec->wants(layer)) rec = nullptr;
  const bool query_keys = rec ? rec->query_keys(T) : use_query_keys(WeightForm::Auto, static_cast<size_t>(T));
  if (query_keys) return attend_in_blocks(q, k, v, divisors, causal, rec, kind, layer);
  const torch::Tensor kr = k.repeat_interleave(H / k.size(0), 0), vr = v.repeat_interleave(H / v.size(0), 0);
  const torch::Tensor allowed = causal ? causal_mask(T, q.device()) : torch::ones({T, T}, torch::TensorOptions(torch::kBool).device(q.device()));
  AttentionResult att = attend(scaled_scores(q, kr, divisors), allowed, vr);
  if (rec) rec->record(kind, layer, att.weights);
  return att.context;
}

}  // namespace attnscope
