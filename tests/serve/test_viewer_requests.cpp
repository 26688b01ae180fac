// The viewer's API answers without a server (serve/html_export.h viewer_response, which the
// Python kernel's data server calls with the request's parameters): parameters out of range are
// refused with the exception the server turns into a 4xx, never a crash. Found by fuzz/serve_request
// (inputs in fuzz/regressions/serve_request).
#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>

#include "serve/html_export.h"
#include "serve/viewer_data.h"
#include "../query_key_fixture.h"

using namespace attnscope;

namespace {

// Run 0: one dense cross block, 2 heads, 2 target x 3 source tokens.
AttentionSet small_set() {
  AttentionSet set;
  AttentionRun run;
  run.source_tokens = {"a", "b", "c"};
  run.target_tokens = {"x", "y"};
  AttentionBlock b;
  b.kind = AttentionKind::Cross;
  b.heads = 2;
  b.queries = 2;
  b.keys = 3;
  b.weights.assign(2 * 2 * 3, 1.0f / 3);
  run.blocks.push_back(b);
  set.runs.push_back(run);
  return set;
}

}  // namespace

TEST(ViewerRequests, ThumbnailSizeZeroIsRefusedNotADivisionByZero) {
  const AttentionSet set = small_set();
  EXPECT_THROW(viewer_response(set, "thumbs", {{"kind", "cross"}, {"size", "0"}}), std::invalid_argument);
  EXPECT_THROW(encode_thumbnails(set, 0, "cross", 0), std::invalid_argument);
  EXPECT_THROW(encode_thumbnails(set, 0, "cross", kMaxThumbRequest + 1), std::invalid_argument);
  EXPECT_THROW(max_pool(Matrix{2, 3, std::vector<float>(6, 0.5f)}, 0), std::invalid_argument);
  // Query-key blocks divide by the size too.
  const AttentionSet qk = attnscope::testing::query_key_set(attnscope::testing::synthetic_query_keys(2, 1, 16, 4, 4), 0);
  EXPECT_THROW(encode_thumbnails(qk, 0, "decoder-self", 0), std::invalid_argument);
  // In range, both answer.
  EXPECT_FALSE(viewer_response(set, "thumbs", {{"kind", "cross"}, {"size", "1"}}).empty());
  EXPECT_FALSE(encode_thumbnails(qk, 0, "decoder-self", kMaxThumbRequest).empty());
}
