// The viewer's data for long sets (serve/viewer_data): exact tiles, pooled ranges (from the
// recorded thumbnails when they line up), thumbnails of query-key blocks, a query's top keys over
// every head, and the head search, all against the definition of each weight; requests outside
// the matrix or too large are refused with the exception the server turns into 404 / 413.
#include <gtest/gtest.h>

#include <cstring>

#include "serve/viewer_data.h"
#include "../query_key_fixture.h"

using namespace attnscope;
using attnscope::testing::query_key_set;
using attnscope::testing::reference_weight;
using attnscope::testing::synthetic_query_keys;

namespace {

// Two layers of 3 query heads sharing one key head, 120 tokens, thumbnails of 4 x 4 cells.
AttentionSet long_set() {
  AttentionSet set = query_key_set(synthetic_query_keys(3, 1, 120, 8, 4, true, 2.0f, 1), 0);
  AttentionSet second = query_key_set(synthetic_query_keys(3, 1, 120, 8, 4, true, 3.0f, 2), 1);
  set.runs[0].blocks.push_back(second.runs[0].blocks[0]);
  return set;
}

}  // namespace

TEST(ViewerLong, TilesArePooledRangesAndTheDescriptionSaysTheForm) {
  const AttentionSet set = long_set();
  const QueryKeyHeads& qk = *set.runs[0].blocks[1].qk;
  const Matrix t = block_tile(set, 0, "decoder-self.1", 2, 50, 70, 10, 40);
  ASSERT_EQ(t.rows, 20u);
  ASSERT_EQ(t.cols, 30u);
  for (size_t i = 0; i < 20; ++i)
    for (size_t j = 0; j < 30; ++j) EXPECT_NEAR(t.data[i * 30 + j], reference_weight(qk, 2, 50 + i, 10 + j), 1e-7);

  // Whole head at most 16 x 16 cells: pool 8 (two thumbnail cells), max of the exact weights.
  const PooledMatrix p = block_pooled(set, 0, "decoder-self.1", 2, 0, 120, 0, 120, 16, PoolMode::Max);
  EXPECT_EQ(p.pool, 8u);
  ASSERT_EQ(p.matrix.rows, 15u);
  for (size_t r = 0; r < 15; ++r)
    for (size_t c = 0; c < 15; ++c) {
      double mx = 0;
      for (size_t i = r * 8; i < r * 8 + 8; ++i)
        for (size_t j = c * 8; j < c * 8 + 8; ++j) mx = std::max(mx, reference_weight(qk, 2, i, j));
      EXPECT_NEAR(p.matrix.data[r * 15 + c], mx, 1e-6);
    }
  const nlohmann::json d = set_description(set);
  EXPECT_EQ(d["runs"][0]["blocks"][1]["form"], "query-key");
  EXPECT_EQ(d["runs"][0]["blocks"][1]["pool"], 4);
  EXPECT_EQ(d["runs"][0]["blocks"][1]["mask"], "causal");
}

TEST(ViewerLong, ThumbnailsAndWholeHeadsOfQueryKeyBlocks) {
  const AttentionSet set = long_set();
  const std::string bytes = encode_thumbnails(set, 0, "decoder-self", 30);
  uint32_t n = 0;
  std::memcpy(&n, bytes.data(), 4);
  const nlohmann::json h = nlohmann::json::parse(bytes.substr(4, n));
  EXPECT_EQ(h["pool"], 4);  // 120 tokens into at most 30 cells: whole 4 x 4 thumbnail cells
  EXPECT_EQ(h["rows"], 30);
  EXPECT_EQ(h["layers"], 2);
  // A whole head of a small query-key block still comes as one matrix, exact.
  const Matrix whole = block_matrix(set, 0, "decoder-self.0", 1, false);
  EXPECT_NEAR(whole.data[119 * 120 + 3], reference_weight(*set.runs[0].blocks[0].qk, 1, 119, 3), 1e-7);
}

TEST(ViewerLong, TopKeysAndHeadSearchAnswerFromEveryHead) {
  const AttentionSet set = long_set();
  const nlohmann::json top = top_keys(set, 0, "decoder-self", 100, 5);
  ASSERT_EQ(top["keys"].size(), 5u);
  // The best over both layers and three heads, checked by brute force.
  double best = 0;
  for (size_t b = 0; b < 2; ++b)
    for (size_t h = 0; h < 3; ++h)
      for (size_t j = 0; j <= 100; ++j) best = std::max(best, reference_weight(*set.runs[0].blocks[b].qk, h, 100, j));
  EXPECT_NEAR(top["keys"][0]["weight"].get<double>(), best, 1e-6);
  EXPECT_GE(top["keys"][0]["weight"].get<double>(), top["keys"][4]["weight"].get<double>());
  EXPECT_EQ(top["token"], "t100");

  const nlohmann::json found = head_search(set, 0, "decoder-self", 60, 120, 0, 4, 10);
  ASSERT_EQ(found["heads"].size(), 6u);
  const int layer = found["heads"][0]["layer"], head = found["heads"][0]["head"];
  double share = 0;
  for (size_t i = 60; i < 120; ++i)
    for (size_t j = 0; j < 4; ++j) share += reference_weight(*set.runs[0].blocks[size_t(layer)].qk, size_t(head), i, j);
  EXPECT_NEAR(found["heads"][0]["share"].get<double>(), share / 60, 1e-6);
}

TEST(ViewerLong, BadRequestsAreRefused) {
  const AttentionSet set = long_set();
  EXPECT_THROW(block_tile(set, 0, "decoder-self.1", 3, 0, 1, 0, 1), std::out_of_range);
  EXPECT_THROW(block_tile(set, 0, "decoder-self.1", 0, 0, 121, 0, 1), std::out_of_range);
  EXPECT_THROW(block_tile(set, 0, "decoder-self.1", 0, 9, 9, 0, 1), std::out_of_range);
  EXPECT_THROW(block_tile(set, 0, "decoder-self.7", 0, 0, 1, 0, 1), std::out_of_range);
  EXPECT_THROW(block_tile(set, 1, "decoder-self.1", 0, 0, 1, 0, 1), std::out_of_range);
  EXPECT_THROW(block_pooled(set, 0, "decoder-self.1", 0, 0, 120, 0, 120, 0, PoolMode::Max), std::invalid_argument);
  EXPECT_THROW(top_keys(set, 0, "decoder-self", 120, 5), std::out_of_range);
  EXPECT_THROW(top_keys(set, 0, "cross", 1, 5), std::out_of_range);
  EXPECT_THROW(head_search(set, 0, "decoder-self", 5, 5, 0, 1, 3), std::out_of_range);
}
