#include <gtest/gtest.h>

#include "render/canvas.h"
#include "render/labels.h"
#include "render/spans.h"

using namespace attnscope;

TEST(Labels, StrideLeavesRoomForEveryShownLabel) {
  EXPECT_EQ(label_stride(10, 40, 12), 1u);
  for (double slot : {0.1, 0.137, 0.5, 2.0, 7.0}) {
    const size_t k = label_stride(4096, slot, 12);
    EXPECT_GE(k * slot, 12 + kLabelGap) << "slot " << slot;        // no overlap
    EXPECT_LT((k - 1) * slot, 12 + kLabelGap) << "slot " << slot;  // and no sparser than needed
  }
}

TEST(Labels, ColumnsTurnVerticalWhenTheyCollideAndThinOutWhenLong) {
  MeasureContext m;
  const AxisLabels roomy = layout_x_labels(m.cr, {"a", "b", "c"}, 30);
  EXPECT_FALSE(roomy.vertical);
  EXPECT_EQ(roomy.stride, 1u);
  const AxisLabels tight = layout_x_labels(m.cr, {"universe", "physical", "laws"}, 20);
  EXPECT_TRUE(tight.vertical);
  EXPECT_EQ(tight.stride, 1u);
  std::vector<std::string> many;
  for (int i = 0; i < 4096; ++i) many.push_back("t" + std::to_string(i));
  const AxisLabels thin = layout_x_labels(m.cr, many, 560.0 / 4096);
  EXPECT_TRUE(thin.vertical);
  EXPECT_GT(thin.stride, 50u);
  EXPECT_LE(4096 / thin.stride, 60u);  // a legible number of labels
  EXPECT_EQ(layout_y_labels(m.cr, {" "}, 20).text[0], "\u2423");  // whitespace tokens stay visible
}

TEST(Spans, ParseTheSeedSyntaxAndAxisPrefixes) {
  const auto s = parse_spans("0-6:<ENV>,7-12:<LAN>,q:3:x");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].first, 0u);
  EXPECT_EQ(s[0].last, 6u);
  EXPECT_EQ(s[0].label, "<ENV>");
  EXPECT_TRUE(s[1].rows && s[1].cols);
  EXPECT_EQ(s[2].first, 3u);
  EXPECT_EQ(s[2].last, 3u);
  EXPECT_TRUE(s[2].rows);
  EXPECT_FALSE(s[2].cols);
  EXPECT_TRUE(parse_spans("").empty());
}

TEST(Spans, BadSyntaxNamesTheEntry) {
  for (const char* bad : {"0-6", "a-6:X", "6-2:X", "0-6:", "0-6:X,", "1-:X"}) {
    try {
      parse_spans(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("bad span"), std::string::npos) << e.what();
    }
  }
}

TEST(Spans, AxisRangeIsCheckedAndMappedToWords) {
  const auto s = parse_spans("0-2:A,3-4:B");
  EXPECT_THROW(spans_for_axis(s, true, 4, {}), std::invalid_argument);
  const auto words = spans_for_axis(s, true, 5, {0, 0, 1, 2, 2});
  EXPECT_EQ(words[0].first, 0u);
  EXPECT_EQ(words[0].last, 1u);
  EXPECT_EQ(words[1].first, 2u);
  EXPECT_EQ(words[1].last, 2u);
}
