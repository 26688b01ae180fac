// Fuzz target: the .npy reader (io/npy.h) from bytes, and attention import of a .npy file
// (io/attention_import.h), which reads it from a path.
#include <cstdint>
#include <exception>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "io/attention_import.h"
#include "io/npy.h"

using namespace attnscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)npy_header_size(bytes.substr(0, 12));
  try {
    const NpyArray a = parse_npy(bytes, "input.npy");
    if (!a.is_text && a.values.size() != a.numel()) __builtin_trap();
    if (a.is_text && a.strings.size() != a.numel()) __builtin_trap();
  } catch (const std::exception& e) {
    fuzz::note(e);
  }
  try {
    const NpyHeader h = parse_npy_header(bytes, size, "input.npy");
    if (!h.is_text && h.data_offset <= size) {
      const size_t count = std::min<size_t>(h.numel(), 1 << 16);
      if (count * h.itemsize <= size - h.data_offset) {
        std::vector<float> out(count);
        npy_to_float(h, data + h.data_offset, count, out.data());
      }
    }
  } catch (const std::exception& e) {
    fuzz::note(e);
  }
  try {
    ImportOptions opt;
    opt.index_tokens = size % 2 == 0;  // both: refusing tokenless arrays, and numbering them
    (void)import_attention(fuzz::write_scratch("input.npy", bytes), opt);
  } catch (const std::exception& e) {
    fuzz::note(e);
  }
  return 0;
}
