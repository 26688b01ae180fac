#include "text/hf_added_tokens.h"

#include <algorithm>

#include "core/utf8.h"
#include "text/unicode_data.h"

namespace attnscope::hf {

namespace {

bool is_word_char(char32_t c) {
  const auto k = unicode_category(c);
  return is_letter(c) || k == UnicodeCategory::Mn || k == UnicodeCategory::Mc || k == UnicodeCategory::Me ||
         k == UnicodeCategory::Nd || k == UnicodeCategory::Pc;
}

// The last character of text[0, end), or 0 when none.
char32_t char_before(std::string_view text, size_t end) {
  if (end == 0) return 0;
  size_t b = end - 1;
  while (b > 0 && (static_cast<unsigned char>(text[b]) & 0xC0) == 0x80) --b;
  return next_utf8(text, b).cp;
}

}  // namespace

AddedTokens::AddedTokens(std::vector<AddedToken> tokens, const std::function<void(std::string&)>& normalize)
    : tokens_(std::move(tokens)) {
  for (size_t i = 0; i < tokens_.size(); ++i) {
    std::string pattern = tokens_[i].content;
    if (tokens_[i].normalized && normalize) normalize(pattern);
    if (pattern.empty()) continue;
    by_byte_[tokens_[i].normalized ? 1 : 0][static_cast<unsigned char>(pattern[0])].emplace_back(pattern, i);
  }
  for (auto& set : by_byte_)
    for (auto& bucket : set)
      std::stable_sort(bucket.begin(), bucket.end(), [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

std::vector<Segment> AddedTokens::split(std::string_view text, bool normalized) const {
  const auto& set = by_byte_[normalized ? 1 : 0];
  std::vector<Segment> out;
  size_t start_offset = 0;  // end of the last token taken
  for (size_t i = 0; i < text.size();) {
    const auto& bucket = set[static_cast<unsigned char>(text[i])];
    const std::pair<std::string, size_t>* hit = nullptr;
    for (const auto& cand : bucket)
      if (text.compare(i, cand.first.size(), cand.first) == 0) {
        hit = &cand;
        break;
      }
    if (!hit) {
      ++i;
      continue;
    }
    const AddedToken& tok = tokens_[hit->second];
    size_t start = i, stop = i + hit->first.size();
    i = stop;
    if (tok.single_word) {
      const bool start_space = start == 0 || !is_word_char(char_before(text, start));
      const bool stop_space = stop == text.size() || !is_word_char(next_utf8(text, stop).cp);
      if (!start_space || !stop_space) continue;
    }
    if (tok.lstrip) {
      size_t s = start;
      while (s > start_offset && is_white_space(char_before(text, s))) {
        const char32_t c = char_before(text, s);
        std::string enc;
        append_utf8(enc, c);
        s -= enc.size();
      }
      start = s;
    }
    if (tok.rstrip) {
      while (stop < text.size()) {
        const Utf8Char c = next_utf8(text, stop);
        if (!is_white_space(c.cp)) break;
        stop += c.size;
      }
      i = stop;
    }
    if (start > start_offset) out.push_back({text.substr(start_offset, start - start_offset), -1, start_offset});
    out.push_back({{}, tok.id, start});
    start_offset = stop;
  }
  if (start_offset < text.size()) out.push_back({text.substr(start_offset), -1, start_offset});
  return out;
}

}  // namespace attnscope::hf
