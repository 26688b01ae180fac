// Alignments from cross-attention: subword pieces merge into words, specials never link.
#include <gtest/gtest.h>

#include "analysis/attention_alignment.h"

using namespace attnscope;

namespace {
// One head, target x source weights given row by row.
AttentionRun run_with(std::vector<std::string> src, std::vector<std::string> tgt, std::vector<float> w, int heads = 1) {
  AttentionRun r;
  r.source_tokens = std::move(src);
  r.target_tokens = std::move(tgt);
  AttentionBlock b;
  b.kind = AttentionKind::Cross;
  b.layer = 0;
  b.heads = heads;
  b.queries = r.target_tokens.size();
  b.keys = r.source_tokens.size();
  b.weights = std::move(w);
  r.blocks.push_back(b);
  return r;
}
}  // namespace

TEST(AttentionAlignment, MergesPiecesAndSkipsSpecials) {
  // source words: "physical"(physi@@ cal) "laws" ; target: "physikalischen"(physi@@ kalischen) "Gesetze" </s>
  AttentionRun r = run_with({"physi@@", "cal", "laws", "</s>"}, {"physi@@", "kalischen", "Gesetze", "</s>"},
                            {0.5f, 0.3f, 0.1f, 0.1f,    // physi@@ -> physical (0.8)
                             0.2f, 0.2f, 0.5f, 0.1f,    // kalischen -> laws 0.5 vs physical 0.4; mean with row 0 -> physical
                             0.1f, 0.1f, 0.7f, 0.1f,    // Gesetze -> laws
                             0.0f, 0.0f, 0.0f, 1.0f});  // </s> -> </s>: no link
  const auto links = align_run(r, SubwordStyle::BpeSuffix, {});
  EXPECT_EQ(pharaoh_line(links), "0-0 1-1");
  AlignOptions t;
  t.threshold = true;
  t.min_weight = 0.25;  // physikalischen: physical 0.6, laws 0.3; Gesetze: laws 0.7
  EXPECT_EQ(pharaoh_line(align_run(r, SubwordStyle::BpeSuffix, t)), "0-0 1-0 1-1");
  EXPECT_EQ(alignment_words({"physi@@", "cal", "laws", "</s>"}, SubwordStyle::BpeSuffix), (std::vector<std::string>{"physical", "laws"}));
}

TEST(AttentionAlignment, PicksAHeadOrTheMean) {
  AttentionRun r = run_with({"a", "b"}, {"x", "y"}, {1, 0, 1, 0,  /* head 1: */ 0, 1, 0, 1}, 2);
  AlignOptions h1;
  h1.head = 1;
  EXPECT_EQ(pharaoh_line(align_run(r, SubwordStyle::None, h1)), "1-0 1-1");
  AlignOptions h0;
  h0.head = 0;
  EXPECT_EQ(pharaoh_line(align_run(r, SubwordStyle::None, h0)), "0-0 0-1");
  AlignOptions bad;
  bad.head = 2;
  EXPECT_THROW(align_run(r, SubwordStyle::None, bad), std::invalid_argument);
  bad.head = -1;
  bad.layer = 3;
  EXPECT_THROW(align_run(r, SubwordStyle::None, bad), std::invalid_argument);
}

// shift-att: target word i is read from the step that takes it as input (row i + 1).
TEST(AttentionAlignment, ShiftReadsTheRowAfterEachTargetWord) {
  AttentionRun r = run_with({"a", "b", "c", "</s>"}, {"x", "y", "z", "</s>"},
                            {0.1f, 0.8f, 0.05f, 0.05f,   // producing x: looks at b
                             0.1f, 0.1f, 0.7f, 0.1f,     // producing y (reads x): c
                             0.8f, 0.1f, 0.05f, 0.05f,   // producing z (reads y): a
                             0.1f, 0.7f, 0.1f, 0.1f});   // producing </s> (reads z): b
  EXPECT_EQ(pharaoh_line(align_run(r, SubwordStyle::None, {})), "0-2 1-0 2-1");
  AlignOptions s;
  s.shift = true;
  EXPECT_EQ(pharaoh_line(align_run(r, SubwordStyle::None, s)), "0-1 1-2 2-0");
  // Without </s> the last word has no next step: no link rather than a made-up one.
  AttentionRun cut = run_with({"a", "b", "</s>"}, {"x", "y"}, {0.2f, 0.7f, 0.1f, 0.6f, 0.3f, 0.1f});
  EXPECT_EQ(pharaoh_line(align_run(cut, SubwordStyle::None, s)), "0-0");
}
