// The fused GRU/LSTM must compute what torch::nn::GRU / LSTM compute: outputs, final states
// and every gradient, including over padded batches.
#include <gtest/gtest.h>

#include "models/architectures/fused_rnn.h"

using namespace attnscope;

namespace {

template <typename Ref>
void copy_weights(Ref& ref, FusedRnn& fused, int64_t layers, bool bidirectional) {
  torch::NoGradGuard ng;
  const int dirs = bidirectional ? 2 : 1;
  for (int64_t l = 0; l < layers; ++l)
    for (int d = 0; d < dirs; ++d) {
      const std::string suffix = "_l" + std::to_string(l) + (d ? "_reverse" : "");
      auto params = ref->named_parameters();
      auto& cell = fused->cells[l * dirs + d];
      cell->w_ih.copy_(params["weight_ih" + suffix]);
      cell->w_hh.copy_(params["weight_hh" + suffix]);
      cell->b_ih.copy_(params["bias_ih" + suffix]);
      cell->b_hh.copy_(params["bias_hh" + suffix]);
    }
}

void expect_close(const torch::Tensor& a, const torch::Tensor& b, const std::string& what) {
  ASSERT_EQ(a.sizes(), b.sizes()) << what;
  EXPECT_TRUE(torch::allclose(a, b, 1e-4, 1e-5)) << what << " max diff " << (a - b).abs().max().item<float>();
}

}  // namespace

class FusedMatchesTorch : public ::testing::TestWithParam<std::tuple<bool, bool, int>> {};

TEST_P(FusedMatchesTorch, OutputsStatesAndGradients) {
  auto [lstm, bidirectional, layers] = GetParam();
  torch::manual_seed(0);
  const int64_t B = 5, T = 7, I = 6, H = 8, dirs = bidirectional ? 2 : 1;
  FusedRnn fused(I, H, layers, bidirectional, lstm, 0.0);
  torch::Tensor x = torch::randn({B, T, I});
  torch::Tensor lengths = torch::tensor({7, 3, 5, 1, 7}, torch::kLong);
  torch::Tensor h0 = torch::randn({layers * dirs, B, H});
  torch::Tensor c0 = torch::randn({layers * dirs, B, H});

  torch::Tensor x_ref = x.clone().requires_grad_(true), x_fused = x.clone().requires_grad_(true);
  torch::Tensor out_ref, h_ref, c_ref;
  auto packed = torch::nn::utils::rnn::pack_padded_sequence(x_ref, lengths, true, false);
  std::vector<torch::Tensor> ref_params;
  if (lstm) {
    torch::nn::LSTM ref(torch::nn::LSTMOptions(I, H).num_layers(layers).bidirectional(bidirectional).batch_first(true));
    copy_weights(ref, fused, layers, bidirectional);
    auto [o, hc] = ref->forward_with_packed_input(packed, std::make_tuple(h0, c0));
    out_ref = std::get<0>(torch::nn::utils::rnn::pad_packed_sequence(o, true, 0.0, T));
    h_ref = std::get<0>(hc);
    c_ref = std::get<1>(hc);
    ref_params = ref->parameters();
  } else {
    torch::nn::GRU ref(torch::nn::GRUOptions(I, H).num_layers(layers).bidirectional(bidirectional).batch_first(true));
    copy_weights(ref, fused, layers, bidirectional);
    auto [o, h] = ref->forward_with_packed_input(packed, h0);
    out_ref = std::get<0>(torch::nn::utils::rnn::pad_packed_sequence(o, true, 0.0, T));
    h_ref = h;
    ref_params = ref->parameters();
  }
  auto [out, state] = fused->forward(x_fused, {h0, lstm ? c0 : torch::Tensor()}, lengths);
  expect_close(out, out_ref, "outputs");
  expect_close(state.h, h_ref, "final h");
  if (lstm) expect_close(state.c, c_ref, "final c");

  // Same loss on both: gradients of inputs and of every weight must agree.
  torch::Tensor proj = torch::randn({dirs * H});
  auto loss = [&](const torch::Tensor& o, const torch::Tensor& h, const torch::Tensor& c) {
    torch::Tensor l = (o * proj).sum() + (h * h).sum();
    return lstm ? l + c.sum() : l;
  };
  loss(out_ref, h_ref, c_ref).backward();
  loss(out, state.h, state.c).backward();
  expect_close(x_fused.grad(), x_ref.grad(), "input gradient");
  auto fused_params = fused->parameters();
  ASSERT_EQ(fused_params.size(), ref_params.size());
  // torch orders parameters w_ih, w_hh, b_ih, b_hh per layer and direction, as the fused cells do.
  for (size_t i = 0; i < ref_params.size(); ++i) expect_close(fused_params[i].grad(), ref_params[i].grad(), "weight gradient " + std::to_string(i));
}

INSTANTIATE_TEST_SUITE_P(Cells, FusedMatchesTorch,
                         ::testing::Values(std::make_tuple(false, false, 1), std::make_tuple(false, true, 1),
                                           std::make_tuple(false, true, 2), std::make_tuple(true, false, 1),
                                           std::make_tuple(true, true, 2)));
