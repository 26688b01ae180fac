#include "models/architectures/attention.h"

#include <limits>

#include "models/architectures/dropout.h"

namespace attnscope {

AttentionResult attend(const torch::Tensor& scores, const torch::Tensor& allowed, const torch::Tensor& values,
                       const torch::Tensor& bias, double dropout) {
  torch::Tensor logits = bias.defined() ? scores + bias : scores;
  // -inf (not a large negative sentinel) so masked keys get exactly zero weight.
  logits = logits.masked_fill(allowed.logical_not(), -std::numeric_limits<float>::infinity());
  torch::Tensor weights = torch::softmax(logits, -1);
  const torch::Tensor mixed = dropout > 0 ? apply_dropout(weights, dropout, /*training=*/true) : weights;
  return {weights, torch::matmul(mixed, values)};
}

}  // namespace attnscope
