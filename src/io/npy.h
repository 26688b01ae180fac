// The NumPy .npy format (versions 1.0, 2.0, 3.0), as np.save writes it:
//   "\x93NUMPY", major, minor, header length (uint16 LE in 1.0, uint32 LE in 2.0/3.0),
//   a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded
//   with spaces to a multiple of 64 bytes and ending in '\n', then the raw array data.
// Reading turns numbers into float32 in C order; text arrays ('<U', '|S') into strings (for
// token lists kept in an .npz). Writing always produces version 1.0, '<f4', C order.
#pragma once

#include <cstddef>
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

// Parses the bytes of one .npy file. `name` is only used in error messages ("a.npy",
// "x.npz: attention.npy"). Throws std::runtime_error "<name>: <what is wrong>" for bad magic,
// truncated data, big-endian, object, complex or structured dtypes.
NpyArray parse_npy(std::string_view bytes, const std::string& name);
NpyArray read_npy(const std::string& path);

// The bytes of a version 1.0 .npy file holding `values` as '<f4' with `shape`, C order.
std::string npy_bytes(const std::vector<size_t>& shape, const std::vector<float>& values);
std::string npy_bytes(const std::vector<size_t>& shape, const float* values, size_t count);

}  // namespace attnscope
