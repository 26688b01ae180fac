#include "core/query_key.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <stdexcept>
#include <thread>

#include "core/vector_clones.h"

namespace attnscope {

std::string mask_rule_name(MaskRule rule) { return rule == MaskRule::Causal ? "causal" : "none"; }

MaskRule mask_rule_from_name(const std::string& name) {
  if (name == "causal") return MaskRule::Causal;
  if (name == "none") return MaskRule::None;
  throw std::invalid_argument("unknown mask rule '" + name + "' (expected causal or none)");
}

const char* pool_name(PoolMode mode) { return mode == PoolMode::Max ? "max" : "mean"; }

PoolMode pool_mode(const std::string& name) {
  if (name == "max") return PoolMode::Max;
  if (name == "mean") return PoolMode::Mean;
  throw std::invalid_argument("unknown pool mode '" + name + "' (expected max or mean)");
}

std::string weight_form_name(WeightForm form) {
  switch (form) {
    case WeightForm::Auto: return "auto";
    case WeightForm::Dense: return "dense";
    case WeightForm::QueryKey: return "query-key";
  }
  return "auto";
}

WeightForm weight_form_from_name(const std::string& name) {
  if (name == "auto") return WeightForm::Auto;
  if (name == "dense") return WeightForm::Dense;
  if (name == "query-key") return WeightForm::QueryKey;
  throw std::invalid_argument("unknown weight form '" + name + "' (expected auto, dense or query-key)");
}

bool use_query_keys(WeightForm form, size_t tokens) {
  return form == WeightForm::QueryKey || (form == WeightForm::Auto && tokens >= kQueryKeyFrom);
}

size_t thumbnail_pool(size_t tokens) {
  if (tokens < 512) return 0;
  size_t p = 1;
  while ((tokens + p - 1) / p > 256) p *= 2;
  return p;
}

size_t QueryKeyHeads::bytes() const {
  return (q.size() + k.size() + thumb_max.size() + thumb_mean.size()) * sizeof(float) + lse.size() * sizeof(double);
}

void QueryKeyHeads::validate() const {
  auto fail = [](const std::string& why) { throw std::invalid_argument("query-key block: " + why); };
  auto count = [](size_t a, size_t b, size_t c) { return std::to_string(a) + " x " + std::to_string(b) + " x " + std::to_string(c); };
  if (heads == 0 || queries == 0 || keys == 0 || dim == 0) fail("empty shape (heads, queries, keys and head width must be positive)");
  if (key_heads == 0 || heads % key_heads != 0)
    fail(std::to_string(key_heads) + " key heads do not divide " + std::to_string(heads) + " query heads");
  if (q.size() != heads * queries * dim)
    fail(std::to_string(q.size()) + " query values for " + count(heads, queries, dim));
  if (k.size() != key_heads * keys * dim)
    fail(std::to_string(k.size()) + " key values for " + count(key_heads, keys, dim));
  if (lse.size() != heads * queries)
    fail(std::to_string(lse.size()) + " log-sum-exps for " + std::to_string(heads) + " heads x " + std::to_string(queries) + " queries");
  if (window > 0 && mask != MaskRule::Causal) fail("a sliding window needs the causal mask");
  if (mask == MaskRule::Causal && keys < queries)
    fail("causal mask with " + std::to_string(queries) + " queries but only " + std::to_string(keys) + " keys");
  if (!std::isfinite(scale) || scale == 0) fail("scale is not a finite non-zero number");
  for (double v : lse)
    if (!std::isfinite(v)) fail("a log-sum-exp is missing or not finite");
  for (const std::vector<float>* a : {&q, &k})
    for (float v : *a)
      if (!std::isfinite(v)) fail("a query or key value is not finite");
  const size_t cells = heads * thumb_rows() * thumb_cols();
  if (pool > 0 && (thumb_max.size() != cells || thumb_mean.size() != cells))
    fail("thumbnails do not match " + count(heads, thumb_rows(), thumb_cols()) + " for pool " + std::to_string(pool));
  if (pool == 0 && (!thumb_max.empty() || !thumb_mean.empty())) fail("thumbnails without a pool size");
}

void check_tile(size_t heads, size_t queries, size_t keys, size_t h, size_t q0, size_t q1, size_t k0, size_t k1) {
  if (h >= heads)
    throw std::out_of_range("head " + std::to_string(h) + " is outside the " + std::to_string(heads) + " heads");
  if (q0 >= q1 || k0 >= k1 || q1 > queries || k1 > keys)
    throw std::out_of_range("rows " + std::to_string(q0) + ".." + std::to_string(q1) + ", columns " + std::to_string(k0) +
                            ".." + std::to_string(k1) + " are not a range inside " + std::to_string(queries) + " x " +
                            std::to_string(keys));
}

namespace {

// acc[j] += a * row[j]: the inner loop of a tile, over keys, in double (no reassociation, so every
// vector width gives the same result).
ATTNSCOPE_VECTOR_CLONES
void axpy(double* acc, double a, const double* row, size_t n) {
  for (size_t j = 0; j < n; ++j) acc[j] += a * row[j];
}

}  // namespace

void QueryKeyHeads::tile(size_t h, size_t q0, size_t q1, size_t k0, size_t k1, float* out) const {
  check_tile(heads, queries, keys, h, q0, q1, k0, k1);
  const size_t nk = k1 - k0, kh = h / (heads / key_heads);
  // Keys transposed to [dim, nk] in double, so each query row is dim passes of a vector loop.
  std::vector<double> kt(dim * nk), acc(nk);
  for (size_t j = 0; j < nk; ++j) {
    const float* kr = &k[(kh * keys + k0 + j) * dim];
    for (size_t c = 0; c < dim; ++c) kt[c * nk + j] = kr[c];
  }
  for (size_t i = q0; i < q1; ++i) {
    const float* qr = &q[(h * queries + i) * dim];
    std::fill(acc.begin(), acc.end(), 0.0);
    for (size_t c = 0; c < dim; ++c) axpy(acc.data(), qr[c], &kt[c * nk], nk);
    const double l = lse[h * queries + i];
    float* o = out + (i - q0) * nk;
    for (size_t j = 0; j < nk; ++j) o[j] = allowed(i, k0 + j) ? static_cast<float>(std::exp(scale * acc[j] - l)) : 0.0f;
  }
}

void QueryKeyHeads::complete(size_t threads) {
  const bool need_lse = lse.empty();
  const size_t want_pool = pool ? pool : thumbnail_pool(std::max(queries, keys));
  const bool need_thumbs = pool == 0 && want_pool > 1;
  if (!need_lse && !need_thumbs) return;
  if (need_lse) lse.assign(heads * queries, 0.0);
  if (need_thumbs) {
    pool = want_pool;
    thumb_max.assign(heads * thumb_rows() * thumb_cols(), 0.0f);
    thumb_mean.assign(thumb_max.size(), 0.0f);
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    std::vector<double> kt, acc(keys);
    std::vector<float> row(keys);
    for (size_t h; (h = next++) < heads;) {
      const size_t kh = h / (heads / key_heads);
      kt.assign(dim * keys, 0.0);
      for (size_t j = 0; j < keys; ++j)
        for (size_t c = 0; c < dim; ++c) kt[c * keys + j] = k[(kh * keys + j) * dim + c];
      if (need_lse)
        for (size_t i = 0; i < queries; ++i) {
          std::fill(acc.begin(), acc.end(), 0.0);
          const float* qr = &q[(h * queries + i) * dim];
          for (size_t c = 0; c < dim; ++c) axpy(acc.data(), qr[c], &kt[c * keys], keys);
          double mx = -INFINITY, sum = 0;
          for (size_t j = 0; j < keys; ++j)
            if (allowed(i, j)) mx = std::max(mx, scale * acc[j]);
          for (size_t j = 0; j < keys; ++j)
            if (allowed(i, j)) sum += std::exp(scale * acc[j] - mx);
          lse[h * queries + i] = mx + std::log(sum);
        }
      if (!need_thumbs) continue;
      const size_t tc = thumb_cols();
      float* tmax = &thumb_max[h * thumb_rows() * tc];
      float* tmean = &thumb_mean[h * thumb_rows() * tc];
      for (size_t i = 0; i < queries; ++i) {
        tile(h, i, i + 1, 0, keys, row.data());
        for (size_t j = 0; j < keys; ++j) {
          const size_t cell = (i / pool) * tc + j / pool;
          tmax[cell] = std::max(tmax[cell], row[j]);
          tmean[cell] += row[j];
        }
      }
      for (size_t r = 0; r < thumb_rows(); ++r)
        for (size_t c = 0; c < tc; ++c)
          tmean[r * tc + c] /= static_cast<float>(std::min(pool, queries - r * pool) * std::min(pool, keys - c * pool));
    }
  };
  std::vector<std::thread> pool_threads;
  for (size_t t = 1; t < std::min(threads, heads); ++t) pool_threads.emplace_back(work);
  work();
  for (auto& t : pool_threads) t.join();
}

}  // namespace attnscope
