#include "text/hf_split_patterns.h"

#include "core/utf8.h"
#include "text/gpt2_tokenizer.h"
#include "text/unicode_data.h"

namespace attnscope::hf {

namespace {

enum class Cls : uint8_t { kLetter, kNumber, kSpace, kOther };

struct Char {
  size_t pos;
  char32_t cp;
  Cls cls;
};

std::vector<Char> classify(std::string_view text) {
  std::vector<Char> out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const Utf8Char c = next_utf8(text, i);
    Cls cls = Cls::kOther;
    if (c.cp < 0x80) {
      const char32_t a = c.cp;
      if ((a >= 'a' && a <= 'z') || (a >= 'A' && a <= 'Z')) cls = Cls::kLetter;
      else if (a >= '0' && a <= '9') cls = Cls::kNumber;
      else if (a == ' ' || (a >= 0x09 && a <= 0x0D)) cls = Cls::kSpace;
    } else if (c.valid) {
      if (is_white_space(c.cp)) cls = Cls::kSpace;
      else if (is_letter(c.cp)) cls = Cls::kLetter;
      else if (is_number(c.cp)) cls = Cls::kNumber;
    }
    out.push_back({i, c.cp, cls});
    i += c.size;
  }
  return out;
}

Extents gpt2(std::string_view text) {
  Extents out;
  for (std::string_view v : Gpt2Tokenizer::pretokenize(text)) {
    const size_t b = static_cast<size_t>(v.data() - text.data());
    out.emplace_back(b, b + v.size());
  }
  return out;
}

char32_t fold(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c == 0x17F) return 's';  // LATIN SMALL LETTER LONG S folds to s
  return c;
}

// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,MAX}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
template <size_t kMaxDigits>
Extents llama3_like(std::string_view text) {
  const std::vector<Char> c = classify(text);
  const size_t n = c.size();
  Extents out;
  const auto at = [&](size_t i) { return i < n ? c[i].pos : text.size(); };
  const auto is = [&](size_t i, Cls k) { return i < n && c[i].cls == k; };
  const auto crlf = [&](size_t i) { return i < n && (c[i].cp == '\r' || c[i].cp == '\n'); };
  for (size_t i = 0; i < n;) {
    size_t end = i;
    if (c[i].cp == '\'' && i + 1 < n) {
      const char32_t a = fold(c[i + 1].cp), b = i + 2 < n ? fold(c[i + 2].cp) : 0;
      if (a == 's' || a == 't' || a == 'm' || a == 'd') end = i + 2;
      else if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) end = i + 3;
    }
    if (end == i) {
      if (is(i, Cls::kLetter) || (!is(i, Cls::kNumber) && !crlf(i) && is(i + 1, Cls::kLetter))) {
        end = is(i, Cls::kLetter) ? i : i + 1;
        while (is(end, Cls::kLetter)) ++end;
      } else if (is(i, Cls::kNumber)) {
        while (is(end, Cls::kNumber) && end - i < kMaxDigits) ++end;
      } else {
        const size_t body = (c[i].cp == ' ' && is(i + 1, Cls::kOther)) ? i + 1 : i;
        if (is(body, Cls::kOther)) {
          end = body;
          while (is(end, Cls::kOther)) ++end;
          while (crlf(end)) ++end;
        } else {  // whitespace at i
          size_t j = i;
          while (is(j, Cls::kSpace)) ++j;
          size_t last_newline = n;
          for (size_t k = i; k < j; ++k)
            if (crlf(k)) last_newline = k;
          if (last_newline < n) end = last_newline + 1;  // \s*[\r\n]+
          else if (j == n || j - i == 1) end = j;        // \s+(?!\S) at the end, or \s+
          else end = j - 1;                              // the last space goes with the next word
        }
      }
    }
    out.emplace_back(at(i), at(end));
    i = end;
  }
  return out;
}

bool is_word_char(char32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') || cp == '_';
  const auto k = unicode_category(cp);
  return is_letter(cp) || k == UnicodeCategory::Mn || k == UnicodeCategory::Mc || k == UnicodeCategory::Me ||
         k == UnicodeCategory::Nd || k == UnicodeCategory::Pc;
}

}  // namespace

PatternMatcher known_pattern(const std::string& regex) {
  if (regex == kGpt2Pattern) return &gpt2;
  if (regex == kLlama3Pattern) return &llama3_like<3>;
  if (regex == kQwen2Pattern) return &llama3_like<1>;
  return nullptr;
}

Extents word_or_symbol_runs(std::string_view text) {
  Extents out;
  int prev = -1;  // 0: word run, 1: symbol run, -1: none
  for (size_t i = 0; i < text.size();) {
    const Utf8Char c = next_utf8(text, i);
    const int kind = is_white_space(c.cp) ? -1 : is_word_char(c.cp) ? 0 : 1;
    if (kind >= 0) {
      if (kind == prev) out.back().second = i + c.size;
      else out.emplace_back(i, i + c.size);
    }
    prev = kind;
    i += c.size;
  }
  return out;
}

}  // namespace attnscope::hf
