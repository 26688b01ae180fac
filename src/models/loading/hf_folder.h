// A Hugging Face model folder as `save_pretrained` writes it: config.json + model.safetensors, or
// a sharded checkpoint (model.safetensors.index.json naming model-0000N-of-0000M.safetensors).
// Every architecture reader (bert_reader, gpt2_reader, hf_llama_reader) takes its config values
// and float32 weights from here, so every error is one line naming the file and the key or tensor.
#pragma once

#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "io/safetensors.h"

namespace attnscope {

class HfFolder {
 public:
  // Reads DIR/config.json and maps DIR/model.safetensors, or every shard the index names
  // (validated). Throws std::runtime_error naming the file: missing or unparsable config.json, no
  // model_type, missing weights file, an index that is not JSON or names a missing shard.
  static HfFolder open(const std::string& dir);
  // True when DIR looks like a Hugging Face folder (config.json with model_type or architectures,
  // or a model.safetensors); looks at the files only, loads nothing heavy.
  static bool looks_like(const std::string& dir);

  const std::string& dir() const { return dir_; }
  const std::string& model_type() const { return model_type_; }  // config.json "model_type"
  std::string architecture() const;  // first of config.json "architectures", or ""
  const nlohmann::json& config() const { return config_; }
  std::string config_path() const { return dir_ + "/config.json"; }
  // model.safetensors, or the index of a sharded checkpoint.
  std::string weights_path() const { return dir_ + (sharded_ ? "/model.safetensors.index.json" : "/model.safetensors"); }

  // config.json values; the one-argument forms throw when the key is missing.
  int64_t config_int(const std::string& key) const;
  int64_t config_int(const std::string& key, int64_t fallback) const;
  double config_float(const std::string& key, double fallback) const;
  bool config_bool(const std::string& key, bool fallback) const;
  std::string config_string(const std::string& key, const std::string& fallback) const;
  // A token id, which Llama 3 configs give as a list (eos_token_id: [128001, 128009]): the first.
  int config_token_id(const std::string& key, int fallback) const;
  // Throws "DIR/config.json: WHY" (for values a reader checks itself).
  [[noreturn]] void config_error(const std::string& why) const;

  bool has(const std::string& name) const { return find(name) != nullptr; }
  // Tensor `name` as float32 of exactly `shape` (a copy, CPU). F32, F16 and BF16 are read;
  // throws naming the file and tensor when it is missing, another dtype, or another shape.
  torch::Tensor tensor(const std::string& name, const std::vector<int64_t>& shape) const;
  // The first of `names` present (checkpoints spell some tensors more than one way).
  torch::Tensor tensor_any(const std::vector<std::string>& names, const std::vector<int64_t>& shape) const;

 private:
  // The tensor and the file holding it (nullptr when absent).
  const TensorView* find(const std::string& name, std::string* file = nullptr) const;
  void open_shards();

  std::string dir_, model_type_;
  nlohmann::json config_;
  bool sharded_ = false;
  std::vector<std::pair<std::string, SafetensorsFile>> files_;  // file name, mapping
  std::map<std::string, size_t> shard_of_;                      // sharded: tensor -> index into files_
};

}  // namespace attnscope
