// text/hf_tokenizer on small tokenizer.json files written here: each model type and component,
// added tokens, templates, decode round trips, and the one-line refusals. Expected ids are derived
// by hand from tokenizers' rules (comments say how); bench/tokenizer_parity.py and
// tests/text/hf_parity.sh check real and trained files against the tokenizers library itself.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "text/hf_split_patterns.h"
#include "text/hf_tokenizer.h"
#include "text/tokenizer.h"
#include "tokenizer_test_util.h"

using namespace attnscope;
using namespace attnscope::test;
using nlohmann::json;
using Ids = std::vector<int>;
namespace fs = std::filesystem;

namespace {

const std::string W = "\xE2\x96\x81";  // ▁

json added(int id, const std::string& content, bool special = true) {
  return {{"id", id}, {"content", content}, {"single_word", false}, {"lstrip", false},
          {"rstrip", false}, {"normalized", false}, {"special", special}};
}

// Llama 2 style: BPE with byte fallback and fuse_unk, Prepend/Replace normalizer, "<s> $A".
json llama2_style() {
  return {
      {"version", "1.0"},
      {"added_tokens", {added(0, "<unk>"), added(1, "<s>"), added(2, "</s>")}},
      {"normalizer", {{"type", "Sequence"}, {"normalizers", {{{"type", "Prepend"}, {"prepend", W}},
                                                             {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", W}}}}}},
      {"pre_tokenizer", nullptr},
      {"post_processor", {{"type", "TemplateProcessing"},
                          {"single", {{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}}, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
                          {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {1}}, {"tokens", {"<s>"}}}}}}}},
      {"decoder", {{"type", "Sequence"}, {"decoders", {{{"type", "Replace"}, {"pattern", {{"String", W}}}, {"content", " "}},
                                                       {{"type", "ByteFallback"}}, {{"type", "Fuse"}},
                                                       {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}}}}},
      {"model", {{"type", "BPE"}, {"unk_token", "<unk>"}, {"fuse_unk", true}, {"byte_fallback", true},
                 {"vocab", {{"<unk>", 0}, {"<s>", 1}, {"</s>", 2}, {"<0xC3>", 3}, {"<0xA9>", 4}, {W, 5}, {"a", 6},
                            {"b", 7}, {W + "a", 8}, {"ab", 9}, {W + "ab", 10}}},
                 {"merges", {W + " a", "a b", W + "a b"}}}}};
}

// BERT style: BertNormalizer, BertPreTokenizer, WordPiece, BertProcessing, WordPiece decoder.
json bert_style() {
  return {{"added_tokens", {added(0, "[UNK]"), added(1, "[CLS]"), added(2, "[SEP]")}},
          {"normalizer", {{"type", "BertNormalizer"}, {"clean_text", true}, {"handle_chinese_chars", true},
                          {"strip_accents", nullptr}, {"lowercase", true}}},
          {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
          {"post_processor", {{"type", "BertProcessing"}, {"sep", {"[SEP]", 2}}, {"cls", {"[CLS]", 1}}}},
          {"decoder", {{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}}},
          {"model", {{"type", "WordPiece"}, {"unk_token", "[UNK]"}, {"continuing_subword_prefix", "##"},
                     {"max_input_chars_per_word", 100},
                     {"vocab", {{"[UNK]", 0}, {"[CLS]", 1}, {"[SEP]", 2}, {"the", 3}, {"cat", 4}, {"##s", 5}, {"!", 6}, {"ca", 7}}}}}};
}

// Unigram with Metaspace (prepend always, split), Metaspace decoder.
json unigram_style() {
  return {{"pre_tokenizer", {{"type", "Metaspace"}, {"replacement", W}, {"prepend_scheme", "always"}, {"split", true}}},
          {"decoder", {{"type", "Metaspace"}, {"replacement", W}, {"prepend_scheme", "always"}, {"split", true}}},
          {"model", {{"type", "Unigram"}, {"unk_id", 0},
                     {"vocab", json::array({json::array({"<unk>", 0.0}), json::array({W, -2.0}), json::array({W + "ab", -1.0}),
                                            json::array({"a", -3.0}), json::array({"b", -3.0}), json::array({W + "a", -1.5}),
                                            json::array({"c", -4.0})})}}}};
}

// GPT-2 style byte-level BPE over a few byte symbols ("Ġ" is the space).
json byte_level_style(bool add_prefix_space) {
  const std::string G = "\xC4\xA0";
  return {{"added_tokens", {added(7, "<m>")}},
          {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", add_prefix_space}, {"trim_offsets", true}, {"use_regex", true}}},
          {"post_processor", {{"type", "ByteLevel"}, {"trim_offsets", true}}},
          {"decoder", {{"type", "ByteLevel"}}},
          {"model", {{"type", "BPE"}, {"vocab", {{"h", 0}, {"i", 1}, {G, 2}, {G + "h", 3}, {G + "hi", 4}, {"!", 5}, {"hi", 6}}},
                     {"merges", json::array({json::array({G, "h"}), json::array({G + "h", "i"}), json::array({"h", "i"})})}}}};
}

struct Folder {
  TempDir dir;
  explicit Folder(const json& tokenizer, const std::string& name = "attnscope-hf-tok") : dir(name) {
    write_text(dir.path / "tokenizer.json", tokenizer.dump());
  }
  std::unique_ptr<Tokenizer> load() const { return load_tokenizer(dir.path.string()); }
  std::string file() const { return (dir.path / "tokenizer.json").string(); }
};

std::string load_error(const json& tokenizer) {
  Folder f(tokenizer, "attnscope-hf-bad");
  const std::string msg = error_of([&] { f.load(); });
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  EXPECT_EQ(msg.rfind(f.file() + ": ", 0), 0u) << msg;
  return msg.substr(std::min(msg.size(), f.file().size() + 2));
}

}  // namespace

TEST(HfTokenizer, BpeWithByteFallbackLlama2Style) {
  Folder f(llama2_style());
  const auto t = f.load();
  // "ab" -> "▁ab": ▁+a (rank 0) first, then ▁a+b (rank 2); a+b (rank 1) lost its a.
  EXPECT_EQ(t->encode("ab", false), (Ids{10}));
  EXPECT_EQ(t->encode("ab", true), (Ids{1, 10}));
  // é is no piece: its bytes C3 A9 as <0xC3> <0xA9>; the space became ▁ (5), b stays alone.
  EXPECT_EQ(t->encode("a\xC3\xA9 b", false), (Ids{8, 3, 4, 5, 7}));
  // ü (C3 BC): <0xBC> is missing, so the character is <unk>; two of them fuse into one.
  EXPECT_EQ(t->encode("a\xC3\xBC\xC3\xBC", false), (Ids{8, 0}));
  // "<s>" written in the text is the token; the rest is normalised on its own ("▁ab").
  EXPECT_EQ(t->encode("<s>ab", false), (Ids{1, 10}));
  EXPECT_EQ(t->decode({1, 10, 5, 7}), "ab b");  // <s> skipped, ▁ -> space, one leading space stripped
  EXPECT_EQ(t->decode(t->encode("a\xC3\xA9 b", true)), "a\xC3\xA9 b");
  EXPECT_EQ(t->piece(10), W + "ab");
  EXPECT_EQ(t->vocab_size(), 11);
  EXPECT_EQ(t->bos_id(), 1);
  EXPECT_EQ(t->eos_id(), -1);
  EXPECT_EQ(t->subword_style(), "sentencepiece");
  EXPECT_NE(t->describe().find("tokenizer.json (BPE, byte fallback, 11 pieces)"), std::string::npos) << t->describe();
  EXPECT_THROW(t->piece(11), std::out_of_range);
  EXPECT_THROW(t->decode({3, 99}), std::out_of_range);
  EXPECT_THROW(t->decode({-1}), std::out_of_range);
}

TEST(HfTokenizer, TokenizerConfigDecidesBosAndEosForLlamaClasses) {
  Folder f(llama2_style());
  write_text(f.dir.path / "tokenizer_config.json",
             R"({"tokenizer_class": "LlamaTokenizer", "add_bos_token": false, "add_eos_token": true, "bos_token": "<s>", "eos_token": "</s>"})");
  const auto t = f.load();
  EXPECT_EQ(t->encode("ab", true), (Ids{10, 2}));  // the template rebuilt: no BOS, EOS last
  EXPECT_EQ(t->bos_id(), 1);
  EXPECT_EQ(t->eos_id(), 2);
}

TEST(HfTokenizer, WordPieceBertStyle) {
  Folder f(bert_style());
  const auto t = f.load();
  // Lower-cased, split at spaces and punctuation; "cats" = cat + ##s.
  EXPECT_EQ(t->encode("The Cats!", true), (Ids{1, 3, 4, 5, 6, 2}));
  EXPECT_EQ(t->encode("The Cats!", false), (Ids{3, 4, 5, 6}));
  // "Café" -> "cafe" (accent stripped): ca, then no ##f...: the whole word is [UNK].
  EXPECT_EQ(t->encode("Caf\xC3\xA9", false), (Ids{0}));
  EXPECT_EQ(t->encode("[CLS]the", false), (Ids{1, 3}));
  EXPECT_EQ(t->decode({1, 3, 4, 5, 6, 2}), "the cats!");  // specials skipped, ##s joined, " !" cleaned up
  EXPECT_EQ(t->subword_style(), "wordpiece");
  EXPECT_EQ(t->bos_id(), 1);
  EXPECT_EQ(t->eos_id(), 2);
}

TEST(HfTokenizer, UnigramViterbiWithMetaspace) {
  Folder f(unigram_style());
  const auto t = f.load();
  EXPECT_EQ(t->encode("ab", false), (Ids{2}));  // ▁ab (-1) beats ▁a + b (-4.5) and ▁ + a + b (-8)
  EXPECT_EQ(t->encode("abc ab", false), (Ids{2, 6, 2}));  // words "▁abc", "▁ab"
  EXPECT_EQ(t->encode("xy", false), (Ids{1, 0}));  // ▁, then x and y unknown, fused into one <unk>
  EXPECT_EQ(t->decode({2, 6, 2}), "abc ab");       // the first token's ▁ dropped
  EXPECT_EQ(t->subword_style(), "sentencepiece");
  EXPECT_NE(t->describe().find("(Unigram, 7 pieces)"), std::string::npos) << t->describe();
}

TEST(HfTokenizer, ByteLevelBpeAndAddedTokenFlags) {
  Folder f(byte_level_style(false));
  const auto t = f.load();
  // GPT-2's split: "hi", " hi", "!"; " hi" is "Ġhi" (Ġ+h, then Ġh+i).
  EXPECT_EQ(t->encode("hi hi!", false), (Ids{6, 4, 5}));
  EXPECT_EQ(t->decode({6, 4, 5}), "hi hi!");
  EXPECT_EQ(t->encode("hix", false), (Ids{6}));  // x has no piece and there is no unk_token: dropped, as in tokenizers
  EXPECT_EQ(t->encode("hi <m>", false), (Ids{6, 2, 7}));  // the space before <m> is its own word
  EXPECT_EQ(t->subword_style(), "gpt2");
  EXPECT_NE(t->describe().find("(BPE, byte-level, 8 pieces)"), std::string::npos) << t->describe();

  json lstrip = byte_level_style(true);
  lstrip["added_tokens"][0]["lstrip"] = true;
  lstrip["added_tokens"][0]["single_word"] = true;
  Folder g(lstrip, "attnscope-hf-tok2");
  const auto u = g.load();
  EXPECT_EQ(u->encode("hi", false), (Ids{4}));            // add_prefix_space: " hi"
  EXPECT_EQ(u->encode("hi <m>", false), (Ids{4, 7}));     // lstrip: the space goes into <m>
  // single_word: not after a letter, so "<m>" stays text, whose characters have no pieces (dropped).
  EXPECT_EQ(u->encode("hi<m>", false), (Ids{4}));
}

TEST(HfTokenizer, SplitPatternsMatchTheRegexes) {
  // Derived with the regex module on Llama 3's pattern.
  const std::string text = "I'M 12345 ok\n\n  x";
  const auto pieces = [&](const char* pattern) {
    std::vector<std::string> out;
    for (const auto& [b, e] : hf::known_pattern(pattern)(text)) out.push_back(text.substr(b, e - b));
    return out;
  };
  EXPECT_EQ(pieces(hf::kLlama3Pattern),
            (std::vector<std::string>{"I", "'M", " ", "123", "45", " ok", "\n\n", " ", " x"}));
  EXPECT_EQ(pieces(hf::kQwen2Pattern),
            (std::vector<std::string>{"I", "'M", " ", "1", "2", "3", "4", "5", " ok", "\n\n", " ", " x"}));
  // GPT-2's is case-sensitive: "'M" is not a contraction.
  EXPECT_EQ(pieces(hf::kGpt2Pattern), (std::vector<std::string>{"I", "'", "M", " 12345", " ok", "\n\n ", " x"}));
  EXPECT_EQ(hf::known_pattern("\\d+"), nullptr);
}

TEST(HfTokenizer, UnsupportedComponentsAreRefusedInOneLine) {
  json j = llama2_style();
  j["normalizer"] = {{"type", "Nmt"}};
  EXPECT_EQ(load_error(j), "normalizer type \"Nmt\" is not supported");
  j["normalizer"] = {{"type", "NFKC"}};
  EXPECT_NE(load_error(j).find("normalizer type \"NFKC\" is not supported"), std::string::npos);
  j = llama2_style();
  j["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"Regex", "\\d+"}}}, {"behavior", "Isolated"}, {"invert", false}};
  EXPECT_NE(load_error(j).find("pre-tokenizer Split: the regex \"\\\\d+\" is not supported"), std::string::npos) << load_error(j);
  j["pre_tokenizer"] = {{"type", "UnicodeScripts"}};
  EXPECT_EQ(load_error(j), "pre-tokenizer type \"UnicodeScripts\" is not supported");
  j = llama2_style();
  j["decoder"] = {{"type", "CTC"}};
  EXPECT_EQ(load_error(j), "decoder type \"CTC\" is not supported");
  j = llama2_style();
  j["model"]["type"] = "WordLevel";
  EXPECT_EQ(load_error(j), "model type \"WordLevel\" is not supported");
  j = llama2_style();
  j["model"]["dropout"] = 0.1;
  EXPECT_NE(load_error(j).find("dropout is not supported"), std::string::npos);
  j = llama2_style();
  j["post_processor"]["special_tokens"]["<s>"]["ids"] = {99};
  EXPECT_NE(load_error(j).find("the post-processor adds id 99, outside the vocabulary of 11"), std::string::npos) << load_error(j);
  j = llama2_style();
  j["model"]["merges"].push_back("a zz");
  EXPECT_NE(load_error(j).find("uses \"zz\", not in the vocabulary"), std::string::npos) << load_error(j);
  j = llama2_style();
  j["model"]["vocab"]["x"] = -3;
  EXPECT_NE(load_error(j).find("the id of \"x\" is not an integer"), std::string::npos) << load_error(j);

  TempDir d("attnscope-hf-json");
  write_text(d.path / "tokenizer.json", "{\"model\": ");
  const std::string msg = error_of([&] { load_tokenizer(d.path.string()); });
  EXPECT_NE(msg.find("tokenizer.json: not valid JSON"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos);
}

TEST(HfTokenizer, FolderDispatch) {
  Folder f(llama2_style());
  write_text(f.dir.path / "tokenizer.model", "not read");
  EXPECT_NE(f.load()->describe().find("tokenizer.json (BPE, byte fallback, 11 pieces; tokenizer.model beside it not used)"),
            std::string::npos)
      << f.load()->describe();
}

TEST(HfTokenizer, TokenizerModelAloneIsSentencePiece) {
  SKIP_WITHOUT_SHARED_TOKENIZER("opus-mt-en-mg");
  TempDir d("attnscope-hf-spm");
  fs::copy_file(kSharedTokenizers + "/opus-mt-en-mg/source.spm", d.path / "tokenizer.model");
  const auto t = load_tokenizer(d.path.string());
  EXPECT_EQ(t->subword_style(), "sentencepiece");
  EXPECT_NE(t->describe().find("SentencePiece tokenizer"), std::string::npos);
  // sentencepiece gives [18000] for "Hello" with this model; BOS (<s>, id 1) first by default.
  EXPECT_EQ(t->encode("Hello", true), (Ids{1, 18000}));
  EXPECT_EQ(t->encode("Hello</s>", false), (Ids{18000, 2}));
  EXPECT_EQ(t->decode(t->encode("Hello world", true)), "Hello world");
}
