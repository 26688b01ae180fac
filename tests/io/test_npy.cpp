// The .npy parser on bytes built here: header parsing, dtypes, Fortran order, versions, errors.
#include <gtest/gtest.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/half.h"
#include "io/npy.h"

using namespace attnscope;

namespace {

// A .npy file as numpy writes it: magic, version, header length, padded dict header, data.
std::string npy(const std::string& dict, const std::string& data, int major = 1) {
  std::string header = dict;
  const size_t prefix = 6 + 2 + (major == 1 ? 2 : 4);
  header.append((64 - (prefix + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  const size_t n = header.size();
  out += static_cast<char>(n & 0xff);
  out += static_cast<char>((n >> 8) & 0xff);
  if (major != 1) {
    out += static_cast<char>((n >> 16) & 0xff);
    out += static_cast<char>((n >> 24) & 0xff);
  }
  return out + header + data;
}

template <typename T>
std::string raw(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

std::string error_of(const std::string& bytes) {
  try {
    parse_npy(bytes, "x.npy");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Npy, ParsesFloat32COrder) {
  const std::vector<float> v = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
  NpyArray a = parse_npy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", raw(v)), "x.npy");
  EXPECT_EQ(a.shape, (std::vector<size_t>{2, 3}));
  EXPECT_EQ(a.values, v);
  EXPECT_FALSE(a.is_text);
}

TEST(Npy, FortranOrderBecomesCOrder) {
  // [[0, 1, 2], [3, 4, 5]] stored column by column: 0 3 1 4 2 5.
  const std::vector<float> f = {0, 3, 1, 4, 2, 5};
  NpyArray a = parse_npy(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", raw(f)), "x.npy");
  EXPECT_EQ(a.values, (std::vector<float>{0, 1, 2, 3, 4, 5}));
}

TEST(Npy, FortranOrderThreeDimensions) {
  // Element (i, j, k) of a [2, 3, 4] array holds 100i + 10j + k; Fortran storage puts i fastest.
  std::vector<float> f(24);
  for (int k = 0; k < 4; ++k)
    for (int j = 0; j < 3; ++j)
      for (int i = 0; i < 2; ++i) f[static_cast<size_t>(i + 2 * j + 6 * k)] = static_cast<float>(100 * i + 10 * j + k);
  NpyArray a = parse_npy(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3, 4), }", raw(f)), "x.npy");
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) EXPECT_EQ(a.values[static_cast<size_t>((i * 3 + j) * 4 + k)], 100 * i + 10 * j + k);
}

TEST(Npy, Float16AndFloat64AndIntegers) {
  const std::vector<uint16_t> h = {float_to_f16(0.25f), float_to_f16(1.5f), float_to_f16(-2.0f)};
  EXPECT_EQ(parse_npy(npy("{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", raw(h)), "x").values,
            (std::vector<float>{0.25f, 1.5f, -2.0f}));
  const std::vector<double> d = {0.125, 3.0};
  EXPECT_EQ(parse_npy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", raw(d)), "x").values,
            (std::vector<float>{0.125f, 3.0f}));
  const std::vector<int64_t> i = {-3, 7};
  EXPECT_EQ(parse_npy(npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", raw(i)), "x").values,
            (std::vector<float>{-3.0f, 7.0f}));
  const std::vector<uint8_t> u = {0, 255};
  EXPECT_EQ(parse_npy(npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", raw(u)), "x").values,
            (std::vector<float>{0.0f, 255.0f}));
}

TEST(Npy, Versions2And3UseFourByteHeaderLength) {
  const std::vector<float> v = {1, 2};
  for (int major : {2, 3}) {
    NpyArray a = parse_npy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", raw(v), major), "x");
    EXPECT_EQ(a.values, v) << "version " << major;
  }
}

TEST(Npy, HeaderKeysInAnyOrderAndScalarShape) {
  const std::vector<float> v = {7};
  NpyArray a = parse_npy(npy("{'shape': (), 'fortran_order': False, 'descr': '<f4'}", raw(v)), "x");
  EXPECT_TRUE(a.shape.empty());
  EXPECT_EQ(a.values, v);
}

TEST(Npy, UnicodeTextArray) {
  // np.array(["ab", "é"]) is '<U2': two UTF-32 code units per element, NUL padded.
  const std::vector<uint32_t> u = {'a', 'b', 0xE9, 0};
  NpyArray a = parse_npy(npy("{'descr': '<U2', 'fortran_order': False, 'shape': (2,), }", raw(u)), "x");
  EXPECT_TRUE(a.is_text);
  EXPECT_EQ(a.strings, (std::vector<std::string>{"ab", "\xC3\xA9"}));
}

TEST(Npy, WriterOutputReadsBack) {
  const std::vector<float> v = {1, 2, 3, 4, 5, 6};
  const std::string bytes = npy_bytes({1, 2, 3}, v);
  EXPECT_EQ(bytes.size() % 64, v.size() * 4 % 64);  // the data starts on a 64-byte boundary
  NpyArray a = parse_npy(bytes, "x");
  EXPECT_EQ(a.shape, (std::vector<size_t>{1, 2, 3}));
  EXPECT_EQ(a.values, v);
  EXPECT_EQ(parse_npy(npy_bytes({4}, {1, 2, 3, 4}), "x").shape, (std::vector<size_t>{4}));
}

TEST(Npy, Errors) {
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
  const std::string good = npy(dict, raw(std::vector<float>{1, 2, 3, 4}));
  EXPECT_NE(error_of("PK\x03\x04 not numpy").find("x.npy: not a .npy file"), std::string::npos);
  std::string bad_magic = good;
  bad_magic[1] = 'X';
  EXPECT_NE(error_of(bad_magic).find("magic"), std::string::npos);
  EXPECT_NE(error_of(good.substr(0, good.size() - 3)).find("truncated"), std::string::npos);
  EXPECT_NE(error_of(good.substr(0, 30)).find("truncated .npy header"), std::string::npos);
  EXPECT_NE(error_of(good + "xx").find("2 bytes after"), std::string::npos);
  EXPECT_NE(error_of(npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", "abcd")).find("big-endian dtype '>f4'"),
            std::string::npos);
  EXPECT_NE(error_of(npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", "abcdefgh")).find("object arrays"),
            std::string::npos);
  EXPECT_NE(error_of(npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", "abcdefgh")).find("complex"),
            std::string::npos);
  EXPECT_NE(error_of(npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", "abcd")).find("structured"),
            std::string::npos);
  EXPECT_NE(error_of(npy("{'descr': '<f4', 'shape': (1,), }", "abcd")).find("lacks 'fortran_order'"), std::string::npos);
  EXPECT_NE(error_of(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,) ", "abcd")).find("bad .npy header"),
            std::string::npos);
  std::string v9 = good;
  v9[6] = 9;
  EXPECT_NE(error_of(v9).find("unsupported .npy version 9"), std::string::npos);
  // A shape far larger than the file must fail cleanly, not allocate.
  EXPECT_NE(error_of(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100000), }", "abcd"))
                .find("larger than the file"),
            std::string::npos);
}
