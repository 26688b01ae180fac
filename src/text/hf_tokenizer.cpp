#include "text/hf_tokenizer.h"

#include <filesystem>
#include <stdexcept>

#include "text/json_file.h"

namespace attnscope {

namespace fs = std::filesystem;
using hf::json;

namespace {

bool is_llama_like(const std::string& cls) {
  for (const char* c : {"LlamaTokenizer", "LlamaTokenizerFast", "CodeLlamaTokenizer", "CodeLlamaTokenizerFast",
                        "GemmaTokenizer", "GemmaTokenizerFast"})
    if (cls == c) return true;
  return false;
}

}  // namespace

std::unique_ptr<HfTokenizer> HfTokenizer::load(const std::string& json_path, const std::string& note) {
  const json root = read_json_file(json_path);
  const std::string& file = json_path;
  if (!root.is_object()) hf::fail(file, "expected a JSON object");
  auto tok = std::unique_ptr<HfTokenizer>(new HfTokenizer());
  tok->path_ = json_path;
  tok->note_ = note;

  if (!root.contains("model")) hf::fail(file, "no \"model\" (not a tokenizers tokenizer.json)");
  tok->model_ = hf::make_model(root["model"], file);
  if (root.contains("normalizer") && !root["normalizer"].is_null()) tok->normalizer_ = hf::make_normalizer(root["normalizer"], file);
  if (root.contains("pre_tokenizer") && !root["pre_tokenizer"].is_null())
    tok->pre_tokenizer_ = hf::make_pre_tokenizer(root["pre_tokenizer"], file);
  if (root.contains("decoder") && !root["decoder"].is_null()) tok->decoder_ = hf::make_decoder(root["decoder"], file);

  // Added tokens: their ids extend (or name) the model's pieces.
  tok->pieces_ = tok->model_->pieces;
  std::vector<hf::AddedToken> added;
  if (root.contains("added_tokens") && !root["added_tokens"].is_null()) {
    if (!root["added_tokens"].is_array()) hf::fail(file, "\"added_tokens\" is not a list");
    for (const json& t : root["added_tokens"]) {
      const std::string where = "added token " + std::to_string(added.size());
      hf::AddedToken a;
      a.content = hf::string_field(t, "content", file, where, "");
      if (a.content.empty()) hf::fail(file, where + ": no \"content\"");
      if (!t.contains("id") || !t["id"].is_number_integer() || t["id"].get<long long>() < 0 || t["id"].get<long long>() >= (1 << 24))
        hf::fail(file, where + " \"" + a.content + "\": \"id\" is not an integer 0..16777215");
      a.id = t["id"].get<int>();
      a.single_word = hf::bool_field(t, "single_word", file, where, false);
      a.lstrip = hf::bool_field(t, "lstrip", file, where, false);
      a.rstrip = hf::bool_field(t, "rstrip", file, where, false);
      a.normalized = hf::bool_field(t, "normalized", file, where, true);
      a.special = hf::bool_field(t, "special", file, where, false);
      if (static_cast<size_t>(a.id) >= tok->pieces_.size()) tok->pieces_.resize(static_cast<size_t>(a.id) + 1);
      tok->pieces_[static_cast<size_t>(a.id)] = a.content;
      if (a.special) tok->special_ids_.insert(a.id);
      added.push_back(std::move(a));
    }
  }
  const hf::Normalizer* norm = tok->normalizer_.get();
  tok->added_ = std::make_unique<hf::AddedTokens>(
      std::move(added), norm ? std::function<void(std::string&)>([norm](std::string& s) { norm->normalize(s); })
                             : std::function<void(std::string&)>());

  const auto lookup = [t = tok.get()](const std::string& s) { return t->id_of(s); };
  tok->template_ = hf::read_post_processor(root.contains("post_processor") ? root["post_processor"] : json(), file, lookup);

  // tokenizer_config.json: bos/eos, and for Llama-like classes the template itself.
  const std::string config_path = (fs::path(json_path).parent_path() / "tokenizer_config.json").string();
  std::error_code ec;
  const json config = fs::is_regular_file(config_path, ec) ? read_json_file(config_path) : json::object();
  const std::string bos = config_special_token(config, "bos_token", ""), eos = config_special_token(config, "eos_token", "");
  if (config.is_object() && config.contains("tokenizer_class") && config["tokenizer_class"].is_string() &&
      is_llama_like(config["tokenizer_class"].get<std::string>())) {
    const bool add_bos = hf::bool_field(config, "add_bos_token", config_path, "tokenizer_config", true);
    const bool add_eos = hf::bool_field(config, "add_eos_token", config_path, "tokenizer_config", false);
    tok->template_ = {};
    const auto need = [&](const std::string& name, const char* key) {
      const int id = tok->id_of(name);
      if (id < 0) hf::fail(config_path, std::string(key) + " \"" + name + "\" is not a token of " + file);
      return id;
    };
    if (add_bos) tok->template_.before.push_back(need(bos, "bos_token"));
    if (add_eos) tok->template_.after.push_back(need(eos, "eos_token"));
  }
  for (const auto* side : {&tok->template_.before, &tok->template_.after})
    for (int id : *side)
      if (id < 0 || static_cast<size_t>(id) >= tok->pieces_.size())
        hf::fail(file, "the post-processor adds id " + std::to_string(id) + ", outside the vocabulary of " +
                           std::to_string(tok->pieces_.size()));
  tok->bos_id_ = !bos.empty() && tok->id_of(bos) >= 0 ? tok->id_of(bos)
                 : tok->template_.before.empty()      ? -1
                                                      : tok->template_.before.front();
  tok->eos_id_ = !eos.empty() && tok->id_of(eos) >= 0 ? tok->id_of(eos)
                 : tok->template_.after.empty()       ? -1
                                                      : tok->template_.after.back();

  // How pieces mark word boundaries.
  const bool byte_level = (tok->pre_tokenizer_ && tok->pre_tokenizer_->byte_level()) || (tok->decoder_ && tok->decoder_->byte_level());
  const bool metaspace = (tok->pre_tokenizer_ && tok->pre_tokenizer_->metaspace()) || (tok->decoder_ && tok->decoder_->metaspace());
  tok->kind_ = tok->model_->kind();
  if (byte_level) {
    tok->subword_style_ = "gpt2";
    tok->kind_ += ", byte-level";
  } else if (metaspace) {
    tok->subword_style_ = "sentencepiece";
  } else if (tok->kind_ == "WordPiece") {
    tok->subword_style_ = "wordpiece";
  } else {
    for (const std::string& p : tok->model_->pieces)
      if (p.rfind("\xE2\x96\x81", 0) == 0) {
        tok->subword_style_ = "sentencepiece";
        break;
      }
  }
  return tok;
}

int HfTokenizer::id_of(const std::string& token) const {
  for (const auto& a : added_->tokens())
    if (a.content == token) return a.id;
  const auto it = model_->ids.find(token);
  return it == model_->ids.end() ? -1 : it->second;
}

void HfTokenizer::encode_segment(std::string_view raw, bool at_start, std::vector<int>& ids) const {
  std::string text(raw);
  if (normalizer_) normalizer_->normalize(text);
  bool first = true;
  for (const hf::Segment& seg : added_->split(text, true)) {
    if (seg.id >= 0) {
      ids.push_back(seg.id);
    } else {
      std::vector<hf::Word> words{{std::string(seg.text), at_start && first && seg.offset == 0}};
      if (pre_tokenizer_) pre_tokenizer_->pre_tokenize(words);
      for (const hf::Word& w : words) model_->tokenize(w.text, ids);
    }
    first = false;
  }
}

std::vector<int> HfTokenizer::encode(const std::string& text, bool add_special) const {
  std::vector<int> ids;
  if (add_special) ids = template_.before;
  try {
    for (const hf::Segment& seg : added_->split(text, false)) {
      if (seg.id >= 0) ids.push_back(seg.id);
      else encode_segment(seg.text, seg.offset == 0, ids);
    }
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    if (what.rfind(path_, 0) == 0) throw;
    throw std::runtime_error(path_ + ": " + what);
  }
  if (add_special) ids.insert(ids.end(), template_.after.begin(), template_.after.end());
  return ids;
}

std::string HfTokenizer::decode(const std::vector<int>& ids) const {
  std::vector<std::string> tokens;
  for (int id : ids) {
    check_id(id);
    if (special_ids_.count(id)) continue;
    tokens.push_back(pieces_[static_cast<size_t>(id)]);
  }
  std::string out;
  if (decoder_) {
    decoder_->decode(tokens);
    for (const auto& t : tokens) out += t;
  } else {
    for (size_t i = 0; i < tokens.size(); ++i) out += (i ? " " : "") + tokens[i];
  }
  return out;
}

std::string HfTokenizer::piece(int id) const {
  check_id(id);
  return pieces_[static_cast<size_t>(id)];
}

std::string HfTokenizer::describe() const {
  return "Hugging Face tokenizer " + path_ + " (" + kind_ + ", " + std::to_string(pieces_.size()) + " pieces" +
         (note_.empty() ? "" : "; " + note_) + ")";
}

void HfTokenizer::check_id(int id) const {
  if (id < 0 || static_cast<size_t>(id) >= pieces_.size())
    throw std::out_of_range("token id " + std::to_string(id) + " is outside the vocabulary of " +
                            std::to_string(pieces_.size()) + " pieces (" + path_ + ")");
}

}  // namespace attnscope
