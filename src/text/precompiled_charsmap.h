// SentencePiece's precompiled_charsmap: NFKC-style replacements stored as a Darts-clone double-array
// trie over UTF-8 bytes, followed by the NUL-separated replacement strings the trie's values point
// into. Read by SentencePieceModel (the .spm normalizer spec) and by the "Precompiled" normalizer of
// Hugging Face tokenizer.json files (the same bytes, base64-encoded).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace attnscope {

class PrecompiledCharsmap {
 public:
  PrecompiledCharsmap() = default;
  // The blob: uint32 little-endian trie size in bytes, the trie units, the replacement strings.
  // Throws std::runtime_error with a short reason (no path): callers add where it came from.
  static PrecompiledCharsmap parse(std::string_view blob);

  bool empty() const { return trie_.empty(); }
  struct Match {
    size_t length = 0;            // input bytes matched; 0 when no key is a prefix of the input
    std::string_view replacement;  // what they become
  };
  // The longest key that is a prefix of `input` (sentencepiece's Normalizer::NormalizePrefix).
  Match longest_prefix(std::string_view input) const;
  // The shortest key that is a prefix of `input` (Hugging Face's Precompiled::transform, which
  // takes the first result of the common-prefix search).
  Match shortest_prefix(std::string_view input) const;

 private:
  std::vector<uint32_t> trie_;  // the double array
  std::string replacements_;    // NUL-separated replacement strings

  Match search(std::string_view input, bool longest) const;
};

}  // namespace attnscope
