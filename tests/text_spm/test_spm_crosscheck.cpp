// Our SentencePiece reader (text/sentencepiece_model) against libsentencepiece itself, on the real
// opus-mt-en-mg source.spm and target.spm: the same pieces for many varied texts, and the same
// text back from DecodePieces. This binary has no libtorch, so it may link libsentencepiece.
#include <gtest/gtest.h>
#include <sentencepiece_processor.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "text/sentencepiece_model.h"

using namespace attnscope;

namespace {

const std::string kDir = std::string(ATTNSCOPE_SOURCE_DIR) + "/../shared/tokenizers/opus-mt-en-mg";

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& p : v) s += "[" + p + "]";
  return s;
}

std::vector<std::string> fixed_texts() {
  return {
      "",
      " ",
      "   ",
      "\t\n",
      "Hello world",
      "Hello world, this is a test.",
      "The quick brown fox jumps over the lazy dog!",
      "  leading spaces",
      "trailing spaces   ",
      "  both   ends  and   runs   of spaces  ",
      "tabs\tand\nnewlines\r\nhere",
      "Punctuation: (a), [b], {c}; d! e? f... \"g\" 'h' -- i/j\\k",
      "Numbers: 1, 22, 333, 4.5%, 1,000,000 and 3.14159",
      "Dates 2024-01-15 and times 12:34:56",
      "e-mail: someone@example.com, url: https://example.org/path?q=1&r=2",
      "naïve café, façade and jalapeño",
      "Ça va? Où êtes-vous? À bientôt!",
      "Straße, Grüße, Ölfässer",
      "ﬁne ﬂour ﬃ",                      // ligatures (NFKC splits them)
      "Ｆｕｌｌｗｉｄｔｈ　ｔｅｘｔ１２３",  // fullwidth letters and ideographic space
      "①②③ ⅷ ½ x² H₂O",                  // compatibility forms
      "e\xCC\x81 vs \xC3\xA9",             // combining acute vs precomposed
      "Ångström Å",                        // U+212B ANGSTROM SIGN
      "日本語のテキストです。",
      "中文文本，标点符号。",
      "한국어 텍스트",
      "ｶﾀｶﾅ halfwidth katakana",
      "Русский текст и ελληνικά",
      "עברית ועربية",
      "emoji 😀🎉👍🏽 and ❤️ and 🇲🇬",
      "☃☃☃ snowmen",
      "the \xF0\x9D\x94\x98",  // 𝔘
      "zero\xE2\x80\x8Bwidth\xE2\x80\x8Cjoiners\xE2\x80\x8D",
      "soft\xC2\xADhyphen and nbsp\xC2\xA0here",
      "control \x01\x02\x7F chars",
      "bad utf8 \xFF\xFE and \xC3 cut",
      "lone surrogate \xED\xA0\x80 end",
      "replacement \xEF\xBF\xBD char",
      "Manao ahoana ianao?",
      "Ny fanjakan'Andriamanitra dia efa akaiky.",
      "Tsy misy olona tonga eto anio, fa rahampitso angamba.",
      ">>fra<< not a code here",
      "</s> <unk> <pad> written out",
      "▁already▁has▁markers",
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "supercalifragilisticexpialidocious antidisestablishmentarianism",
      "MiXeD CaSe WoRdS and ALLCAPS",
      "a b c d e f g h i j k l m n o p q r s t u v w x y z",
      "'quoted' «guillemets» „low quotes“ “curly” ‘single’",
      "dash – en — em … ellipsis",
      "math: ∑ ∫ √ ≤ ≥ ≠ ∞ ± × ÷",
      "currency $5 €10 £3 ¥100 ₹7",
  };
}

// Pseudo-random texts from a mixed alphabet (fixed seed): spaces, ASCII, accents, CJK, emoji,
// compatibility characters.
std::vector<std::string> random_texts(int n) {
  const std::vector<std::string> alphabet = {
      " ", " ", " ", "  ", "a", "e", "i", "o", "n", "t", "s", "r", "h", "l", "T", "M", "A", ".", ",", "!", "?", "'",
      "-", "0", "1", "7", "é", "è", "ô", "ü", "ñ", "ç", "ß", "Å", "ﬁ", "Ｆ", "１", "½", "²", "　", "日", "本", "語",
      "中", "文", "한", "ｶ", "ж", "λ", "😀", "👍🏽", "☃", "\t", "\xC2\xA0", "\xE2\x80\x8B", "the", "and", "ny", "dia",
      "ana", "tion", "ing", "’", "…", "–"};
  std::mt19937 rng(12345);
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    std::string s;
    const int len = 1 + static_cast<int>(rng() % 30);
    for (int k = 0; k < len; ++k) s += alphabet[rng() % alphabet.size()];
    out.push_back(s);
  }
  return out;
}

// Texts made of the model's own pieces glued together: many competing segmentations.
std::vector<std::string> piece_texts(const sentencepiece::SentencePieceProcessor& sp, int n) {
  std::mt19937 rng(777);
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    std::string s;
    const int len = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < len; ++k) {
      const int id = static_cast<int>(rng() % static_cast<unsigned>(sp.GetPieceSize()));
      if (sp.IsControl(id) || sp.IsUnknown(id)) continue;
      std::string p = sp.IdToPiece(id);
      for (size_t pos; (pos = p.find("\xE2\x96\x81")) != std::string::npos;) p.replace(pos, 3, " ");
      s += p;
    }
    out.push_back(s);
  }
  return out;
}

void crosscheck(const std::string& file) {
  if (!std::filesystem::exists(kDir)) {
    std::printf("skipped: ../shared not found\n");
    GTEST_SKIP() << "skipped: ../shared not found";
  }
  const std::string path = kDir + "/" + file;
  sentencepiece::SentencePieceProcessor sp;
  ASSERT_TRUE(sp.Load(path).ok());
  SentencePieceModel ours = SentencePieceModel::load(path);
  // Debian 12's libsentencepiece is 0.1.97: its arithmetic breaks exact ties (the default follows
  // sentencepiece 0.2, which tests/text/hf_parity.sh checks against PyPI's).
  ours.set_arithmetic(SentencePieceModel::Arithmetic::kV0_1);
  EXPECT_EQ(ours.size(), sp.GetPieceSize());
  EXPECT_EQ(ours.unk_id(), sp.unk_id());

  std::vector<std::string> texts = fixed_texts();
  for (auto& t : random_texts(2000)) texts.push_back(std::move(t));
  for (auto& t : piece_texts(sp, 2000)) texts.push_back(std::move(t));
  int agree = 0, decode_agree = 0;
  for (const std::string& text : texts) {
    std::vector<std::string> want;
    ASSERT_TRUE(sp.Encode(text, &want).ok());
    const std::vector<std::string> got = ours.encode(text);
    if (got == want) ++agree;
    else ADD_FAILURE() << file << ": \"" << text << "\"\n  libsentencepiece " << join(want) << "\n  ours             "
                       << join(got);
    std::string want_text;
    ASSERT_TRUE(sp.Decode(want, &want_text).ok());
    if (ours.decode(want) == want_text) ++decode_agree;
    else ADD_FAILURE() << file << ": decode of " << join(want) << ": \"" << want_text << "\" vs \"" << ours.decode(want)
                       << "\"";
  }
  std::printf("%s: %d/%zu texts encode to the same pieces, %d/%zu decode the same\n", file.c_str(), agree,
              texts.size(), decode_agree, texts.size());
}

}  // namespace

TEST(SpmCrosscheck, SourceSpm) { crosscheck("source.spm"); }
TEST(SpmCrosscheck, TargetSpm) { crosscheck("target.spm"); }

TEST(SpmCrosscheck, BadFilesFailWithOneLine) {
  if (!std::filesystem::exists(kDir)) {
    std::printf("skipped: ../shared not found\n");
    GTEST_SKIP() << "skipped: ../shared not found";
  }
  std::string bytes;
  {
    std::FILE* f = std::fopen((kDir + "/source.spm").c_str(), "rb");
    ASSERT_NE(f, nullptr);
    char buf[65536];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) bytes.append(buf, n);
    std::fclose(f);
  }
  for (size_t cut : {size_t{1}, size_t{100}, size_t{1000}, size_t{4096}, bytes.size() / 2, bytes.size() - 1}) {
    try {
      SentencePieceModel::parse(std::string_view(bytes).substr(0, cut), "x.spm");
      ADD_FAILURE() << "a file cut at " << cut << " bytes parsed";
    } catch (const std::runtime_error& e) {
      const std::string msg = e.what();
      EXPECT_EQ(msg.rfind("x.spm: not a readable SentencePiece model (", 0), 0u) << msg;
      EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    }
  }
  EXPECT_THROW(SentencePieceModel::parse("{\"not\": \"a model\"}", "x.spm"), std::runtime_error);
}
