#include <gtest/gtest.h>

#include <array>
#include <random>

#include "render/matrix.h"

using namespace attnscope;

namespace {
Matrix counting(size_t rows, size_t cols) {
  Matrix m(rows, cols);
  for (size_t i = 0; i < m.v.size(); ++i) m.v[i] = static_cast<float>(i);
  return m;
}
}  // namespace

TEST(Pooling, FactorFitsTheBudget) {
  EXPECT_EQ(pool_factor(10, 1500), 1u);
  EXPECT_EQ(pool_factor(4096, 800), 6u);  // ceil(4096 / 6) = 683 <= 800
  EXPECT_LE((4096 + 5) / 6, 800);
  EXPECT_EQ(pool_factor(4096, 4096), 1u);
  EXPECT_EQ(pool_factor(3, 0), 3u);
}

TEST(Pooling, MaxTakesTheLargestCellOfEachBlockIncludingPartialOnes) {
  // 3 x 5, values 0..14; blocks of 2 x 2 -> 2 x 3 output, the last row and column partial.
  const Matrix p = pool(counting(3, 5), 2, 2, PoolMode::Max);
  ASSERT_EQ(p.rows, 2u);
  ASSERT_EQ(p.cols, 3u);
  EXPECT_EQ(p.v, (std::vector<float>{6, 8, 9, 11, 13, 14}));
}

TEST(Pooling, MeanAveragesOnlyTheCellsABlockHolds) {
  const Matrix p = pool(counting(3, 5), 2, 2, PoolMode::Mean);
  EXPECT_FLOAT_EQ(p.at(0, 0), (0 + 1 + 5 + 6) / 4.0f);
  EXPECT_FLOAT_EQ(p.at(0, 2), (4 + 9) / 2.0f);   // partial column
  EXPECT_FLOAT_EQ(p.at(1, 0), (10 + 11) / 2.0f);  // partial row
  EXPECT_FLOAT_EQ(p.at(1, 2), 14.0f);             // partial both
}

TEST(Pooling, MeanOfADistributionKeepsItsTotalPerBlock) {
  Matrix m(4, 4, 0.25f);
  const Matrix p = pool(m, 2, 2, PoolMode::Mean);
  for (float v : p.v) EXPECT_FLOAT_EQ(v, 0.25f);
  EXPECT_EQ(pool(m, 1, 1, PoolMode::Max).v, m.v);
  EXPECT_THROW(pool_mode("median"), std::invalid_argument);
}

TEST(Pooling, MatchesACellByCellReferenceOnRandomShapes) {
  // The pooling loops are written for the vectoriser (row buffers, then column folds); this pins
  // them to the definition on shapes that leave partial blocks on both axes.
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (const auto [rows, cols, fr, fc] : {std::array<size_t, 4>{37, 53, 4, 7}, {64, 64, 16, 16}, {5, 300, 1, 17},
                                          {129, 3, 8, 1}, {1, 1, 3, 3}}) {
    Matrix m(rows, cols);
    for (float& v : m.v) v = u(rng);
    for (PoolMode mode : {PoolMode::Max, PoolMode::Mean}) {
      const Matrix p = pool(m, fr, fc, mode);
      ASSERT_EQ(p.rows, (rows + fr - 1) / fr);
      ASSERT_EQ(p.cols, (cols + fc - 1) / fc);
      for (size_t orow = 0; orow < p.rows; ++orow)
        for (size_t oc = 0; oc < p.cols; ++oc) {
          double best = -1e30, sum = 0;
          size_t count = 0;
          for (size_t r = orow * fr; r < std::min(rows, (orow + 1) * fr); ++r)
            for (size_t c = oc * fc; c < std::min(cols, (oc + 1) * fc); ++c, ++count) {
              best = std::max(best, static_cast<double>(m.at(r, c)));
              sum += m.at(r, c);
            }
          if (mode == PoolMode::Max) ASSERT_EQ(p.at(orow, oc), static_cast<float>(best));
          else ASSERT_NEAR(p.at(orow, oc), sum / static_cast<double>(count), 1e-6);
        }
    }
  }
}

TEST(ValueRange, FindsTheExtremesAnywhereInTheArray) {
  // Sixteen lanes and a tail: the extremes placed in a lane, in the tail, and at the ends.
  for (size_t n : {1u, 15u, 16u, 17u, 33u, 1000u})
    for (size_t at : {size_t{0}, n / 2, n - 1}) {
      std::vector<float> v(n, 0.5f);
      v[at] = -3.0f;
      v[n - 1 - at] = std::max(v[n - 1 - at], 0.5f) == 0.5f && n - 1 - at != at ? 9.0f : v[n - 1 - at];
      float lo = 0, hi = 0;
      value_range(v.data(), n, lo, hi);
      EXPECT_EQ(lo, -3.0f) << n << " " << at;
      EXPECT_EQ(hi, n == 1 ? -3.0f : (n - 1 - at != at ? 9.0f : 0.5f)) << n << " " << at;
    }
}
