#include "text/sentencepiece_tokenizer.h"

#include <filesystem>
#include <stdexcept>

#include "text/json_file.h"
#include "text/sentencepiece_model.h"
#include "text/special_tokens.h"

namespace attnscope {

namespace fs = std::filesystem;

namespace {

bool config_flag(const nlohmann::json& config, const char* key, bool fallback, const std::string& path) {
  if (!config.is_object() || !config.contains(key) || config[key].is_null()) return fallback;
  if (!config[key].is_boolean()) throw std::runtime_error(path + ": \"" + key + "\" is not true or false");
  return config[key].get<bool>();
}

}  // namespace

SentencePieceTokenizer SentencePieceTokenizer::load(const std::string& model_path) {
  SentencePieceTokenizer tok;
  tok.path_ = model_path;
  tok.spm_ = std::make_shared<const SentencePieceModel>(SentencePieceModel::load(model_path));
  const SentencePieceModel& m = *tok.spm_;

  const std::string config_path = (fs::path(model_path).parent_path() / "tokenizer_config.json").string();
  std::error_code ec;
  const nlohmann::json config = fs::is_regular_file(config_path, ec) ? read_json_file(config_path) : nlohmann::json::object();
  tok.add_bos_ = config_flag(config, "add_bos_token", true, config_path);
  tok.add_eos_ = config_flag(config, "add_eos_token", false, config_path);
  const auto id_of = [&](const std::string& name, const char* key, bool required) {
    const int id = m.piece_to_id(name);
    if (id != m.unk_id() || name == m.piece(m.unk_id()).text) return id;
    if (required) throw std::runtime_error(config_path + ": " + key + " \"" + name + "\" is not a piece of " + model_path);
    return -1;
  };
  tok.bos_id_ = id_of(config_special_token(config, "bos_token", "<s>"), "bos_token", tok.add_bos_);
  tok.eos_id_ = id_of(config_special_token(config, "eos_token", "</s>"), "eos_token", tok.add_eos_);
  tok.legacy_ = config_flag(config, "legacy", true, config_path);
  // Absent: LlamaTokenizer's default, true. null (as save_pretrained writes it for a tokenizer made
  // without the argument): transformers passes None through, which is false.
  tok.add_prefix_space_ = !config.contains("add_prefix_space") || config_flag(config, "add_prefix_space", false, config_path);
  if (!tok.legacy_) {
    tok.plain_ = std::make_shared<const SentencePieceModel>(m.without_dummy_prefix());
    tok.unk_token_ = config_special_token(config, "unk_token", "<unk>");
    tok.unk_pieces_ = tok.plain_->encode_ids(tok.unk_token_).size();
  }
  for (int id = 0; id < m.size(); ++id) {
    const auto type = m.piece(id).type;
    if (type == SentencePieceModel::PieceType::kControl || type == SentencePieceModel::PieceType::kUnknown)
      tok.specials_.emplace_back(m.piece(id).text, id);
  }
  return tok;
}

// One stretch between special tokens. Legacy: SentencePiece as it is. Otherwise as
// LlamaTokenizer._tokenize: without the dummy prefix, and a stretch starting with a space is
// encoded behind the unknown token's text, whose pieces are dropped.
std::vector<int> SentencePieceTokenizer::encode_stretch(const std::string& text) const {
  if (legacy_) return spm_->encode_ids(text);
  static const std::string kUnderline = "\xE2\x96\x81";  // ▁
  if (text.rfind(kUnderline, 0) != 0 && text.rfind(" ", 0) != 0) return plain_->encode_ids(text);
  std::vector<int> ids = plain_->encode_ids(unk_token_ + text);
  if (ids.size() >= unk_pieces_) ids.erase(ids.begin(), ids.begin() + static_cast<long>(unk_pieces_));
  return ids;
}

std::vector<int> SentencePieceTokenizer::encode(const std::string& text_in, bool add_special) const {
  std::vector<int> ids;
  if (add_special && add_bos_) ids.push_back(bos_id_);
  const size_t first = ids.size();
  std::string text = text_in;
  if (!legacy_ && !text.empty()) {
    static const std::string kUnderline = "\xE2\x96\x81";
    for (size_t at = 0; (at = text.find(kUnderline, at)) != std::string::npos;) text.replace(at, kUnderline.size(), " ");
    if (add_prefix_space_) text = kUnderline + text;
  }
  bool after_lone_underline = false;  // LlamaTokenizer.tokenize drops a lone "▁" before a special token
  for (const TextSegment& seg : split_on_special_tokens(text, specials_)) {
    if (seg.special_id >= 0) {
      if (after_lone_underline) ids.pop_back();
      after_lone_underline = false;
      ids.push_back(seg.special_id);
      continue;
    }
    const std::vector<int> part = encode_stretch(std::string(seg.text));
    after_lone_underline = !legacy_ && ids.size() == first && part.size() == 1 && spm_->piece(part[0]).text == "\xE2\x96\x81";
    ids.insert(ids.end(), part.begin(), part.end());
  }
  if (add_special && add_eos_) ids.push_back(eos_id_);
  return ids;
}

std::string SentencePieceTokenizer::decode(const std::vector<int>& ids) const {
  std::vector<std::string> pieces;
  for (int id : ids) {
    check_id(id);
    pieces.push_back(spm_->piece(id).text);
  }
  return spm_->decode(pieces);
}

std::string SentencePieceTokenizer::piece(int id) const {
  check_id(id);
  return spm_->piece(id).text;
}

int SentencePieceTokenizer::vocab_size() const { return spm_->size(); }

std::string SentencePieceTokenizer::describe() const {
  return "SentencePiece tokenizer " + path_ + " (" + (spm_->is_bpe() ? "BPE" : "Unigram") +
         (spm_->byte_fallback() ? ", byte fallback" : "") + ", " + std::to_string(spm_->size()) + " pieces)";
}

void SentencePieceTokenizer::check_id(int id) const {
  if (id < 0 || id >= spm_->size())
    throw std::out_of_range("token id " + std::to_string(id) + " is outside the vocabulary of " +
                            std::to_string(spm_->size()) + " pieces (" + path_ + ")");
}

}  // namespace attnscope
