// Builders shared by every Transformer architecture file (llama.cpp, bert.cpp, gpt2.cpp): affine
// maps, head splitting, masks, norms, activations. Each forward pass hands its attention to the
// AttentionRecorder its caller passed (models/recording/attention_recorder.h). Each architecture reads top to bottom as a recipe made of these.
//
// Shape legend: T = tokens, D = model width, N = heads, Dh = head width (D / N).
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

namespace attnscope {

// An affine map as Hugging Face's nn.Linear stores it: y = x W^T + b.
struct Linear {
  torch::Tensor weight;  // [out, in]
  torch::Tensor bias;    // [out], or undefined for none
  torch::Tensor operator()(const torch::Tensor& x) const { return torch::linear(x, weight, bias); }  // [T, in] -> [T, out]
};

// LayerNorm's scale and shift.
struct Norm {
  torch::Tensor weight;  // [D]
  torch::Tensor bias;    // [D]
};

class AttentionRecorder;  // models/recording/attention_recorder.h: where every forward pass records

// x [T, N * Dh] -> [N, T, Dh]
torch::Tensor split_heads(const torch::Tensor& x, int64_t heads);
// x [N, T, Dh] -> [T, N * Dh]
torch::Tensor merge_heads(const torch::Tensor& x);
// [T, T] bool: query t may attend to keys 0..t.
torch::Tensor causal_mask(int64_t T, torch::Device device);
// x [T, D] -> [T, D]: (x - mean) / sqrt(var + eps) * weight + bias (biased variance, as BERT/GPT-2).
torch::Tensor layer_norm(const torch::Tensor& x, const Norm& norm, double eps);
// GELU with erf (BERT's "gelu").
torch::Tensor gelu_erf(const torch::Tensor& x);
// GELU's tanh approximation (GPT-2's "gelu_new"): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
torch::Tensor gelu_tanh(const torch::Tensor& x);
// An activation by its Hugging Face name ("gelu", "gelu_new", "relu", "silu", ...); throws
// std::invalid_argument naming it when unknown.
torch::Tensor activation(const std::string& name, const torch::Tensor& x);
bool is_known_activation(const std::string& name);
// Moves each tensor to `device` in place (undefined tensors stay undefined).
void move_to(const std::vector<torch::Tensor*>& tensors, torch::Device device);

}  // namespace attnscope
