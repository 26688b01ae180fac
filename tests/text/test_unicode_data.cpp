// The generated Unicode tables against facts from the Unicode Character Database, and strict UTF-8.
#include <gtest/gtest.h>

#include "text/unicode_data.h"
#include "core/utf8.h"

using namespace attnscope;

TEST(UnicodeData, GeneralCategories) {
  EXPECT_EQ(unicode_category(U'A'), UnicodeCategory::Lu);
  EXPECT_EQ(unicode_category(U'z'), UnicodeCategory::Ll);
  EXPECT_EQ(unicode_category(U'7'), UnicodeCategory::Nd);
  EXPECT_EQ(unicode_category(0x00BD), UnicodeCategory::No);   // ½
  EXPECT_EQ(unicode_category(U'!'), UnicodeCategory::Po);
  EXPECT_EQ(unicode_category(U'$'), UnicodeCategory::Sc);     // a symbol, yet BERT punctuation
  EXPECT_EQ(unicode_category(0x00A0), UnicodeCategory::Zs);   // NO-BREAK SPACE
  EXPECT_EQ(unicode_category(0x0301), UnicodeCategory::Mn);   // COMBINING ACUTE ACCENT
  EXPECT_EQ(unicode_category(0x4E00), UnicodeCategory::Lo);   // 一
  EXPECT_EQ(unicode_category(0x0627), UnicodeCategory::Lo);   // ARABIC LETTER ALEF
  EXPECT_EQ(unicode_category(0x1F999), UnicodeCategory::So);  // 🦙
  EXPECT_EQ(unicode_category(0x200B), UnicodeCategory::Cf);   // ZERO WIDTH SPACE
  EXPECT_EQ(unicode_category(0x0007), UnicodeCategory::Cc);
  EXPECT_EQ(unicode_category(0xE000), UnicodeCategory::Co);
  EXPECT_EQ(unicode_category(0xD800), UnicodeCategory::Cs);
  EXPECT_EQ(unicode_category(0x10FFFF), UnicodeCategory::Cn);
  EXPECT_EQ(unicode_category(0x110000), UnicodeCategory::Cn);
  EXPECT_STREQ(unicode_version(), "14.0.0");
}

TEST(UnicodeData, Classes) {
  EXPECT_TRUE(is_letter(0x00E9));  // é
  EXPECT_FALSE(is_letter(U'1'));
  EXPECT_TRUE(is_number(0x0663));  // ARABIC-INDIC DIGIT THREE
  EXPECT_TRUE(is_punctuation(0x3002));  // 。
  EXPECT_FALSE(is_punctuation(U'$'));
  for (uint32_t c : {0x09, 0x0A, 0x0D, 0x20, 0x85, 0xA0, 0x2003, 0x2028, 0x3000}) EXPECT_TRUE(is_white_space(c)) << c;
  for (uint32_t c : {0x1C, 0x200B, 0xFEFF, 0x61}) EXPECT_FALSE(is_white_space(c)) << c;
}

TEST(UnicodeData, LowerAndStripAccents) {
  auto strip = [](std::u32string s) {
    std::u32string out;
    for (char32_t c : s) append_without_accents(c, out);
    return out;
  };
  EXPECT_EQ(to_lower(U"HeLLo ÄÖÜ"), U"hello äöü");
  EXPECT_EQ(to_lower(U"\u0130"), U"i\u0307");  // İ -> i + COMBINING DOT ABOVE
  // Final sigma: ς after a cased letter when no cased letter follows ('ΣΑΣ'.lower() == 'σας').
  EXPECT_EQ(to_lower(U"ΣΑΣ ΟΔΟΣ. Σ AΣ'B"), U"σας οδος. σ aσ'b");
  EXPECT_TRUE(is_cased(U'a'));
  EXPECT_TRUE(is_cased(0x00AA));   // ª: Other_Lowercase
  EXPECT_FALSE(is_cased(U'1'));
  EXPECT_TRUE(is_case_ignorable(U'\''));
  EXPECT_TRUE(is_case_ignorable(0x0301));
  EXPECT_EQ(strip(U"naïve café Ångström"), U"naive cafe Angstrom");
  EXPECT_EQ(strip(U"e\u0301"), U"e");                     // decomposed input: the mark goes
  EXPECT_EQ(strip(U"\uD55C"), U"\u1112\u1161\u11AB");     // 한 -> its conjoining jamo
  EXPECT_EQ(strip(U"ß漢"), U"ß漢");
}

TEST(Utf8, DecodesStrictly) {
  const std::string s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\xA6\x99";  // a é € 🦙
  EXPECT_EQ(utf8_to_u32(s), U"a\u00E9\u20AC\U0001F999");
  EXPECT_EQ(u32_to_utf8(utf8_to_u32(s)), s);
  EXPECT_FALSE(next_utf8("\xC0\xAF", 0).valid);      // overlong "/"
  EXPECT_FALSE(next_utf8("\xED\xA0\x80", 0).valid);  // a surrogate
  EXPECT_FALSE(next_utf8("\xF4\x90\x80\x80", 0).valid);  // past U+10FFFF
  const Utf8Char cut = next_utf8("\xE2\x82", 0);     // cut off: one invalid byte
  EXPECT_FALSE(cut.valid);
  EXPECT_EQ(cut.size, 1u);
  EXPECT_EQ(utf8_to_u32("\xFF" "a"), U"\uFFFDa");
}
