#include "models/loading/hf_folder.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include "io/json_limits.h"

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
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  try {
    check_json_depth(text, "config.json");
  } catch (const std::runtime_error&) {
    return true;  // open() names the problem
  }
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
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
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  check_json_depth(text, f.config_path());
  try {
    f.config_ = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    throw std::runtime_error(f.config_path() + ": not valid JSON (" + std::string(e.what()) + ")");
  }
  if (!f.config_.is_object()) f.config_error("not a JSON object");
  if (!f.config_.contains("model_type") || !f.config_["model_type"].is_string())
    f.config_error("no \"model_type\" string, so the architecture is unknown");
  f.model_type_ = f.config_["model_type"].get<std::string>();
  f.sharded_ = !fs::exists(f.dir_ + "/model.safetensors", ec) && fs::exists(f.dir_ + "/model.safetensors.index.json", ec);
  if (f.sharded_) {
    f.open_shards();
  } else {
    if (!fs::exists(f.weights_path(), ec)) throw std::runtime_error(missing_weights_message(f.dir_));
    f.files_.emplace_back("model.safetensors", SafetensorsFile::open(f.weights_path()));
  }
  return f;
}

// model.safetensors.index.json: {"metadata": {...}, "weight_map": {"tensor name": "shard file", ...}}.
// Every shard is mapped once; a tensor the index places in a shard must be in it.
void HfFolder::open_shards() {
  const std::string index_path = weights_path();
  std::ifstream in(index_path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  check_json_depth(text, index_path);
  nlohmann::json index = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (index.is_discarded() || !index.is_object()) throw std::runtime_error(index_path + ": not valid JSON");
  auto map = index.find("weight_map");
  if (map == index.end() || !map->is_object() || map->empty())
    throw std::runtime_error(index_path + ": no \"weight_map\" object naming the shard of each tensor");
  std::map<std::string, size_t> file_index;
  for (const auto& [tensor, file] : map->items()) {
    if (!file.is_string()) throw std::runtime_error(index_path + ": the shard of '" + tensor + "' is not a file name");
    const std::string name = file.get<std::string>();
    // A shard is a file beside the index, never a path elsewhere.
    if (name.empty() || name.find('/') != std::string::npos || name.find('\\') != std::string::npos || name == "." || name == "..")
      throw std::runtime_error(index_path + ": shard '" + name + "' of '" + tensor + "' is not a file name in " + dir_);
    auto [it, added] = file_index.emplace(name, files_.size());
    if (added) {
      const std::string path = dir_ + "/" + name;
      std::error_code ec;
      if (!fs::exists(path, ec))
        throw std::runtime_error(index_path + " names shard " + name + " (for '" + tensor + "'), which is missing");
      files_.emplace_back(name, SafetensorsFile::open(path));
    }
    if (!files_[it->second].second.find(tensor))
      throw std::runtime_error(index_path + " places '" + tensor + "' in " + name + ", which does not hold it");
    shard_of_[tensor] = it->second;
  }
}

const TensorView* HfFolder::find(const std::string& name, std::string* file) const {
  size_t i = 0;
  if (sharded_) {
    auto it = shard_of_.find(name);
    if (it == shard_of_.end()) return nullptr;
    i = it->second;
  }
  const TensorView* t = files_[i].second.find(name);
  if (t && file) *file = dir_ + "/" + files_[i].first;
  return t;
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

int HfFolder::config_token_id(const std::string& key, int fallback) const {
  auto it = config_.find(key);
  if (it == config_.end() || it->is_null()) return fallback;
  const nlohmann::json& v = it->is_array() && !it->empty() ? (*it)[0] : *it;
  if (!v.is_number_integer() || v.get<int64_t>() < -1 || v.get<int64_t>() > (1 << 30))
    config_error("\"" + key + "\" is not a token id: " + it->dump());
  return static_cast<int>(v.get<int64_t>());
}

torch::Tensor HfFolder::tensor(const std::string& name, const std::vector<int64_t>& shape) const {
  std::string file = weights_path();
  const TensorView* t = find(name, &file);
  const std::string at = file + ": tensor '" + name + "'";
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
