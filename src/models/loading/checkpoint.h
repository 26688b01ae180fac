// Module parameters <-> safetensors files (one F32 tensor per named parameter).
#pragma once

#include <torch/torch.h>

#include <string>

namespace attnscope {

void save_parameters(const torch::nn::Module& module, const std::string& path);  // atomic
// Copies every parameter from the file; throws naming a missing tensor or a shape mismatch.
void load_parameters(torch::nn::Module& module, const std::string& path);

}  // namespace attnscope
