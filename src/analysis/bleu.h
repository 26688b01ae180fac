// Corpus BLEU (Papineni et al. 2002) exactly as sacreBLEU 2.x computes it by default: one
// reference per segment, mixed case, tokenizer "13a" (mteval-v13a.pl), n-grams of 1 to 4,
// smoothing "exp" (mteval's: the k-th order with no match counts as 1 / (2^k * total)), no
// effective order, brevity penalty exp(1 - ref_len / hyp_len) when the output is shorter.
//
// Lines are right-stripped (Python whitespace) before tokenising, as sacreBLEU's command line
// does. Like sacreBLEU, an empty reference line is an error; an empty hypothesis scores nothing.
// Scores agree with `sacrebleu REF -i HYP -m bleu -w 2` (tools/crosscheck_bleu.py transcribes it).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace attnscope {

inline constexpr int kBleuMaxOrder = 4;

struct BleuScore {
  double score = 0;                                // 0..100
  std::array<double, kBleuMaxOrder> precisions{};  // n = 1..4, in percent (smoothed where no match)
  std::array<int64_t, kBleuMaxOrder> correct{};    // clipped n-gram matches
  std::array<int64_t, kBleuMaxOrder> total{};      // hypothesis n-grams
  double bp = 0;                                   // brevity penalty
  double ratio = 0;                                // hyp_len / ref_len (0 when ref_len is 0)
  int64_t hyp_len = 0, ref_len = 0;                // tokens after 13a tokenisation
  size_t segments = 0;

  // "BLEU = 34.12 65.1/40.2/27.0/18.9 (BP = 0.981 ratio = 0.981 hyp_len = 12000 ref_len = 12230)"
  std::string format() const;
  // sacreBLEU's signature keys for these settings: "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp",
  // then "|impl:attnscope" where sacreBLEU writes its version.
  static std::string signature();
};

// mteval-v13a tokenisation as sacreBLEU's Tokenizer13a: "<skipped>" removed, "&quot;", "&amp;",
// "&lt;", "&gt;" unescaped, ASCII punctuation and symbols split off, "." and "," split off unless
// between digits, "-" split off after a digit; tokens joined by single spaces.
std::string tokenize_13a(std::string_view line);

// Throws std::invalid_argument when the counts differ ("100 hypotheses but 99 references") or a
// reference line is empty (naming it).
BleuScore corpus_bleu(const std::vector<std::string>& hypotheses, const std::vector<std::string>& references);

}  // namespace attnscope
