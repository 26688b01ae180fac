// models/architectures/dropout.h must be inverted dropout: keep each element with probability 1 - p,
// independently, scale kept ones by 1 / (1 - p), pass the gradient through the same mask, repeat
// under torch::manual_seed and do nothing outside training.
#include <gtest/gtest.h>

#include "models/architectures/dropout.h"

using namespace attnscope;

TEST(ApplyDropout, KeepsOneMinusPAndScalesKeptElements) {
  torch::manual_seed(3);
  const int64_t n = 1000003;  // odd: the last element has no partner in its 64-bit draw
  const torch::Tensor x = torch::rand({n}) + 0.5;
  for (double p : {0.1, 0.5, 0.9}) {
    const torch::Tensor y = apply_dropout(x, p, true);
    const torch::Tensor kept = y != 0;
    const double rate = kept.to(torch::kDouble).mean().item<double>();
    EXPECT_NEAR(rate, 1 - p, 5 * std::sqrt(p * (1 - p) / n)) << "p=" << p;
    EXPECT_TRUE(torch::allclose(y.masked_select(kept), x.masked_select(kept) / (1 - p)));
    // Neighbours share one 64-bit draw: they must still be independent.
    const torch::Tensor both = kept.narrow(0, 0, n - 1) & kept.narrow(0, 1, n - 1);
    EXPECT_NEAR(both.to(torch::kDouble).mean().item<double>(), (1 - p) * (1 - p), 0.005) << "p=" << p;
    // The last (unpaired) element is drawn too: over many calls it is dropped about p of the time.
  }
  int dropped_last = 0;
  for (int i = 0; i < 400; ++i) dropped_last += apply_dropout(torch::ones({3}), 0.5, true)[2].item<float>() == 0;
  EXPECT_GT(dropped_last, 140);
  EXPECT_LT(dropped_last, 260);
}

TEST(ApplyDropout, GradientUsesTheSameMask) {
  torch::manual_seed(4);
  const torch::Tensor x = (torch::rand({64, 33}) + 0.5).requires_grad_(true);
  const torch::Tensor y = apply_dropout(x, 0.3, true);
  y.sum().backward();
  // d sum(x * mask) / dx = mask = y / x
  EXPECT_TRUE(torch::allclose(x.grad(), y.detach() / x.detach()));
}

TEST(ApplyDropout, RepeatsUnderManualSeedAndDiffersBetweenCalls) {
  const torch::Tensor x = torch::ones({4096});
  torch::manual_seed(5);
  const torch::Tensor a = apply_dropout(x, 0.2, true), b = apply_dropout(x, 0.2, true);
  torch::manual_seed(5);
  const torch::Tensor a2 = apply_dropout(x, 0.2, true);
  EXPECT_TRUE(torch::equal(a, a2));
  EXPECT_FALSE(torch::equal(a, b));
}

TEST(ApplyDropout, IdentityOutsideTrainingOrAtZeroAndZeroAtOne) {
  const torch::Tensor x = torch::randn({7, 5});
  EXPECT_TRUE(torch::equal(apply_dropout(x, 0.5, false), x));
  EXPECT_TRUE(torch::equal(apply_dropout(x, 0.0, true), x));
  EXPECT_EQ(apply_dropout(x, 1.0, true).abs().sum().item<float>(), 0.0f);
  // Non-contiguous input: the mask is laid out like the result of x * mask.
  const torch::Tensor t = torch::rand({50, 40}).t() + 1;
  const torch::Tensor y = apply_dropout(t, 0.5, true);
  EXPECT_EQ(y.sizes(), t.sizes());
  const torch::Tensor kept = y != 0;
  EXPECT_TRUE(torch::allclose(y.masked_select(kept), t.masked_select(kept) * 2));
}

TEST(ApplyDropout, ModuleOverloadFollowsTrainAndEval) {
  torch::nn::Dropout d(0.5);
  const torch::Tensor x = torch::ones({1000});
  d->train();
  EXPECT_LT(apply_dropout(d, x).count_nonzero().item<int64_t>(), 800);
  d->eval();
  EXPECT_TRUE(torch::equal(apply_dropout(d, x), x));
}
