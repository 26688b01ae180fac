#include "text/json_file.h"

#include <stdexcept>

#include "io/json_limits.h"
#include "io/atomic_file.h"

namespace attnscope {

nlohmann::json read_json_file(const std::string& path) {
  const std::string text = read_file(path);
  check_json_depth(text, path);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 9: ..."; keep
    // the part after the bracketed tag.
    std::string what = e.what();
    const size_t tag_end = what.find("] ");
    if (tag_end != std::string::npos) what = what.substr(tag_end + 2);
    throw std::runtime_error(path + ": not valid JSON (" + what + ")");
  }
}

}  // namespace attnscope

namespace attnscope {

JsonVocab read_vocab_json(const std::string& path) {
  const nlohmann::json vocab = read_json_file(path);
  if (!vocab.is_object() || vocab.empty())
    throw std::runtime_error(path + ": expected a non-empty JSON object {piece: id}");
  JsonVocab out;
  const long long n = static_cast<long long>(vocab.size());
  out.pieces.resize(vocab.size());
  std::vector<bool> seen(vocab.size(), false);
  for (const auto& [piece, id] : vocab.items()) {
    if (!id.is_number_integer() || id.get<long long>() < 0 || id.get<long long>() >= n)
      throw std::runtime_error(path + ": the id of \"" + piece + "\" is " + id.dump() + ", not an integer in 0.." +
                               std::to_string(n - 1));
    const auto i = static_cast<size_t>(id.get<long long>());
    if (seen[i]) throw std::runtime_error(path + ": id " + std::to_string(i) + " is given to two pieces");
    seen[i] = true;
    out.pieces[i] = piece;
    out.ids.emplace(piece, static_cast<int>(i));
  }
  return out;
}

std::string config_special_token(const nlohmann::json& config, const char* key, const std::string& fallback) {
  if (!config.is_object() || !config.contains(key)) return fallback;
  const auto& v = config[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
  return fallback;
}

}  // namespace attnscope
