#include <gtest/gtest.h>

#include <numeric>

#include "analysis/subwords.h"
#include "fixtures.h"

using namespace attnscope;

TEST(Subwords, BpeSuffixJoinsPiecesEndingInAtAt) {
  const WordGroups g = group_words({"Was", "physi@@", "kalischen", "Uni@@", "versu@@", "ms", "?", "[EOS]"},
                                   SubwordStyle::BpeSuffix);
  EXPECT_EQ(g.words, (std::vector<std::string>{"Was", "physikalischen", "Universums", "?", "[EOS]"}));
  EXPECT_EQ(g.word_of_piece, (std::vector<size_t>{0, 1, 1, 2, 2, 2, 3, 4}));
  EXPECT_EQ(g.piece_count, (std::vector<size_t>{1, 2, 3, 1, 1}));
}

TEST(Subwords, SentencePieceGpt2AndWordPieceMarkers) {
  EXPECT_EQ(group_words({"\xE2\x96\x81Was", "\xE2\x96\x81grund", "legenden", "</s>"}, SubwordStyle::SentencePiece).words,
            (std::vector<std::string>{"Was", "grundlegenden", "</s>"}));
  EXPECT_EQ(group_words({"The", "\xC4\xA0phys", "ical", "\xC4\xA0laws", "<|endoftext|>"}, SubwordStyle::Gpt2).words,
            (std::vector<std::string>{"The", "physical", "laws", "<|endoftext|>"}));
  EXPECT_EQ(group_words({"[CLS]", "play", "##ing", "##s", "[SEP]", "##x"}, SubwordStyle::WordPiece).words,
            (std::vector<std::string>{"[CLS]", "playings", "[SEP]", "x"}));
  // Specials never absorb their neighbours.
  EXPECT_EQ(group_words({"<s>", "legenden"}, SubwordStyle::SentencePiece).words.size(), 2u);
  EXPECT_EQ(group_words({"a", "b"}, SubwordStyle::None).words.size(), 2u);
}

TEST(Subwords, DetectsTheConventionFromTokens) {
  EXPECT_EQ(detect_subword_style({"physi@@", "kalischen"}), SubwordStyle::BpeSuffix);
  EXPECT_EQ(detect_subword_style({"\xE2\x96\x81Was", "sind"}), SubwordStyle::SentencePiece);
  EXPECT_EQ(detect_subword_style({"The", "\xC4\xA0phys"}), SubwordStyle::Gpt2);
  EXPECT_EQ(detect_subword_style({"[CLS]", "play", "##ing"}), SubwordStyle::WordPiece);
  EXPECT_EQ(detect_subword_style({"[CLS]", "plain", "words", "<s>"}), SubwordStyle::None);
  EXPECT_EQ(subword_style("bpe@@"), SubwordStyle::BpeSuffix);
  EXPECT_THROW(subword_style("bpe"), std::invalid_argument);
}

TEST(Subwords, MergeSumsOverKeyPiecesAndAveragesOverQueryPieces) {
  // Queries: "ab@@" "c" (one word of 2 pieces), "d"; keys: "x@@" "y" (one word), "z".
  const WordGroups rows = group_words({"ab@@", "c", "d"}, SubwordStyle::BpeSuffix);
  const WordGroups cols = group_words({"x@@", "y", "z"}, SubwordStyle::BpeSuffix);
  const std::vector<float> w = {0.1f, 0.2f, 0.7f,   // ab@@
                                0.5f, 0.3f, 0.2f,   // c
                                0.0f, 0.6f, 0.4f};  // d
  const std::vector<float> m = merge_pieces(w.data(), rows, cols);
  ASSERT_EQ(m.size(), 4u);
  EXPECT_FLOAT_EQ(m[0], ((0.1f + 0.2f) + (0.5f + 0.3f)) / 2);  // mean over query pieces of key sums
  EXPECT_FLOAT_EQ(m[1], (0.7f + 0.2f) / 2);
  EXPECT_FLOAT_EQ(m[2], 0.6f);
  EXPECT_FLOAT_EQ(m[3], 0.4f);
}

TEST(Subwords, MergedRowsStillSumToOne) {
  const AttentionSet set = fixtures::translation_set();
  const AttentionRun& run = set.runs[0];
  const AttentionBlock& b = *run.find(AttentionKind::Cross, 1);
  const WordGroups rows = group_words(run.target_tokens, SubwordStyle::BpeSuffix);
  const WordGroups cols = group_words(run.source_tokens, SubwordStyle::BpeSuffix);
  ASSERT_LT(rows.words.size(), run.target_tokens.size());  // something was merged
  for (size_t h = 0; h < b.heads; ++h) {
    const std::vector<float> m = merge_pieces(b.row(h, 0), rows, cols);
    for (size_t r = 0; r < rows.words.size(); ++r)
      EXPECT_NEAR(std::accumulate(m.begin() + r * cols.words.size(), m.begin() + (r + 1) * cols.words.size(), 0.0), 1.0,
                  1e-5);
  }
}
