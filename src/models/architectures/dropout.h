// Inverted dropout with a fast mask on CPU. libtorch 1.13's CPU dropout draws its mask with a
// serial Bernoulli sampler (~17 ns per element here, against 0.3 ns for a multiply: 5% of a
// Transformer training step in torch's profiler); this draws it from a counter-based generator seeded from libtorch's default
// generator, so torch::manual_seed still makes runs repeatable. Same distribution: each element is
// kept with probability 1 - p (to 2^-32) and scaled by 1 / (1 - p). Other devices and dtypes use
// torch::dropout.
#pragma once

#include <torch/torch.h>

namespace attnscope {

torch::Tensor apply_dropout(const torch::Tensor& x, double p, bool training);

// For a registered nn::Dropout (kept so train()/eval() and saved models stay as they were).
inline torch::Tensor apply_dropout(torch::nn::Dropout& module, const torch::Tensor& x) {
  return apply_dropout(x, module->options.p(), module->is_training());
}

}  // namespace attnscope
