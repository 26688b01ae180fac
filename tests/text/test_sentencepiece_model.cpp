// text/sentencepiece_model on a tiny ModelProto written by hand (no charsmap, so no NFKC): the
// wire-format reader, the unigram Viterbi, user-defined pieces, unknown runs, decode, errors.
// The real .spm files are checked against libsentencepiece itself in tests/text_spm.
#include <gtest/gtest.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "text/sentencepiece_model.h"
#include "../test_util.h"

using attnscope::testing::error_of;

using namespace attnscope;
using Pieces = std::vector<std::string>;

namespace {

std::string varint(uint64_t v) {
  std::string s;
  while (v >= 0x80) {
    s += static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  return s + static_cast<char>(v);
}
std::string len_field(int field, const std::string& body) { return varint(static_cast<uint64_t>(field) << 3 | 2) + varint(body.size()) + body; }
std::string int_field(int field, uint64_t v) { return varint(static_cast<uint64_t>(field) << 3) + varint(v); }
std::string piece(const std::string& text, float score, int type = 1) {
  char f[4];
  std::memcpy(f, &score, 4);
  return len_field(1, len_field(1, text) + varint(2 << 3 | 5) + std::string(f, 4) + int_field(3, static_cast<uint64_t>(type)));
}

const std::string W = "\xE2\x96\x81";  // ▁

std::string tiny_model() {
  return piece("<unk>", 0, 2) + piece("</s>", 0, 3) + piece(W + "a", -1) + piece(W + "ab", -1.5f) + piece("b", -2) +
         piece(W, -3) + piece("a", -2.5f) + piece("<x>", 0, 4) + len_field(2, int_field(3, 1)) +
         len_field(3, len_field(1, "identity") + int_field(3, 1) + int_field(4, 1) + int_field(5, 1));
}

}  // namespace

TEST(SentencePieceModel, EncodesByBestScore) {
  const auto m = SentencePieceModel::parse(tiny_model(), "tiny.spm");
  EXPECT_EQ(m.size(), 8);
  EXPECT_EQ(m.unk_id(), 0);
  EXPECT_EQ(m.encode("ab"), (Pieces{W + "ab"}));           // -1.5 beats ▁a + b (-3)
  EXPECT_EQ(m.encode("  ab   a  "), (Pieces{W + "ab", W + "a"}));  // extra spaces removed
  EXPECT_EQ(m.encode("b"), (Pieces{W, "b"}));
  EXPECT_EQ(m.encode(""), Pieces{});
  EXPECT_EQ(m.encode("   "), Pieces{});
  EXPECT_EQ(m.encode("a<x>b"), (Pieces{W + "a", "<x>", "b"}));  // user-defined kept whole
  EXPECT_EQ(m.encode("azzb"), (Pieces{W + "a", "zz", "b"}));    // an unknown run is one piece
  EXPECT_EQ(m.normalize(" a  b "), W + "a" + W + "b");
}

TEST(SentencePieceModel, Decodes) {
  const auto m = SentencePieceModel::parse(tiny_model(), "tiny.spm");
  EXPECT_EQ(m.decode({W + "ab", W + "a", "b"}), "ab ab");
  EXPECT_EQ(m.decode({"</s>", W + "a", "<unk>", "zz"}), "a \xE2\x81\x87 zz");  // control hidden, unk surface
  EXPECT_EQ(m.piece_to_id(W + "ab"), 3);
  EXPECT_EQ(m.piece_to_id("nope"), 0);
}

// A BPE model with byte_fallback, as Llama's tokenizer.model: <unk> <s> </s>, the 256 byte pieces,
// then merged pieces scored by merge order and the characters.
std::string tiny_bpe_model() {
  std::string m = piece("<unk>", 0, 2) + piece("<s>", 0, 3) + piece("</s>", 0, 3);
  for (int b = 0; b < 256; ++b) m += piece(SentencePieceModel::byte_piece(static_cast<uint8_t>(b)), 0, 6);
  m += piece(W + "a", -1) + piece("ab", -2) + piece(W + "ab", -3) + piece(W, -10) + piece("a", -11) + piece("b", -12);
  return m + len_field(2, int_field(3, 2) + int_field(35, 1)) +
         len_field(3, len_field(1, "identity") + int_field(3, 1) + int_field(4, 1) + int_field(5, 1));
}

TEST(SentencePieceModel, BpeMergesTheBestScoringPairFirst) {
  const auto m = SentencePieceModel::parse(tiny_bpe_model(), "bpe.spm");
  EXPECT_TRUE(m.is_bpe());
  EXPECT_TRUE(m.byte_fallback());
  const int a_ = 259, ab = 260, a_b = 261, sp = 262, a = 263, b = 264;  // ids after the 259 reserved pieces
  EXPECT_EQ(m.encode("ab"), (Pieces{W + "ab"}));  // ▁a (-1) first, then ▁a+b = ▁ab (-3)
  EXPECT_EQ(m.encode_ids("ab"), (std::vector<int>{a_b}));
  // ▁a, then ab at the right end (the left ab lost its a), then ▁a+b; "bab" is no piece.
  EXPECT_EQ(m.encode_ids("abab"), (std::vector<int>{a_b, ab}));
  EXPECT_EQ(m.encode_ids("ba"), (std::vector<int>{sp, b, a}));  // no pair is a piece
  EXPECT_EQ(m.encode_ids("a"), (std::vector<int>{a_}));
  // é is not a piece: its two UTF-8 bytes C3 A9 as byte pieces (ids 3 + byte).
  EXPECT_EQ(m.encode("a\xC3\xA9"), (Pieces{W + "a", "<0xC3>", "<0xA9>"}));
  EXPECT_EQ(m.encode_ids("a\xC3\xA9"), (std::vector<int>{a_, 3 + 0xC3, 3 + 0xA9}));
  EXPECT_EQ(m.decode(m.encode("ab a\xC3\xA9")), "ab a\xC3\xA9");
  EXPECT_EQ(m.decode({W + "a", "<0xC3>"}), "a\xEF\xBF\xBD");  // a cut character: U+FFFD
}

TEST(SentencePieceModel, BadFilesThrowOneLine) {
  const std::string good = tiny_model();
  for (size_t cut = 1; cut < good.size(); cut += 7) {
    try {
      SentencePieceModel::parse(good.substr(0, cut), "tiny.spm");
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()).rfind("tiny.spm: not a readable SentencePiece model (", 0), 0u) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  }
  EXPECT_THROW(SentencePieceModel::parse("", "tiny.spm"), std::runtime_error);  // no pieces
  EXPECT_THROW(SentencePieceModel::parse(piece("a", -1), "tiny.spm"), std::runtime_error);  // no <unk>
  EXPECT_THROW(SentencePieceModel::parse(piece("<unk>", 0, 2) + len_field(2, int_field(3, 3)), "tiny.spm"),
               std::runtime_error);  // WORD
  // byte_fallback (trainer spec field 35) needs all 256 byte pieces.
  EXPECT_NE(std::string(error_of([] { SentencePieceModel::parse(piece("<unk>", 0, 2) + len_field(2, int_field(35, 1)), "t.spm"); }))
                .find("byte_fallback without the byte piece <0x00>"),
            std::string::npos);
  EXPECT_THROW(SentencePieceModel::load("/nonexistent/x.spm"), std::runtime_error);
}
