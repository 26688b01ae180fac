#include "core/attention_set.h"

#include "core/vector_clones.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>

namespace attnscope {

std::string kind_name(AttentionKind kind) {
  switch (kind) {
    case AttentionKind::EncoderSelf: return "encoder-self";
    case AttentionKind::DecoderSelf: return "decoder-self";
    case AttentionKind::Cross: return "cross";
  }
  return "cross";
}

AttentionKind kind_from_name(const std::string& name) {
  if (name == "encoder-self") return AttentionKind::EncoderSelf;
  if (name == "decoder-self") return AttentionKind::DecoderSelf;
  if (name == "cross") return AttentionKind::Cross;
  throw std::invalid_argument("unknown attention kind '" + name +
                              "' (expected encoder-self, decoder-self or cross)");
}

void AttentionBlock::own() {
  if (!borrowed) return;
  weights.assign(borrowed, borrowed + heads * queries * keys);
  borrowed = nullptr;
  owner.reset();
}

void AttentionBlock::throw_not_dense() const {
  throw std::logic_error("block " + name() + " holds queries and keys, not weights; this reader needs make_dense()");
}

float AttentionBlock::weight(size_t h, size_t q, size_t k) const {
  float w = 0;
  tile(h, q, q + 1, k, k + 1, &w);
  return w;
}

void AttentionBlock::tile(size_t h, size_t q0, size_t q1, size_t k0, size_t k1, float* out) const {
  if (qk) return qk->tile(h, q0, q1, k0, k1, out);
  check_tile(heads, queries, keys, h, q0, q1, k0, k1);
  for (size_t i = q0; i < q1; ++i) std::copy(row(h, i) + k0, row(h, i) + k1, out + (i - q0) * (k1 - k0));
}

namespace {

// Pools a [rows, cols] grid of cells into p x p groups. `value(i, j)` and `count(i, j)` give one
// cell's value and how many weights it stands for (1 for weights; a thumbnail cell's area).
template <class Value, class Count>
void pool_cells(size_t rows, size_t cols, size_t p, PoolMode mode, Value value, Count count, Pooled& out) {
  out.rows = (rows + p - 1) / p;
  out.cols = (cols + p - 1) / p;
  out.values.assign(out.rows * out.cols, 0.0f);
  std::vector<double> sum(out.values.size(), 0.0), n(out.values.size(), 0.0);
  for (size_t i = 0; i < rows; ++i)
    for (size_t j = 0; j < cols; ++j) {
      const size_t c = (i / p) * out.cols + j / p;
      const float v = value(i, j);
      if (mode == PoolMode::Max) {
        out.values[c] = std::max(out.values[c], v);
      } else {
        const double w = count(i, j);
        sum[c] += static_cast<double>(v) * w;
        n[c] += w;
      }
    }
  if (mode == PoolMode::Mean)
    for (size_t c = 0; c < sum.size(); ++c) out.values[c] = n[c] > 0 ? static_cast<float>(sum[c] / n[c]) : 0.0f;
}

}  // namespace

Pooled AttentionBlock::pooled(size_t h, size_t q0, size_t q1, size_t k0, size_t k1, size_t p, PoolMode mode) const {
  if (p == 0) throw std::invalid_argument("pool size must be at least 1");
  check_tile(heads, queries, keys, h, q0, q1, k0, k1);
  Pooled out;
  out.pool = p;
  const size_t t = qk ? qk->pool : 0;
  // The recorded thumbnails answer exactly when the range and the cells line up with theirs.
  const bool aligned = t > 1 && p % t == 0 && q0 % t == 0 && k0 % t == 0 && (q1 % t == 0 || q1 == queries) &&
                       (k1 % t == 0 || k1 == keys);
  if (aligned) {
    const size_t tr0 = q0 / t, tc0 = k0 / t, tr1 = (q1 + t - 1) / t, tc1 = (k1 + t - 1) / t, tcols = qk->thumb_cols();
    const std::vector<float>& thumb = mode == PoolMode::Max ? qk->thumb_max : qk->thumb_mean;
    const float* base = thumb.data() + h * qk->thumb_rows() * tcols;
    auto area = [&](size_t i, size_t j) {
      const size_t r = tr0 + i, c = tc0 + j;
      return static_cast<double>(std::min(t, queries - r * t) * std::min(t, keys - c * t));
    };
    pool_cells(tr1 - tr0, tc1 - tc0, p / t, mode, [&](size_t i, size_t j) { return base[(tr0 + i) * tcols + tc0 + j]; },
               area, out);
    return out;
  }
  // Computed a band of p rows at a time: memory bounded by p x (k1 - k0).
  const size_t cols = k1 - k0;
  out.rows = (q1 - q0 + p - 1) / p;
  out.cols = (cols + p - 1) / p;
  out.values.assign(out.rows * out.cols, 0.0f);
  std::vector<float> band;
  for (size_t r = 0; r < out.rows; ++r) {
    const size_t b0 = q0 + r * p, b1 = std::min(q1, b0 + p);
    band.resize((b1 - b0) * cols);
    tile(h, b0, b1, k0, k1, band.data());
    Pooled part;
    pool_cells(b1 - b0, cols, p, mode, [&](size_t i, size_t j) { return band[i * cols + j]; },
               [](size_t, size_t) { return 1.0; }, part);
    std::copy(part.values.begin(), part.values.end(), out.values.begin() + r * out.cols);
  }
  return out;
}

void AttentionBlock::make_dense() {
  if (!qk) return;
  std::vector<float> w(weight_count());
  for (size_t h = 0; h < heads; ++h) qk->tile(h, 0, queries, 0, keys, w.data() + h * queries * keys);
  weights = std::move(w);
  qk.reset();
}

size_t Array::size() const {
  size_t n = 1;
  for (size_t d : shape) n *= d;
  return n;
}

std::vector<float> AttentionBlock::head_weights(size_t h) const {
  std::vector<float> w(queries * keys);
  tile(h, 0, queries, 0, keys, w.data());
  return w;
}

std::vector<float> AttentionBlock::mean_of_heads() const {
  std::vector<float> mean(queries * keys, 0.0f);
  if (heads == 0) return mean;
  std::vector<float> one;
  for (size_t h = 0; h < heads; ++h) {
    // Dense: read in place; query-key: one computed head at a time.
    const float* w = qk ? (one = head_weights(h)).data() : data() + h * queries * keys;
    for (size_t i = 0; i < queries * keys; ++i) mean[i] += w[i];
  }
  for (float& v : mean) v /= static_cast<float>(heads);
  return mean;
}

std::string AttentionBlock::name() const { return kind_name(kind) + "." + std::to_string(layer); }

const AttentionBlock* AttentionRun::find(AttentionKind kind, int layer) const {
  for (const auto& b : blocks)
    if (b.kind == kind && b.layer == layer) return &b;
  return nullptr;
}

const std::vector<std::string>& AttentionRun::query_tokens(AttentionKind kind) const {
  return kind == AttentionKind::EncoderSelf ? source_tokens : target_tokens;
}

const std::vector<std::string>& AttentionRun::key_tokens(AttentionKind kind) const {
  return kind == AttentionKind::DecoderSelf ? target_tokens : source_tokens;
}

size_t AttentionSet::weight_count() const {
  size_t n = 0;
  for (const auto& run : runs)
    for (const auto& b : run.blocks) n += b.weight_count();
  return n;
}

void AttentionSet::require_dense(size_t max_weights, const std::string& what) {
  size_t on_demand = 0;
  for (const auto& run : runs)
    for (const auto& b : run.blocks)
      if (b.qk) on_demand += b.weight_count();
  if (on_demand == 0) return;
  if (on_demand > max_weights)
    throw std::invalid_argument(what + " needs every weight in memory: " + std::to_string(on_demand / 1000000) +
                                " million here (" + std::to_string(on_demand * 4 / 1000000) +
                                " MB): record fewer layers, heads or tokens, or keep the queries and keys (serve, render and stats read them)");
  for (auto& run : runs)
    for (auto& b : run.blocks) b.make_dense();
}

namespace {

// Every value finite, in one pass without an early exit, so the loop vectorises (a set's weights
// are checked on every load).
ATTNSCOPE_VECTOR_CLONES
bool all_finite(const float* w, size_t n) {
  unsigned bad = 0;
  for (size_t i = 0; i < n; ++i) bad |= !(std::fabs(w[i]) <= std::numeric_limits<float>::max());
  return !bad;
}

}  // namespace

void AttentionSet::validate() const {
  for (size_t r = 0; r < runs.size(); ++r) {
    const AttentionRun& run = runs[r];
    for (const AttentionBlock& b : run.blocks) {
      const std::string where = "run " + std::to_string(r) + " block " + b.name();
      const std::string shape =
          "[" + std::to_string(b.heads) + ", " + std::to_string(b.queries) + ", " + std::to_string(b.keys) + "]";
      // An empty axis leaves nothing to draw, and a file may declare one with no weights behind it.
      if (b.heads == 0 || b.queries == 0 || b.keys == 0)
        throw std::invalid_argument(where + ": shape " + shape + " (heads, queries, keys) has an empty axis");
      if (b.queries > SIZE_MAX / b.keys || b.queries * b.keys > SIZE_MAX / b.heads)
        throw std::invalid_argument(where + ": shape " + shape + " overflows");
      if (b.qk) {
        try {
          b.qk->validate();
        } catch (const std::invalid_argument& e) {
          throw std::invalid_argument(where + ": " + e.what());
        }
        if (b.qk->heads != b.heads || b.qk->queries != b.queries || b.qk->keys != b.keys || !b.weights.empty() || b.borrowed)
          throw std::invalid_argument(where + ": query-key shape does not match the block's [" + std::to_string(b.heads) +
                                      ", " + std::to_string(b.queries) + ", " + std::to_string(b.keys) + "]");
      }
      if (!b.qk && (b.size() != b.heads * b.queries * b.keys || (b.borrowed && !b.weights.empty())))
        throw std::invalid_argument(where + ": " + std::to_string(b.size()) +
                                    " weights for shape [" + std::to_string(b.heads) + ", " +
                                    std::to_string(b.queries) + ", " + std::to_string(b.keys) + "]");
      if (b.queries != run.query_tokens(b.kind).size())
        throw std::invalid_argument(where + ": " + std::to_string(b.queries) + " queries but " +
                                    std::to_string(run.query_tokens(b.kind).size()) + " query tokens");
      if (b.keys != run.key_tokens(b.kind).size())
        throw std::invalid_argument(where + ": " + std::to_string(b.keys) + " keys but " +
                                    std::to_string(run.key_tokens(b.kind).size()) + " key tokens");
      if (b.qk) continue;
      if (!all_finite(b.data(), b.size())) throw std::invalid_argument(where + ": weight is not finite");
    }
    for (const auto& [name, a] : run.extras)
      if (a.data.size() != a.size())
        throw std::invalid_argument("run " + std::to_string(r) + " extra " + name +
                                    ": data size does not match its shape");
  }
}

}  // namespace attnscope
