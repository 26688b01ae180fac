// What the tokenizer.json stages share: one-line errors, typed fields, Replace patterns.
#include "text/hf_components.h"

#include <stdexcept>

namespace attnscope::hf {

void fail(const std::string& file, const std::string& what) { throw std::runtime_error(file + ": " + what); }

std::string string_field(const json& obj, const char* key, const std::string& file, const std::string& where,
                         const std::string& fallback) {
  if (!obj.contains(key) || obj[key].is_null()) return fallback;
  if (!obj[key].is_string()) fail(file, where + ": \"" + key + "\" is not a string");
  return obj[key].get<std::string>();
}

bool bool_field(const json& obj, const char* key, const std::string& file, const std::string& where, bool fallback) {
  if (!obj.contains(key) || obj[key].is_null()) return fallback;
  if (!obj[key].is_boolean()) fail(file, where + ": \"" + key + "\" is not true or false");
  return obj[key].get<bool>();
}

std::string type_of(const json& obj, const std::string& file, const char* kind) {
  if (!obj.is_object() || !obj.contains("type") || !obj["type"].is_string())
    fail(file, std::string(kind) + " without a \"type\"");
  return obj["type"].get<std::string>();
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  std::string out;
  size_t start = 0;
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, start)) {
    out.append(s, start, at - start).append(to);
    start = at + from.size();
  }
  if (start == 0) return;
  out.append(s, start, std::string::npos);
  s = std::move(out);
}

namespace {


// A regex that matches exactly one literal string: no metacharacters, or only escaped ones.
bool regex_literal(const std::string& re, std::string& literal) {
  literal.clear();
  for (size_t i = 0; i < re.size(); ++i) {
    const char c = re[i];
    if (c == '\\') {
      if (i + 1 >= re.size()) return false;
      const char e = re[++i];
      if (std::string_view(".^$|?*+()[]{}\\/ -").find(e) == std::string_view::npos) return false;  // \s \d \p ...
      literal += e;
    } else if (std::string_view(".^$|?*+()[]{}").find(c) != std::string_view::npos) {
      return false;
    } else {
      literal += c;
    }
  }
  return !literal.empty();
}

}  // namespace

std::function<void(std::string&)> make_replace(const json& obj, const std::string& file, const std::string& where) {
  const std::string content = string_field(obj, "content", file, where, "");
  if (!obj.contains("pattern") || !obj["pattern"].is_object()) fail(file, where + ": no \"pattern\"");
  const json& pattern = obj["pattern"];
  if (pattern.contains("String") && pattern["String"].is_string()) {
    const std::string from = pattern["String"].get<std::string>();
    return [from, content](std::string& s) { replace_all(s, from, content); };
  }
  if (pattern.contains("Regex") && pattern["Regex"].is_string()) {
    const std::string re = pattern["Regex"].get<std::string>();
    std::string literal;
    if (regex_literal(re, literal)) return [literal, content](std::string& s) { replace_all(s, literal, content); };
    if (re == " {2,}")
      return [content](std::string& s) {
        std::string out;
        for (size_t i = 0; i < s.size();) {
          size_t j = i;
          while (j < s.size() && s[j] == ' ') ++j;
          if (j - i >= 2) out += content;
          else if (j > i) out += ' ';
          if (j < s.size()) out += s[j];
          i = j + 1;
        }
        s = std::move(out);
      };
    fail(file, where + ": the regex " + json(re).dump() + " is not supported (only literal strings and \" {2,}\")");
  }
  fail(file, where + ": \"pattern\" is neither {\"String\": ...} nor {\"Regex\": ...}");
}

}  // namespace attnscope::hf
