#include "text/precompiled_charsmap.h"

#include <stdexcept>

namespace attnscope {

namespace {

// Darts-clone double array units.
bool unit_has_leaf(uint32_t u) { return ((u >> 8) & 1) == 1; }
uint32_t unit_value(uint32_t u) { return u & ((1U << 31) - 1); }
uint32_t unit_label(uint32_t u) { return u & ((1U << 31) | 0xFF); }
uint32_t unit_offset(uint32_t u) { return (u >> 10) << ((u & (1U << 9)) >> 6); }

uint32_t le32(std::string_view s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(s[at + static_cast<size_t>(i)]);
  return v;
}

}  // namespace

PrecompiledCharsmap PrecompiledCharsmap::parse(std::string_view blob) {
  PrecompiledCharsmap m;
  if (blob.empty()) return m;
  if (blob.size() <= 4) throw std::runtime_error("precompiled_charsmap too short");
  const uint32_t trie_bytes = le32(blob, 0);
  if (trie_bytes >= blob.size() || trie_bytes % 4 != 0 || trie_bytes == 0)
    throw std::runtime_error("precompiled_charsmap has a bad trie size");
  m.trie_.resize(trie_bytes / 4);
  for (size_t u = 0; u < m.trie_.size(); ++u) m.trie_[u] = le32(blob, 4 + u * 4);
  m.replacements_ = std::string(blob.substr(4 + trie_bytes));
  return m;
}

PrecompiledCharsmap::Match PrecompiledCharsmap::search(std::string_view input, bool longest) const {
  Match best;
  if (trie_.empty()) return best;
  uint32_t value = 0;
  size_t node = unit_offset(trie_[0]);  // Darts commonPrefixSearch
  for (size_t i = 0; i < input.size(); ++i) {
    const auto c = static_cast<uint8_t>(input[i]);
    if (c == 0 && !longest) break;  // Hugging Face's search stops at NUL; sentencepiece's does not
    node ^= c;
    if (node >= trie_.size()) break;
    const uint32_t unit = trie_[node];
    if (unit_label(unit) != c) break;
    node ^= unit_offset(unit);
    if (node >= trie_.size()) break;
    if (unit_has_leaf(unit)) {
      best.length = i + 1;
      value = unit_value(trie_[node]);
      if (!longest) break;
    }
  }
  if (best.length == 0 || value >= replacements_.size()) return best;
  const size_t end = replacements_.find('\0', value);
  best.replacement = std::string_view(replacements_).substr(value, end == std::string::npos ? std::string::npos : end - value);
  return best;
}

PrecompiledCharsmap::Match PrecompiledCharsmap::longest_prefix(std::string_view input) const { return search(input, true); }
PrecompiledCharsmap::Match PrecompiledCharsmap::shortest_prefix(std::string_view input) const { return search(input, false); }

}  // namespace attnscope
