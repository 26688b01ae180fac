// Shared by the tokenizer tests: where the real tokenizer files are, skipping when they are absent,
// and catching an error message.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>

#include <unistd.h>
#include "../test_util.h"

using attnscope::testing::error_of;

namespace attnscope::test {

inline const std::string kSharedTokenizers = std::string(ATTNSCOPE_SOURCE_DIR) + "/../shared/tokenizers";

// Skips the test (printing why) when ../shared/tokenizers/<folder> is absent.
#define SKIP_WITHOUT_SHARED_TOKENIZER(folder)                                                 \
  if (!std::filesystem::exists(attnscope::test::kSharedTokenizers + "/" + (folder))) {        \
    std::printf("skipped: ../shared not found\n");                                           \
    GTEST_SKIP() << "skipped: ../shared not found";                                           \
  }

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A fresh empty folder under the temp dir, removed by the destructor.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name)
      : path(std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace attnscope::test
