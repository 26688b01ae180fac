// load_tokenizer: which tokenizer the files at a path are. Each family is recognised by the files
// it ships in (Hugging Face tokenizer.json, BERT vocab.txt, GPT-2 vocab.json + merges.txt, Marian
// source.spm, SentencePiece tokenizer.model, llama2.c tok*.bin); a new family adds a branch here
// and nothing else changes for callers.
#include "text/tokenizer.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "text/gpt2_tokenizer.h"
#include "text/hf_tokenizer.h"
#include "text/llama2c_tokenizer.h"
#include "text/marian_tokenizer.h"
#include "text/sentencepiece_tokenizer.h"
#include "text/wordpiece_tokenizer.h"

namespace attnscope {

namespace fs = std::filesystem;

namespace {

// llama2.c names its tokenizers tok<vocab size>.bin (tok512.bin, tokenizer.bin for Llama 2).
bool is_llama2c_tokenizer_name(const fs::path& p) {
  const std::string name = p.filename().string();
  return p.extension() == ".bin" && name.rfind("tok", 0) == 0;
}

std::vector<fs::path> llama2c_tokenizers_in(const fs::path& dir) {
  std::vector<fs::path> found;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && is_llama2c_tokenizer_name(e.path())) found.push_back(e.path());
  std::sort(found.begin(), found.end());
  return found;
}

constexpr const char* kLookedFor =
    "looked for tokenizer.json (Hugging Face), vocab.txt (BERT), vocab.json + merges.txt (GPT-2), source.spm (Marian), "
    "tokenizer.model (SentencePiece), tok*.bin (llama2.c)";

bool has(const fs::path& dir, const char* name) {
  std::error_code ec;
  return fs::is_regular_file(dir / name, ec);
}

// tokenizer.json of `dir`, saying which other tokenizer files beside it were left unused.
std::unique_ptr<Tokenizer> load_tokenizer_json(const fs::path& json_path) {
  const fs::path dir = json_path.parent_path().empty() ? fs::path(".") : json_path.parent_path();
  std::string unused;
  for (const char* other : {"tokenizer.model", "vocab.txt", "merges.txt", "source.spm"})
    if (has(dir, other)) unused += std::string(unused.empty() ? "" : ", ") + other;
  return HfTokenizer::load(json_path.string(), unused.empty() ? "" : unused + " beside it not used");
}

// With `use_tokenizer_json` false (a path naming vocab.txt, merges.txt, ...), tokenizer.json is passed over.
std::unique_ptr<Tokenizer> load_folder(const fs::path& dir, bool use_tokenizer_json = true) {
  const std::string d = dir.string();
  if (use_tokenizer_json && has(dir, "tokenizer.json")) return load_tokenizer_json(dir / "tokenizer.json");
  if (has(dir, "vocab.txt")) return std::make_unique<WordPieceTokenizer>(WordPieceTokenizer::load(d));
  if (has(dir, "merges.txt")) return std::make_unique<Gpt2Tokenizer>(Gpt2Tokenizer::load(d));  // names a missing vocab.json
  if (has(dir, "source.spm")) return std::make_unique<MarianTokenizer>(MarianTokenizer::load(d));
  if (has(dir, "tokenizer.model"))
    return std::make_unique<SentencePieceTokenizer>(SentencePieceTokenizer::load((dir / "tokenizer.model").string()));
  const auto found = llama2c_tokenizers_in(dir);
  if (found.size() == 1) return std::make_unique<Llama2cTokenizer>(Llama2cTokenizer::load(found[0].string()));
  if (found.size() > 1)
    throw std::runtime_error(d + " holds " + std::to_string(found.size()) + " llama2.c tokenizers (" +
                             found[0].filename().string() + ", " + found[1].filename().string() + ", ...); pass one file");
  if (has(dir, "vocab.json"))
    throw std::runtime_error(d + ": vocab.json without merges.txt (GPT-2) or source.spm (Marian)");
  throw std::runtime_error(d + ": no tokenizer found (" + kLookedFor + ")");
}

}  // namespace

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw std::runtime_error(path + ": no such tokenizer file or folder");
  if (fs::is_directory(path, ec)) return load_folder(path);
  if (Llama2cTokenizer::looks_like(path)) return std::make_unique<Llama2cTokenizer>(Llama2cTokenizer::load(path));
  // One of the files of a tokenizer folder names its folder.
  const fs::path p(path);
  const std::string name = p.filename().string();
  if (name == "tokenizer.json") return load_tokenizer_json(p);
  if (name == "tokenizer.model") return std::make_unique<SentencePieceTokenizer>(SentencePieceTokenizer::load(path));
  if (name == "vocab.txt" || name == "vocab.json" || name == "merges.txt" || name == "source.spm")
    return load_folder(p.parent_path().empty() ? fs::path(".") : p.parent_path(), false);
  throw std::runtime_error(path + ": not a tokenizer attnscope knows (" + kLookedFor + ")");
}

}  // namespace attnscope
