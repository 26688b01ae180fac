#include "io/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "io/atomic_file.h"
#include "io/half.h"
#include "io/json_limits.h"

namespace attnscope {

namespace {
// A header larger than this is rejected before parsing (the reference implementation uses 100 MB).
constexpr uint64_t kMaxHeaderBytes = 100u * 1000u * 1000u;

struct DTypeInfo {
  DType type;
  const char* name;
  size_t size;
};
constexpr DTypeInfo kDTypes[] = {
    {DType::F32, "F32", 4}, {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2}, {DType::F64, "F64", 8},
    {DType::I64, "I64", 8}, {DType::I32, "I32", 4}, {DType::I16, "I16", 2},   {DType::I8, "I8", 1},
    {DType::U8, "U8", 1},   {DType::BOOL, "BOOL", 1},
};
}  // namespace

std::string dtype_name(DType t) {
  for (const auto& d : kDTypes)
    if (d.type == t) return d.name;
  return "?";
}

DType dtype_from_name(const std::string& name) {
  for (const auto& d : kDTypes)
    if (name == d.name) return d.type;
  throw std::runtime_error("unsupported dtype '" + name + "'");
}

size_t dtype_size(DType t) {
  for (const auto& d : kDTypes)
    if (d.type == t) return d.size;
  return 0;
}

size_t TensorView::numel() const {
  size_t n = 1;
  for (size_t d : shape) n *= d;
  return n;
}

namespace {

// One loop per type, so each is a plain (vectorised) conversion rather than a switch per value.
template <typename T, typename F>
void convert(const uint8_t* data, size_t n, float* out, F f) {
  for (size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, data + i * sizeof(T), sizeof(T));
    out[i] = f(v);
  }
}

}  // namespace

namespace {

// A float array of n elements, zeroed, in transparent huge pages where the kernel offers them on
// request (the "madvise" setting, Debian's default): filled in 4 KiB pages, a 151 MB set takes
// 37,000 page faults, a quarter of the time to draw its figure; in 2 MiB pages, 75.
std::vector<float> float_buffer(size_t n) {
  std::vector<float> out;
  out.reserve(n);
  constexpr uintptr_t kHuge = 2u << 20;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(out.data()) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(out.data() + n)) & ~(kHuge - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);  // a hint: errors are harmless
  out.resize(n);
  return out;
}

}  // namespace

std::vector<float> TensorView::to_float() const {
  const size_t n = numel();
  std::vector<float> out = float_buffer(n);
  float* o = out.data();
  auto cast = [](auto v) { return static_cast<float>(v); };
  switch (dtype) {
    case DType::F32: if (n) std::memcpy(o, data, n * 4); break;
    case DType::F16: convert<uint16_t>(data, n, o, f16_to_float); break;
    case DType::BF16: convert<uint16_t>(data, n, o, bf16_to_float); break;
    case DType::F64: convert<double>(data, n, o, cast); break;
    case DType::I64: convert<int64_t>(data, n, o, cast); break;
    case DType::I32: convert<int32_t>(data, n, o, cast); break;
    case DType::I16: convert<int16_t>(data, n, o, cast); break;
    case DType::I8: convert<int8_t>(data, n, o, cast); break;
    case DType::U8: case DType::BOOL: convert<uint8_t>(data, n, o, cast); break;
  }
  return out;
}

struct SafetensorsFile::Mapping {
  void* addr = nullptr;
  size_t size = 0;
  ~Mapping() {
    if (addr && size) ::munmap(addr, size);
  }
};

SafetensorsFile SafetensorsFile::open(const std::string& path) {
  auto fail = [&](const std::string& why) -> std::runtime_error {
    return std::runtime_error(path + ": not a valid safetensors file: " + why);
  };
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw std::runtime_error("cannot read " + path + ": not a regular file");
  }
  SafetensorsFile file;
  file.mapping_ = std::make_shared<Mapping>();
  const size_t size = static_cast<size_t>(st.st_size);
  if (size > 0) {
    void* addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (addr == MAP_FAILED) {
      ::close(fd);
      throw std::runtime_error("cannot map " + path + ": " + std::strerror(errno));
    }
    file.mapping_->addr = addr;
    file.mapping_->size = size;
  }
  ::close(fd);
  if (size < 8) throw fail("file is " + std::to_string(size) + " bytes, shorter than the 8-byte header length");
  const auto* bytes = static_cast<const uint8_t*>(file.mapping_->addr);
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | bytes[i];
  if (header_len > kMaxHeaderBytes) throw fail("header length " + std::to_string(header_len) + " exceeds the limit");
  if (header_len > size - 8)
    throw fail("header length " + std::to_string(header_len) + " runs past the end of the " +
               std::to_string(size) + "-byte file");

  const std::string_view header_text(reinterpret_cast<const char*>(bytes + 8), static_cast<size_t>(header_len));
  check_json_depth(header_text, path + ": safetensors header");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(header_text);
  } catch (const std::exception& e) {
    throw fail(std::string("header is not JSON (") + e.what() + ")");
  }
  if (!header.is_object()) throw fail("header is not a JSON object");

  const uint8_t* data = bytes + 8 + header_len;
  const size_t data_size = size - 8 - header_len;
  std::vector<std::pair<size_t, size_t>> ranges;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const nlohmann::json& v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object()) throw fail("__metadata__ is not an object");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string()) throw fail("__metadata__ value '" + m.key() + "' is not a string");
        file.metadata_[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets"))
      throw fail("tensor '" + name + "' lacks dtype, shape or data_offsets");
    TensorView t;
    t.name = name;
    try {
      t.dtype = dtype_from_name(v["dtype"].get<std::string>());
    } catch (const std::exception& e) {
      throw fail("tensor '" + name + "': " + e.what());
    }
    const auto& shape = v["shape"];
    const auto& offs = v["data_offsets"];
    if (!shape.is_array()) throw fail("tensor '" + name + "': shape is not an array");
    if (!offs.is_array() || offs.size() != 2 || !offs[0].is_number_unsigned() || !offs[1].is_number_unsigned())
      throw fail("tensor '" + name + "': data_offsets is not [begin, end]");
    size_t numel = 1;
    for (const auto& d : shape) {
      if (!d.is_number_unsigned()) throw fail("tensor '" + name + "': shape holds a non-integer");
      const size_t dim = d.get<size_t>();
      if (dim != 0 && numel > (SIZE_MAX / 16) / dim) throw fail("tensor '" + name + "': shape overflows");
      numel *= dim;
      t.shape.push_back(dim);
    }
    const size_t begin = offs[0].get<size_t>(), end = offs[1].get<size_t>();
    if (begin > end || end > data_size)
      throw fail("tensor '" + name + "': data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                 "] outside the " + std::to_string(data_size) + "-byte data buffer");
    if (end - begin != numel * dtype_size(t.dtype))
      throw fail("tensor '" + name + "': " + std::to_string(end - begin) + " bytes for " + std::to_string(numel) +
                 " elements of " + dtype_name(t.dtype));
    t.data = data + begin;
    t.nbytes = end - begin;
    ranges.emplace_back(begin, end);
    file.tensors_.push_back(std::move(t));
  }
  // The tensors must tile the data buffer exactly: no gaps, no overlaps.
  std::sort(ranges.begin(), ranges.end());
  size_t expect = 0;
  for (const auto& [b, e] : ranges) {
    if (b != expect) throw fail("tensor data is not contiguous at byte " + std::to_string(b));
    expect = e;
  }
  if (expect != data_size) throw fail("data buffer holds " + std::to_string(data_size - expect) + " unused trailing bytes");
  std::sort(file.tensors_.begin(), file.tensors_.end(),
            [](const TensorView& a, const TensorView& b) { return a.data < b.data; });
  for (size_t i = 0; i < file.tensors_.size(); ++i) file.by_name_.emplace(file.tensors_[i].name, i);
  return file;
}

const TensorView* SafetensorsFile::find(const std::string& name) const {
  const auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &tensors_[it->second];
}

const TensorView& SafetensorsFile::at(const std::string& name) const {
  const TensorView* t = find(name);
  if (!t) throw std::runtime_error("tensor '" + name + "' not found");
  return *t;
}

void SafetensorsWriter::add(const std::string& name, DType dtype, std::vector<size_t> shape, const void* data,
                            size_t nbytes) {
  if (name == "__metadata__") throw std::invalid_argument("'__metadata__' is reserved");
  size_t numel = 1;
  for (size_t d : shape) numel *= d;
  if (numel * dtype_size(dtype) != nbytes)
    throw std::invalid_argument("tensor '" + name + "': " + std::to_string(nbytes) + " bytes for " +
                                std::to_string(numel) + " elements of " + dtype_name(dtype));
  for (const auto& e : entries_)
    if (e.name == name) throw std::invalid_argument("tensor '" + name + "' added twice");
  entries_.push_back({name, dtype, std::move(shape), std::string(static_cast<const char*>(data), nbytes), nbytes, false});
}

void SafetensorsWriter::declare(const std::string& name, DType dtype, std::vector<size_t> shape) {
  if (name == "__metadata__") throw std::invalid_argument("'__metadata__' is reserved");
  size_t numel = 1;
  for (size_t d : shape) numel *= d;
  for (const auto& e : entries_)
    if (e.name == name) throw std::invalid_argument("tensor '" + name + "' added twice");
  entries_.push_back({name, dtype, std::move(shape), std::string(), numel * dtype_size(dtype), true});
}

void SafetensorsWriter::add_f32(const std::string& name, std::vector<size_t> shape, const std::vector<float>& values) {
  add_f32(name, std::move(shape), values.data(), values.size());
}

void SafetensorsWriter::add_f32(const std::string& name, std::vector<size_t> shape, const float* values, size_t count) {
  add(name, DType::F32, std::move(shape), values, count * sizeof(float));
}

std::string SafetensorsWriter::header() const {
  nlohmann::json header = nlohmann::json::object();
  size_t offset = 0;
  for (const auto& e : entries_) {
    header[e.name] = {{"dtype", dtype_name(e.dtype)}, {"shape", e.shape}, {"data_offsets", {offset, offset + e.nbytes}}};
    offset += e.nbytes;
  }
  if (!metadata_.empty()) header["__metadata__"] = metadata_;
  std::string h = header.dump();
  while ((8 + h.size()) % 8 != 0) h.push_back(' ');  // keep the data buffer 8-byte aligned
  std::string out;
  uint64_t n = h.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  return out + h;
}

std::string SafetensorsWriter::serialize() const {
  size_t total = 0;
  for (const auto& e : entries_) {
    if (e.declared) throw std::logic_error("tensor '" + e.name + "' is declared only; write its bytes after header()");
    total += e.nbytes;
  }
  std::string out = header();
  out.reserve(out.size() + total);
  for (const auto& e : entries_) out += e.bytes;
  return out;
}

void SafetensorsWriter::save(const std::string& path) const { write_file_atomic(path, serialize()); }

}  // namespace attnscope
