#include "text/subword_vocab.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "core/parse_number.h"
#include "io/atomic_file.h"

namespace attnscope {

namespace {
const char* kSpecials[] = {"<pad>", "<s>", "</s>", "<unk>"};

std::vector<std::string> split_spaces(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}
}  // namespace

SubwordVocab::SubwordVocab(std::shared_ptr<const BpeCodes> codes, std::vector<std::pair<std::string, long>> pieces)
    : codes_(std::move(codes)) {
  for (const char* s : kSpecials) {
    index_[s] = static_cast<int>(tokens_.size());
    tokens_.push_back(s);
    counts_.push_back(0);
  }
  for (auto& [piece, count] : pieces) {
    if (index_.count(piece)) continue;
    index_[piece] = static_cast<int>(tokens_.size());
    tokens_.push_back(piece);
    counts_.push_back(count);
  }
}

std::vector<std::pair<std::string, long>> SubwordVocab::count_pieces(const std::vector<std::string>& segmented, long min_count) {
  std::unordered_map<std::string, long> counts;
  for (const auto& line : segmented)
    for (const auto& p : split_spaces(line)) ++counts[p];
  std::vector<std::pair<std::string, long>> out;
  for (auto& [p, c] : counts)
    if (c >= min_count) out.emplace_back(p, c);
  // Most frequent first; ties by piece, so the file is the same on every run.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
  return out;
}

std::shared_ptr<SubwordVocab> SubwordVocab::load(std::shared_ptr<const BpeCodes> codes, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read vocabulary " + path);
  std::vector<std::pair<std::string, long>> pieces;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::vector<std::string> f = split_spaces(line);
    if (f.empty()) continue;
    if (f.size() != 2) throw std::runtime_error(path + ":" + std::to_string(n) + ": expected \"piece count\"");
    const std::optional<long> count = parse_number<long>(f[1]);
    if (!count) throw std::runtime_error(path + ":" + std::to_string(n) + ": count '" + f[1] + "' is not a number");
    pieces.emplace_back(f[0], *count);
  }
  if (pieces.empty()) throw std::runtime_error(path + ": empty vocabulary");
  return std::make_shared<SubwordVocab>(std::move(codes), std::move(pieces));
}

void SubwordVocab::save(const std::string& path) const {
  std::string text;
  for (size_t i = 4; i < tokens_.size(); ++i) text += tokens_[i] + " " + std::to_string(counts_[i]) + "\n";
  write_file_atomic(path, text);
}

std::vector<int> SubwordVocab::encode_segmented(const std::string& segmented) const {
  std::vector<int> ids;
  for (const auto& p : split_spaces(segmented)) {
    auto it = index_.find(p);
    ids.push_back(it == index_.end() ? kUnk : it->second);
  }
  return ids;
}

std::vector<int> SubwordVocab::encode(const std::string& text) const {
  std::vector<int> ids = encode_segmented(codes_->apply(text));
  if (ids.empty()) throw std::invalid_argument("input is empty");
  return ids;
}

std::string SubwordVocab::decode(const std::vector<int>& ids) const {
  std::string joined;
  for (int id : ids) {
    if (id == kEos) break;
    if (id < 3 || id >= size()) continue;
    if (!joined.empty()) joined += ' ';
    joined += tokens_[id];
  }
  return undo_bpe(joined);
}

std::string SubwordVocab::token(int id) const { return id >= 0 && id < size() ? tokens_[id] : "<?>"; }

SubwordVocabs load_subword_vocabs(const std::string& dir) {
  const std::string codes_path = dir + "/bpe.codes";
  if (!std::filesystem::exists(codes_path)) throw std::runtime_error(dir + ": bpe.codes is missing (a translation model folder holds bpe.codes, source.vocab and target.vocab)");
  auto codes = std::make_shared<const BpeCodes>(BpeCodes::load(codes_path));
  return {SubwordVocab::load(codes, dir + "/source.vocab"), SubwordVocab::load(codes, dir + "/target.vocab")};
}

}  // namespace attnscope
