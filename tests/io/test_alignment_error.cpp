// Alignment error rate (src/analysis/alignment_error.h) on hand-made cases, and the published
// figure for fast_align on the WPT03 English-French gold (16.4%) when ../shared is present.
// (Kept with the I/O tests: it is a Pharaoh-file reader plus a score.)
#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "analysis/alignment_error.h"

using namespace attnscope;

namespace {

AlignmentScore score(const std::string& gold, const std::string& hyp, PharaohOptions gold_opt = {},
                     PharaohOptions hyp_opt = {}) {
  return score_alignments(parse_pharaoh(gold, "gold", gold_opt), parse_pharaoh(hyp, "hyp", hyp_opt));
}

std::string error_of(const std::string& text, PharaohOptions opt = {}) {
  try {
    parse_pharaoh(text, "g.txt", opt);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(AlignmentError, PerfectAlignmentScoresZero) {
  const AlignmentScore s = score("0-0 1-1 2-2\n0-1 1-0\n", "0-0 1-1 2-2\n1-0 0-1\n");
  EXPECT_EQ(s.sentences, 2u);
  EXPECT_EQ(s.hypothesis, 5u);
  EXPECT_DOUBLE_EQ(s.precision(), 1.0);
  EXPECT_DOUBLE_EQ(s.recall(), 1.0);
  EXPECT_DOUBLE_EQ(s.aer(), 0.0);
}

TEST(AlignmentError, PossibleLinks) {
  // S = {0-0}, P = {0-0, 1-1, 1-2}. A = {0-0, 1-2, 2-2}: |A∩S| = 1, |A∩P| = 2.
  const AlignmentScore s = score("0-0 1p1 1p2\n", "0-0 1-2 2-2\n");
  EXPECT_EQ(s.sure, 1u);
  EXPECT_EQ(s.possible, 3u);  // sure links count as possible
  EXPECT_EQ(s.hyp_and_sure, 1u);
  EXPECT_EQ(s.hyp_and_possible, 2u);
  EXPECT_DOUBLE_EQ(s.precision(), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(s.recall(), 1.0);
  EXPECT_DOUBLE_EQ(s.aer(), 1.0 - 3.0 / 4.0);
  // Hitting only possible links: precision counts them, recall does not.
  const AlignmentScore p = score("0-0 1p1\n", "1-1\n");
  EXPECT_DOUBLE_EQ(p.precision(), 1.0);
  EXPECT_DOUBLE_EQ(p.recall(), 0.0);
  EXPECT_DOUBLE_EQ(p.aer(), 1.0 - 1.0 / 2.0);
  // A link that is both sure and possible in the gold is sure.
  EXPECT_EQ(score("0-0 0p0\n", "0-0\n").hyp_and_sure, 1u);
}

TEST(AlignmentError, SumsOverTheCorpusNotPerSentence) {
  // Sentence 1 perfect (2 links), sentence 2 all wrong (1 link): 1 - 4/6, not the mean of 0 and 1.
  const AlignmentScore s = score("0-0 1-1\n0-0\n", "0-0 1-1\n0-1\n");
  EXPECT_DOUBLE_EQ(s.aer(), 1.0 - 4.0 / 6.0);
}

TEST(AlignmentError, BaseConversionAndSwap) {
  PharaohOptions one_based;
  one_based.base = 1;
  EXPECT_DOUBLE_EQ(score("1-1 2-3\n", "0-0 1-2\n", one_based).aer(), 0.0);
  EXPECT_DOUBLE_EQ(score("1-1 2-3\n", "0-0 1-2\n").aer(), 1.0);  // same files, wrong bases
  PharaohOptions swap;
  swap.swap = true;
  EXPECT_DOUBLE_EQ(score("0-1 2-3\n", "1-0 3-2\n", {}, swap).aer(), 0.0);
  EXPECT_DOUBLE_EQ(score("0-1 2-3\n", "1-0 3-2\n").aer(), 1.0);
  const auto swapped = parse_pharaoh("4p7\n", "h", swap);
  EXPECT_EQ(swapped[0].possible.count({7, 4}), 1u);
  EXPECT_TRUE(swapped[0].sure.empty());
}

TEST(AlignmentError, EmptyLinesAreSentences) {
  const AlignmentScore s = score("0-0\n\n1-1\r\n", "0-0\n\n1-1\n");
  EXPECT_EQ(s.sentences, 3u);
  EXPECT_DOUBLE_EQ(s.aer(), 0.0);
}

TEST(AlignmentError, Errors) {
  EXPECT_EQ(error_of("0-0\n1-x 2-2\n"), "g.txt:2: malformed link '1-x' (expected i-j for sure or ipj for possible)");
  EXPECT_NE(error_of("0:0\n").find("g.txt:1: malformed link '0:0'"), std::string::npos);
  EXPECT_NE(error_of("1-2-3\n").find("malformed link '1-2-3'"), std::string::npos);
  EXPECT_NE(error_of("-1-2\n").find("malformed link"), std::string::npos);
  PharaohOptions one_based;
  one_based.base = 1;
  EXPECT_EQ(error_of("1-1 0-2\n", one_based),
            "g.txt:1: link '0-2' has index -1 after subtracting base 1 (wrong --gold-base / --hyp-base?)");
  EXPECT_THROW(score("0-0\n1-1\n", "0-0\n"), std::invalid_argument);
}

TEST(AlignmentError, FastAlignOnWpt03EnglishFrench) {
  const std::filesystem::path dir = std::filesystem::path(ATTNSCOPE_SOURCE_DIR) / ".." / "shared" / "data" / "align-enfr";
  if (!std::filesystem::exists(dir / "enfr.gold")) GTEST_SKIP() << "skipped: ../shared not found";
  PharaohOptions gold;
  gold.base = 1;
  const AlignmentScore s = score_alignments(read_pharaoh((dir / "enfr.gold").string(), gold),
                                            read_pharaoh((dir / "fastalign.enfr.talp").string(), {}));
  EXPECT_EQ(s.sentences, 447u);
  EXPECT_NEAR(s.aer(), 0.164, 0.0005);  // published: 16.4%
  EXPECT_NEAR(s.aer(), 0.16387665, 1e-8);
}
