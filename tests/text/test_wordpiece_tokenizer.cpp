// BERT's WordPiece tokenizer against the real bert-base-uncased vocab.txt. Expected ids are the
// line numbers (from 0) of the pieces in ../shared/tokenizers/bert-base-uncased/vocab.txt,
// the pieces following BERT's published rules (tokenization_bert.py), worked out by hand.
#include <gtest/gtest.h>

#include "text/tokenizer.h"
#include "text/wordpiece_tokenizer.h"
#include "tokenizer_test_util.h"

using namespace attnscope;
using namespace attnscope::test;
using Ids = std::vector<int>;

namespace {

const std::string kBert = kSharedTokenizers + "/bert-base-uncased";

// Ids in bert-base-uncased/vocab.txt.
constexpr int kPad = 0, kUnk = 100, kCls = 101, kSep = 102, kMask = 103;
constexpr int kHello = 7592, kComma = 1010, kWorld = 2088, kBang = 999, kNaive = 15743, kCafe = 7668;
constexpr int kThe = 1996, kSat = 2938, kOn = 2006, kMat = 13523, kDot = 1012;


// Loaded once: reading the real vocabulary takes a good part of a second.
const WordPieceTokenizer& bert() {
  static const WordPieceTokenizer tok = WordPieceTokenizer::load(kBert);
  return tok;
}

}  // namespace

TEST(WordPiece, LoadsTheRealVocabulary) {
  SKIP_WITHOUT_SHARED_TOKENIZER("bert-base-uncased");
  const auto& tok = bert();
  EXPECT_EQ(tok.vocab_size(), 30522);
  EXPECT_EQ(tok.piece(kCls), "[CLS]");
  EXPECT_EQ(tok.pad_id(), kPad);
  EXPECT_EQ(tok.unk_id(), kUnk);
  EXPECT_EQ(tok.mask_id(), kMask);
  EXPECT_EQ(tok.bos_id(), kCls);
  EXPECT_EQ(tok.eos_id(), kSep);
  EXPECT_TRUE(tok.options().lower_case);  // tokenizer_config.json: do_lower_case true
  EXPECT_EQ(tok.subword_style(), "wordpiece");
  EXPECT_THROW(tok.piece(30522), std::out_of_range);
}

TEST(WordPiece, LowerCasesAndSplitsPunctuation) {
  SKIP_WITHOUT_SHARED_TOKENIZER("bert-base-uncased");
  const auto& tok = bert();
  EXPECT_EQ(tok.basic_tokenize("Hello, World!"), (std::vector<std::string>{"hello", ",", "world", "!"}));
  EXPECT_EQ(tok.encode("Hello, World!", false), (Ids{kHello, kComma, kWorld, kBang}));
  EXPECT_EQ(tok.encode("Hello, World!", true), (Ids{kCls, kHello, kComma, kWorld, kBang, kSep}));
  // don't -> don ' t; ASCII symbols that Unicode calls S* ($ ^ `) are punctuation to BERT.
  EXPECT_EQ(tok.encode("don't", false), (Ids{2123, 1005, 1056}));
  EXPECT_EQ(tok.encode("$^`", false), (Ids{1002, 1034, 1036}));
}

TEST(WordPiece, StripsAccents) {
  SKIP_WITHOUT_SHARED_TOKENIZER("bert-base-uncased");
  const auto& tok = bert();
  EXPECT_EQ(tok.basic_tokenize("naïve café"), (std::vector<std::string>{"naive", "cafe"}));
  EXPECT_EQ(tok.encode("naïve café", false), (Ids{kNaive, kCafe}));
  EXPECT_EQ(tok.encode("NAÏVE CAFÉ", false), (Ids{kNaive, kCafe}));
  EXPECT_EQ(tok.encode("nai\xCC\x88ve", false), (Ids{kNaive}));  // i + COMBINING DIAERESIS
}

TEST(WordPiece, SplitsCjkIdeographs) {
  SKIP_WITHOUT_SHARED_TOKENIZER("bert-base-uncased");
  const auto& tok = bert();
  EXPECT_EQ(tok.basic_tokenize("我爱北京"), (std::vector<std::string>{"我", "爱", "北", "京"}));
  // 我 1855, 北 1781, 京 1755; 爱 has no piece in this vocabulary, so it is [UNK].
  EXPECT_EQ(tok.encode("我爱北京", false), (Ids{1855, kUnk, 1781, 1755}));
}

TEST(WordPiece, GreedyLongestMatchFirst) {
  SKIP_WITHOUT_SHARED_TOKENIZER("bert-base-uncased");
  const auto& tok = bert();
  // The real vocabulary has no "##aff": unaffable -> una (14477) ##ffa (20961) ##ble (3468);
  // unaffab..unaff, ##ffable..##ffab are not pieces.
  EXPECT_EQ(tok.wordpiece("unaffable"), (Ids{14477, 20961, 3468}));
  EXPECT_EQ(tok.encode("tokenization", false), (Ids{19204, 3989}));  // token ##ization
  EXPECT_EQ(tok.encode("playing", false), (Ids{2652}));               // a whole piece wins
}

TEST(WordPiece, UnknownWords) {
  SKIP_WITHOUT_SHARED_TOKENIZER("bert-base-uncased");
  const auto& tok = bert();
  EXPECT_NE(tok.encode(std::string(100, 'a'), false), (Ids{kUnk}));  // 100 characters still split (a, ##a exist)
  EXPECT_EQ(tok.encode(std::string(101, 'a'), false), (Ids{kUnk}));  // more than 100 characters
  EXPECT_EQ(tok.encode("hello \xF0\x9F\xA6\x99 world", false), (Ids{kHello, kUnk, kWorld}));  // 🦙: no piece
}

TEST(WordPiece, CleansText) {
  SKIP_WITHOUT_SHARED_TOKENIZER("bert-base-uncased");
  const auto& tok = bert();
  // NUL, U+FFFD, controls and format characters vanish; \t \n \r and Zs separate words.
  EXPECT_EQ(tok.encode(std::string("hel\0lo", 6), false), (Ids{kHello}));
  EXPECT_EQ(tok.encode("hel\xEF\xBF\xBDlo hel\x01lo hel\xE2\x80\x8Blo", false), (Ids{kHello, kHello, kHello}));
  EXPECT_EQ(tok.encode("  hello\tworld\r\nhello\xC2\xA0world  ", false), (Ids{kHello, kWorld, kHello, kWorld}));
  EXPECT_EQ(tok.encode("", false), Ids{});
  EXPECT_EQ(tok.encode("", true), (Ids{kCls, kSep}));
  EXPECT_EQ(tok.encode(" \t\n", true), (Ids{kCls, kSep}));
}

TEST(WordPiece, KeepsSpecialTokensWrittenInTheText) {
  SKIP_WITHOUT_SHARED_TOKENIZER("bert-base-uncased");
  const auto& tok = bert();
  EXPECT_EQ(tok.encode("The [MASK] sat on the mat.", true),
            (Ids{kCls, kThe, kMask, kSat, kOn, kThe, kMat, kDot, kSep}));
  // Only the exact spelling is special: lower-case "[mask]" is text ([ mask ]).
  EXPECT_EQ(tok.encode("[mask]", false), (Ids{1031, 7308, 1033}));
}

TEST(WordPiece, Decodes) {
  SKIP_WITHOUT_SHARED_TOKENIZER("bert-base-uncased");
  const auto& tok = bert();
  EXPECT_EQ(tok.decode({kCls, kHello, kComma, kWorld, kBang, kSep, kPad}), "hello, world!");
  EXPECT_EQ(tok.decode({19204, 3989}), "tokenization");
  EXPECT_EQ(tok.decode({2123, 1005, 1056}), "don't");  // BERT's clean-up joins " ' " back
  EXPECT_EQ(tok.decode({}), "");
  EXPECT_THROW(tok.decode({-1}), std::out_of_range);
}

// The example of BERT's docstring, on a vocabulary that has its pieces.
TEST(WordPiece, DocstringExampleOnAToyVocabulary) {
  TempDir dir("attnscope-wordpiece");
  write_text(dir.path / "vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nun\n##aff\n##able\nUn\n");
  write_text(dir.path / "tokenizer_config.json", R"({"do_lower_case": false})");
  const auto tok = WordPieceTokenizer::load(dir.path.string());
  EXPECT_EQ(tok.encode("unaffable", true), (Ids{2, 5, 6, 7, 3}));  // [CLS] un ##aff ##able [SEP]
  EXPECT_EQ(tok.encode("Unaffable", false), (Ids{8, 6, 7}));       // cased: "Un" is its own piece
  EXPECT_EQ(tok.encode("unaffablex", false), (Ids{1}));            // an unmatchable tail: whole word [UNK]
  EXPECT_EQ(tok.decode({2, 5, 6, 7, 3}), "unaffable");
  EXPECT_FALSE(tok.options().strip_accents);  // null strip_accents follows do_lower_case
}

TEST(WordPiece, Errors) {
  TempDir dir("attnscope-wordpiece-errors");
  EXPECT_NE(error_of([&] { WordPieceTokenizer::load(dir.path.string()); }).find("vocab.txt: no such file"),
            std::string::npos);
  write_text(dir.path / "vocab.txt", "[CLS]\n[SEP]\nhello\n");
  EXPECT_NE(error_of([&] { WordPieceTokenizer::load(dir.path.string()); }).find("vocab.txt: no [UNK] piece"),
            std::string::npos);
  write_text(dir.path / "vocab.txt", "[UNK]\n[CLS]\n[SEP]\n");
  write_text(dir.path / "tokenizer_config.json", "{\"do_lower_case\": tru");
  EXPECT_NE(error_of([&] { WordPieceTokenizer::load(dir.path.string()); }).find("tokenizer_config.json: not valid JSON"),
            std::string::npos);
  write_text(dir.path / "tokenizer_config.json", "{\"do_lower_case\": \"yes\"}");
  EXPECT_NE(error_of([&] { WordPieceTokenizer::load(dir.path.string()); }).find("\"do_lower_case\" is not true or false"),
            std::string::npos);
}
