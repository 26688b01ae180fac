// Matrix: the plain 2-D float array every view hands to the heatmap primitive,
// and the pooling that shrinks long inputs to the pixel budget.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/query_key.h"  // PoolMode

namespace attnscope {

struct Matrix {
  size_t rows = 0, cols = 0;
  std::vector<float> v;  // [rows, cols], row-major

  Matrix() = default;
  Matrix(size_t r, size_t c, float fill = 0.0f) : rows(r), cols(c), v(r * c, fill) {}
  float& at(size_t r, size_t c) { return v[r * cols + c]; }
  float at(size_t r, size_t c) const { return v[r * cols + c]; }
};

// Smallest factor f such that ceil(n / f) <= budget (1 when n already fits).
size_t pool_factor(size_t n, size_t budget);

// Pools blocks of fr x fc cells into one: max or mean over the cells the block actually holds
// (the last block of an axis may be partial). fr = fc = 1 returns a copy.
Matrix pool(const Matrix& m, size_t fr, size_t fc, PoolMode mode);
// The same over borrowed row-major data [rows, cols], so long inputs need no full-size copy.
Matrix pool(const float* v, size_t rows, size_t cols, size_t fr, size_t fc, PoolMode mode);

// min and max over a matrix (0, 0 when empty).
void value_range(const Matrix& m, float& lo, float& hi);
void value_range(const float* v, size_t n, float& lo, float& hi);

}  // namespace attnscope
