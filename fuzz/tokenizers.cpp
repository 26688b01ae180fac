// Fuzz target: every tokenizer behind text/tokenizer.h, loaded through load_tokenizer (which
// dispatches on the files in a folder), then encode, decode and piece.
//
// Input: one byte choosing the family, then up to three files and a text, split by
// fuzz::kSeparator. The files are written under the names that family reads:
//   0 Hugging Face     tokenizer.json | tokenizer_config.json
//   1 BERT WordPiece   vocab.txt | tokenizer_config.json
//   2 GPT-2            vocab.json | merges.txt
//   3 Marian           source.spm | vocab.json | tokenizer_config.json
//   4 SentencePiece    tokenizer.model | tokenizer_config.json
//   5 llama2.c         tok512.bin
// A missing part is a missing file (the loaders must say so, not crash).
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "text/tokenizer.h"

using namespace attnscope;

namespace {

const std::vector<std::vector<const char*>> kFamilies = {
    {"tokenizer.json", "tokenizer_config.json"},
    {"vocab.txt", "tokenizer_config.json"},
    {"vocab.json", "merges.txt"},
    {"source.spm", "vocab.json", "tokenizer_config.json"},
    {"tokenizer.model", "tokenizer_config.json"},
    {"tok512.bin"},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::vector<const char*>& names = kFamilies[data[0] % kFamilies.size()];
  const auto parts = fuzz::split_parts({reinterpret_cast<const char*>(data) + 1, size - 1}, names.size() + 1);
  const std::string dir = fuzz::fresh_scratch_subdir("tokenizer");
  // The last part is the text when every file is there; fewer parts leave the later files out.
  const size_t files = parts.size() > names.size() ? names.size() : parts.size();
  for (size_t i = 0; i < files; ++i) fuzz::write_scratch(std::string("tokenizer/") + names[i], parts[i]);
  const std::string text = parts.size() > names.size() ? parts.back() : std::string("Hello, world! héllo 日本 [MASK]");
  try {
    const auto tok = load_tokenizer(dir);
    const int vocab = tok->vocab_size();
    (void)tok->describe();
    (void)tok->subword_style();
    for (bool special : {false, true}) {
      const std::vector<int> ids = tok->encode(text, special);
      for (int id : ids)
        if (id < 0 || id >= vocab) __builtin_trap();  // encode must only give ids the vocabulary has
      (void)tok->decode(ids);
      for (int id : ids) (void)tok->piece(id);
    }
    // Arbitrary ids, as a caller might pass: out_of_range is the expected refusal.
    std::vector<int> raw;
    for (size_t i = 0; i + 1 < text.size() && raw.size() < 64; i += 2)
      raw.push_back(static_cast<int16_t>(static_cast<uint8_t>(text[i]) | static_cast<uint8_t>(text[i + 1]) << 8));
    try {
      (void)tok->decode(raw);
    } catch (const std::out_of_range& e) {
      fuzz::note(e);
    }
    for (int id : {-1, vocab, tok->bos_id(), tok->eos_id()}) {
      try {
        (void)tok->piece(id);
      } catch (const std::out_of_range& e) {
        fuzz::note(e);
      }
    }
  } catch (const std::exception& e) {
    fuzz::note(e);
  }
  return 0;
}
