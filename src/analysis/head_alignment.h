// Word alignments of a corpus from every cross-attention head at once: the per-head sweep behind
// `attnscope align --gold` (AER of each layer x head, their means, the best head). Fed one run
// per sentence pair by any source of runs (a model teacher-forced on the pairs, or a saved set).
#pragma once

#include <string>
#include <vector>

#include "analysis/alignment_error.h"
#include "analysis/attention_alignment.h"

namespace attnscope {

struct HeadChoice {
  int layer = -1, head = -1;  // -1: the last layer / the mean of heads
  std::string name() const;   // "layer 3, head 2" (counted from 1 for people), "last layer, mean of heads"
};

class HeadAlignmentSweep {
 public:
  // `asked`: the layer/head/threshold whose links are written out; with `every_head`, also every
  // layer x (mean, head 0..heads-1) of a model with `layers` x `heads` cross heads.
  HeadAlignmentSweep(const AlignOptions& asked, SubwordStyle style, bool every_head, int layers, int heads);

  // Aligns one sentence pair's run with every choice. Throws std::invalid_argument when the run
  // has no cross block the choices need.
  void add(const AttentionRun& run);

  const std::string& pharaoh() const { return pharaoh_; }  // the asked choice's links, a line per pair
  const std::vector<HeadChoice>& choices() const { return choices_; }

  struct Scores {
    std::vector<AlignmentScore> per_choice;  // in choices() order
    size_t best = 0;                         // the choice with the lowest AER (among the sweep)
  };
  Scores score(const std::vector<SentenceAlignment>& gold) const;

 private:
  AlignOptions asked_;
  SubwordStyle style_;
  std::vector<HeadChoice> choices_;
  std::vector<std::vector<SentenceAlignment>> hyps_;
  std::string pharaoh_;
};

}  // namespace attnscope
