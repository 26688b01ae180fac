// Fuzz target: the safetensors reader (io/safetensors.h) and .attn.safetensors on top of it
// (io/attention_file.h), plus attention import from a .safetensors (io/attention_import.h).
// Both readers take paths (they memory-map), so the input is written to a scratch file first.
#include <cstdint>
#include <exception>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "io/attention_file.h"
#include "io/attention_import.h"
#include "io/safetensors.h"

using namespace attnscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = fuzz::write_scratch("input.safetensors", {reinterpret_cast<const char*>(data), size});
  try {
    const SafetensorsFile f = SafetensorsFile::open(path);
    for (const TensorView& t : f.tensors()) {
      if (t.numel() != 0 && t.nbytes / t.numel() != dtype_size(t.dtype)) __builtin_trap();  // validated on open
      volatile float sink = 0;
      for (float v : t.to_float()) sink = sink + v;
    }
  } catch (const std::exception& e) {
    fuzz::note(e);
  }
  try {
    const AttentionSet set = load_attention_set(path);
    (void)attention_set_bytes(set);  // what the viewer's /file sends back
  } catch (const std::exception& e) {
    fuzz::note(e);
  }
  try {
    ImportOptions opt;
    opt.index_tokens = true;
    (void)import_attention(path, opt);
  } catch (const std::exception& e) {
    fuzz::note(e);
  }
  return 0;
}
