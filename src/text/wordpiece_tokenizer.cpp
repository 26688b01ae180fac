#include "text/wordpiece_tokenizer.h"

#include <filesystem>
#include <stdexcept>

#include "io/atomic_file.h"
#include "text/json_file.h"
#include "text/special_tokens.h"
#include "text/unicode_data.h"
#include "core/utf8.h"

namespace attnscope {

namespace fs = std::filesystem;

namespace {

bool is_bert_whitespace(char32_t c) {
  return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' || unicode_category(c) == UnicodeCategory::Zs;
}

bool is_bert_control(char32_t c) {
  return c != U'\t' && c != U'\n' && c != U'\r' && is_other(c);
}

// BERT counts every non-letter, non-digit ASCII symbol ("$", "^", "`") as punctuation, though
// Unicode puts some of them in S*.
bool is_bert_punctuation(char32_t c) {
  return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126) ||
         is_punctuation(c);
}

// The CJK Unified Ideographs blocks BERT treats as words of their own (not Hangul, kana).
bool is_cjk_ideograph(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

// What Python's str.split() still splits on once the text is cleaned (other separators were
// turned into spaces or dropped): the space, LINE SEPARATOR and PARAGRAPH SEPARATOR.
bool is_split_space(char32_t c) { return c == U' ' || c == 0x2028 || c == 0x2029; }

std::vector<std::u32string> split_on_spaces(const std::u32string& text) {
  std::vector<std::u32string> words;
  std::u32string cur;
  for (char32_t c : text) {
    if (is_split_space(c)) {
      if (!cur.empty()) words.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) words.push_back(std::move(cur));
  return words;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

WordPieceTokenizer::Options read_options(const std::string& config_path) {
  WordPieceTokenizer::Options o;
  if (!fs::exists(config_path)) return o;
  const nlohmann::json config = read_json_file(config_path);
  if (!config.is_object()) throw std::runtime_error(config_path + ": expected a JSON object");
  auto flag = [&](const char* key, bool fallback) {
    if (!config.contains(key) || config[key].is_null()) return fallback;
    if (!config[key].is_boolean()) throw std::runtime_error(config_path + ": \"" + key + "\" is not true or false");
    return config[key].get<bool>();
  };
  o.lower_case = flag("do_lower_case", true);
  o.strip_accents = flag("strip_accents", o.lower_case);
  o.split_cjk = flag("tokenize_chinese_chars", true);
  o.clean_up_spaces = flag("clean_up_tokenization_spaces", true);
  if (config.contains("never_split") && config["never_split"].is_array())
    for (const auto& w : config["never_split"])
      if (w.is_string()) o.never_split.push_back(w.get<std::string>());
  return o;
}

}  // namespace

WordPieceTokenizer WordPieceTokenizer::load(const std::string& dir) {
  const std::string vocab_path = (fs::path(dir) / "vocab.txt").string();
  const std::string config_path = (fs::path(dir) / "tokenizer_config.json").string();
  if (!fs::is_regular_file(vocab_path)) throw std::runtime_error(vocab_path + ": no such file (BERT's WordPiece vocabulary)");

  WordPieceTokenizer tok;
  tok.path_ = vocab_path;
  tok.options_ = read_options(config_path);

  const std::string text = read_file(vocab_path);
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();  // Python's universal newlines
    tok.ids_[line] = static_cast<int>(tok.pieces_.size());
    tok.pieces_.push_back(std::move(line));
    start = end + 1;
  }
  if (tok.pieces_.empty()) throw std::runtime_error(vocab_path + ": empty vocabulary");

  const nlohmann::json config = fs::exists(config_path) ? read_json_file(config_path) : nlohmann::json::object();
  auto special = [&](const char* key, const char* fallback, bool required) {
    const std::string name = config_special_token(config, key, fallback);
    const auto it = tok.ids_.find(name);
    if (it == tok.ids_.end()) {
      if (required) throw std::runtime_error(vocab_path + ": no " + name + " piece (BERT's " + key + ")");
      return -1;
    }
    tok.specials_.emplace_back(name, it->second);
    tok.special_ids_.insert(it->second);
    tok.options_.never_split.push_back(name);
    return it->second;
  };
  tok.unk_id_ = special("unk_token", "[UNK]", true);
  tok.cls_id_ = special("cls_token", "[CLS]", true);
  tok.sep_id_ = special("sep_token", "[SEP]", true);
  tok.pad_id_ = special("pad_token", "[PAD]", false);
  tok.mask_id_ = special("mask_token", "[MASK]", false);
  return tok;
}

std::vector<std::string> WordPieceTokenizer::basic_tokenize(const std::string& text) const {
  // Clean: drop what BERT drops, turn whitespace into spaces, isolate CJK ideographs.
  std::u32string cleaned;
  for (char32_t c : utf8_to_u32(text)) {  // invalid bytes arrive as U+FFFD and are dropped here
    if (c == 0 || c == 0xFFFD || is_bert_control(c)) continue;
    if (is_bert_whitespace(c)) {
      cleaned += U' ';
    } else if (options_.split_cjk && is_cjk_ideograph(c)) {
      cleaned += U' ';
      cleaned += c;
      cleaned += U' ';
    } else {
      cleaned += c;
    }
  }

  std::vector<std::string> out;
  for (const std::u32string& word : split_on_spaces(cleaned)) {
    const std::string word_utf8 = u32_to_utf8(word);
    bool keep_whole = false;
    for (const auto& w : options_.never_split) keep_whole |= (w == word_utf8);
    if (keep_whole) {
      out.push_back(word_utf8);
      continue;
    }
    std::u32string normal = options_.lower_case ? to_lower(word) : word;
    if (options_.strip_accents) {
      std::u32string stripped;
      for (char32_t c : normal) append_without_accents(c, stripped);
      normal = std::move(stripped);
    }
    // Every punctuation character is a word; the runs between them are words.
    std::u32string cur;
    for (char32_t c : normal) {
      if (is_bert_punctuation(c)) {
        if (!cur.empty()) out.push_back(u32_to_utf8(cur));
        cur.clear();
        out.push_back(u32_to_utf8(std::u32string(1, c)));
      } else if (is_split_space(c)) {  // never produced by the tables, but split as BERT's re-split would
        if (!cur.empty()) out.push_back(u32_to_utf8(cur));
        cur.clear();
      } else {
        cur += c;
      }
    }
    if (!cur.empty()) out.push_back(u32_to_utf8(cur));
  }
  return out;
}

std::vector<int> greedy_wordpiece(std::string_view word, const std::unordered_map<std::string, int>& ids,
                                  const std::string& prefix, size_t max_chars, int unk_id) {
  // Byte offsets of the character boundaries, so substrings can be cut without re-decoding.
  std::vector<size_t> bounds;
  for (size_t i = 0; i < word.size(); i += next_utf8(word, i).size) bounds.push_back(i);
  bounds.push_back(word.size());
  const size_t n_chars = bounds.size() - 1;
  if (n_chars > max_chars) return {unk_id};

  std::vector<int> out;
  std::string candidate;
  for (size_t start = 0; start < n_chars;) {
    int found = -1;
    size_t end = n_chars;
    for (; end > start; --end) {
      candidate.assign(start > 0 ? prefix : std::string());
      candidate.append(word.substr(bounds[start], bounds[end] - bounds[start]));
      const auto it = ids.find(candidate);
      if (it != ids.end()) {
        found = it->second;
        break;
      }
    }
    if (found < 0) return {unk_id};  // one unmatchable part makes the whole word unknown
    out.push_back(found);
    start = end;
  }
  return out;
}

std::vector<int> WordPieceTokenizer::wordpiece(const std::string& word) const {
  return greedy_wordpiece(word, ids_, "##", static_cast<size_t>(kMaxWordChars), unk_id_);
}

std::vector<int> WordPieceTokenizer::encode(const std::string& text, bool add_special) const {
  std::vector<int> ids;
  if (add_special) ids.push_back(cls_id_);
  for (const TextSegment& seg : split_on_special_tokens(text, specials_)) {
    if (seg.special_id >= 0) {
      ids.push_back(seg.special_id);
      continue;
    }
    for (const std::string& word : basic_tokenize(std::string(seg.text))) {
      const std::vector<int> pieces = wordpiece(word);
      ids.insert(ids.end(), pieces.begin(), pieces.end());
    }
  }
  if (add_special) ids.push_back(sep_id_);
  return ids;
}

std::string WordPieceTokenizer::decode(const std::vector<int>& ids) const {
  std::string joined;
  for (int id : ids) {
    check_id(id);
    if (special_ids_.count(id)) continue;
    if (!joined.empty()) joined += ' ';
    joined += pieces_[static_cast<size_t>(id)];
  }
  replace_all(joined, " ##", "");  // a leading "##x" keeps its marker, as in BERT's decode
  const size_t first = joined.find_first_not_of(' '), last = joined.find_last_not_of(' ');
  joined = first == std::string::npos ? "" : joined.substr(first, last - first + 1);
  if (options_.clean_up_spaces) {
    static const std::pair<const char*, const char*> kCleanUps[] = {
        {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"},
        {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
    for (const auto& [from, to] : kCleanUps) replace_all(joined, from, to);
  }
  return joined;
}

std::string WordPieceTokenizer::piece(int id) const {
  check_id(id);
  return pieces_[static_cast<size_t>(id)];
}

std::string WordPieceTokenizer::describe() const {
  return "BERT WordPiece tokenizer " + path_ + " (" + std::to_string(pieces_.size()) + " pieces" +
         (options_.lower_case ? ", lower-cased" : "") + ")";
}

void WordPieceTokenizer::check_id(int id) const {
  if (id < 0 || static_cast<size_t>(id) >= pieces_.size())
    throw std::out_of_range("token id " + std::to_string(id) + " is outside the vocabulary of " +
                            std::to_string(pieces_.size()) + " pieces (" + path_ + ")");
}

}  // namespace attnscope
