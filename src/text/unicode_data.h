// The few Unicode facts the tokenizers need (general category, White_Space, lower-casing, BERT's
// accent stripping), from tables generated out of Python's unicodedata (tools/gen_unicode_tables.py)
// so that attnscope classifies characters exactly as the Python reference tokenizers do.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace attnscope {

// Unicode general categories, in the order the generator writes them.
enum class UnicodeCategory : uint8_t {
  Lu, Ll, Lt, Lm, Lo, Mn, Mc, Me, Nd, Nl, No, Pc, Pd, Ps, Pe, Pi, Pf, Po,
  Sm, Sc, Sk, So, Zs, Zl, Zp, Cc, Cf, Cs, Co, Cn
};

UnicodeCategory unicode_category(char32_t cp);  // Cn for anything past U+10FFFF
const char* unicode_version();                  // of the tables, e.g. "14.0.0"

bool is_letter(char32_t cp);       // \p{L}: Lu Ll Lt Lm Lo
bool is_number(char32_t cp);       // \p{N}: Nd Nl No
bool is_punctuation(char32_t cp);  // \p{P}: Pc Pd Ps Pe Pi Pf Po
bool is_other(char32_t cp);        // \p{C}: Cc Cf Cs Co Cn
// The White_Space property, which \s means in the Unicode regular expressions GPT-2 was written with.
bool is_white_space(char32_t cp);

bool is_cased(char32_t cp);           // the Cased property: Lowercase, Uppercase or Lt
bool is_case_ignorable(char32_t cp);  // the Case_Ignorable property

// Python's str.lower(): per code point (U+0130 becomes two), except that capital sigma becomes
// final sigma "ς" at the end of a word (the Final_Sigma context of the Unicode standard).
std::u32string to_lower(std::u32string_view s);
// BERT's _run_strip_accents for one code point: its NFD with the nonspacing marks (Mn) removed.
void append_without_accents(char32_t cp, std::u32string& out);

}  // namespace attnscope
