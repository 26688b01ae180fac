#include "analysis/corpus_stats.h"

namespace attnscope {

std::optional<HeadStats> corpus_head_stats(RunSource& source, size_t n, ProcessGroup& group,
                                           const std::function<void(size_t)>& progress) {
  // Every rank learns the layout from sentence 0, so all vectors have the same width; the rank
  // that owns sentence 0 reuses that run instead of computing it again.
  const AttentionRun first = source.run(0);
  const StatsLayout layout = StatsLayout::of(first);
  std::vector<std::vector<double>> mine;
  for (size_t i = 0; i < n; ++i) {
    if (group.owns(i)) mine.push_back(sentence_sums(layout, i == 0 ? first : source.run(i)));
    if (progress) progress(i + 1);
  }
  const std::vector<std::vector<double>> all = group.gather_items(mine, n, layout.size());
  if (!group.root()) return std::nullopt;
  SentenceSums total;
  for (const auto& s : all) accumulate(total, s);  // corpus order: identical for any process count
  return finish_head_stats(layout, total, n);
}

}  // namespace attnscope
