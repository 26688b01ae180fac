// Reading the JSON files tokenizers ship in (vocab.json, tokenizer_config.json) with one-line errors.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

namespace attnscope {

// Throws std::runtime_error "PATH: not valid JSON (...)" or "cannot read PATH: ..." on failure.
nlohmann::json read_json_file(const std::string& path);

// A vocab.json of GPT-2 or Marian: {piece: id} with the ids exactly 0..N-1.
struct JsonVocab {
  std::vector<std::string> pieces;             // by id
  std::unordered_map<std::string, int> ids;    // piece -> id
};
// Throws std::runtime_error naming the path and the first problem (not an object, empty, an id
// that is not an integer in range, an id given twice).
JsonVocab read_vocab_json(const std::string& path);

// A special token's string in tokenizer_config.json: "<s>" or {"content": "<s>", ...}; `fallback`
// when the key is absent or holds neither.
std::string config_special_token(const nlohmann::json& config, const char* key, const std::string& fallback);

}  // namespace attnscope
