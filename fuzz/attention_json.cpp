// Fuzz target: JSON attention import (io/attention_json.h) and the checks that turn what it read
// into an AttentionSet (build_attention_set), plus token side files (parse_token_text).
#include <cstdint>
#include <exception>
#include <string>

#include "io/attention_import.h"
#include "io/attention_json.h"

#include "fuzz/fuzz_util.h"

using namespace attnscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const ImportedFile file = parse_attention_json(text, "input.json");
    ImportOptions opt;
    opt.index_tokens = size % 2 == 0;
    const AttentionSet set = build_attention_set(file, opt, "input.json");
    (void)attention_json(set);  // and back: export must take whatever import accepted
  } catch (const std::exception& e) {
    fuzz::note(e);
  }
  try {
    (void)parse_token_text(text, "tokens.json");
  } catch (const std::exception& e) {
    fuzz::note(e);
  }
  return 0;
}
