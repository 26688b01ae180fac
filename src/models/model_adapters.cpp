// Helpers the two Model families share (model_adapters.h).
#include "models/model_adapters.h"

#include <algorithm>
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

void keep_selected(AttentionRun& run, const std::vector<int>& layers, const std::vector<int>& heads) {
  if (layers.empty() && heads.empty()) return;
  int most_layers = 0;
  size_t most_heads = 0;
  for (const auto& b : run.blocks) {
    most_layers = std::max(most_layers, b.layer + 1);
    most_heads = std::max(most_heads, b.heads);
  }
  for (int l : layers)
    if (l < 0 || l >= most_layers)
      throw std::invalid_argument("layer " + std::to_string(l) + " does not exist (the model has " + std::to_string(most_layers) +
                                  ": 0.." + std::to_string(most_layers - 1) + ")");
  for (int h : heads)
    if (h < 0 || static_cast<size_t>(h) >= most_heads)
      throw std::invalid_argument("head " + std::to_string(h) + " does not exist (the model has " + std::to_string(most_heads) +
                                  ": 0.." + std::to_string(most_heads - 1) + ")");
  std::vector<AttentionBlock> kept;
  for (auto& b : run.blocks) {
    if (!layers.empty() && std::find(layers.begin(), layers.end(), b.layer) == layers.end()) continue;
    if (!heads.empty()) {
      std::vector<float> w;
      for (int h : heads) {
        const float* from = b.data() + static_cast<size_t>(h) * b.queries * b.keys;
        w.insert(w.end(), from, from + b.queries * b.keys);
      }
      b.weights = std::move(w);
      b.heads = heads.size();
    }
    kept.push_back(std::move(b));
  }
  run.blocks = std::move(kept);
  // Extras (scores, context) belong to the heads as recorded; a selection drops them.
  if (!heads.empty()) run.extras.clear();
  auto join = [](const std::vector<int>& v) {
    std::string s;
    for (int i : v) s += (s.empty() ? "" : ",") + std::to_string(i);
    return s;
  };
  if (!layers.empty()) run.info["layers"] = join(layers);
  if (!heads.empty()) run.info["heads"] = join(heads);
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
