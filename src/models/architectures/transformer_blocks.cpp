#include "models/architectures/transformer_blocks.h"

#include <cmath>
#include <stdexcept>

namespace attnscope {

torch::Tensor split_heads(const torch::Tensor& x, int64_t heads) {
  return x.view({x.size(0), heads, -1}).transpose(0, 1);
}

torch::Tensor merge_heads(const torch::Tensor& x) { return x.transpose(0, 1).reshape({x.size(1), -1}); }

torch::Tensor causal_mask(int64_t T, torch::Device device) {
  return torch::ones({T, T}, torch::TensorOptions(torch::kBool).device(device)).tril();
}

torch::Tensor layer_norm(const torch::Tensor& x, const Norm& norm, double eps) {
  return torch::layer_norm(x, {x.size(-1)}, norm.weight, norm.bias, eps);
}

void move_to(const std::vector<torch::Tensor*>& tensors, torch::Device device) {
  for (torch::Tensor* t : tensors)
    if (t->defined()) *t = t->to(device);
}

torch::Tensor gelu_erf(const torch::Tensor& x) { return torch::gelu(x); }

torch::Tensor gelu_tanh(const torch::Tensor& x) {
  const double k = std::sqrt(2.0 / M_PI);
  return 0.5 * x * (1.0 + torch::tanh(k * (x + 0.044715 * x.pow(3))));
}

bool is_known_activation(const std::string& name) {
  for (const char* n : {"gelu", "gelu_new", "gelu_pytorch_tanh", "relu", "silu", "swish"})
    if (name == n) return true;
  return false;
}

torch::Tensor activation(const std::string& name, const torch::Tensor& x) {
  if (name == "gelu") return gelu_erf(x);
  if (name == "gelu_new" || name == "gelu_pytorch_tanh") return gelu_tanh(x);
  if (name == "relu") return torch::relu(x);
  if (name == "silu" || name == "swish") return torch::silu(x);
  throw std::invalid_argument("unknown activation '" + name + "' (known: gelu, gelu_new, gelu_pytorch_tanh, relu, silu)");
}

}  // namespace attnscope
