// Writing files so a crash or Ctrl-C never leaves a half-written one: everything goes to a
// temporary file beside the target, which is renamed over the target only once complete.
#pragma once

#include <fstream>
#include <string>
#include <string_view>

namespace attnscope {

class AtomicFile {
 public:
  explicit AtomicFile(std::string path);  // opens "<path>.tmp-<pid>" for writing; throws on failure
  ~AtomicFile();                          // removes the temporary file unless commit() ran
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::ofstream& stream() { return out_; }
  void write(std::string_view bytes);
  void commit();  // flushes, closes and renames onto the target; throws on any I/O error

 private:
  std::string path_, tmp_path_;
  std::ofstream out_;
  bool committed_ = false;
};

// Whole-file helpers.
void write_file_atomic(const std::string& path, std::string_view bytes);
std::string read_file(const std::string& path);  // throws std::runtime_error naming the path

}  // namespace attnscope
