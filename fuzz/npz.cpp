// Fuzz target: the ZIP reader (io/zip_reader.h) from bytes, and attention import of a .npz
// (io/attention_import.h): whole (import_attention) and streamed to a file (import_attention_to_file).
#include <cstdint>
#include <exception>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "io/attention_import.h"
#include "io/zip_reader.h"

using namespace attnscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const ZipReader zip = ZipReader::from_bytes(bytes, "input.npz");
    for (const ZipMember& m : zip.members()) {
      try {
        (void)zip.head(m, 128);
        (void)zip.extract(m);
      } catch (const std::exception& e) {
        fuzz::note(e);
      }
    }
  } catch (const std::exception& e) {
    fuzz::note(e);
  }
  const std::string path = fuzz::write_scratch("input.npz", bytes);
  ImportOptions opt;
  opt.index_tokens = true;
  try {
    (void)import_attention(path, opt);
  } catch (const std::exception& e) {
    fuzz::note(e);
  }
  try {
    (void)import_attention_to_file(path, opt, (fuzz::scratch_dir() / "out.attn.safetensors").string());
  } catch (const std::exception& e) {
    fuzz::note(e);
  }
  return 0;
}
