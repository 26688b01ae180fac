// Alignment error rate (Och & Ney 2003) of word alignments in Pharaoh format.
//
// Pharaoh format: one line per sentence pair, space-separated links "i-j" (sure) or "ipj"
// (possible), i a source index, j a target index; files use 0- or 1-based indices.
// With A the hypothesis links, S the gold sure links and P the gold possible links (S ⊆ P: a sure
// link is also possible), summed over the corpus:
//   precision = |A∩P| / |A|,  recall = |A∩S| / |S|,  AER = 1 − (|A∩S| + |A∩P|) / (|A| + |S|)
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace attnscope {

using Link = std::pair<int, int>;  // (source index, target index), 0-based

struct SentenceAlignment {
  std::set<Link> sure;
  std::set<Link> possible;  // includes every sure link
};

struct PharaohOptions {
  int base = 0;       // the file's first index (0 or 1); subtracted from every index
  bool swap = false;  // the file writes target-source: swap i and j of every link
};

// Parses Pharaoh text; `name` names the file in errors ("<name>:<line>: ..."). Throws
// std::runtime_error for a malformed link or an index that is negative after base conversion.
std::vector<SentenceAlignment> parse_pharaoh(const std::string& text, const std::string& name, const PharaohOptions& opt);
std::vector<SentenceAlignment> read_pharaoh(const std::string& path, const PharaohOptions& opt);

struct AlignmentScore {
  size_t sentences = 0;
  size_t hypothesis = 0;        // |A|
  size_t sure = 0;              // |S|
  size_t possible = 0;          // |P| (sure links included)
  size_t hyp_and_sure = 0;      // |A∩S|
  size_t hyp_and_possible = 0;  // |A∩P|

  double precision() const;  // 0 when A is empty
  double recall() const;     // 0 when S is empty
  double aer() const;        // 1 when A and S are both empty (nothing was aligned correctly)
};

// Scores every sentence of the hypothesis against the gold sentence on the same line; every
// hypothesis link (sure or possible) is in A. Throws std::invalid_argument if the counts differ.
AlignmentScore score_alignments(const std::vector<SentenceAlignment>& gold, const std::vector<SentenceAlignment>& hyp);

}  // namespace attnscope
