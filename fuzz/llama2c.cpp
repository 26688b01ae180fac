// Fuzz target: llama2.c's files. Input: a tokenizer file (tok*.bin) | text, or with a leading
// byte 'M', a checkpoint whose header io/model_architecture.h reads (read_model_architecture on a
// *.bin), and the 7-int header alone (architecture_from_llama2c).
#include <cstdint>
#include <cstring>
#include <exception>
#include <string>

#include "fuzz/fuzz_util.h"
#include "io/model_architecture.h"
#include "text/llama2c_tokenizer.h"

using namespace attnscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  if (!in.empty() && in[0] == 'M') {
    const std::string_view file = in.substr(1);
    if (file.size() >= 7 * sizeof(int)) {
      int header[7];
      std::memcpy(header, file.data(), sizeof(header));
      try {
        (void)architecture_from_llama2c(header, "model.bin").labels();
      } catch (const std::exception& e) {
        fuzz::note(e);
      }
    }
    try {
      (void)read_model_architecture(fuzz::write_scratch("model.bin", file)).labels();
    } catch (const std::exception& e) {
      fuzz::note(e);
    }
    return 0;
  }
  const auto parts = fuzz::split_parts(in, 2);
  const std::string path = fuzz::write_scratch("tok512.bin", parts[0]);
  try {
    (void)Llama2cTokenizer::looks_like(path);
    const Llama2cTokenizer tok = Llama2cTokenizer::load(path);
    const std::string text = parts.size() > 1 ? parts[1] : std::string("Once upon a time");
    for (bool special : {false, true}) {
      const std::vector<int> ids = tok.encode(text, special);
      for (int id : ids)
        if (id < 0 || id >= tok.vocab_size()) __builtin_trap();
      (void)tok.decode(ids);
      for (int id : ids) (void)tok.piece(id);
    }
    (void)tok.describe();
  } catch (const std::exception& e) {
    fuzz::note(e);
  }
  return 0;
}
