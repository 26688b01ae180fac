#include "render/matrix.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "core/vector_clones.h"

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
  // Two stages, both plain element-wise loops the compiler vectorises (pooling is most of a large
  // figure's time): the fr input rows of a block row fold into one row buffer in memory order,
  // then that buffer folds fc columns at a time into the output row.
  const bool max = mode == PoolMode::Max;
  std::vector<float> peak(cols);
  std::vector<double> sums(cols);
  for (size_t orow = 0; orow < out.rows; ++orow) {
    const size_t r0 = orow * fr, r1 = std::min(rows, r0 + fr);
    if (max) std::copy(v + r0 * cols, v + (r0 + 1) * cols, peak.begin());
    else std::fill(sums.begin(), sums.end(), 0.0);
    for (size_t r = max ? r0 + 1 : r0; r < r1; ++r) {
      const float* src = v + r * cols;
      if (max) {
        float* pk = peak.data();
        for (size_t c = 0; c < cols; ++c) pk[c] = src[c] > pk[c] ? src[c] : pk[c];
      } else {
        double* sm = sums.data();
        for (size_t c = 0; c < cols; ++c) sm[c] += src[c];
      }
    }
    float* dst = &out.at(orow, 0);
    for (size_t oc = 0; oc < out.cols; ++oc) {
      const size_t c0 = oc * fc, c1 = std::min(cols, c0 + fc);
      if (max) {
        float m = peak[c0];
        for (size_t c = c0 + 1; c < c1; ++c) m = peak[c] > m ? peak[c] : m;
        dst[oc] = m;
      } else {
        double t = 0.0;
        for (size_t c = c0; c < c1; ++c) t += sums[c];
        dst[oc] = static_cast<float>(t / static_cast<double>((r1 - r0) * (c1 - c0)));
      }
    }
  }
  return out;
}

void value_range(const Matrix& m, float& lo, float& hi) { value_range(m.v.data(), m.v.size(), lo, hi); }

ATTNSCOPE_VECTOR_CLONES
void value_range(const float* v, size_t n, float& lo, float& hi) {
  if (n == 0) {
    lo = hi = 0.0f;
    return;
  }
  // Sixteen running minima and maxima, element-wise, so the loop vectorises (a min/max reduction
  // over floats does not, as NaN makes it order-dependent); this runs over every weight of a figure.
  constexpr size_t kLanes = 16;
  float a[kLanes], b[kLanes];
  std::fill(a, a + kLanes, v[0]);
  std::fill(b, b + kLanes, v[0]);
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (size_t l = 0; l < kLanes; ++l) {
      a[l] = v[i + l] < a[l] ? v[i + l] : a[l];
      b[l] = v[i + l] > b[l] ? v[i + l] : b[l];
    }
  for (; i < n; ++i) {
    a[0] = v[i] < a[0] ? v[i] : a[0];
    b[0] = v[i] > b[0] ? v[i] : b[0];
  }
  lo = *std::min_element(a, a + kLanes);
  hi = *std::max_element(b, b + kLanes);
}

}  // namespace attnscope
