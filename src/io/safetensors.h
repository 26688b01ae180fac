// The safetensors container: an 8-byte little-endian header length N, N bytes of JSON
// ({"name": {"dtype", "shape", "data_offsets": [begin, end]}, ..., "__metadata__": {str: str}}),
// then one contiguous byte buffer that the tensors tile exactly.
// Reading memory-maps the file; every field of the header is validated before use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace attnscope {

enum class DType { F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL };

std::string dtype_name(DType t);           // safetensors spelling: "F32", "BF16", ...
DType dtype_from_name(const std::string&);  // throws on unknown names
size_t dtype_size(DType t);

struct TensorView {
  std::string name;
  DType dtype = DType::F32;
  std::vector<size_t> shape;
  const uint8_t* data = nullptr;  // points into the mapped file
  size_t nbytes = 0;

  size_t numel() const;
  std::vector<float> to_float() const;  // converts F32/F16/BF16/F64 (and integers) to float32
};

class SafetensorsFile {
 public:
  // Maps and validates the file; throws std::runtime_error naming the path and the problem.
  static SafetensorsFile open(const std::string& path);

  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const std::vector<TensorView>& tensors() const { return tensors_; }  // in file order
  const TensorView* find(const std::string& name) const;                // nullptr if absent
  const TensorView& at(const std::string& name) const;                  // throws if absent

 private:
  struct Mapping;
  std::shared_ptr<Mapping> mapping_;
  std::map<std::string, std::string> metadata_;
  std::vector<TensorView> tensors_;
  std::map<std::string, size_t> by_name_;  // name -> index in tensors_: a file may hold 10^5 blocks
};

// Collects tensors and metadata, then writes the file atomically.
class SafetensorsWriter {
 public:
  void add(const std::string& name, DType dtype, std::vector<size_t> shape, const void* data, size_t nbytes);
  void add_f32(const std::string& name, std::vector<size_t> shape, const std::vector<float>& values);
  void add_f32(const std::string& name, std::vector<size_t> shape, const float* values, size_t count);
  // A tensor whose bytes the caller writes itself, after header(), in the order of the entries.
  void declare(const std::string& name, DType dtype, std::vector<size_t> shape);
  void set_metadata(const std::string& key, const std::string& value) { metadata_[key] = value; }

  std::string header() const;              // the 8-byte length and the JSON header, padded
  std::string serialize() const;           // the complete file as bytes (nothing declared only)
  void save(const std::string& path) const;  // temp file, then rename

 private:
  struct Entry {
    std::string name;
    DType dtype;
    std::vector<size_t> shape;
    std::string bytes;
    size_t nbytes = 0;  // bytes.size(), or what the caller writes for a declared tensor
    bool declared = false;
  };
  std::vector<Entry> entries_;
  std::map<std::string, std::string> metadata_;
};

}  // namespace attnscope
