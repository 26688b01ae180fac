// load_tokenizer: which tokenizer the files at a path are. Each family is recognised by the files
// it ships in; new families (BERT vocab.txt, GPT-2 vocab.json + merges.txt, Marian *.spm) add a
// branch here and nothing else changes for callers.
#include "text/tokenizer.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "text/llama2c_tokenizer.h"

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

}  // namespace

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw std::runtime_error(path + ": no such tokenizer file or folder");
  if (fs::is_directory(path, ec)) {
    const auto found = llama2c_tokenizers_in(path);
    if (found.size() == 1) return std::make_unique<Llama2cTokenizer>(Llama2cTokenizer::load(found[0].string()));
    if (found.size() > 1)
      throw std::runtime_error(path + " holds " + std::to_string(found.size()) + " llama2.c tokenizers (" +
                               found[0].filename().string() + ", " + found[1].filename().string() +
                               ", ...); pass one file");
    throw std::runtime_error(path + ": no tokenizer found (looked for a llama2.c tok*.bin)");
  }
  if (Llama2cTokenizer::looks_like(path)) return std::make_unique<Llama2cTokenizer>(Llama2cTokenizer::load(path));
  throw std::runtime_error(path + ": not a tokenizer attnscope knows (known: llama2.c tok*.bin)");
}

}  // namespace attnscope
