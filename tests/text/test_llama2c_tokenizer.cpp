// llama2.c's tokenizer against run.c's own encodings (tests/fixtures/stories260K, see its README).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <functional>
#include <map>
#include <random>
#include <unistd.h>

#include "text/llama2c_tokenizer.h"
#include "text/tokenizer.h"
#include "../test_util.h"

using attnscope::testing::error_of;

using namespace attnscope;
namespace fs = std::filesystem;

namespace {

const std::string kSource = ATTNSCOPE_SOURCE_DIR;
const std::string kModelDir = kSource + "/../shared/models/stories260K";
const std::string kTokenizer = kModelDir + "/tok512.bin";
const std::string kFixtures = kSource + "/tests/fixtures/stories260K";

#define SKIP_WITHOUT_SHARED()                                   \
  if (!fs::exists(kTokenizer)) {                                \
    std::printf("skipped: ../shared not found\n");              \
    GTEST_SKIP() << "skipped: ../shared not found";             \
  }

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  return nlohmann::json::parse(in);
}

// run.c's encode, transcribed literally (quadratic rescans, leftmost best pair), as an
// independent check of the heap-based merging on many random texts.
std::vector<int> naive_encode(const Llama2cTokenizer& tok, const std::string& text) {
  std::map<std::string, int> ids;
  for (int i = tok.vocab_size() - 1; i >= 0; --i) ids[tok.piece(i)] = i;  // first id wins
  std::vector<int> t = {1};
  if (!text.empty()) t.push_back(ids.at(" "));
  std::string cp;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) != 0x80) cp.clear();
    cp.push_back(text[i]);
    if (i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80 && cp.size() < 4) continue;
    if (ids.count(cp))
      t.push_back(ids[cp]);
    else
      for (unsigned char b : cp) t.push_back(b + 3);
    cp.clear();
  }
  while (true) {
    float best = -1e10f;
    int best_id = -1, best_idx = -1;
    for (size_t i = 0; i + 1 < t.size(); ++i) {
      auto it = ids.find(tok.piece(t[i]) + tok.piece(t[i + 1]));
      if (it != ids.end() && tok.score(it->second) > best) best = tok.score(it->second), best_id = it->second, best_idx = int(i);
    }
    if (best_idx < 0) break;
    t[best_idx] = best_id;
    t.erase(t.begin() + best_idx + 1);
  }
  return t;
}

}  // namespace

TEST(Llama2cTokenizer, LoadsTok512) {
  SKIP_WITHOUT_SHARED();
  const auto tok = Llama2cTokenizer::load(kTokenizer);
  EXPECT_EQ(tok.vocab_size(), 512);
  EXPECT_EQ(tok.bos_id(), 1);
  EXPECT_EQ(tok.eos_id(), 2);
  EXPECT_EQ(tok.piece(0), "<unk>");
  EXPECT_EQ(tok.piece(1), "<s>");
  EXPECT_EQ(tok.piece(2), "</s>");
  EXPECT_EQ(tok.piece(3), "<0x00>");
  EXPECT_EQ(tok.piece(258), "<0xFF>");
  EXPECT_EQ(tok.piece(403), " Once");
  EXPECT_EQ(tok.subword_style(), "none");
  EXPECT_THROW(tok.piece(512), std::out_of_range);
  EXPECT_THROW(tok.piece(-1), std::out_of_range);
}

TEST(Llama2cTokenizer, EncodesExactlyAsRunC) {
  SKIP_WITHOUT_SHARED();
  const auto tok = Llama2cTokenizer::load(kTokenizer);
  const auto fixture = read_json(kFixtures + "/encodings.json");
  ASSERT_GE(fixture["cases"].size(), 9u);
  for (const auto& c : fixture["cases"]) {
    const std::string text = c["text"];
    const std::vector<int> expected = c["ids"];
    EXPECT_EQ(tok.encode(text, true), expected) << "text: '" << text << "'";
    std::vector<int> without_bos(expected.begin() + 1, expected.end());
    EXPECT_EQ(tok.encode(text, false), without_bos) << "text: '" << text << "'";
  }
}

TEST(Llama2cTokenizer, EdgeCases) {
  SKIP_WITHOUT_SHARED();
  const auto tok = Llama2cTokenizer::load(kTokenizer);
  EXPECT_EQ(tok.encode("", true), std::vector<int>{1});  // no dummy prefix for empty text
  EXPECT_TRUE(tok.encode("", false).empty());
  // An emoji is not in the vocabulary: its four UTF-8 bytes become byte tokens (byte + 3).
  const std::vector<int> llama = tok.encode("🦙", false);
  ASSERT_GE(llama.size(), 4u);
  const std::vector<int> bytes(llama.end() - 4, llama.end());
  EXPECT_EQ(bytes, (std::vector<int>{0xF0 + 3, 0x9F + 3, 0xA6 + 3, 0x99 + 3}));
  // Stray continuation bytes and a cut-off code point still encode, byte by byte.
  const std::string broken = "a\x80\x80 \xE2\x82";
  EXPECT_EQ(tok.encode(broken, true), naive_encode(tok, broken));
  EXPECT_EQ(tok.decode(tok.encode(broken, true)), broken);
}

TEST(Llama2cTokenizer, DecodeInvertsEncode) {
  SKIP_WITHOUT_SHARED();
  const auto tok = Llama2cTokenizer::load(kTokenizer);
  const auto fixtures = read_json(kFixtures + "/encodings.json");  // held: a range over a temporary's member dangles
  for (const auto& c : fixtures["cases"]) {
    const std::string text = c["text"];
    if (!text.empty() && text[0] == ' ') continue;  // SentencePiece drops a leading space by design
    EXPECT_EQ(tok.decode(tok.encode(text, true)), text);
    EXPECT_EQ(tok.decode(tok.encode(text, false)), text);
  }
  EXPECT_EQ(tok.decode({1, 403, 407}), "Once upon");  // leading space dropped after BOS
  EXPECT_THROW(tok.decode({1, 9999}), std::out_of_range);
}

TEST(Llama2cTokenizer, HeapMergingMatchesRunCLoopOnRandomText) {
  SKIP_WITHOUT_SHARED();
  const auto tok = Llama2cTokenizer::load(kTokenizer);
  const std::vector<std::string> alphabet = {"a", "e", "t", "h", "o", "n", "s", " ", "  ", ".", ",", "T", "L", "é",
                                             "ï", "€", "🦙", "\n", "the", " was", "ing", "Lily", "'"};
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    std::string text;
    const int n = static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) text += alphabet[rng() % alphabet.size()];
    ASSERT_EQ(tok.encode(text, true), naive_encode(tok, text)) << "text: '" << text << "'";
  }
}

TEST(Llama2cTokenizer, BadFilesGiveOneLineErrors) {
  SKIP_WITHOUT_SHARED();
  const fs::path dir = fs::temp_directory_path() / ("attnscope_tok_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path truncated = dir / "tok512.bin";
  fs::copy_file(kTokenizer, truncated, fs::copy_options::overwrite_existing);
  fs::resize_file(truncated, fs::file_size(truncated) - 3);
  std::string msg = error_of([&] { Llama2cTokenizer::load(truncated.string()); });
  EXPECT_NE(msg.find(truncated.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("piece 511"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;

  fs::resize_file(truncated, 2);
  msg = error_of([&] { load_tokenizer(dir.string()); });
  EXPECT_NE(msg.find("too short"), std::string::npos) << msg;

  const fs::path empty_dir = dir / "empty";
  fs::create_directories(empty_dir);
  msg = error_of([&] { load_tokenizer(empty_dir.string()); });
  EXPECT_NE(msg.find("no tokenizer found"), std::string::npos) << msg;

  const fs::path text = dir / "notes.txt";
  std::ofstream(text) << "hello";
  msg = error_of([&] { load_tokenizer(text.string()); });
  EXPECT_NE(msg.find("not a tokenizer attnscope knows"), std::string::npos) << msg;
  EXPECT_NE(error_of([&] { load_tokenizer((dir / "missing").string()); }).find("no such"), std::string::npos);
  fs::remove_all(dir);
}

TEST(Tokenizer, FactoryFindsTheTokenizerInAModelFolder) {
  SKIP_WITHOUT_SHARED();
  const auto tok = load_tokenizer(kModelDir);
  EXPECT_EQ(tok->vocab_size(), 512);
  EXPECT_NE(tok->describe().find("tok512.bin"), std::string::npos);
  EXPECT_EQ(load_tokenizer(kTokenizer)->encode("Once upon a time", true), (std::vector<int>{1, 403, 407, 261, 378}));
}
