#include "models/architectures/attention.h"

#include <algorithm>
#include <limits>

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

torch::Tensor attend_in_blocks(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const std::vector<float>& divisors, bool causal, AttentionRecorder* rec,
                               AttentionKind kind, int layer) {
  const int64_t H = q.size(0), T = q.size(1);
  const torch::Tensor kr = k.repeat_interleave(H / k.size(0), 0), vr = v.repeat_interleave(H / v.size(0), 0);
  const size_t pool = rec ? thumbnail_pool(static_cast<size_t>(T)) : 0;
  const int64_t B = query_block(pool), P = static_cast<int64_t>(pool);
  const auto opts = q.options();
  torch::Tensor context = torch::empty_like(q);
  torch::Tensor lse, thumb_max, thumb_mean;
  if (rec) {
    lse = torch::empty({H, T}, opts.dtype(torch::kDouble));
    if (pool) {
      const int64_t rows = (T + P - 1) / P;
      thumb_max = torch::zeros({H, rows, rows}, opts);
      thumb_mean = torch::zeros({H, rows, rows}, opts);
    }
  }
  const float minus_inf = -std::numeric_limits<float>::infinity();
  double scale = 1.0;
  for (float d : divisors) scale /= static_cast<double>(d);
  for (int64_t q0 = 0; q0 < T; q0 += B) {
    const int64_t q1 = std::min(T, q0 + B), kend = causal ? q1 : T;
    torch::Tensor s = scaled_scores(q.slice(1, q0, q1), kr.slice(1, 0, kend), divisors);  // [H, b, kend]
    torch::Tensor hidden;  // [b, kend] true where a key is in a query's future
    if (causal) {
      const auto long_opts = torch::TensorOptions(torch::kLong).device(q.device());
      hidden = torch::arange(0, kend, long_opts).unsqueeze(0) > torch::arange(q0, q1, long_opts).unsqueeze(1);
      s = s.masked_fill(hidden, minus_inf);
    }
    // softmax written out, so the row maximum and sum give the log-sum-exp for free
    const torch::Tensor m = std::get<0>(s.max(-1, /*keepdim=*/true));
    const torch::Tensor e = (s - m).exp_();
    const torch::Tensor sum = e.sum(-1, /*keepdim=*/true);
    const torch::Tensor w = e.div_(sum);
    context.slice(1, q0, q1).copy_(torch::matmul(w, vr.slice(1, 0, kend)));
    if (!rec) continue;
    // The log-sum-exp of the exact scores of the recorded q and k (float64), so a weight computed
    // from them later is exact; the float32 scores above carry ~1e-5 of matmul rounding.
    torch::Tensor s64 = torch::matmul(q.slice(1, q0, q1).to(torch::kDouble), kr.slice(1, 0, kend).to(torch::kDouble).transpose(-1, -2));
    s64.mul_(scale);
    if (causal) s64.masked_fill_(hidden, minus_inf);
    lse.slice(1, q0, q1).copy_(s64.logsumexp(-1));
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
