// Fuzz target: subword-nmt BPE codes (text/bpe.h). Input: a codes file | a text. The codes are
// parsed and applied to each line of the text, the pieces joined back (undo_bpe), and a few merges
// are learned from the text.
#include <cstdint>
#include <exception>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "text/bpe.h"

using namespace attnscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parts = fuzz::split_parts({reinterpret_cast<const char*>(data), size}, 2);
  const std::string text = parts.size() > 1 ? parts[1] : std::string("physikalischen Wachmann\n");
  std::vector<std::string> lines;
  {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  try {
    const BpeCodes codes = BpeCodes::parse(parts[0], "codes.bpe");
    const BpeCodes again = BpeCodes::parse(codes.serialize(), "codes.bpe (serialized)");
    if (again.fingerprint() != codes.fingerprint()) __builtin_trap();  // serialize must read back the same
    for (const std::string& line : lines) {
      const std::string segmented = codes.apply(line);
      (void)undo_bpe(segmented);
      (void)codes.apply_tokens(line);
    }
  } catch (const std::exception& e) {
    fuzz::note(e);
  }
  try {
    (void)learn_bpe(lines, 20, 1);
  } catch (const std::exception& e) {
    fuzz::note(e);
  }
  return 0;
}
