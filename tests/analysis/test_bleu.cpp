// Corpus BLEU as sacreBLEU 2.x computes it by default. Scores are worked out by hand from the
// n-gram counts; tokenisations follow tokenizer_13a.py + tokenizer_re.py rule by rule (and agree
// with tools/crosscheck_bleu.py).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "analysis/bleu.h"
#include "../test_util.h"

using attnscope::testing::error_of;

using namespace attnscope;

namespace {

}  // namespace

TEST(Tokenize13a, SplitsPunctuationAndSymbols) {
  EXPECT_EQ(tokenize_13a("Hello, world!"), "Hello , world !");
  // $ is split off; "." and "," stay inside numbers.
  EXPECT_EQ(tokenize_13a("It costs $3.50, or 3,000 yen."), "It costs $ 3.50 , or 3,000 yen .");
  // Apostrophes and hyphens between letters stay; every other ASCII symbol is its own token.
  EXPECT_EQ(tokenize_13a("don't {x}[y]|z~^_`@#%*+=:;?/\\"),
            "don't { x } [ y ] | z ~ ^ _ ` @ # % * + = : ; ? / \\");
  EXPECT_EQ(tokenize_13a("well-known"), "well-known");
}

TEST(Tokenize13a, PeriodsCommasAndDashesAroundDigits) {
  // "." and "," split unless between digits; each re.sub pass matches left to right without overlap.
  EXPECT_EQ(tokenize_13a("a.b U.S.A. e.g., 1.5.2 .5 5. ,x"), "a . b U . S . A . e . g . , 1.5.2 . 5 5 . , x");
  // A dash splits off after a digit only: "10-20" -> "10 - 20", "-5" and "x-" stay.
  EXPECT_EQ(tokenize_13a("pages 10-20 and well-known -5 x- 3-"), "pages 10 - 20 and well-known -5 x- 3 -");
}

TEST(Tokenize13a, EntitiesSkippedAndWhitespace) {
  // Unescaped in this order: &quot; &amp; &lt; &gt; -- so "&amp;quot;" becomes "&quot;", not '"'.
  EXPECT_EQ(tokenize_13a("&quot;Hi&quot; &amp; bye &lt;3 &amp;quot;"), "\" Hi \" & bye < 3 & quot ;");
  EXPECT_EQ(tokenize_13a("x &gt; y"), "x > y");
  EXPECT_EQ(tokenize_13a("a<skipped>b c"), "ab c");
  EXPECT_EQ(tokenize_13a("hyphen-\nated line\nbreak"), "hyphenated line break");
  // Python's str.split(): tabs, no-break spaces (U+00A0) and ideographic spaces separate tokens.
  EXPECT_EQ(tokenize_13a("a\tb\xC2\xA0" "c\xE3\x80\x80" "d  "), "a b c d");
  EXPECT_EQ(tokenize_13a("  "), "");
  // Multi-byte letters are left alone, punctuation after them still splits.
  EXPECT_EQ(tokenize_13a("\xC3\x9Cnïcödé. café,ok"), "\xC3\x9Cnïcödé . café , ok");
}

TEST(CorpusBleu, IdenticalIsHundred) {
  const std::vector<std::string> lines = {"The cat sat on the mat.", "A man in a blue shirt is playing guitar."};
  const BleuScore s = corpus_bleu(lines, lines);
  EXPECT_DOUBLE_EQ(s.score, 100.0);
  EXPECT_EQ(s.bp, 1.0);
  EXPECT_EQ(s.hyp_len, 17);
  EXPECT_EQ(s.format(), "BLEU = 100.00 100.0/100.0/100.0/100.0 (BP = 1.000 ratio = 1.000 hyp_len = 17 ref_len = 17)");
}

TEST(CorpusBleu, HandComputedExample) {
  // hyp: the cat sat on the mat / ref: the cat sat on a mat
  // 1-grams 5/6 ("the" clipped to 1), 2-grams 3/5, 3-grams 2/4, 4-grams 1/3, BP 1.
  const BleuScore s = corpus_bleu({"the cat sat on the mat"}, {"the cat sat on a mat"});
  EXPECT_EQ(s.correct, (std::array<int64_t, 4>{5, 3, 2, 1}));
  EXPECT_EQ(s.total, (std::array<int64_t, 4>{6, 5, 4, 3}));
  EXPECT_NEAR(s.score, 100 * std::pow(5.0 / 6 * 3.0 / 5 * 2.0 / 4 * 1.0 / 3, 0.25), 1e-9);  // 53.73
  EXPECT_EQ(s.format(), "BLEU = 53.73 83.3/60.0/50.0/33.3 (BP = 1.000 ratio = 1.000 hyp_len = 6 ref_len = 6)");
}

TEST(CorpusBleu, ExpSmoothingForOrdersWithoutMatches) {
  // a b c d e / a b c x e: 4/5, 2/4, 1/3, 0/2 -> the 4-gram precision becomes 1 / (2 * 2).
  const BleuScore s = corpus_bleu({"a b c d e"}, {"a b c x e"});
  EXPECT_DOUBLE_EQ(s.precisions[3], 25.0);
  EXPECT_NEAR(s.score, 100 * std::pow(0.8 * 0.5 * (1.0 / 3) * 0.25, 0.25), 1e-9);  // 42.73
  // Two orders without matches: 1/(2*total) for the first, 1/(4*total) for the second.
  const BleuScore t = corpus_bleu({"a b x c d"}, {"a b y c d"});
  EXPECT_EQ(t.correct, (std::array<int64_t, 4>{4, 2, 0, 0}));
  EXPECT_DOUBLE_EQ(t.precisions[2], 100.0 / (2 * 3));
  EXPECT_DOUBLE_EQ(t.precisions[3], 100.0 / (4 * 2));
}

TEST(CorpusBleu, BrevityPenaltyAndShortOutputs) {
  const BleuScore s = corpus_bleu({"a b c d"}, {"a b c d e f"});
  EXPECT_NEAR(s.bp, std::exp(1 - 6.0 / 4), 1e-15);
  EXPECT_NEAR(s.score, 100 * std::exp(-0.5), 1e-9);
  EXPECT_NEAR(s.ratio, 4.0 / 6, 1e-15);
  // No 3-grams at all: sacreBLEU stops at that order and the log of 0 makes the score 0.
  const BleuScore t = corpus_bleu({"a b"}, {"a b c"});
  EXPECT_EQ(t.score, 0.0);
  EXPECT_EQ(t.precisions[0], 100.0);
  EXPECT_EQ(t.precisions[2], 0.0);
  // Nothing matches: 0, precisions 0.
  const BleuScore u = corpus_bleu({"x y z w"}, {"a b c d"});
  EXPECT_EQ(u.score, 0.0);
  EXPECT_EQ(u.format(), "BLEU = 0.00 0.0/0.0/0.0/0.0 (BP = 1.000 ratio = 1.000 hyp_len = 4 ref_len = 4)");
  // An empty hypothesis counts no tokens; its reference still counts.
  const BleuScore v = corpus_bleu({"", "a b c d"}, {"a b", "a b c d"});
  EXPECT_EQ(v.hyp_len, 4);
  EXPECT_EQ(v.ref_len, 6);
}

TEST(CorpusBleu, CountsAreSummedOverTheCorpus) {
  // Not the mean of sentence scores: n-gram counts are added first. Sentence 2 alone would score
  // 0 (it has no 4-gram); in the corpus its 1- to 3-gram counts simply add.
  const BleuScore s = corpus_bleu({"the cat sat on the mat", "a b c"}, {"the cat sat on a mat", "a b d"});
  EXPECT_EQ(s.correct, (std::array<int64_t, 4>{7, 4, 2, 1}));
  EXPECT_EQ(s.total, (std::array<int64_t, 4>{9, 7, 5, 3}));
  EXPECT_NEAR(s.score, 100 * std::pow(7.0 / 9 * 4.0 / 7 * 2.0 / 5 * 1.0 / 3, 0.25), 1e-9);
  // Tokenisation happens before counting: "mat." is "mat ." and trailing spaces do not matter.
  const BleuScore t = corpus_bleu({"the mat is red.   "}, {"the mat is red ."});
  EXPECT_DOUBLE_EQ(t.score, 100.0);
}

TEST(CorpusBleu, ErrorsSayWhatIsWrong) {
  EXPECT_EQ(error_of([] { corpus_bleu({"a", "b"}, {"a"}); }),
            "2 hypotheses but 1 references; BLEU pairs them line by line");
  EXPECT_EQ(error_of([] { corpus_bleu({"a", "b"}, {"a", "  "}); }),
            "reference line 2 is empty (sacreBLEU refuses empty references too)");
  EXPECT_THROW(corpus_bleu({"a"}, {}), std::invalid_argument);
  EXPECT_EQ(BleuScore::signature(), "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|impl:attnscope");
}
