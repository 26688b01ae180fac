// Attention kept as the model's queries and keys instead of its [H, Q, K] weights.
//
// Every softmax weight is exp(scale * q_i . k_j - lse_i) where key j is allowed for query i, and
// 0 where it is not. Recording each head's queries and keys as the model used them (after RoPE),
// the mask rule and the log-sum-exp of every row takes O(T x d) memory instead of O(T^2), and any
// weight, tile, row or pooled view can be computed exactly when it is asked for. This is what
// makes every head of a model at 8,192 tokens fit (docs/attention-file.md, "query-key blocks").
//
// Shapes: H query heads, G key heads (grouped-query attention: head h reads key head
// h / (H / G)), Q queries, K keys, d head width.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace attnscope {

// Which keys a query may see. Causal: query i is at position i + (K - Q) and sees keys 0..that.
enum class MaskRule { None, Causal };
std::string mask_rule_name(MaskRule rule);             // "none", "causal"
MaskRule mask_rule_from_name(const std::string& name);  // throws std::invalid_argument

// How a pooled view summarises a p x p cell of weights.
enum class PoolMode { Max, Mean };
const char* pool_name(PoolMode mode);          // "max", "mean"
PoolMode pool_mode(const std::string& name);  // throws std::invalid_argument

// Which form a model records its attention in. Auto: dense below kQueryKeyFrom tokens (views of
// short inputs read the buffer directly), query-key from there on.
enum class WeightForm { Auto, Dense, QueryKey };
std::string weight_form_name(WeightForm form);              // "auto", "dense", "query-key"
WeightForm weight_form_from_name(const std::string& name);  // throws std::invalid_argument
// Measured with bench_long_context (random 12 x 12 Llama, 2 threads; docs/long-inputs.md): at 512
// tokens dense capture is faster (0.66 s against 0.78 s) and the same size; at 1,024 query-key is
// faster (1.78 s against 2.42 s) and a quarter of the memory (152 MB against 604 MB); at 2,048
// 5.9 s against 15.4 s.
inline constexpr size_t kQueryKeyFrom = 1024;
bool use_query_keys(WeightForm form, size_t tokens);
// The thumbnail cell for T tokens: the smallest power of two that keeps a head's thumbnail
// within 256 x 256 cells (0 below 512 tokens: no thumbnail needed).
size_t thumbnail_pool(size_t tokens);

// Throws std::out_of_range naming the request unless head h < heads and rows q0..q1-1, columns
// k0..k1-1 are a non-empty range inside queries x keys.
void check_tile(size_t heads, size_t queries, size_t keys, size_t h, size_t q0, size_t q1, size_t k0, size_t k1);

struct QueryKeyHeads {
  size_t heads = 0, key_heads = 0, queries = 0, keys = 0, dim = 0;
  double scale = 1.0;           // score = scale * q . k (1 / sqrt(d), and GPT-2's 1 / (layer + 1))
  MaskRule mask = MaskRule::Causal;
  // Causal only, > 0: a sliding window (Mistral): query i sees the `window` keys ending at its own.
  size_t window = 0;
  std::vector<float> q;         // [heads, queries, dim]
  std::vector<float> k;         // [key_heads, keys, dim]
  // [heads, queries]: log sum_j exp(score_ij) over allowed keys. Double, because a float32 lse
  // near 30 is off by 2e-6, which would show in weights near 1.
  std::vector<double> lse;
  // Thumbnails recorded during the forward pass (optional; pool == 0: none): each head pooled
  // over pool x pool cells, [heads, ceil(queries / pool), ceil(keys / pool)]. Mean cells at the
  // edge average only the cells inside the matrix.
  size_t pool = 0;
  std::vector<float> thumb_max, thumb_mean;

  size_t thumb_rows() const { return pool ? (queries + pool - 1) / pool : 0; }
  size_t thumb_cols() const { return pool ? (keys + pool - 1) / pool : 0; }
  bool allowed(size_t q_index, size_t k_index) const {
    if (mask == MaskRule::None) return true;
    const size_t at = q_index + (keys - queries);  // the query's own position among the keys
    return k_index <= at && (window == 0 || k_index + window > at);
  }
  // Bytes held (q, k, lse, thumbnails).
  size_t bytes() const;

  // Checks shapes, sizes, finite values and the mask rule against the sizes; throws
  // std::invalid_argument naming the first problem.
  void validate() const;

  // Rows q0..q1-1, columns k0..k1-1 of head h into out (row-major, (q1-q0) x (k1-k0)).
  // Throws std::out_of_range when the tile is outside the matrix or empty.
  void tile(size_t h, size_t q0, size_t q1, size_t k0, size_t k1, float* out) const;

  // For queries and keys from elsewhere (import of a Python dump): computes every row's
  // log-sum-exp in double when `lse` is empty, and the thumbnails when there are none and the
  // input is long enough to want them (thumbnail_pool). O(T^2 d) per head, heads on `threads`.
  void complete(size_t threads = 1);
};

// Pooled view of rows q0..q1-1, columns k0..k1-1 of a [rows, cols] source given as tiles:
// cells of p x p, max or mean; the result is ceil((q1-q0)/p) x ceil((k1-k0)/p). Mean cells at the
// edge average only the cells inside the range.
struct Pooled {
  size_t rows = 0, cols = 0, pool = 1;
  std::vector<float> values;
};

}  // namespace attnscope
