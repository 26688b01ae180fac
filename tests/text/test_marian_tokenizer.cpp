// MarianMT's SentencePiece tokenizer against the real opus-mt-en-mg files. Ids are looked up in
// ../shared/tokenizers/opus-mt-en-mg/vocab.json (not the .spm's own ids); the pieces are whole
// frequent words, which a unigram SentencePiece model keeps as one piece.
#include <gtest/gtest.h>

#include <algorithm>

#include "text/marian_tokenizer.h"
#include "text/tokenizer.h"
#include "tokenizer_test_util.h"

using namespace attnscope;
using namespace attnscope::test;
using Ids = std::vector<int>;

namespace {

const std::string kMarian = kSharedTokenizers + "/opus-mt-en-mg";
// vocab.json ids.
constexpr int kEos = 0, kUnk = 1, kPad = 54687;
constexpr int kThe = 7, kOf = 11, kAnd = 15, kDot = 4, kComma = 3, kIs = 31, kThis = 215, kWorld = 245;


// Loaded once: reading the real vocabulary takes a good part of a second.
const MarianTokenizer& marian() {
  static const MarianTokenizer tok = MarianTokenizer::load(kMarian);
  return tok;
}

}  // namespace

TEST(MarianTokenizer, LoadsTheRealFiles) {
  SKIP_WITHOUT_SHARED_TOKENIZER("opus-mt-en-mg");
  const auto& tok = marian();
  EXPECT_EQ(tok.vocab_size(), 54688);  // config.json vocab_size
  EXPECT_EQ(tok.eos_id(), kEos);
  EXPECT_EQ(tok.unk_id(), kUnk);
  EXPECT_EQ(tok.pad_id(), kPad);       // config.json decoder_start_token_id
  EXPECT_EQ(tok.bos_id(), -1);
  EXPECT_EQ(tok.piece(kThe), "\xE2\x96\x81the");  // ▁the
  EXPECT_EQ(tok.subword_style(), "sentencepiece");
  EXPECT_EQ(tok.side(), MarianSide::kSource);
  EXPECT_EQ(tok.target().side(), MarianSide::kTarget);
}

TEST(MarianTokenizer, IdsComeFromVocabJson) {
  SKIP_WITHOUT_SHARED_TOKENIZER("opus-mt-en-mg");
  const auto& tok = marian();
  EXPECT_EQ(tok.pieces_of("the"), (std::vector<std::string>{"\xE2\x96\x81the"}));
  EXPECT_EQ(tok.encode("the", false), (Ids{kThe}));
  EXPECT_EQ(tok.encode("the", true), (Ids{kThe, kEos}));  // </s> appended
  EXPECT_EQ(tok.encode("This is the world of the and.", true),
            (Ids{kThis, kIs, kThe, kWorld, kOf, kThe, kAnd, kDot, kEos}));
  EXPECT_EQ(tok.encode("the, the", false), (Ids{kThe, kComma, kThe}));
  EXPECT_EQ(tok.encode("", false), Ids{});
  EXPECT_EQ(tok.encode("", true), (Ids{kEos}));
  EXPECT_EQ(tok.encode("the</s>", false), (Ids{kThe, kEos}));  // a special written in the text
}

TEST(MarianTokenizer, UnknownPiecesAreUnk) {
  SKIP_WITHOUT_SHARED_TOKENIZER("opus-mt-en-mg");
  const auto& tok = marian();
  // ☃ is not in source.spm: SentencePiece passes the run through as one unknown piece, and that
  // surface string is not in vocab.json either, so it becomes <unk>.
  const Ids ids = tok.encode("the \xE2\x98\x83\xE2\x98\x83\xE2\x98\x83 the", false);  // ☃☃☃
  ASSERT_GE(ids.size(), 3u);
  EXPECT_EQ(ids.front(), kThe);
  EXPECT_EQ(ids.back(), kThe);
  EXPECT_NE(std::find(ids.begin(), ids.end(), kUnk), ids.end());
  for (int id : ids) EXPECT_TRUE(id >= 0 && id < tok.vocab_size());
  // SentencePiece's nmt_nfkc normaliser: 𝔘 (MATHEMATICAL FRAKTUR CAPITAL U) is U; extra spaces go.
  EXPECT_EQ(tok.pieces_of("the \xF0\x9D\x94\x98"), (std::vector<std::string>{"\xE2\x96\x81the", "\xE2\x96\x81U"}));
  EXPECT_EQ(tok.encode("  the   the  ", false), (Ids{kThe, kThe}));
}

TEST(MarianTokenizer, DecodeInvertsEncode) {
  SKIP_WITHOUT_SHARED_TOKENIZER("opus-mt-en-mg");
  const auto& tok = marian();
  // Text SentencePiece's normaliser leaves as it is (NFKC, single spaces, no spaces at the ends)
  // and whose characters are all in vocab.json.
  const std::vector<std::string> texts = {
      "",
      "Hello world, this is a test.",
      "naïve café, façade and jalapeño",
      "The Kingdom of God is near! Are you ready?",
      "Numbers: 1, 22, 333 and 4.5%",
  };
  for (const auto& text : texts) EXPECT_EQ(tok.decode(tok.encode(text, true)), text) << text;
  const auto target = tok.target();
  for (const std::string text : {"Manao ahoana ianao?", "Ny fanjakan'Andriamanitra dia efa akaiky."})
    EXPECT_EQ(target.decode(target.encode(text, true)), text) << text;
  EXPECT_EQ(tok.decode({kThe, kUnk, kWorld, kEos, kPad}), "the world");  // specials skipped
  EXPECT_THROW(tok.decode({54688}), std::out_of_range);
}

TEST(MarianTokenizer, Errors) {
  TempDir dir("attnscope-marian-errors");
  write_text(dir.path / "vocab.json", "{\"</s>\": 0, \"<unk>\": 1, \"<pad>\": 2}");
  EXPECT_NE(error_of([&] { MarianTokenizer::load(dir.path.string()); }).find("source.spm: no such file"),
            std::string::npos);
  if (!std::filesystem::exists(kMarian)) return;  // the rest needs the real .spm
  std::string spm = read_bytes(kMarian + "/source.spm");
  write_text(dir.path / "source.spm", spm.substr(0, 1000));
  std::string msg = error_of([&] { MarianTokenizer::load(dir.path.string()); });
  EXPECT_NE(msg.find("source.spm: not a readable SentencePiece model"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos);
  write_text(dir.path / "source.spm", spm);
  std::filesystem::remove(dir.path / "vocab.json");
  EXPECT_NE(error_of([&] { MarianTokenizer::load(dir.path.string()); }).find("vocab.json: no such file"),
            std::string::npos);
  write_text(dir.path / "vocab.json", "{\"</s>\": 0, \"<unk>\": 1}");
  EXPECT_NE(error_of([&] { MarianTokenizer::load(dir.path.string()); }).find("vocab.json: no <pad> piece"),
            std::string::npos);
  write_text(dir.path / "vocab.json", "[1, 2]");
  EXPECT_NE(error_of([&] { MarianTokenizer::load(dir.path.string()); }).find("expected a non-empty JSON object"),
            std::string::npos);
}
