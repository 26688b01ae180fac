// Helpers shared by the pretrained-model tests: fixture paths, reference tensors, comparisons,
// scratch folders.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <string>
#include <unistd.h>
#include <vector>

#include "io/safetensors.h"
#include "../test_util.h"

using attnscope::testing::error_of;
using attnscope::testing::ScratchDir;

namespace attnscope::testing {

inline const std::string kSourceDir = ATTNSCOPE_SOURCE_DIR;
inline std::string fixture(const std::string& name) { return kSourceDir + "/tests/fixtures/" + name; }

// reference.safetensors of a tiny-* fixture (written by tools/reference_models.py).
struct Reference {
  SafetensorsFile file;
  explicit Reference(const std::string& folder) : file(SafetensorsFile::open(folder + "/reference.safetensors")) {}
  std::vector<float> floats(const std::string& name) const { return file.at(name).to_float(); }
  std::vector<int> ints(const std::string& name) const {
    std::vector<int> out;
    for (float f : file.at(name).to_float()) out.push_back(static_cast<int>(f));
    return out;
  }
};

inline double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double m = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) m = std::max(m, std::abs(double(a[i]) - double(b[i])));
  return m;
}

}  // namespace attnscope::testing
