#include "io/npy.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <map>
#include <stdexcept>

#include "core/parse_number.h"
#include "io/atomic_file.h"
#include "io/half.h"
#include "core/utf8.h"

namespace attnscope {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
// A header is a dict holding a tuple (or, for structured dtypes, lists of tuples): 3 or 4 levels.
// The parser recurses once per level, so a hostile header nesting 100,000 levels must be refused.
constexpr size_t kMaxHeaderDepth = 32;
// Bytes per element ('<U9' is 36): beyond this a dtype is refused by its text, before any size
// is computed from it.
constexpr size_t kMaxTextItemsize = size_t{1} << 30;

// The values a .npy header may hold: a tiny subset of Python literals.
struct Literal {
  enum Type { Str, Bool, Int, None, Seq, Dict } type = None;
  std::string str;
  bool boolean = false;
  long long integer = 0;
  std::vector<Literal> items;                // Seq (tuple or list)
  std::map<std::string, Literal> fields;     // Dict
  bool is_list = false;                      // Seq: [..] rather than (..)
};

class LiteralParser {
 public:
  LiteralParser(std::string_view text, const std::string& name) : s_(text), name_(name) {}

  Literal parse_all() {
    Literal v = value();
    skip_space();
    if (pos_ != s_.size()) fail("unexpected '" + std::string(1, s_[pos_]) + "'");
    return v;
  }

 private:
  std::string_view s_;
  const std::string& name_;
  size_t pos_ = 0;
  size_t depth_ = 0;  // open tuples, lists and dicts

  [[noreturn]] void fail(const std::string& why) const {
    throw std::runtime_error(name_ + ": bad .npy header at character " + std::to_string(pos_) + ": " + why);
  }
  void skip_space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool eat(char c) {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool word(std::string_view w) {
    if (s_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }

  Literal value() {
    skip_space();
    if (pos_ >= s_.size()) fail("header ends early");
    Literal v;
    const char c = s_[pos_];
    if (c == '\'' || c == '"') {
      v.type = Literal::Str;
      ++pos_;
      while (pos_ < s_.size() && s_[pos_] != c) {
        if (s_[pos_] == '\\') fail("escapes in strings are not supported");
        v.str += s_[pos_++];
      }
      if (pos_ >= s_.size()) fail("unterminated string");
      ++pos_;
    } else if (word("True")) {
      v.type = Literal::Bool;
      v.boolean = true;
    } else if (word("False")) {
      v.type = Literal::Bool;
    } else if (word("None")) {
      v.type = Literal::None;
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '-') {
      v.type = Literal::Int;
      size_t start = pos_++;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      if (pos_ < s_.size() && s_[pos_] == 'L') ++pos_;  // Python 2 long suffix
      try {
        v.integer = std::stoll(std::string(s_.substr(start, pos_ - start)));
      } catch (const std::exception&) {
        fail("bad integer");
      }
    } else if (c == '(' || c == '[' || c == '{') {
      if (++depth_ > kMaxHeaderDepth) fail("nests deeper than " + std::to_string(kMaxHeaderDepth) + " levels");
      container(v, c);
      --depth_;
    } else {
      fail("unexpected '" + std::string(1, c) + "'");
    }
    return v;
  }

  // A tuple, list or dict opening with `c` at pos_.
  void container(Literal& v, char c) {
    if (c == '(' || c == '[') {
      v.type = Literal::Seq;
      v.is_list = c == '[';
      const char close = c == '(' ? ')' : ']';
      ++pos_;
      while (!eat(close)) {
        v.items.push_back(value());
        if (!eat(',')) {
          if (!eat(close)) fail("expected ',' or '" + std::string(1, close) + "'");
          break;
        }
      }
    } else {
      v.type = Literal::Dict;
      ++pos_;
      while (!eat('}')) {
        Literal key = value();
        if (key.type != Literal::Str) fail("dictionary key is not a string");
        if (!eat(':')) fail("expected ':'");
        v.fields[key.str] = value();
        if (!eat(',')) {
          if (!eat('}')) fail("expected ',' or '}'");
          break;
        }
      }
    }
  }
};

// What the 'descr' string says about each element.
struct ElementType {
  char kind = 'f';      // f float, i signed, u unsigned, b bool, U UTF-32 text, S byte text
  size_t itemsize = 4;  // bytes per element
};

ElementType parse_descr(const Literal& descr, const std::string& name) {
  if (descr.type == Literal::Seq)
    throw std::runtime_error(name + ": structured dtype (a list of fields) is not supported; save a plain numeric array");
  if (descr.type != Literal::Str) throw std::runtime_error(name + ": 'descr' in the .npy header is not a string");
  const std::string& d = descr.str;
  if (d.size() < 2) throw std::runtime_error(name + ": unknown dtype '" + d + "'");
  const char order = d[0];
  ElementType t;
  t.kind = d[1];
  const std::string digits = d.substr(2);
  if (order != '<' && order != '>' && order != '|' && order != '=')
    throw std::runtime_error(name + ": unknown dtype '" + d + "'");
  if (t.kind == 'O') throw std::runtime_error(name + ": object arrays ('" + d + "') are not supported; save a numeric array");
  if (t.kind == 'c') throw std::runtime_error(name + ": complex dtype '" + d + "' is not supported");
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
    throw std::runtime_error(name + ": unsupported dtype '" + d + "'");
  // Digits past 32 bits are refused as they are read, so '<U' times four cannot wrap.
  const std::optional<uint32_t> items = parse_number<uint32_t>(digits);
  if (!items || uint64_t{*items} * (t.kind == 'U' ? 4 : 1) > kMaxTextItemsize)
    throw std::runtime_error(name + ": dtype '" + d + "' declares an item size over " + std::to_string(kMaxTextItemsize) +
                             " bytes");
  t.itemsize = *items;
  if (t.kind == 'U') t.itemsize *= 4;  // '<U5': five UTF-32 code units
  if (t.itemsize == 0) throw std::runtime_error(name + ": dtype '" + d + "' has items of zero bytes");
  bool ok = false;
  switch (t.kind) {
    case 'f': ok = t.itemsize == 2 || t.itemsize == 4 || t.itemsize == 8; break;
    case 'i': case 'u': ok = t.itemsize == 1 || t.itemsize == 2 || t.itemsize == 4 || t.itemsize == 8; break;
    case 'b': ok = t.itemsize == 1; break;
    case 'U': case 'S': ok = true; break;
    default: ok = false;
  }
  if (!ok) throw std::runtime_error(name + ": unsupported dtype '" + d + "' (expected float, integer, bool or text)");
  // Multi-byte big-endian data would need byte swaps on every read; numpy writes '<' on every
  // common machine, so a '>' here is rare enough to ask the user to convert.
  if (order == '>' && t.itemsize > 1 && t.kind != 'S')
    throw std::runtime_error(name + ": big-endian dtype '" + d + "' is not supported; save with arr.astype('<" +
                             d.substr(1) + "')");
  return t;
}

template <typename T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

float element_to_float(const uint8_t* p, const ElementType& t) {
  switch (t.kind) {
    case 'f':
      if (t.itemsize == 2) return f16_to_float(load<uint16_t>(p));
      if (t.itemsize == 4) return load<float>(p);
      return static_cast<float>(load<double>(p));
    case 'i':
      if (t.itemsize == 1) return load<int8_t>(p);
      if (t.itemsize == 2) return load<int16_t>(p);
      if (t.itemsize == 4) return static_cast<float>(load<int32_t>(p));
      return static_cast<float>(load<int64_t>(p));
    case 'u':
      if (t.itemsize == 1) return load<uint8_t>(p);
      if (t.itemsize == 2) return load<uint16_t>(p);
      if (t.itemsize == 4) return static_cast<float>(load<uint32_t>(p));
      return static_cast<float>(load<uint64_t>(p));
    case 'b': return *p ? 1.0f : 0.0f;
  }
  return 0.0f;
}

std::string element_to_string(const uint8_t* p, const ElementType& t, const std::string& name) {
  std::string s;
  if (t.kind == 'S') {
    s.assign(reinterpret_cast<const char*>(p), t.itemsize);
  } else {
    for (size_t i = 0; i < t.itemsize; i += 4) {
      const uint32_t cp = load<uint32_t>(p + i);
      if (cp == 0) break;
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        throw std::runtime_error(name + ": text array holds an invalid code point " + std::to_string(cp));
      append_utf8(s, cp);
    }
  }
  while (!s.empty() && s.back() == '\0') s.pop_back();
  return s;
}

// For each C-order position, the element's offset in Fortran (column-major) storage; walks the
// multi-index like an odometer so large arrays cost O(1) per element.
std::vector<size_t> fortran_offsets(const std::vector<size_t>& shape, size_t numel) {
  const size_t rank = shape.size();
  std::vector<size_t> stride(rank, 1), idx(rank, 0), out(numel);
  for (size_t d = 1; d < rank; ++d) stride[d] = stride[d - 1] * shape[d - 1];
  size_t f = 0;
  for (size_t c = 0; c < numel; ++c) {
    out[c] = f;
    for (size_t d = rank; d-- > 0;) {
      f += stride[d];
      if (++idx[d] < shape[d]) break;
      f -= stride[d] * shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

}  // namespace

size_t NpyArray::numel() const {
  size_t n = 1;
  for (size_t d : shape) n *= d;
  return n;
}

size_t NpyHeader::numel() const {
  size_t n = 1;
  for (size_t d : shape) n *= d;
  return n;
}

NpyHeader parse_npy_header(std::string_view bytes, size_t file_size, const std::string& name) {
  if (bytes.size() < kMagicLen + 2 || bytes.substr(0, kMagicLen) != std::string_view(kMagic, kMagicLen))
    throw std::runtime_error(name + ": not a .npy file (no \\x93NUMPY magic)");
  const auto* u = reinterpret_cast<const uint8_t*>(bytes.data());
  const int major = u[6], minor = u[7];
  size_t header_len = 0, header_start = 0;
  if (major == 1) {
    if (bytes.size() < 10) throw std::runtime_error(name + ": truncated .npy header");
    header_len = u[8] | (u[9] << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw std::runtime_error(name + ": truncated .npy header");
    header_len = static_cast<size_t>(u[8]) | (static_cast<size_t>(u[9]) << 8) | (static_cast<size_t>(u[10]) << 16) |
                 (static_cast<size_t>(u[11]) << 24);
    header_start = 12;
  } else {
    throw std::runtime_error(name + ": unsupported .npy version " + std::to_string(major) + "." + std::to_string(minor));
  }
  if (header_len > bytes.size() - header_start)
    throw std::runtime_error(name + ": truncated .npy header (" + std::to_string(header_len) + " bytes declared, " +
                             std::to_string(std::min(bytes.size(), file_size) - header_start) + " present)");

  const Literal header = LiteralParser(bytes.substr(header_start, header_len), name).parse_all();
  if (header.type != Literal::Dict) throw std::runtime_error(name + ": .npy header is not a dictionary");
  for (const char* key : {"descr", "fortran_order", "shape"})
    if (!header.fields.count(key)) throw std::runtime_error(name + ": .npy header lacks '" + std::string(key) + "'");
  const Literal& order = header.fields.at("fortran_order");
  const Literal& shape = header.fields.at("shape");
  if (order.type != Literal::Bool) throw std::runtime_error(name + ": 'fortran_order' is not True or False");
  if (shape.type != Literal::Seq) throw std::runtime_error(name + ": 'shape' is not a tuple");
  const ElementType type = parse_descr(header.fields.at("descr"), name);

  NpyHeader h;
  h.descr = header.fields.at("descr").str;
  h.is_text = type.kind == 'U' || type.kind == 'S';
  h.itemsize = type.itemsize;
  h.fortran_order = order.boolean;
  h.data_offset = header_start + header_len;
  size_t numel = 1;
  const size_t data_size = file_size - header_start - header_len;
  for (const Literal& d : shape.items) {
    if (d.type != Literal::Int || d.integer < 0) throw std::runtime_error(name + ": 'shape' holds a non-integer or negative size");
    const auto dim = static_cast<size_t>(d.integer);
    if (dim != 0 && numel > data_size / dim + 1)
      throw std::runtime_error(name + ": shape is larger than the file (truncated or damaged header?)");
    numel *= dim;
    h.shape.push_back(dim);
  }
  if (type.itemsize != 0 && numel > SIZE_MAX / type.itemsize) throw std::runtime_error(name + ": shape is larger than the file");
  const size_t expected = numel * type.itemsize;
  if (data_size < expected)
    throw std::runtime_error(name + ": truncated: shape needs " + std::to_string(expected) + " data bytes, file has " +
                             std::to_string(data_size));
  if (data_size > expected)
    throw std::runtime_error(name + ": " + std::to_string(data_size - expected) + " bytes after the array data");
  return h;
}

size_t npy_header_size(std::string_view b) {
  if (b.size() < 12 || b.substr(0, kMagicLen) != std::string_view(kMagic, kMagicLen)) return 0;
  const auto* u = reinterpret_cast<const uint8_t*>(b.data());
  if (u[6] == 1) return 10 + (u[8] | (u[9] << 8));
  if (u[6] == 2 || u[6] == 3)
    return 12 + (static_cast<size_t>(u[8]) | (static_cast<size_t>(u[9]) << 8) | (static_cast<size_t>(u[10]) << 16) |
                 (static_cast<size_t>(u[11]) << 24));
  return 0;
}

void npy_to_float(const NpyHeader& h, const uint8_t* data, size_t count, float* out) {
  const ElementType type{h.descr.size() > 1 ? h.descr[1] : 'f', h.itemsize};
  if (type.kind == 'f' && type.itemsize == 4) {
    if (count) std::memcpy(out, data, count * sizeof(float));  // an empty array's out may be null
    return;
  }
  for (size_t i = 0; i < count; ++i) out[i] = element_to_float(data + i * type.itemsize, type);
}

NpyArray parse_npy(std::string_view bytes, const std::string& name) {
  const NpyHeader h = parse_npy_header(bytes, bytes.size(), name);
  const ElementType type{h.descr[1], h.itemsize};
  NpyArray a;
  a.descr = h.descr;
  a.is_text = h.is_text;
  a.shape = h.shape;
  const size_t numel = h.numel();
  const uint8_t* data = reinterpret_cast<const uint8_t*>(bytes.data()) + h.data_offset;
  const bool fortran = h.fortran_order && a.shape.size() > 1;
  const std::vector<size_t> offsets = fortran ? fortran_offsets(a.shape, numel) : std::vector<size_t>();
  auto source = [&](size_t c) { return data + (fortran ? offsets[c] : c) * type.itemsize; };
  if (a.is_text) {
    a.strings.reserve(numel);
    for (size_t i = 0; i < numel; ++i) a.strings.push_back(element_to_string(source(i), type, name));
  } else if (!fortran) {
    a.values.resize(numel);
    npy_to_float(h, data, numel, a.values.data());
  } else {
    a.values.resize(numel);
    for (size_t i = 0; i < numel; ++i) a.values[i] = element_to_float(source(i), type);
  }
  return a;
}

NpyArray read_npy(const std::string& path) { return parse_npy(read_file(path), path); }

std::string npy_bytes(const std::vector<size_t>& shape, const std::vector<float>& values) {
  return npy_bytes(shape, values.data(), values.size());
}

std::string npy_bytes(const std::vector<size_t>& shape, const float* values, size_t count) {
  std::string dims = "(";  // Python tuple syntax: "()", "(5,)", "(2, 3)"
  for (size_t i = 0; i < shape.size(); ++i) dims += (i ? ", " : "") + std::to_string(shape[i]);
  dims += shape.size() == 1 ? ",)" : ")";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + dims + ", }";
  // Pad so the data starts on a 64-byte boundary, as numpy does (magic 6 + version 2 + length 2).
  const size_t unpadded = kMagicLen + 2 + 2 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string out(kMagic, kMagicLen);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  out.append(reinterpret_cast<const char*>(values), count * sizeof(float));
  return out;
}

}  // namespace attnscope
