// Word alignments read off cross-attention (Pharaoh links), with subword pieces merged into
// words the way analysis/subwords.h does for display: sum over a source word's pieces, mean over
// a target word's pieces. Special tokens (</s>, <s>) take no part.
#pragma once

#include <string>
#include <vector>

#include "analysis/alignment_error.h"
#include "analysis/subwords.h"
#include "core/attention_set.h"

namespace attnscope {

struct AlignOptions {
  int layer = -1;           // cross-attention layer; -1: the last
  int head = -1;            // head; -1: the mean of heads
  bool threshold = false;   // false: each target word links to its most-attended source word
  double min_weight = 0.3;  // threshold: every word pair with at least this (merged) weight
  // Read target piece i from query row i + 1, the decoding step that takes it as its input,
  // instead of row i, the step that produced it ("shift-att", Chen et al. 2020): a decoder's
  // attention while producing a word often already looks at the source of the next one.
  bool shift = false;
};

// Links (source word, target word), 0-based over the words of the run's non-special tokens.
// Throws std::invalid_argument when the run has no such cross block or head.
std::vector<Link> align_run(const AttentionRun& run, SubwordStyle style, const AlignOptions& opts);
std::string pharaoh_line(const std::vector<Link>& links);  // "0-0 1-2 ..."
// Words of the non-special tokens (what the indices count).
std::vector<std::string> alignment_words(const std::vector<std::string>& pieces, SubwordStyle style);

}  // namespace attnscope
