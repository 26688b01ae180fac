// Strict UTF-8 decoding and encoding for the tokenizers: code points with their byte extents, so a
// tokenizer can classify characters yet cut the original bytes (byte-exact round trips).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace attnscope {

struct Utf8Char {
  char32_t cp;  // the code point; U+FFFD when the bytes are not valid UTF-8
  size_t size;  // bytes consumed: 1..4 (an invalid byte is consumed alone)
  bool valid;
};

// The character starting at byte `pos` of `s` (pos < s.size()). Overlong forms, surrogates,
// code points past U+10FFFF and cut-off sequences are invalid.
Utf8Char next_utf8(std::string_view s, size_t pos);

void append_utf8(std::string& out, char32_t cp);
std::u32string utf8_to_u32(std::string_view s);  // invalid bytes become U+FFFD
std::string u32_to_utf8(std::u32string_view s);

}  // namespace attnscope
