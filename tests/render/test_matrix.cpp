#include <gtest/gtest.h>

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
