#include "text/gpt2_tokenizer.h"

#include <filesystem>
#include <limits>
#include <mutex>
#include <stdexcept>

#include "io/atomic_file.h"
#include "text/json_file.h"
#include "text/special_tokens.h"
#include "text/unicode_data.h"
#include "core/utf8.h"

namespace attnscope {

namespace fs = std::filesystem;

struct Gpt2Tokenizer::WordCache {
  static constexpr size_t kMaxEntries = 1 << 16;  // cleared when full: bounded memory on long texts
  std::mutex mutex;
  std::unordered_map<std::string, std::vector<int>> ids;
};

namespace {

const char* const kEndOfText = "<|endoftext|>";

// The character classes GPT-2's pattern distinguishes. Bytes that are not valid UTF-8 count as
// kOther, so they travel with their neighbours like any symbol.
enum class CharClass { kLetter, kNumber, kSpace, kOther };

struct Char {
  size_t pos, size;  // byte extent in the text
  char32_t cp;
  CharClass cls;
};

std::vector<Char> classify(std::string_view text) {
  std::vector<Char> chars;
  for (size_t i = 0; i < text.size();) {
    const Utf8Char c = next_utf8(text, i);
    CharClass cls = CharClass::kOther;
    if (c.valid) {
      if (is_white_space(c.cp)) cls = CharClass::kSpace;
      else if (is_letter(c.cp)) cls = CharClass::kLetter;
      else if (is_number(c.cp)) cls = CharClass::kNumber;
    }
    chars.push_back({i, c.size, c.cp, cls});
    i += c.size;
  }
  return chars;
}

// Length in characters of the contraction ('s 't 're 've 'm 'll 'd, case-sensitive) at i, or 0.
size_t contraction_at(const std::vector<Char>& c, size_t i) {
  if (c[i].cp != U'\'' || i + 1 >= c.size()) return 0;
  const char32_t a = c[i + 1].cp;
  if (a == U's' || a == U't' || a == U'm' || a == U'd') return 2;
  if (i + 2 >= c.size()) return 0;
  const char32_t b = c[i + 2].cp;
  if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l')) return 3;
  return 0;
}

// OpenAI's bytes_to_unicode(): the bytes of "!".."~", "¡".."¬", "®".."ÿ" stand for themselves;
// the remaining 68 bytes, in increasing order, get U+0100, U+0101, ...
std::array<char32_t, 256> bytes_to_unicode() {
  std::array<char32_t, 256> map{};
  char32_t next = 256;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    map[static_cast<size_t>(b)] = printable ? static_cast<char32_t>(b) : next++;
  }
  return map;
}

}  // namespace

const std::array<std::string, 256>& byte_level_symbols() {
  static const std::array<std::string, 256> symbols = [] {
    std::array<std::string, 256> s;
    const auto map = bytes_to_unicode();
    for (size_t b = 0; b < 256; ++b) append_utf8(s[b], map[b]);
    return s;
  }();
  return symbols;
}

int byte_level_byte(char32_t cp) {
  static const std::array<int, 324> bytes = [] {
    std::array<int, 324> m;
    m.fill(-1);
    const auto map = bytes_to_unicode();
    for (int b = 0; b < 256; ++b) m[map[static_cast<size_t>(b)]] = b;
    return m;
  }();
  return cp < bytes.size() ? bytes[cp] : -1;
}

std::vector<std::string_view> Gpt2Tokenizer::pretokenize(std::string_view text) {
  const std::vector<Char> c = classify(text);
  const size_t n = c.size();
  std::vector<std::string_view> out;
  auto emit = [&](size_t first, size_t end) {  // characters [first, end)
    const size_t from = c[first].pos, to = end < n ? c[end].pos : text.size();
    out.push_back(text.substr(from, to - from));
  };
  auto run_end = [&](size_t i, CharClass cls) {
    while (i < n && c[i].cls == cls) ++i;
    return i;
  };
  for (size_t i = 0; i < n;) {
    // 's|'t|'re|'ve|'m|'ll|'d
    if (const size_t len = contraction_at(c, i)) {
      emit(i, i + len);
      i += len;
      continue;
    }
    // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: an optional U+0020, then a run of one class.
    // (A space followed by whitespace or nothing falls through to the whitespace rules.)
    const bool lead_space = c[i].cp == U' ' && i + 1 < n && c[i + 1].cls != CharClass::kSpace;
    const size_t body = lead_space ? i + 1 : i;
    if (c[body].cls != CharClass::kSpace) {
      const size_t end = run_end(body, c[body].cls);
      emit(i, end);
      i = end;
      continue;
    }
    // `\s+(?!\S)|\s+`: a whitespace run; when a non-space follows, its last character is left to
    // start the next pre-token (" world"), unless the run is that one character.
    const size_t end = run_end(i, CharClass::kSpace);
    const size_t take = (end < n && end - i > 1) ? end - 1 : end;
    emit(i, take);
    i = take;
  }
  return out;
}

Gpt2Tokenizer Gpt2Tokenizer::load(const std::string& dir) {
  const std::string vocab_path = (fs::path(dir) / "vocab.json").string();
  const std::string merges_path = (fs::path(dir) / "merges.txt").string();
  for (const auto& p : {vocab_path, merges_path})
    if (!fs::is_regular_file(p)) throw std::runtime_error(p + ": no such file (GPT-2 needs vocab.json and merges.txt)");

  Gpt2Tokenizer tok;
  tok.path_ = dir;
  tok.cache_ = std::make_shared<WordCache>();

  JsonVocab vocab = read_vocab_json(vocab_path);
  tok.pieces_ = std::move(vocab.pieces);
  tok.ids_ = std::move(vocab.ids);
  if (const auto it = tok.ids_.find(kEndOfText); it != tok.ids_.end()) tok.eot_id_ = it->second;

  // The byte alphabet: every byte's symbol must be a piece, so any text can be encoded.
  const auto map = bytes_to_unicode();
  tok.symbol_byte_.fill(-1);
  for (int b = 0; b < 256; ++b) {
    std::string symbol;
    append_utf8(symbol, map[static_cast<size_t>(b)]);
    if (!tok.ids_.count(symbol))
      throw std::runtime_error(vocab_path + ": no piece for byte " + std::to_string(b) + " (\"" + symbol +
                               "\"); not a byte-level BPE vocabulary");
    tok.byte_symbol_[static_cast<size_t>(b)] = symbol;
    tok.symbol_byte_[map[static_cast<size_t>(b)]] = b;
  }

  // merges.txt: "a b" per line after the "#version" header; rank = position.
  const std::string merges = read_file(merges_path);
  int line_no = 0, rank = 0;
  for (size_t start = 0; start < merges.size();) {
    size_t end = merges.find('\n', start);
    if (end == std::string::npos) end = merges.size();
    std::string_view line(merges.data() + start, end - start);
    start = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line_no == 1 && line.rfind("#version", 0) == 0) continue;
    if (line.empty()) continue;
    std::vector<std::string_view> fields;
    for (size_t i = 0; i < line.size();) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      const size_t f = i;
      while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
      if (i > f) fields.push_back(line.substr(f, i - f));
    }
    if (fields.size() != 2)
      throw std::runtime_error(merges_path + " line " + std::to_string(line_no) + ": expected 2 fields \"a b\", found " +
                               std::to_string(fields.size()));
    const std::string merged = std::string(fields[0]) + std::string(fields[1]);
    if (!tok.ids_.count(merged))
      throw std::runtime_error(merges_path + " line " + std::to_string(line_no) + ": the merged piece \"" + merged +
                               "\" is not in vocab.json");
    // Pieces never hold spaces (space is "Ġ"), so "a b" is an unambiguous key. A repeated merge
    // takes its last rank, as encoder.py's dict(zip(merges, range(...))) does.
    tok.ranks_[std::string(fields[0]) + ' ' + std::string(fields[1])] = rank++;
  }
  return tok;
}

std::vector<int> Gpt2Tokenizer::bpe(std::string_view pretoken) const {
  {
    std::lock_guard<std::mutex> lock(cache_->mutex);
    if (const auto it = cache_->ids.find(std::string(pretoken)); it != cache_->ids.end()) return it->second;
  }
  std::vector<std::string> symbols;
  for (unsigned char b : pretoken) symbols.push_back(byte_symbol_[b]);
  std::string key;
  while (symbols.size() > 1) {
    // The adjacent pair with the lowest rank...
    int best = std::numeric_limits<int>::max();
    size_t best_at = 0;
    for (size_t i = 0; i + 1 < symbols.size(); ++i) {
      key.assign(symbols[i]).append(1, ' ').append(symbols[i + 1]);
      const auto it = ranks_.find(key);
      if (it != ranks_.end() && it->second < best) {
        best = it->second;
        best_at = i;
      }
    }
    if (best == std::numeric_limits<int>::max()) break;
    // ...merged everywhere it occurs, left to right, as encoder.py does.
    const std::string first = symbols[best_at], second = symbols[best_at + 1];
    std::vector<std::string> merged;
    for (size_t i = 0; i < symbols.size();) {
      if (i + 1 < symbols.size() && symbols[i] == first && symbols[i + 1] == second) {
        merged.push_back(first + second);
        i += 2;
      } else {
        merged.push_back(std::move(symbols[i]));
        i += 1;
      }
    }
    symbols = std::move(merged);
  }
  std::vector<int> ids;
  ids.reserve(symbols.size());
  for (const auto& s : symbols) ids.push_back(ids_.at(s));  // load() checked bytes and merges exist
  std::lock_guard<std::mutex> lock(cache_->mutex);
  if (cache_->ids.size() >= WordCache::kMaxEntries) cache_->ids.clear();
  cache_->ids.emplace(std::string(pretoken), ids);
  return ids;
}

std::vector<int> Gpt2Tokenizer::encode(const std::string& text, bool /*add_special: GPT-2 adds nothing*/) const {
  std::vector<std::pair<std::string, int>> specials;
  if (eot_id_ >= 0) specials.emplace_back(kEndOfText, eot_id_);
  std::vector<int> ids;
  for (const TextSegment& seg : split_on_special_tokens(text, specials)) {
    if (seg.special_id >= 0) {
      ids.push_back(seg.special_id);
      continue;
    }
    for (std::string_view pre : pretokenize(seg.text)) {
      const std::vector<int> word = bpe(pre);
      ids.insert(ids.end(), word.begin(), word.end());
    }
  }
  return ids;
}

std::string Gpt2Tokenizer::decode(const std::vector<int>& ids) const {
  std::string out;
  for (int id : ids) {
    check_id(id);
    if (id == eot_id_) continue;
    const std::string& p = pieces_[static_cast<size_t>(id)];
    for (size_t i = 0; i < p.size();) {
      const Utf8Char c = next_utf8(p, i);
      const int b = c.cp < symbol_byte_.size() ? symbol_byte_[c.cp] : -1;
      if (b >= 0) out += static_cast<char>(b);
      else out.append(p, i, c.size);  // a piece outside the byte alphabet (an added token): as written
      i += c.size;
    }
  }
  return out;
}

std::string Gpt2Tokenizer::piece(int id) const {
  check_id(id);
  return pieces_[static_cast<size_t>(id)];
}

std::string Gpt2Tokenizer::describe() const {
  return "GPT-2 byte-level BPE tokenizer " + path_ + " (" + std::to_string(pieces_.size()) + " pieces, " +
         std::to_string(ranks_.size()) + " merges)";
}

void Gpt2Tokenizer::check_id(int id) const {
  if (id < 0 || static_cast<size_t>(id) >= pieces_.size())
    throw std::out_of_range("token id " + std::to_string(id) + " is outside the vocabulary of " +
                            std::to_string(pieces_.size()) + " pieces (" + path_ + ")");
}

}  // namespace attnscope
