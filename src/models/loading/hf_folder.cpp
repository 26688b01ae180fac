#include "models/loading/hf_folder.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace attnscope {

namespace fs = std::filesystem;

namespace {

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// The folder's weights, with a message that says what else is there when it is absent.
std::string missing_weights_message(const fs::path& dir) {
  std::error_code ec;
  std::string msg = (dir / "model.safetensors").string() + ": no such file";
  if (fs::exists(dir / "model.safetensors.index.json", ec))
    return msg + " (sharded checkpoints, model.safetensors.index.json, are not read yet)";
  if (fs::exists(dir / "pytorch_model.bin", ec))
    return msg + " (pytorch_model.bin is a pickle and is not read; convert it to safetensors)";
  return msg;
}

}  // namespace

bool HfFolder::looks_like(const std::string& dir) {
  std::error_code ec;
  const fs::path p(dir);
  if (!fs::is_directory(p, ec)) return false;
  std::ifstream in(p / "config.json");
  // attnscope's own trained models also hold config.json + model.safetensors; theirs names no
  // model_type. Without config.json, a model.safetensors is taken as a HF folder missing it.
  if (!in) return fs::exists(p / "model.safetensors", ec);
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  return j.is_object() && (j.contains("model_type") || j.contains("architectures"));
}

HfFolder HfFolder::open(const std::string& dir_in) {
  HfFolder f;
  f.dir_ = dir_in;
  while (f.dir_.size() > 1 && f.dir_.back() == '/') f.dir_.pop_back();
  std::error_code ec;
  if (!fs::is_directory(f.dir_, ec)) throw std::runtime_error(f.dir_ + ": no such model folder");
  std::ifstream in(f.config_path());
  if (!in) throw std::runtime_error(f.config_path() + " is missing (a Hugging Face model folder needs it beside model.safetensors)");
  try {
    f.config_ = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw std::runtime_error(f.config_path() + ": not valid JSON (" + std::string(e.what()) + ")");
  }
  if (!f.config_.is_object()) f.config_error("not a JSON object");
  if (!f.config_.contains("model_type") || !f.config_["model_type"].is_string())
    f.config_error("no \"model_type\" string, so the architecture is unknown");
  f.model_type_ = f.config_["model_type"].get<std::string>();
  if (!fs::exists(f.weights_path(), ec)) throw std::runtime_error(missing_weights_message(f.dir_));
  f.weights_ = SafetensorsFile::open(f.weights_path());
  return f;
}

std::string HfFolder::architecture() const {
  auto it = config_.find("architectures");
  if (it != config_.end() && it->is_array() && !it->empty() && (*it)[0].is_string()) return (*it)[0].get<std::string>();
  return "";
}

void HfFolder::config_error(const std::string& why) const { throw std::runtime_error(config_path() + ": " + why); }

int64_t HfFolder::config_int(const std::string& key) const {
  auto it = config_.find(key);
  if (it == config_.end() || it->is_null()) config_error("\"" + key + "\" is missing");
  if (!it->is_number_integer()) config_error("\"" + key + "\" is not an integer: " + it->dump());
  return it->get<int64_t>();
}

int64_t HfFolder::config_int(const std::string& key, int64_t fallback) const {
  auto it = config_.find(key);
  return it == config_.end() || it->is_null() ? fallback : config_int(key);
}

double HfFolder::config_float(const std::string& key, double fallback) const {
  auto it = config_.find(key);
  if (it == config_.end() || it->is_null()) return fallback;
  if (!it->is_number()) config_error("\"" + key + "\" is not a number: " + it->dump());
  return it->get<double>();
}

bool HfFolder::config_bool(const std::string& key, bool fallback) const {
  auto it = config_.find(key);
  if (it == config_.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) config_error("\"" + key + "\" is not true or false: " + it->dump());
  return it->get<bool>();
}

std::string HfFolder::config_string(const std::string& key, const std::string& fallback) const {
  auto it = config_.find(key);
  if (it == config_.end() || it->is_null()) return fallback;
  if (!it->is_string()) config_error("\"" + key + "\" is not a string: " + it->dump());
  return it->get<std::string>();
}

torch::Tensor HfFolder::tensor(const std::string& name, const std::vector<int64_t>& shape) const {
  const TensorView* t = weights_.find(name);
  const std::string at = weights_path() + ": tensor '" + name + "'";
  if (!t) throw std::runtime_error(at + " is missing");
  std::vector<int64_t> got(t->shape.begin(), t->shape.end());
  if (got != shape) throw std::runtime_error(at + " has shape " + shape_string(got) + ", config.json implies " + shape_string(shape));
  torch::ScalarType stored;
  switch (t->dtype) {
    case DType::F32: stored = torch::kFloat; break;
    case DType::F16: stored = torch::kHalf; break;
    case DType::BF16: stored = torch::kBFloat16; break;
    default: throw std::runtime_error(at + " has dtype " + dtype_name(t->dtype) + "; weights must be F32, F16 or BF16");
  }
  // Copy out of the mapping first: tensor data in a safetensors file need not be aligned.
  torch::Tensor raw = torch::empty(shape, stored);
  std::memcpy(raw.data_ptr(), t->data, t->nbytes);
  return raw.to(torch::kFloat);
}

torch::Tensor HfFolder::tensor_any(const std::vector<std::string>& names, const std::vector<int64_t>& shape) const {
  for (const auto& n : names)
    if (has(n)) return tensor(n, shape);
  return tensor(names.front(), shape);  // throws "missing", naming the usual spelling
}

}  // namespace attnscope
