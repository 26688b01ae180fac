// Helpers the two Model families share (model_adapters.h).
#include "models/model_adapters.h"

#include <filesystem>
#include <stdexcept>

namespace attnscope {

namespace fs = std::filesystem;

std::string model_name_of(const std::string& path) {
  const fs::path p = fs::path(path).lexically_normal();
  std::string name = p.filename().string();
  if (name.empty()) name = p.parent_path().filename().string();
  return name;
}

void check_indices(const std::vector<int>& wanted, int count, const char* what) {
  for (int i : wanted)
    if (i < 0 || i >= count)
      throw std::invalid_argument(std::string(what) + " " + std::to_string(i) + " does not exist (the model has " +
                                  std::to_string(count) + ": 0.." + std::to_string(count - 1) + ")");
}

void check_mask_positions(const std::vector<size_t>& positions, size_t count, bool last_is_end) {
  const size_t maskable = last_is_end && count > 0 ? count - 1 : count;
  for (size_t p : positions)
    if (p >= maskable)
      throw std::invalid_argument("mask position " + std::to_string(p) + " is outside the input's " + std::to_string(maskable) +
                                  " maskable tokens (0.." + std::to_string(maskable == 0 ? 0 : maskable - 1) + ")" +
                                  (last_is_end ? "; </s> cannot be masked" : ""));
}

}  // namespace attnscope
