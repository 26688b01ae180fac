// GRU and LSTM layers whose recurrence is one autograd node with a hand-written backward
// (backpropagation through time). libtorch's CPU RNN records ~15 autograd ops per time step,
// and their dispatch dominates small models: here a step is one matrix product plus one fused
// loop over the batch, forward and backward (bench/train_toy measures the difference).
// Same equations and gate order as torch::nn::GRU / LSTM; tests compare against them.
//
// Legend: B batch, T time, I input size, H hidden size, G gates (GRU 3, LSTM 4).
#pragma once

#include <torch/torch.h>

#include <tuple>

namespace attnscope {

struct FusedRnnLayerImpl : torch::nn::Module {
  FusedRnnLayerImpl(int64_t input_size, int64_t hidden_size, bool lstm);

  // x [B, T, I]; h0, c0 [B, H] (c0 undefined for GRU); mask [B, T] float, 1 on real steps and
  // 0 on padding (padding steps carry the state through unchanged), or undefined.
  // Returns outputs [B, T, H], final h [B, H], final c [B, H] (LSTM) or undefined.
  std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> forward(const torch::Tensor& x, const torch::Tensor& h0,
                                                                  const torch::Tensor& c0, const torch::Tensor& mask);

  bool lstm;
  int64_t hidden;
  torch::Tensor w_ih, w_hh, b_ih, b_hh;  // [G*H, I], [G*H, H], [G*H], [G*H]
};
TORCH_MODULE(FusedRnnLayer);

// A stack of layers, optionally bidirectional, over padded batches with known lengths.
struct FusedRnnImpl : torch::nn::Module {
  FusedRnnImpl(int64_t input_size, int64_t hidden_size, int64_t layers, bool bidirectional, bool lstm, double dropout);

  struct State {
    torch::Tensor h;  // [L * dirs, B, H], torch::nn::GRU's layout
    torch::Tensor c;  // LSTM only
  };
  // x [B, T, I]; lengths [B] long (undefined: every sequence is T long).
  // Returns outputs [B, T, dirs * H] (zeros on padding) and the final state.
  std::pair<torch::Tensor, State> forward(const torch::Tensor& x, const State& initial, const torch::Tensor& lengths);

  int64_t layers, hidden;
  bool bidirectional, lstm;
  double dropout;
  std::vector<FusedRnnLayer> cells;  // layer-major: l0, l0_reverse, l1, ...
};
TORCH_MODULE(FusedRnn);

}  // namespace attnscope
