#include "text/sentencepiece_tokenizer.h"

#include <filesystem>
#include <stdexcept>

#include "text/json_file.h"
#include "text/sentencepiece_model.h"
#include "text/special_tokens.h"

namespace attnscope {

namespace fs = std::filesystem;

namespace {

std::string config_token(const nlohmann::json& config, const char* key, const char* fallback) {
  if (!config.is_object() || !config.contains(key)) return fallback;
  const auto& v = config[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
  return fallback;
}

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
  tok.bos_id_ = id_of(config_token(config, "bos_token", "<s>"), "bos_token", tok.add_bos_);
  tok.eos_id_ = id_of(config_token(config, "eos_token", "</s>"), "eos_token", tok.add_eos_);
  for (int id = 0; id < m.size(); ++id) {
    const auto type = m.piece(id).type;
    if (type == SentencePieceModel::PieceType::kControl || type == SentencePieceModel::PieceType::kUnknown)
      tok.specials_.emplace_back(m.piece(id).text, id);
  }
  return tok;
}

std::vector<int> SentencePieceTokenizer::encode(const std::string& text, bool add_special) const {
  std::vector<int> ids;
  if (add_special && add_bos_) ids.push_back(bos_id_);
  for (const TextSegment& seg : split_on_special_tokens(text, specials_)) {
    if (seg.special_id >= 0) {
      ids.push_back(seg.special_id);
      continue;
    }
    const std::vector<int> part = spm_->encode_ids(seg.text);
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
