// train/adam_step.h must do what clip_grad_norm_ + torch::optim::Adam::step do, on the optimiser's
// own state: same parameters and moments after many steps (clipped and not, with weight decay),
// state that torch::save / torch::load round-trips, and gradients left undefined by clear_grads.
#include <gtest/gtest.h>

#include <sstream>

#include "train/adam_step.h"

using namespace attnscope;

namespace {

// A few parameters of awkward sizes (odd, one element, a matrix) with a fixed loss.
std::vector<torch::Tensor> make_params() {
  torch::manual_seed(11);
  return {torch::randn({37, 5}).requires_grad_(), torch::randn({1}).requires_grad_(),
          torch::randn({100003}).requires_grad_()};
}

// Loss whose gradient changes from step to step; `big` makes the gradient norm exceed the clip.
void backward(const std::vector<torch::Tensor>& ps, int step, double big) {
  torch::Tensor loss = torch::zeros({});
  for (const auto& p : ps) loss = loss + (big * (p - 0.1 * step).pow(2)).sum() + p.sin().sum();
  loss.backward();
}

void expect_close(const torch::Tensor& a, const torch::Tensor& b, const std::string& what) {
  EXPECT_TRUE(torch::allclose(a, b, 1e-5, 1e-6)) << what << ": max diff " << (a - b).abs().max().item<double>();
}

void compare(double weight_decay, double clip, double big) {
  auto reference = make_params(), ours = make_params();
  auto opts = torch::optim::AdamOptions(3e-3).betas({0.9, 0.98}).eps(1e-9).weight_decay(weight_decay);
  torch::optim::Adam ref_opt(reference, opts), our_opt(ours, opts);
  for (int step = 0; step < 30; ++step) {
    ref_opt.zero_grad();
    backward(reference, step, big);
    const double ref_norm = torch::nn::utils::clip_grad_norm_(reference, clip);
    ref_opt.step();

    clear_grads(our_opt);
    for (const auto& p : ours) ASSERT_FALSE(p.grad().defined());
    backward(ours, step, big);
    // The comparison must exercise the one pass, not libtorch's fallback (same results).
    ASSERT_TRUE(one_pass_applies(our_opt)) << "step " << step;
    const double our_norm = clipped_adam_step(our_opt, clip);
    EXPECT_NEAR(our_norm, ref_norm, 1e-5 * ref_norm) << "step " << step;
  }
  for (size_t i = 0; i < ours.size(); ++i) expect_close(ours[i], reference[i], "parameter " + std::to_string(i));
  // The moments live where libtorch keeps them: one state per parameter, step counted.
  ASSERT_EQ(our_opt.state().size(), ours.size());
  for (const auto& [key, value] : our_opt.state())
    EXPECT_EQ(static_cast<torch::optim::AdamParamState&>(*value).step(), 30);
}

}  // namespace

TEST(ClippedAdamStep, MatchesLibtorchWithoutClipping) { compare(0.0, 1e9, 1.0); }
TEST(ClippedAdamStep, MatchesLibtorchWhenClipping) { compare(0.0, 1.0, 50.0); }
TEST(ClippedAdamStep, MatchesLibtorchWithWeightDecay) { compare(0.01, 1.0, 50.0); }

// Steps taken by libtorch then by us (and back) share one state, and the state survives
// torch::save / torch::load, as `attnscope train --resume` needs.
TEST(ClippedAdamStep, SharesStateWithLibtorchAndSurvivesSaveLoad) {
  auto reference = make_params(), ours = make_params();
  auto opts = torch::optim::AdamOptions(1e-2);
  torch::optim::Adam ref_opt(reference, opts), our_opt(ours, opts);
  for (int step = 0; step < 12; ++step) {
    ref_opt.zero_grad();
    backward(reference, step, 1.0);
    torch::nn::utils::clip_grad_norm_(reference, 2.0);
    ref_opt.step();
    clear_grads(our_opt);
    backward(ours, step, 1.0);
    if (step < 4) {  // libtorch creates the state
      torch::nn::utils::clip_grad_norm_(ours, 2.0);
      our_opt.step();
    } else {
      clipped_adam_step(our_opt, 2.0);
    }
    if (step == 7) {  // a resume: save, then a fresh optimiser loads it
      std::stringstream buffer;
      torch::save(our_opt, buffer);
      torch::optim::Adam loaded(ours, opts);
      torch::load(loaded, buffer);
      our_opt.state().clear();
      std::stringstream again;
      torch::save(loaded, again);
      torch::load(our_opt, again);
    }
  }
  EXPECT_EQ(our_opt.state().size(), ours.size());
  for (size_t i = 0; i < ours.size(); ++i) expect_close(ours[i], reference[i], "parameter " + std::to_string(i));
}

// Parameters libtorch's path must handle (here: a non-contiguous one) give the same result too.
TEST(ClippedAdamStep, FallsBackForNonContiguousParameters) {
  torch::manual_seed(5);
  const torch::Tensor base = torch::randn({8, 6});
  torch::Tensor ref_p = base.clone().t().requires_grad_(), our_p = base.clone().t().requires_grad_();
  ASSERT_FALSE(our_p.is_contiguous());
  torch::optim::Adam ref_opt({ref_p}, torch::optim::AdamOptions(1e-2)), our_opt({our_p}, torch::optim::AdamOptions(1e-2));
  for (int step = 0; step < 5; ++step) {
    ref_opt.zero_grad();
    backward({ref_p}, step, 10.0);
    torch::nn::utils::clip_grad_norm_({ref_p}, 1.0);
    ref_opt.step();
    clear_grads(our_opt);
    backward({our_p}, step, 10.0);
    ASSERT_FALSE(one_pass_applies(our_opt));
    clipped_adam_step(our_opt, 1.0);
  }
  expect_close(our_p, ref_p, "transposed parameter");
}
