#include "analysis/head_alignment.h"

namespace attnscope {

std::string HeadChoice::name() const {
  return (layer < 0 ? std::string("last layer") : "layer " + std::to_string(layer + 1)) + ", " +
         (head < 0 ? std::string("mean of heads") : "head " + std::to_string(head + 1));
}

HeadAlignmentSweep::HeadAlignmentSweep(const AlignOptions& asked, SubwordStyle style, bool every_head, int layers, int heads)
    : asked_(asked), style_(style) {
  choices_.push_back({asked.layer, asked.head});
  if (every_head)
    for (int l = 0; l < layers; ++l)
      for (int h = -1; h < heads; ++h) choices_.push_back({l, h});
  hyps_.resize(choices_.size());
}

void HeadAlignmentSweep::add(const AttentionRun& run) {
  for (size_t c = 0; c < choices_.size(); ++c) {
    AlignOptions o = asked_;
    o.layer = choices_[c].layer;
    o.head = choices_[c].head;
    const std::vector<Link> links = align_run(run, style_, o);
    if (c == 0) pharaoh_ += pharaoh_line(links) + "\n";
    SentenceAlignment a;
    a.sure.insert(links.begin(), links.end());
    a.possible = a.sure;
    hyps_[c].push_back(std::move(a));
  }
}

HeadAlignmentSweep::Scores HeadAlignmentSweep::score(const std::vector<SentenceAlignment>& gold) const {
  Scores s;
  for (const auto& h : hyps_) s.per_choice.push_back(score_alignments(gold, h));
  s.best = s.per_choice.size() > 1 ? 1 : 0;
  for (size_t c = 1; c < s.per_choice.size(); ++c)
    if (s.per_choice[c].aer() < s.per_choice[s.best].aer()) s.best = c;
  return s;
}

}  // namespace attnscope
