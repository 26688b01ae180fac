// A query-key block with known weights, built without a model: seeded random queries and keys,
// the log-sum-exp of each row computed here in double, thumbnails pooled here from every weight.
// Torch-free, for the tests of core/, io/, render/ and serve/.
#pragma once

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <string>

#include "core/attention_set.h"

namespace attnscope::testing {

// The weight of one cell, straight from the definition (the reference the accessor must match).
inline double reference_weight(const QueryKeyHeads& qk, size_t h, size_t i, size_t j) {
  if (!qk.allowed(i, j)) return 0;
  const size_t kh = h / (qk.heads / qk.key_heads);
  double dot = 0;
  for (size_t c = 0; c < qk.dim; ++c) dot += double(qk.q[(h * qk.queries + i) * qk.dim + c]) * qk.k[(kh * qk.keys + j) * qk.dim + c];
  return std::exp(qk.scale * dot - qk.lse[h * qk.queries + i]);
}

// heads query heads reading key_heads key heads, T x T causal (or full), head width dim. `spread`
// scales the queries: larger gives peakier heads.
inline std::shared_ptr<QueryKeyHeads> synthetic_query_keys(size_t heads, size_t key_heads, size_t T, size_t dim,
                                                           size_t pool = 0, bool causal = true, float spread = 2.0f,
                                                           unsigned seed = 1) {
  auto qk = std::make_shared<QueryKeyHeads>();
  qk->heads = heads;
  qk->key_heads = key_heads;
  qk->queries = qk->keys = T;
  qk->dim = dim;
  qk->scale = 1.0 / std::sqrt(double(dim));
  qk->mask = causal ? MaskRule::Causal : MaskRule::None;
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  qk->q.resize(heads * T * dim);
  qk->k.resize(key_heads * T * dim);
  for (float& v : qk->q) v = normal(rng) * spread;
  for (float& v : qk->k) v = normal(rng);
  qk->lse.assign(heads * T, 0.0);
  for (size_t h = 0; h < heads; ++h)
    for (size_t i = 0; i < T; ++i) {
      double sum = 0;
      for (size_t j = 0; j < T; ++j) sum += reference_weight(*qk, h, i, j);  // lse is 0 here: plain exp
      qk->lse[h * T + i] = std::log(sum);
    }
  qk->pool = pool;
  if (pool) {
    const size_t r = qk->thumb_rows(), c = qk->thumb_cols();
    qk->thumb_max.assign(heads * r * c, 0.0f);
    qk->thumb_mean.assign(heads * r * c, 0.0f);
    for (size_t h = 0; h < heads; ++h)
      for (size_t i = 0; i < T; ++i)
        for (size_t j = 0; j < T; ++j) {
          const size_t cell = (h * r + i / pool) * c + j / pool;
          const double w = reference_weight(*qk, h, i, j);
          const double area = double(std::min(pool, T - (i / pool) * pool) * std::min(pool, T - (j / pool) * pool));
          qk->thumb_max[cell] = std::max(qk->thumb_max[cell], float(w));
          qk->thumb_mean[cell] += float(w / area);
        }
  }
  qk->validate();
  return qk;
}

// A one-run set holding one decoder-self block of `qk`, with tokens "t0", "t1", ...
inline AttentionSet query_key_set(std::shared_ptr<QueryKeyHeads> qk, int layer = 0) {
  AttentionSet set;
  set.meta["model"] = "synthetic";
  AttentionRun run;
  for (size_t i = 0; i < qk->queries; ++i) run.target_tokens.push_back("t" + std::to_string(i));
  AttentionBlock b;
  b.kind = AttentionKind::DecoderSelf;
  b.layer = layer;
  b.heads = qk->heads;
  b.queries = qk->queries;
  b.keys = qk->keys;
  b.qk = std::move(qk);
  run.blocks.push_back(std::move(b));
  set.runs.push_back(std::move(run));
  return set;
}

}  // namespace attnscope::testing
