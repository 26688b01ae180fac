#include "render/matrix.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace attnscope {

size_t pool_factor(size_t n, size_t budget) {
  if (budget == 0) budget = 1;
  return n <= budget ? 1 : (n + budget - 1) / budget;
}

Matrix pool(const Matrix& m, size_t fr, size_t fc, PoolMode mode) {
  if (fr <= 1 && fc <= 1) return m;
  return pool(m.v.data(), m.rows, m.cols, fr, fc, mode);
}

Matrix pool(const float* v, size_t rows, size_t cols, size_t fr, size_t fc, PoolMode mode) {
  fr = std::max<size_t>(fr, 1);
  fc = std::max<size_t>(fc, 1);
  Matrix out((rows + fr - 1) / fr, (cols + fc - 1) / fc,
             mode == PoolMode::Max ? -std::numeric_limits<float>::infinity() : 0.0f);
  // One pass over the input in memory order, accumulating a row of blocks at a time.
  std::vector<double> sums(out.cols);
  for (size_t orow = 0; orow < out.rows; ++orow) {
    const size_t r0 = orow * fr, r1 = std::min(rows, r0 + fr);
    std::fill(sums.begin(), sums.end(), 0.0);
    for (size_t r = r0; r < r1; ++r) {
      const float* src = v + r * cols;
      for (size_t c = 0; c < cols; ++c) {
        const size_t oc = c / fc;
        if (mode == PoolMode::Max) {
          float& o = out.at(orow, oc);
          o = std::max(o, src[c]);
        } else {
          sums[oc] += src[c];
        }
      }
    }
    if (mode == PoolMode::Mean)
      for (size_t oc = 0; oc < out.cols; ++oc) {
        const size_t c0 = oc * fc, c1 = std::min(cols, c0 + fc);
        out.at(orow, oc) = static_cast<float>(sums[oc] / static_cast<double>((r1 - r0) * (c1 - c0)));
      }
  }
  return out;
}

void value_range(const Matrix& m, float& lo, float& hi) { value_range(m.v.data(), m.v.size(), lo, hi); }

void value_range(const float* v, size_t n, float& lo, float& hi) {
  if (n == 0) {
    lo = hi = 0.0f;
    return;
  }
  auto [a, b] = std::minmax_element(v, v + n);
  lo = *a;
  hi = *b;
}

}  // namespace attnscope
