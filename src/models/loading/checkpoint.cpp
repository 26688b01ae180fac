#include "models/loading/checkpoint.h"

#include <stdexcept>

#include "io/safetensors.h"

namespace attnscope {

void save_parameters(const torch::nn::Module& module, const std::string& path) {
  SafetensorsWriter w;
  for (const auto& p : module.named_parameters()) {
    torch::Tensor t = p.value().detach().to(torch::kCPU, torch::kFloat).contiguous();
    std::vector<size_t> shape(t.sizes().begin(), t.sizes().end());
    w.add(p.key(), DType::F32, shape, t.data_ptr<float>(), static_cast<size_t>(t.numel()) * sizeof(float));
  }
  w.set_metadata("format", "attnscope-parameters/1");
  w.save(path);
}

void load_parameters(torch::nn::Module& module, const std::string& path) {
  SafetensorsFile file = SafetensorsFile::open(path);
  torch::NoGradGuard no_grad;
  for (auto& p : module.named_parameters()) {
    const TensorView* t = file.find(p.key());
    if (!t) throw std::runtime_error(path + ": lacks parameter '" + p.key() + "' (saved by a different model?)");
    std::vector<int64_t> shape(t->shape.begin(), t->shape.end());
    if (p.value().sizes() != torch::IntArrayRef(shape))
      throw std::runtime_error(path + ": parameter '" + p.key() + "' has shape " + torch::str(torch::IntArrayRef(shape)) +
                               ", the model expects " + torch::str(p.value().sizes()));
    std::vector<float> values = t->to_float();
    p.value().copy_(torch::from_blob(values.data(), shape, torch::kFloat).to(p.value().device()));
  }
}

}  // namespace attnscope
