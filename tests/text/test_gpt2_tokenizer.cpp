// GPT-2's byte-level BPE against the real gpt2 vocab.json + merges.txt. Expected ids are looked up
// in ../shared/tokenizers/gpt2/vocab.json; where a pre-token is not simply one piece, the merges
// were applied by hand from merges.txt (rank = line number - 2), as noted beside each case.
#include <gtest/gtest.h>

#include <random>

#include "text/gpt2_tokenizer.h"
#include "text/tokenizer.h"
#include "tokenizer_test_util.h"

using namespace attnscope;
using namespace attnscope::test;
using Ids = std::vector<int>;
using Views = std::vector<std::string_view>;

namespace {

const std::string kGpt2 = kSharedTokenizers + "/gpt2";
constexpr int kEndOfText = 50256, kSpace = 220;  // "<|endoftext|>", "Ġ"


// Loaded once: reading the real vocabulary takes a good part of a second.
const Gpt2Tokenizer& gpt2() {
  static const Gpt2Tokenizer tok = Gpt2Tokenizer::load(kGpt2);
  return tok;
}

}  // namespace

TEST(Gpt2Pretokenize, FollowsThePattern) {
  EXPECT_EQ(Gpt2Tokenizer::pretokenize("Hello world"), (Views{"Hello", " world"}));
  // Contractions, punctuation runs, numbers with their leading space.
  EXPECT_EQ(Gpt2Tokenizer::pretokenize("It's 2024... we're OK!?"),
            (Views{"It", "'s", " 2024", "...", " we", "'re", " OK", "!?"}));
  // \s+(?!\S): a whitespace run leaves its last space to the next word; at the end it is whole.
  EXPECT_EQ(Gpt2Tokenizer::pretokenize("  two spaces"), (Views{" ", " two", " spaces"}));
  EXPECT_EQ(Gpt2Tokenizer::pretokenize("a   b  "), (Views{"a", "  ", " b", "  "}));
  // Only U+0020 joins the next word; a single newline before a word stands alone.
  EXPECT_EQ(Gpt2Tokenizer::pretokenize("Hello\n\nworld\n"), (Views{"Hello", "\n", "\n", "world", "\n"}));
  EXPECT_EQ(Gpt2Tokenizer::pretokenize("a\tb"), (Views{"a", "\t", "b"}));
  // Unicode letters and numbers, the apostrophe inside a punctuation run, case-sensitive 'S.
  EXPECT_EQ(Gpt2Tokenizer::pretokenize("café naïve 東京 ٣٤"), (Views{"café", " naïve", " 東京", " ٣٤"}));
  EXPECT_EQ(Gpt2Tokenizer::pretokenize("?'s IT'S"), (Views{"?'", "s", " IT", "'", "S"}));
  EXPECT_EQ(Gpt2Tokenizer::pretokenize(""), Views{});
  EXPECT_EQ(Gpt2Tokenizer::pretokenize(" "), (Views{" "}));
}

TEST(Gpt2Tokenizer, LoadsTheRealVocabulary) {
  SKIP_WITHOUT_SHARED_TOKENIZER("gpt2");
  const auto& tok = gpt2();
  EXPECT_EQ(tok.vocab_size(), 50257);
  EXPECT_EQ(tok.bos_id(), kEndOfText);
  EXPECT_EQ(tok.eos_id(), kEndOfText);
  EXPECT_EQ(tok.piece(kSpace), "Ġ");
  EXPECT_EQ(tok.piece(995), "Ġworld");
  EXPECT_EQ(tok.subword_style(), "gpt2");
  EXPECT_THROW(tok.piece(50257), std::out_of_range);
}

TEST(Gpt2Tokenizer, EncodesAsGpt2) {
  SKIP_WITHOUT_SHARED_TOKENIZER("gpt2");
  const auto& tok = gpt2();
  EXPECT_EQ(tok.encode("Hello world", false), (Ids{15496, 995}));  // Hello, Ġworld
  EXPECT_EQ(tok.encode(" Hello", false), (Ids{18435}));            // ĠHello
  EXPECT_EQ(tok.encode("Hello world", true), (Ids{15496, 995}));   // add_special adds nothing
  EXPECT_EQ(tok.encode("  two spaces", false), (Ids{kSpace, 734, 9029}));  // Ġ Ġtwo Ġspaces
  // "  " before b: there is no "Ġ Ġ" merge (no ĠĠ piece), so two Ġ.
  EXPECT_EQ(tok.encode("a   b", false), (Ids{64, kSpace, kSpace, 275}));   // a Ġ Ġ Ġb
  EXPECT_EQ(tok.encode("it's", false), (Ids{270, 338}));    // it 's
  EXPECT_EQ(tok.encode("don't", false), (Ids{9099, 470}));  // don 't
  EXPECT_EQ(tok.encode("we're", false), (Ids{732, 821}));   // we 're
  EXPECT_EQ(tok.encode("Hello\n\nworld", false), (Ids{15496, 198, 198, 6894}));  // Hello Ċ Ċ world
  EXPECT_EQ(tok.encode("Hello\n\n", false), (Ids{15496, 628}));                  // Hello ĊĊ
  EXPECT_EQ(tok.encode("", false), Ids{});
}

TEST(Gpt2Tokenizer, IsByteLevel) {
  SKIP_WITHOUT_SHARED_TOKENIZER("gpt2");
  const auto& tok = gpt2();
  // 🦙 = F0 9F A6 99 -> symbols ð Ł ¦ Ļ; the only merge among them is "ð Ł" (rank 8326).
  EXPECT_EQ(tok.encode("\xF0\x9F\xA6\x99", false), (Ids{8582, 99, 247}));  // ðŁ ¦ Ļ
  // " café" = Ġ c a f Ã ©: Ġc (13), Ġca (1019), Ã© (2378), Ġcaf (19689), ĠcafÃ© (40048).
  EXPECT_EQ(tok.encode(" café", false), (Ids{40304}));
  EXPECT_EQ(tok.piece(40304), "ĠcafÃ©");
}

TEST(Gpt2Tokenizer, EndOfTextInTheText) {
  SKIP_WITHOUT_SHARED_TOKENIZER("gpt2");
  const auto& tok = gpt2();
  EXPECT_EQ(tok.encode("a<|endoftext|>b", false), (Ids{64, kEndOfText, 65}));
  EXPECT_EQ(tok.decode({64, kEndOfText, 65}), "ab");  // specials are skipped
}

TEST(Gpt2Tokenizer, DecodeInvertsEncode) {
  SKIP_WITHOUT_SHARED_TOKENIZER("gpt2");
  const auto& tok = gpt2();
  const std::vector<std::string> texts = {
      "",
      "Hello world",
      "naïve café, Ångström, façade, jalapeño, Øresund",
      "東京は日本の首都です。我爱北京天安门",
      "emoji: \xF0\x9F\xA6\x99\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB \xF0\x9F\x87\xAB\xF0\x9F\x87\xB7",
      "العربية: مرحبا بالعالم ١٢٣",
      "Ελληνικά, русский, עברית, हिन्दी, 한국어",
      "   leading and trailing   ",
      "tabs\tand\nnew\n\nlines\r\n\r\n",
      "a\xC2\xA0" "b\xE2\x80\x83" "c\xE3\x80\x80" "d",  // NBSP, EM SPACE, IDEOGRAPHIC SPACE
      "'s 'S '''s don't  ''",
      "\xFF\xFE invalid \xC0\xAF utf-8 \xE2\x82",     // bytes that are not UTF-8 survive too
      std::string("nul\0inside", 10),
  };
  for (const auto& text : texts) EXPECT_EQ(tok.decode(tok.encode(text, false)), text) << text;
}

TEST(Gpt2Tokenizer, DecodeInvertsEncodeOnRandomBytes) {
  SKIP_WITHOUT_SHARED_TOKENIZER("gpt2");
  const auto& tok = gpt2();
  std::mt19937 rng(7);
  const std::string alphabet[] = {"a", "Z", " ", "  ", "\n", "'", "s", "1", "é", "東", "\xF0\x9F\xA6\x99", "!", "\t",
                                  "\xC2\xA0", "\xFF"};
  for (int round = 0; round < 200; ++round) {
    std::string text;
    const int n = static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) text += alphabet[rng() % std::size(alphabet)];
    std::string joined;
    for (auto v : Gpt2Tokenizer::pretokenize(text)) joined += v;
    ASSERT_EQ(joined, text);  // pre-tokens cover the text exactly
    ASSERT_EQ(tok.decode(tok.encode(text, false)), text) << text;
  }
}

TEST(Gpt2Tokenizer, Errors) {
  TempDir dir("attnscope-gpt2-errors");
  write_text(dir.path / "merges.txt", "#version: 0.2\n");
  EXPECT_NE(error_of([&] { Gpt2Tokenizer::load(dir.path.string()); }).find("vocab.json: no such file"),
            std::string::npos);
  write_text(dir.path / "vocab.json", "{\"a\": 0, ");
  EXPECT_NE(error_of([&] { Gpt2Tokenizer::load(dir.path.string()); }).find("vocab.json: not valid JSON"),
            std::string::npos);
  write_text(dir.path / "vocab.json", "{\"a\": 0, \"b\": 0}");
  EXPECT_NE(error_of([&] { Gpt2Tokenizer::load(dir.path.string()); }).find("id 0 is given to two pieces"),
            std::string::npos);
  write_text(dir.path / "vocab.json", "{\"a\": \"zero\"}");
  EXPECT_NE(error_of([&] { Gpt2Tokenizer::load(dir.path.string()); }).find("the id of \"a\" is \"zero\""),
            std::string::npos);
  write_text(dir.path / "vocab.json", "{\"a\": 0}");
  EXPECT_NE(error_of([&] { Gpt2Tokenizer::load(dir.path.string()); }).find("no piece for byte 0"), std::string::npos);

  if (!std::filesystem::exists(kGpt2)) return;  // the rest needs the real vocabulary
  std::filesystem::copy_file(kGpt2 + "/vocab.json", dir.path / "vocab.json",
                             std::filesystem::copy_options::overwrite_existing);
  write_text(dir.path / "merges.txt", "#version: 0.2\nĠ t\nĠ a x\n");
  const std::string msg = error_of([&] { Gpt2Tokenizer::load(dir.path.string()); });
  EXPECT_NE(msg.find("merges.txt line 3: expected 2 fields \"a b\", found 3"), std::string::npos) << msg;
  write_text(dir.path / "merges.txt", "#version: 0.2\nĠ t\nq z\n");
  EXPECT_NE(error_of([&] { Gpt2Tokenizer::load(dir.path.string()); }).find("line 3: the merged piece \"qz\" is not in vocab.json"),
            std::string::npos);
}
