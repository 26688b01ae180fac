// The NumPy .npy format (versions 1.0, 2.0, 3.0), as np.save writes it:
//   "\x93NUMPY", major, minor, header length (uint16 LE in 1.0, uint32 LE in 2.0/3.0),
//   a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded
//   with spaces to a multiple of 64 bytes and ending in '\n', then the raw array data.
// Reading turns numbers into float32 in C order; text arrays ('<U', '|S') into strings (for
// token lists kept in an .npz). Writing always produces version 1.0, '<f4', C order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace attnscope {

struct NpyArray {
  std::vector<size_t> shape;
  std::string descr;                 // the dtype as written, e.g. "<f2"
  bool is_text = false;              // '<U' or '|S': `strings` holds the values, `values` is empty
  std::vector<float> values;         // row-major (C order) whatever the file's order
  std::vector<std::string> strings;  // UTF-8, trailing NULs removed, row-major

  size_t numel() const;
};

// A .npy header: what the array is and where its data starts. For reading an array in pieces
// (io/attention_import.cpp streams large .npz members through it).
struct NpyHeader {
  std::vector<size_t> shape;
  std::string descr;           // the dtype as written, e.g. "<f2"
  bool fortran_order = false;  // as written (a 0- or 1-axis array reads the same either way)
  bool is_text = false;        // '<U' or '|S'
  size_t itemsize = 4;         // bytes per element
  size_t data_offset = 0;      // the array data's first byte
  size_t numel() const;
};

// Parses the header from the file's first bytes (`head`: at least the whole header) and checks
// that the data the shape needs is exactly what is left of the file's `file_size` bytes.
// Throws like parse_npy.
NpyHeader parse_npy_header(std::string_view head, size_t file_size, const std::string& name);
// How many bytes the header takes (magic to the data's start), from the file's first 12 bytes;
// 0 when they are not the start of a .npy file.
size_t npy_header_size(std::string_view first);
// Converts `count` numeric elements stored as `h` says (C order) to float32.
void npy_to_float(const NpyHeader& h, const uint8_t* data, size_t count, float* out);

// Parses the bytes of one .npy file. `name` is only used in error messages ("a.npy",
// "x.npz: attention.npy"). Throws std::runtime_error "<name>: <what is wrong>" for bad magic,
// truncated data, big-endian, object, complex or structured dtypes.
NpyArray parse_npy(std::string_view bytes, const std::string& name);
NpyArray read_npy(const std::string& path);

// The bytes of a version 1.0 .npy file holding `values` as '<f4' with `shape`, C order.
std::string npy_bytes(const std::vector<size_t>& shape, const std::vector<float>& values);
std::string npy_bytes(const std::vector<size_t>& shape, const float* values, size_t count);

}  // namespace attnscope
