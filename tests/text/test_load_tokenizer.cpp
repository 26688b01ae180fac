// load_tokenizer: which tokenizer a folder or file is, and one-line errors for what it is not.
#include <gtest/gtest.h>

#include "text/tokenizer.h"
#include "tokenizer_test_util.h"

using namespace attnscope;
using namespace attnscope::test;
namespace fs = std::filesystem;

TEST(LoadTokenizer, DispatchesOnTheFilesPresent) {
  SKIP_WITHOUT_SHARED_TOKENIZER("gpt2");
  EXPECT_EQ(load_tokenizer(kSharedTokenizers + "/bert-base-uncased")->subword_style(), "wordpiece");
  EXPECT_EQ(load_tokenizer(kSharedTokenizers + "/gpt2")->subword_style(), "gpt2");
  EXPECT_EQ(load_tokenizer(kSharedTokenizers + "/opus-mt-en-mg")->subword_style(), "sentencepiece");
  // A file of the folder names the folder.
  EXPECT_EQ(load_tokenizer(kSharedTokenizers + "/bert-base-uncased/vocab.txt")->vocab_size(), 30522);
  EXPECT_EQ(load_tokenizer(kSharedTokenizers + "/gpt2/merges.txt")->vocab_size(), 50257);
  EXPECT_EQ(load_tokenizer(kSharedTokenizers + "/opus-mt-en-mg/source.spm")->vocab_size(), 54688);
  // The folder has tokenizer.json beside vocab.txt: tokenizer.json wins, and says so; a path to
  // vocab.txt reads vocab.txt.
  const auto bert = load_tokenizer(kSharedTokenizers + "/bert-base-uncased");
  EXPECT_NE(bert->describe().find("tokenizer.json (WordPiece, 30522 pieces; vocab.txt beside it not used)"), std::string::npos)
      << bert->describe();
  const auto bert_txt = load_tokenizer(kSharedTokenizers + "/bert-base-uncased/vocab.txt");
  EXPECT_NE(bert_txt->describe().find("vocab.txt (30522 pieces, lower-cased)"), std::string::npos) << bert_txt->describe();
}

namespace {

// The error of load_tokenizer(path), checked to be one line.
std::string load_error(const fs::path& path) {
  const std::string msg = error_of([&] { load_tokenizer(path.string()); });
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  return msg;
}

}  // namespace

TEST(LoadTokenizer, OneLineErrors) {
  TempDir dir("attnscope-load-tokenizer");
  const fs::path d = dir.path;
  EXPECT_NE(load_error(d / "nope").find("no such tokenizer file or folder"), std::string::npos);
  EXPECT_NE(load_error(d).find("no tokenizer found (looked for tokenizer.json (Hugging Face), vocab.txt (BERT)"), std::string::npos);

  write_text(d / "tokenizer_config.json", "{}");  // a BERT folder without its vocab.txt
  EXPECT_NE(load_error(d).find(d.string() + ": no tokenizer found"), std::string::npos);
  EXPECT_NE(load_error(d / "tokenizer_config.json").find("not a tokenizer attnscope knows"), std::string::npos);

  write_text(d / "merges.txt", "#version: 0.2\n");  // GPT-2 without vocab.json
  EXPECT_NE(load_error(d).find((d / "vocab.json").string() + ": no such file"), std::string::npos);
  write_text(d / "vocab.json", "{\"!\": 0,,}");
  EXPECT_NE(load_error(d).find((d / "vocab.json").string() + ": not valid JSON (parse error at line 1"),
            std::string::npos);
  fs::remove(d / "merges.txt");
  EXPECT_NE(load_error(d).find("vocab.json without merges.txt (GPT-2) or source.spm (Marian)"), std::string::npos);

  write_text(d / "vocab.txt", "hello\n");  // vocab.txt decides: BERT, and it has no [UNK]
  EXPECT_NE(load_error(d).find("vocab.txt: no [UNK] piece"), std::string::npos);
}

TEST(LoadTokenizer, CorruptRealFiles) {
  SKIP_WITHOUT_SHARED_TOKENIZER("opus-mt-en-mg");
  TempDir dir("attnscope-load-tokenizer-corrupt");
  const fs::path d = dir.path;
  // A Marian folder whose source.spm is cut short.
  fs::create_directories(d / "marian");
  for (const char* f : {"vocab.json", "target.spm"})
    fs::copy_file(kSharedTokenizers + "/opus-mt-en-mg/" + f, d / "marian" / f);
  write_text(d / "marian" / "source.spm", read_bytes(kSharedTokenizers + "/opus-mt-en-mg/source.spm").substr(0, 4096));
  EXPECT_NE(load_error(d / "marian").find("source.spm: not a readable SentencePiece model"), std::string::npos);
  // A GPT-2 folder with a merges line of three fields.
  fs::create_directories(d / "gpt2");
  fs::copy_file(kSharedTokenizers + "/gpt2/vocab.json", d / "gpt2" / "vocab.json");
  write_text(d / "gpt2" / "merges.txt", "#version: 0.2\nĠ t\nh e x\n");
  EXPECT_NE(load_error(d / "gpt2").find("merges.txt line 3: expected 2 fields"), std::string::npos);
}
