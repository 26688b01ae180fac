#include "analysis/attention_alignment.h"

#include <algorithm>
#include <stdexcept>

namespace attnscope {

namespace {

// Word groups of the pieces plus, per word, its index among the non-special words (-1: special).
struct Words {
  WordGroups groups;
  std::vector<int> index;
  std::vector<std::string> kept;
};

Words words_of(const std::vector<std::string>& pieces, SubwordStyle style) {
  Words w;
  w.groups = group_words(pieces, style);
  for (const auto& word : w.groups.words) {
    if (is_special_token(word)) {
      w.index.push_back(-1);
    } else {
      w.index.push_back(static_cast<int>(w.kept.size()));
      w.kept.push_back(word);
    }
  }
  return w;
}

}  // namespace

std::vector<std::string> alignment_words(const std::vector<std::string>& pieces, SubwordStyle style) {
  return words_of(pieces, style).kept;
}

std::vector<Link> align_run(const AttentionRun& run, SubwordStyle style, const AlignOptions& opts) {
  const AttentionBlock* block = nullptr;
  int last = -1;
  for (const auto& b : run.blocks)
    if (b.kind == AttentionKind::Cross && b.layer > last) last = b.layer;
  block = run.find(AttentionKind::Cross, opts.layer < 0 ? last : opts.layer);
  if (!block) throw std::invalid_argument("no cross-attention layer " + std::to_string(opts.layer) + " in the run");
  if (opts.head >= static_cast<int>(block->heads))
    throw std::invalid_argument("head " + std::to_string(opts.head) + " does not exist (the layer has " +
                                std::to_string(block->heads) + " heads)");
  std::vector<float> weights =
      opts.head < 0 ? block->mean_of_heads()
                    : std::vector<float>(block->row(opts.head, 0), block->row(opts.head, 0) + block->queries * block->keys);
  if (opts.shift) {  // row i <- row i + 1; the last row has no next step and gets no link
    const size_t Q = block->queries, Kp = block->keys;
    std::copy(weights.begin() + static_cast<std::ptrdiff_t>(Kp), weights.end(), weights.begin());
    std::fill(weights.end() - static_cast<std::ptrdiff_t>(std::min(Q, size_t{1}) * Kp), weights.end(), 0.0f);
  }
  const Words tgt = words_of(run.target_tokens, style), src = words_of(run.source_tokens, style);
  const std::vector<float> merged = merge_pieces(weights.data(), tgt.groups, src.groups);
  const size_t K = src.groups.words.size();
  std::vector<Link> links;
  for (size_t q = 0; q < tgt.groups.words.size(); ++q) {
    if (tgt.index[q] < 0) continue;
    const float* row = merged.data() + q * K;
    int best = -1;
    for (size_t k = 0; k < K; ++k) {
      if (src.index[k] < 0) continue;
      if (opts.threshold) {
        if (row[k] >= opts.min_weight) links.emplace_back(src.index[k], tgt.index[q]);
      } else if (best < 0 || row[k] > row[best]) {
        best = static_cast<int>(k);
      }
    }
    if (!opts.threshold && best >= 0 && row[best] > 0) links.emplace_back(src.index[best], tgt.index[q]);
  }
  std::sort(links.begin(), links.end());
  return links;
}

std::string pharaoh_line(const std::vector<Link>& links) {
  std::string s;
  for (const auto& [i, j] : links) s += (s.empty() ? "" : " ") + std::to_string(i) + "-" + std::to_string(j);
  return s;
}

}  // namespace attnscope
