#include "models/decoding/beam_search.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnscope {

BeamSearchResult beam_search(const NextLogProbs& next_log_probs, const BeamSearchOptions& opts) {
  struct Hyp {
    std::vector<int> ids;
    double logp = 0;
  };
  const size_t K = static_cast<size_t>(std::max(1, opts.beam));
  auto penalty = [&](size_t n) {
    const double len = static_cast<double>(std::max<size_t>(n, 1));
    return opts.gnmt_penalty ? std::pow((5.0 + len) / 6.0, opts.length_penalty) : std::pow(len, opts.length_penalty);
  };
  auto score = [&](const Hyp& h) { return h.logp / penalty(h.ids.size()); };
  std::vector<Hyp> open = {Hyp{}}, finished;
  bool done = false;
  for (int step = 0; step < opts.max_steps && !open.empty(); ++step) {
    if (opts.before_step) opts.before_step();
    std::vector<std::vector<int>> prefixes;
    for (const Hyp& h : open) prefixes.push_back(h.ids);
    torch::Tensor logp = next_log_probs(prefixes).to(torch::kCPU, torch::kFloat).contiguous();  // [n, V]
    if (opts.forced_last >= 0 && step + 1 == opts.max_steps) {
      logp.fill_(-std::numeric_limits<float>::infinity());
      logp.select(1, opts.forced_last).fill_(0);
    }
    const int64_t V = logp.size(1);
    struct Candidate {
      double logp;
      size_t from;
      int token;
    };
    std::vector<Candidate> candidates;
    const auto best = logp.topk(std::min<int64_t>(static_cast<int64_t>(2 * K), V), 1);
    const torch::Tensor values = std::get<0>(best).contiguous(), index = std::get<1>(best).contiguous();
    const float* v = values.data_ptr<float>();
    const int64_t* ix = index.data_ptr<int64_t>();
    const int64_t per_row = values.size(1);
    for (size_t b = 0; b < open.size(); ++b)
      for (int64_t i = 0; i < per_row; ++i)
        candidates.push_back({open[b].logp + v[b * per_row + i], b, static_cast<int>(ix[b * per_row + i])});
    std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& x, const Candidate& y) { return x.logp > y.logp; });
    std::vector<Hyp> next;
    for (const Candidate& c : candidates) {
      if (next.size() == K) break;
      if (std::isinf(c.logp)) continue;
      Hyp h{open[c.from].ids, c.logp};
      h.ids.push_back(c.token);
      (c.token == opts.eos ? finished : next).push_back(std::move(h));
      if (K == 1 && c.token == opts.eos) break;
    }
    open = std::move(next);
    std::stable_sort(finished.begin(), finished.end(), [&](const Hyp& x, const Hyp& y) { return score(x) > score(y); });
    if (finished.size() > K) finished.resize(K);
    if (finished.size() == K) {
      // An open prefix's summed log-probability only falls; its best possible final score is its
      // current sum over the penalty of its current length.
      const double best_open = open.empty() ? -std::numeric_limits<double>::infinity() : score(open[0]);
      if (open.empty() || score(finished.back()) >= best_open) {
        done = true;
        break;
      }
    }
  }
  if (finished.empty() || (!done && !open.empty()))
    for (auto& h : open) finished.push_back(std::move(h));
  std::stable_sort(finished.begin(), finished.end(), [&](const Hyp& x, const Hyp& y) { return score(x) > score(y); });
  BeamSearchResult r;
  if (!finished.empty()) {
    r.ids = finished[0].ids;
    r.log_prob = finished[0].logp;
  }
  r.finished = !r.ids.empty() && r.ids.back() == opts.eos;
  return r;
}

}  // namespace attnscope
