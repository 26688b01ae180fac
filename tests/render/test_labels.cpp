#include <gtest/gtest.h>

#include <algorithm>

#include "fixtures.h"
#include "render/canvas.h"
#include "render/heatmap.h"
#include "render/labels.h"
#include "render/render.h"
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
  EXPECT_EQ(layout_y_labels(m.cr, {" "}, 20).text[0], kWhitespaceGlyph);  // whitespace tokens stay visible
}

TEST(Labels, WhitespaceTokensShowAMiddleDotPerCharacter) {
  EXPECT_EQ(display_token(" "), "\u00b7");
  EXPECT_EQ(display_token("  "), "\u00b7\u00b7");
  EXPECT_EQ(display_token("\t"), "\u00b7");
  EXPECT_EQ(display_token("a b"), "a b");
  EXPECT_EQ(display_token(""), "");
}

namespace {

// A character-level model's axis: "30-07-2021" and friends, one token per character, then </s>.
std::vector<std::string> characters(size_t n) {
  const std::string text = "30-07-2021 july 30th, 2021 the date a";
  std::vector<std::string> t;
  for (size_t i = 0; i + 1 < n; ++i) t.push_back(std::string(1, text[i % text.size()]));
  t.push_back("</s>");
  return t;
}

}  // namespace

TEST(Labels, CharacterAxesCarryEveryLabelAtTheDefaultSize) {
  MeasureContext m;
  // The heatmap view's cells (560 units over the longer axis, at most 36) and the 13 px cells of
  // a date model's figure: every one-character token is labelled on both axes.
  for (size_t n = 20; n <= 40; ++n) {
    const std::vector<std::string> t = characters(n);
    for (double slot : {cell_size(n, n, 560, 36), 13.0}) {
      const AxisLabels x = layout_x_labels(m.cr, t, slot), y = layout_y_labels(m.cr, t, slot);
      EXPECT_EQ(x.stride, 1u) << n << " tokens, slot " << slot;
      EXPECT_EQ(y.stride, 1u) << n << " tokens, slot " << slot;
      EXPECT_EQ(x.shown.size(), n);
      EXPECT_EQ(y.shown.size(), n);
      EXPECT_GE(x.font, kMinLabelFont);
      EXPECT_GE(y.font, kMinLabelFont);
      EXPECT_EQ(thinning_note(x, "column"), "");
    }
  }
  // One character in a 13 px cell reads horizontally, at a readable size.
  const AxisLabels one = layout_x_labels(m.cr, {"3", "0", "-", "0", "7"}, 13);
  EXPECT_FALSE(one.vertical);
  EXPECT_GE(one.font, 9.0);
  // Rows of 13 px keep the font above the minimum too (the old rule dropped every other one).
  EXPECT_GE(layout_y_labels(m.cr, characters(30), 13).font, 9.0);
}

TEST(Labels, ThinnedAxesKeepFirstLastSpecialAndSpanTokens) {
  MeasureContext m;
  std::vector<std::string> t;
  for (int i = 0; i < 300; ++i) t.push_back("w" + std::to_string(i));
  t[0] = "[CLS]";
  t[77] = "[MASK]";
  t[150] = "[SEP]";
  t[299] = "</s>";
  const std::vector<size_t> spans = {201, 233};
  for (bool columns : {true, false}) {
    const AxisLabels l = columns ? layout_x_labels(m.cr, t, 2.5, spans) : layout_y_labels(m.cr, t, 2.5, spans);
    ASSERT_GT(l.stride, 1u);
    const auto has = [&](size_t i) { return std::find(l.shown.begin(), l.shown.end(), i) != l.shown.end(); };
    for (size_t i : {0, 77, 150, 201, 233, 299}) EXPECT_TRUE(has(i)) << "token " << i << " dropped";
    for (size_t i = 1; i < l.shown.size(); ++i)
      EXPECT_GE(l.shown[i] - l.shown[i - 1], l.stride) << "labels " << l.shown[i - 1] << " and " << l.shown[i] << " overlap";
    EXPECT_GT(l.shown.size(), 300 / l.stride / 2);  // still a regular scale between the kept ones
    const std::string note = thinning_note(l, "row");
    EXPECT_NE(note.find("every " + std::to_string(l.stride)), std::string::npos) << note;
    EXPECT_NE(note.find("of 300 tokens"), std::string::npos) << note;
  }
  // Without special tokens, the first and last are still kept.
  std::vector<std::string> plain(100, "x");
  const std::vector<size_t> shown = thin_labels(plain, 7, {});
  std::vector<size_t> expected;
  for (size_t i = 0; i < 98; i += 7) expected.push_back(i);  // 0, 7, ... 91; 98 is too close to 99
  expected.push_back(99);
  EXPECT_EQ(shown, expected);
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

// Through the views: a thinned axis is stated in the figure's notes; a character model's axes
// at the default size are not thinned, so nothing is stated.
TEST(LabelNotes, ThinnedAxesAreStatedOnTheFigure) {
  const auto thinning = [](const std::vector<std::string>& notes) {
    std::vector<std::string> out;
    for (const std::string& n : notes)
      if (n.find("labels: every") != std::string::npos) out.push_back(n);
    return out;
  };
  RenderOptions heatmap;
  const auto long_notes = thinning(figure_notes(fixtures::long_set(300), heatmap, "f.png"));
  ASSERT_EQ(long_notes.size(), 2u);
  EXPECT_EQ(long_notes[0].rfind("column labels: every ", 0), 0u) << long_notes[0];
  EXPECT_EQ(long_notes[1].rfind("row labels: every ", 0), 0u) << long_notes[1];
  EXPECT_NE(long_notes[0].find("of 300 tokens"), std::string::npos) << long_notes[0];

  AttentionSet chars = fixtures::dates_set();
  for (AttentionRun& run : chars.runs) {  // 40 characters in, 40 out: 14-unit cells
    run.source_tokens.resize(40, "0");
    run.target_tokens.resize(40, "-");
    run.blocks = {fixtures::make_block(AttentionKind::Cross, 0, 1, 40, 40)};
  }
  EXPECT_TRUE(thinning(figure_notes(chars, heatmap, "f.png")).empty());
  RenderOptions gallery;
  gallery.view = "gallery";
  EXPECT_TRUE(thinning(figure_notes(fixtures::dates_set(), gallery, "f.png")).empty());
}
