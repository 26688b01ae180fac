// AttentionSet::validate refuses what nothing can be drawn from (docs/robustness.md).
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "core/attention_set.h"

namespace attnscope {
namespace {

AttentionSet one_block(size_t heads, size_t queries, size_t keys) {
  AttentionSet set;
  set.runs.emplace_back();
  AttentionRun& run = set.runs[0];
  for (size_t i = 0; i < keys; ++i) run.source_tokens.push_back("s" + std::to_string(i));
  for (size_t i = 0; i < queries; ++i) run.target_tokens.push_back("t" + std::to_string(i));
  AttentionBlock b;
  b.kind = AttentionKind::Cross;
  b.heads = heads;
  b.queries = queries;
  b.keys = keys;
  b.weights.assign(heads * queries * keys, 1.0f / static_cast<float>(keys ? keys : 1));
  run.blocks.push_back(std::move(b));
  return set;
}

std::string validate_error(const AttentionSet& set) {
  try {
    set.validate();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(AttentionSetValidate, EmptyAxesAreRefused) {
  EXPECT_EQ(validate_error(one_block(2, 3, 4)), "");
  EXPECT_EQ(validate_error(one_block(0, 2, 2)), "run 0 block cross.0: shape [0, 2, 2] (heads, queries, keys) has an empty axis");
  EXPECT_EQ(validate_error(one_block(2, 0, 2)), "run 0 block cross.0: shape [2, 0, 2] (heads, queries, keys) has an empty axis");
  EXPECT_EQ(validate_error(one_block(2, 2, 0)), "run 0 block cross.0: shape [2, 2, 0] (heads, queries, keys) has an empty axis");
  AttentionSet huge = one_block(1, 1, 1);
  huge.runs[0].blocks[0].heads = 2000000000;  // declared, not held
  EXPECT_EQ(validate_error(huge), "run 0 block cross.0: 1 weights for shape [2000000000, 1, 1]");
}

TEST(AttentionSetValidate, ShapesThatOverflowAreRefused) {
  AttentionSet set = one_block(1, 1, 1);
  AttentionBlock& b = set.runs[0].blocks[0];
  b.heads = b.queries = b.keys = size_t{1} << 32;
  EXPECT_NE(validate_error(set).find("overflows"), std::string::npos);
}

}  // namespace
}  // namespace attnscope
