#include "text/marian_tokenizer.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "text/json_file.h"
#include "text/sentencepiece_model.h"
#include "text/special_tokens.h"

namespace attnscope {

namespace fs = std::filesystem;

namespace {

const std::string kWordMarker = "\xE2\x96\x81";  // "▁", SentencePiece's word-start marker

// Length of a leading language code ">>xx<<" (Hugging Face's re.match(">>.+<<"): greedy, one
// line), or 0.
size_t language_code_length(std::string_view text) {
  if (text.rfind(">>", 0) != 0) return 0;
  const size_t line_end = std::min(text.find('\n'), text.size());
  const size_t close = text.substr(0, line_end).rfind("<<");
  return close != std::string_view::npos && close >= 3 ? close + 2 : 0;
}

}  // namespace

MarianTokenizer MarianTokenizer::load(const std::string& dir, MarianSide side) {
  const std::string vocab_path = (fs::path(dir) / "vocab.json").string();
  const std::string config_path = (fs::path(dir) / "tokenizer_config.json").string();
  const std::string spm_path = (fs::path(dir) / (side == MarianSide::kSource ? "source.spm" : "target.spm")).string();
  for (const auto& p : {spm_path, vocab_path})
    if (!fs::is_regular_file(p))
      throw std::runtime_error(p + ": no such file (Marian needs source.spm, target.spm and vocab.json)");

  MarianTokenizer tok;
  tok.dir_ = dir;
  tok.spm_path_ = spm_path;
  tok.side_ = side;

  // Throws "PATH: not a readable SentencePiece model (why)" for a cut or foreign file.
  auto spm = std::make_shared<const SentencePieceModel>(SentencePieceModel::load(spm_path));
  tok.spm_ = std::move(spm);

  JsonVocab vocab = read_vocab_json(vocab_path);
  tok.pieces_ = std::move(vocab.pieces);
  tok.ids_ = std::move(vocab.ids);

  const nlohmann::json config = fs::exists(config_path) ? read_json_file(config_path) : nlohmann::json::object();
  auto special = [&](const char* key, const char* fallback) {
    const std::string name = config_special_token(config, key, fallback);
    const auto it = tok.ids_.find(name);
    if (it == tok.ids_.end()) throw std::runtime_error(vocab_path + ": no " + name + " piece (Marian's " + key + ")");
    tok.specials_.emplace_back(name, it->second);
    tok.special_ids_.insert(it->second);
    return it->second;
  };
  tok.eos_id_ = special("eos_token", "</s>");
  tok.unk_id_ = special("unk_token", "<unk>");
  tok.pad_id_ = special("pad_token", "<pad>");
  return tok;
}

std::vector<std::string> MarianTokenizer::pieces_of(std::string_view text) const {
  return spm_->encode(text);
}

int MarianTokenizer::id_of(const std::string& piece) const {
  const auto it = ids_.find(piece);
  return it == ids_.end() ? unk_id_ : it->second;
}

std::vector<int> MarianTokenizer::encode(const std::string& text, bool add_special) const {
  std::vector<int> ids;
  std::string_view rest = text;
  if (const size_t code = language_code_length(rest)) {
    ids.push_back(id_of(std::string(rest.substr(0, code))));
    rest.remove_prefix(code);
  }
  for (const TextSegment& seg : split_on_special_tokens(rest, specials_)) {
    if (seg.special_id >= 0) {
      ids.push_back(seg.special_id);
      continue;
    }
    for (const std::string& p : pieces_of(seg.text)) ids.push_back(id_of(p));
  }
  if (add_special) ids.push_back(eos_id_);
  return ids;
}

std::string MarianTokenizer::decode(const std::vector<int>& ids) const {
  std::vector<std::string> pieces;
  for (int id : ids) {
    check_id(id);
    if (!special_ids_.count(id)) pieces.push_back(pieces_[static_cast<size_t>(id)]);
  }
  const std::string text = spm_->decode(pieces);
  // SentencePiece already turned "▁" into spaces for its own pieces; vocab.json pieces it does
  // not know come back as written, so replace the marker once more, then trim as Hugging Face does.
  std::string spaced;
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, kWordMarker.size(), kWordMarker) == 0) {
      spaced += ' ';
      i += kWordMarker.size();
    } else {
      spaced += text[i++];
    }
  }
  const size_t first = spaced.find_first_not_of(' '), last = spaced.find_last_not_of(' ');
  return first == std::string::npos ? "" : spaced.substr(first, last - first + 1);
}

std::string MarianTokenizer::piece(int id) const {
  check_id(id);
  return pieces_[static_cast<size_t>(id)];
}

std::string MarianTokenizer::describe() const {
  return "MarianMT SentencePiece tokenizer " + spm_path_ + " + vocab.json (" + std::to_string(pieces_.size()) +
         " pieces)";
}

void MarianTokenizer::check_id(int id) const {
  if (id < 0 || static_cast<size_t>(id) >= pieces_.size())
    throw std::out_of_range("token id " + std::to_string(id) + " is outside the vocabulary of " +
                            std::to_string(pieces_.size()) + " pieces (" + dir_ + "/vocab.json)");
}

}  // namespace attnscope
