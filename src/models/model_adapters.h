// The two families behind the Model interface (internal to models/; torch-free): attnscope's
// trained seq2seq models and pretrained Transformers. Helpers every adapter shares live here too.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/model.h"

namespace attnscope {

std::unique_ptr<Model> load_trained_model(const std::string& dir, const std::string& device);
std::unique_ptr<Model> load_pretrained_model(const std::string& path, const std::string& device);

// The folder's (or file's) name, as the viewer lists it: "tests/fixtures/tiny-bert/" -> "tiny-bert".
std::string model_name_of(const std::string& path);

// Throws std::invalid_argument naming the first of `wanted` that is not below `count`
// ("layer 7 does not exist (the model has 2: 0..1)"); `what` is "layer" or "head".
void check_indices(const std::vector<int>& wanted, int count, const char* what);

// "3,5,8": positions and indices as run info and messages print them.
template <typename T>
std::string join_indices(const std::vector<T>& v) {
  std::string s;
  for (const T& i : v) s += (s.empty() ? "" : ",") + std::to_string(i);
  return s;
}

// Throws std::invalid_argument unless every position is one of `count` input tokens that may be
// masked (`last_is_end`: the final token is </s>, which cannot be).
void check_mask_positions(const std::vector<size_t>& positions, size_t count, bool last_is_end);

}  // namespace attnscope
