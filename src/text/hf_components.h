// The stages of a Hugging Face tokenizer.json (the `tokenizers` library's format), each read from
// its JSON object by a factory that throws one line naming the file and what it cannot do:
//   "tok/tokenizer.json: normalizer type "Nmt" is not supported".
// A text runs through them in this order (text/hf_tokenizer.cpp): added tokens cut out of the raw
// text, normalizer, pre-tokenizer, model, post-processor; decode runs the decoder over the pieces.
// Each stage follows tokenizers 0.20's Rust code; what one does not follow is refused, never
// approximated, except where its file's header says so.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace attnscope::hf {

using nlohmann::json;

// One line "FILE: WHAT" as std::runtime_error.
[[noreturn]] void fail(const std::string& file, const std::string& what);

// Typed field access with one-line errors ("FILE: normalizer Strip: "strip_left" is not true or false").
std::string string_field(const json& obj, const char* key, const std::string& file, const std::string& where,
                         const std::string& fallback);
bool bool_field(const json& obj, const char* key, const std::string& file, const std::string& where, bool fallback);
// The "type" of a component object; fails unless `obj` is an object with a string "type".
std::string type_of(const json& obj, const std::string& file, const char* kind);

// --- normalizers: the text of a segment, rewritten in place -----------------------------------
class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void normalize(std::string& text) const = 0;
};
std::unique_ptr<Normalizer> make_normalizer(const json& obj, const std::string& file);

// --- pre-tokenizers: segments cut into words ----------------------------------------------------
struct Word {
  std::string text;
  bool at_start = false;  // begins at offset 0 of the original text (Metaspace's prepend_scheme "first")
};
class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  virtual void pre_tokenize(std::vector<Word>& words) const = 0;
  virtual bool byte_level() const { return false; }  // maps bytes to GPT-2's symbols
  virtual bool metaspace() const { return false; }   // marks spaces with "▁"
};
std::unique_ptr<PreTokenizer> make_pre_tokenizer(const json& obj, const std::string& file);

// --- models: one word to ids --------------------------------------------------------------------
class Model {
 public:
  virtual ~Model() = default;
  virtual void tokenize(std::string_view word, std::vector<int>& ids) const = 0;
  virtual std::string kind() const = 0;  // "BPE, byte fallback", "WordPiece", "Unigram"

  std::vector<std::string> pieces;             // by id
  std::unordered_map<std::string, int> ids;    // piece -> id
};
std::unique_ptr<Model> make_model(const json& obj, const std::string& file);
std::unique_ptr<Model> make_bpe_model(const json& obj, const std::string& file);  // text/hf_bpe_model.cpp
// A {piece: id} vocabulary into model.pieces / model.ids; fails on ids that are not integers
// 0..2^24 or given twice.
void read_vocab_object(const json& vocab, const std::string& file, const std::string& where, Model& model);

// --- post-processor: what add_special puts around the ids ---------------------------------------
struct Template {
  std::vector<int> before, after;
};
// `lookup` finds a token string's id (added tokens, then the model), -1 when absent.
Template read_post_processor(const json& obj, const std::string& file,
                             const std::function<int(const std::string&)>& lookup);

// --- decoders: pieces back to text --------------------------------------------------------------
class Decoder {
 public:
  virtual ~Decoder() = default;
  // Rewrites the list of token strings (tokenizers' decode_chain); the result is their concatenation.
  virtual void decode(std::vector<std::string>& tokens) const = 0;
  virtual bool byte_level() const { return false; }
  virtual bool metaspace() const { return false; }
};
std::unique_ptr<Decoder> make_decoder(const json& obj, const std::string& file);

// Every occurrence of `from` (non-empty; empty changes nothing) replaced by `to`, left to right.
void replace_all(std::string& s, const std::string& from, const std::string& to);

// A Replace pattern ({"String": s} or {"Regex": r}) as a function rewriting a string; the regexes
// accepted are those equivalent to a literal, and " {2,}" (runs of two or more spaces).
std::function<void(std::string&)> make_replace(const json& obj, const std::string& file, const std::string& where);

}  // namespace attnscope::hf
