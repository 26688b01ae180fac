// Beam search over any autoregressive decoder, given a function that scores the next token of
// several prefixes at once. Used by the trainable Transformer and by pretrained MarianMT.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

namespace attnscope {

struct BeamSearchOptions {
  int beam = 4;               // hypotheses kept (1: greedy)
  int max_steps = 100;        // tokens produced at most (</s> included)
  int eos = 2;                // the token that finishes a hypothesis
  double length_penalty = 1;  // a finished hypothesis scores sum(log p) / lp(length)
  bool gnmt_penalty = false;  // lp(n) = ((5 + n) / 6)^length_penalty (GNMT); else n^length_penalty (HF)
  // >= 0: the last step max_steps allows produces this token (Hugging Face's forced_eos_token_id,
  // ForcedEOSTokenLogitsProcessor: log p 0 for it, -inf for every other token).
  int forced_last = -1;
  std::function<void()> before_step;  // called before every step (it may throw to stop the search)
};

struct BeamSearchResult {
  std::vector<int> ids;   // produced tokens, </s> included when produced
  double log_prob = 0;    // sum of their log-probabilities
  bool finished = false;  // ended with </s> (else: ran out of steps)
};

// `next_log_probs(prefixes)` returns [n, V] log-probabilities (any device) of the token after
// each prefix (the tokens produced so far; the first call gets one empty prefix).
// Keeps the `beam` best prefixes by summed log-probability; a prefix that produces </s> becomes a
// finished hypothesis. Stops when `beam` hypotheses are finished and no open prefix could still
// beat the worst of them (as transformers' beam search without early stopping), or after
// max_steps (open prefixes then count as finished). beam 1 is exactly greedy decoding.
using NextLogProbs = std::function<torch::Tensor(const std::vector<std::vector<int>>&)>;
BeamSearchResult beam_search(const NextLogProbs& next_log_probs, const BeamSearchOptions& opts);

}  // namespace attnscope
