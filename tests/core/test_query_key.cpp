// core/query_key and AttentionBlock's form-blind accessors: tiles, single weights and pooled views
// of a query-key block equal the definition exp(scale q.k - lse) (0 where masked), with grouped
// key heads and both mask rules; thumbnails answer pooled views that line up with them and
// agree with computing; bad blocks and bad ranges are refused naming the problem.
#include <gtest/gtest.h>

#include "../query_key_fixture.h"

using namespace attnscope;
using attnscope::testing::reference_weight;
using attnscope::testing::synthetic_query_keys;
using attnscope::testing::query_key_set;

TEST(QueryKey, TilesEqualTheDefinitionForBothMaskRulesAndGroupedKeys) {
  for (bool causal : {true, false}) {
    const auto qk = synthetic_query_keys(4, 2, 70, 16, 0, causal);
    const AttentionSet set = query_key_set(qk);  // held: a block of a temporary set dangles (ASan)
    const AttentionBlock& b = set.runs[0].blocks[0];
    std::vector<float> tile(30 * 25);
    for (size_t h = 0; h < 4; ++h) {
      b.tile(h, 31, 61, 20, 45, tile.data());
      double worst = 0;
      for (size_t i = 0; i < 30; ++i)
        for (size_t j = 0; j < 25; ++j) worst = std::max(worst, std::abs(tile[i * 25 + j] - reference_weight(*qk, h, 31 + i, 20 + j)));
      EXPECT_LE(worst, 1e-7) << "head " << h << (causal ? " causal" : " full");
      EXPECT_EQ(b.weight(h, 10, 11), causal ? 0.0f : float(reference_weight(*qk, h, 10, 11)));
    }
    std::vector<float> row(70);
    b.tile(3, 69, 70, 0, 70, row.data());
    double sum = 0;
    for (float v : row) sum += v;
    EXPECT_NEAR(sum, 1.0, 1e-6);
  }
}

TEST(QueryKey, PooledViewsFromThumbnailsAgreeWithComputedOnes) {
  const auto qk = synthetic_query_keys(2, 1, 100, 8, 4);
  AttentionSet set = query_key_set(qk);
  const AttentionBlock qk_block = set.runs[0].blocks[0];
  set.require_dense(1000000, "the test");
  const AttentionBlock& dense = set.runs[0].blocks[0];
  ASSERT_TRUE(dense.dense());
  for (PoolMode mode : {PoolMode::Max, PoolMode::Mean})
    for (auto r : std::vector<std::array<size_t, 5>>{{0, 100, 0, 100, 8}, {8, 100, 4, 60, 4}, {3, 97, 5, 99, 7}}) {
      const Pooled a = qk_block.pooled(1, r[0], r[1], r[2], r[3], r[4], mode);
      const Pooled b = dense.pooled(1, r[0], r[1], r[2], r[3], r[4], mode);
      ASSERT_EQ(a.rows, b.rows);
      ASSERT_EQ(a.cols, b.cols);
      for (size_t i = 0; i < a.values.size(); ++i) EXPECT_NEAR(a.values[i], b.values[i], 1e-6) << pool_name(mode);
    }
}

TEST(QueryKey, RequireDenseRefusesWhatDoesNotFit) {
  AttentionSet set = query_key_set(synthetic_query_keys(2, 2, 50, 4));
  try {
    set.require_dense(1000, "the lines view");
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("the lines view needs every weight in memory"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(set.runs[0].blocks[0].dense());
  EXPECT_NO_THROW(set.validate());
}

TEST(QueryKey, BadBlocksAndRangesSayWhatIsWrong) {
  AttentionSet set = query_key_set(synthetic_query_keys(2, 2, 20, 4, 0));
  const AttentionBlock& b = set.runs[0].blocks[0];
  std::vector<float> out(400);
  EXPECT_THROW(b.tile(0, 0, 21, 0, 5, out.data()), std::out_of_range);
  EXPECT_THROW(b.pooled(2, 0, 20, 0, 20, 2, PoolMode::Max), std::out_of_range);
  EXPECT_THROW(b.pooled(0, 0, 20, 0, 20, 0, PoolMode::Max), std::invalid_argument);
  auto message = [](auto change) {
    AttentionSet s = query_key_set(synthetic_query_keys(2, 2, 20, 4, 0));
    auto copy = std::make_shared<QueryKeyHeads>(*s.runs[0].blocks[0].qk);
    change(*copy);
    s.runs[0].blocks[0].qk = copy;
    try {
      s.validate();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("valid");
  };
  EXPECT_NE(message([](QueryKeyHeads& q) { q.lse[5] = std::nan(""); }).find("not finite"), std::string::npos);
  EXPECT_NE(message([](QueryKeyHeads& q) { q.k.resize(10); }).find("key values"), std::string::npos);
  EXPECT_NE(message([](QueryKeyHeads& q) { q.queries = 21; }).find("query values"), std::string::npos);
  EXPECT_NE(message([](QueryKeyHeads& q) { q.scale = 0; }).find("scale"), std::string::npos);
  EXPECT_NE(message([](QueryKeyHeads& q) { q.pool = 3; }).find("thumbnails"), std::string::npos);
  EXPECT_THROW(mask_rule_from_name("window"), std::invalid_argument);
  EXPECT_THROW(pool_mode("median"), std::invalid_argument);
  EXPECT_THROW(weight_form_from_name("sparse"), std::invalid_argument);
}
