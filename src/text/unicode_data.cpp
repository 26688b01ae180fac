#include "text/unicode_data.h"

#include <algorithm>

#include "text/unicode_tables.h"

namespace attnscope {

namespace t = unicode_tables;

namespace {

// Hangul syllables decompose by arithmetic (Unicode §3.12), not by table: L V (T).
constexpr char32_t kHangulFirst = 0xAC00, kHangulLast = 0xD7A3;
constexpr char32_t kJamoL = 0x1100, kJamoV = 0x1161, kJamoT = 0x11A7;
constexpr int kJamoVCount = 21, kJamoTCount = 28;

}  // namespace

UnicodeCategory unicode_category(char32_t cp) {
  if (cp > 0x10FFFF) return UnicodeCategory::Cn;
  const auto* end = t::kCategoryRuns + t::kCategoryRunCount;
  // The last run starting at or before cp.
  const auto* run = std::upper_bound(t::kCategoryRuns, end, cp,
                                     [](char32_t c, const t::CategoryRun& r) { return c < r.first; });
  return static_cast<UnicodeCategory>((run - 1)->category);
}

const char* unicode_version() { return t::kUnicodeVersion; }

bool is_letter(char32_t cp) { return unicode_category(cp) <= UnicodeCategory::Lo; }

bool is_number(char32_t cp) {
  const auto c = unicode_category(cp);
  return c >= UnicodeCategory::Nd && c <= UnicodeCategory::No;
}

bool is_punctuation(char32_t cp) {
  const auto c = unicode_category(cp);
  return c >= UnicodeCategory::Pc && c <= UnicodeCategory::Po;
}

bool is_other(char32_t cp) { return unicode_category(cp) >= UnicodeCategory::Cc; }

bool is_white_space(char32_t cp) {
  // PropList.txt White_Space (unchanged since Unicode 6.3); Python's unicodedata does not expose it.
  switch (cp) {
    case 0x20: case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
    case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x2000 && cp <= 0x200A);
  }
}

bool is_cased(char32_t cp) {
  const auto* end = t::kCasedBounds + t::kCasedBoundCount;
  // An odd number of bounds at or below cp means cp is inside a cased run.
  return (std::upper_bound(t::kCasedBounds, end, cp) - t::kCasedBounds) % 2 == 1;
}

bool is_case_ignorable(char32_t cp) {
  // DerivedCoreProperties.txt: Mn, Me, Cf, Lm, Sk, or Word_Break MidLetter, MidNumLet or
  // Single_Quote (listed here: Python's unicodedata does not expose Word_Break).
  switch (unicode_category(cp)) {
    case UnicodeCategory::Mn: case UnicodeCategory::Me: case UnicodeCategory::Cf:
    case UnicodeCategory::Lm: case UnicodeCategory::Sk:
      return true;
    default:
      break;
  }
  switch (cp) {
    case 0x27: case 0x2E: case 0x3A: case 0xB7: case 0x387: case 0x55F: case 0x5F4: case 0x2018:
    case 0x2019: case 0x2024: case 0x2027: case 0xFE13: case 0xFE52: case 0xFE55: case 0xFF07:
    case 0xFF0E: case 0xFF1A:
      return true;
    default:
      return false;
  }
}

namespace {

// Python's handle_capital_sigma: Σ is final when a cased letter precedes it and none follows it,
// case-ignorable characters (apostrophes, marks) skipped on both sides.
bool sigma_is_final(std::u32string_view s, size_t i) {
  size_t j = i;
  while (j > 0 && is_case_ignorable(s[j - 1])) --j;
  if (j == 0 || !is_cased(s[j - 1])) return false;
  size_t k = i + 1;
  while (k < s.size() && is_case_ignorable(s[k])) ++k;
  return k == s.size() || !is_cased(s[k]);
}

}  // namespace

std::u32string to_lower(std::u32string_view s) {
  constexpr char32_t kCapitalSigma = 0x3A3, kSmallSigma = 0x3C3, kFinalSigma = 0x3C2;
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char32_t cp = s[i];
    if (cp == 0x130) {  // LATIN CAPITAL LETTER I WITH DOT ABOVE -> i + COMBINING DOT ABOVE
      out += U'i';
      out += char32_t{0x307};
    } else if (cp == kCapitalSigma) {
      out += sigma_is_final(s, i) ? kFinalSigma : kSmallSigma;
    } else {
      const auto* end = t::kLowercase + t::kLowercaseCount;
      const auto* hit = std::lower_bound(t::kLowercase, end, cp,
                                         [](const t::CodePointPair& p, char32_t c) { return p.from < c; });
      out += (hit != end && hit->from == cp) ? hit->to : cp;
    }
  }
  return out;
}

void append_without_accents(char32_t cp, std::u32string& out) {
  if (unicode_category(cp) == UnicodeCategory::Mn) return;
  if (cp >= kHangulFirst && cp <= kHangulLast) {
    const int s = static_cast<int>(cp - kHangulFirst);
    out += kJamoL + s / (kJamoVCount * kJamoTCount);
    out += kJamoV + (s % (kJamoVCount * kJamoTCount)) / kJamoTCount;
    if (s % kJamoTCount) out += kJamoT + s % kJamoTCount;
    return;
  }
  const auto* end = t::kStripped + t::kStrippedCount;
  const auto* hit = std::lower_bound(t::kStripped, end, cp,
                                     [](const t::Expansion& e, char32_t c) { return e.cp < c; });
  if (hit != end && hit->cp == cp)
    out.append(t::kStrippedPool + hit->offset, hit->length);
  else
    out += cp;
}

}  // namespace attnscope
