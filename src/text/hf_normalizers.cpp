// tokenizer.json normalizers: BertNormalizer, Lowercase, StripAccents, Strip, Prepend, Replace,
// Precompiled, ByteLevel, NFC (see below), Sequence. Characters are classified with
// text/unicode_data (Python's tables, Unicode 14), which is what Rust's char methods answer for
// every character these models' texts hold.
//
// NFC: attnscope has no composition tables, so it passes through texts whose characters are all
// below U+0300 or CJK ideographs (all "NFC_Quick_Check=Yes": NFC leaves them as they are) and
// throws for any other character rather than guess. NFD, NFKC, NFKD and Nmt are refused at load.
// Precompiled: tokenizers applies the charsmap per extended grapheme cluster; attnscope takes a
// cluster to be one character followed by its combining marks (M*), ZWJ and variation selectors
// (no Hangul jamo, emoji or regional-indicator sequences), which only matters for clusters that
// the charsmap maps as a whole.
#include <stdexcept>

#include "core/utf8.h"
#include "text/gpt2_tokenizer.h"
#include "text/hf_components.h"
#include "text/precompiled_charsmap.h"
#include "text/unicode_data.h"

namespace attnscope::hf {

namespace {

// Rust's char::is_whitespace: the White_Space property.
bool is_rust_whitespace(char32_t c) { return is_white_space(c); }

bool is_mark(char32_t c) {
  const auto k = unicode_category(c);
  return k == UnicodeCategory::Mn || k == UnicodeCategory::Mc || k == UnicodeCategory::Me;
}

// One code point lower-cased as Rust's char::to_lowercase (no final-sigma context).
void append_lower(char32_t c, std::u32string& out) {
  if (c < 0x80) {
    out += (c >= 'A' && c <= 'Z') ? c + 32 : c;
    return;
  }
  const char32_t one[1] = {c};
  out += to_lower(std::u32string_view(one, 1));
}

bool is_cjk_ideograph(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

class BertNormalizer : public Normalizer {
 public:
  BertNormalizer(bool clean, bool chinese, bool strip, bool lower)
      : clean_(clean), chinese_(chinese), strip_(strip), lower_(lower) {}
  void normalize(std::string& text) const override {
    std::u32string s;
    for (char32_t c : utf8_to_u32(text)) {
      if (clean_) {
        if (c == 0 || c == 0xFFFD) continue;
        const bool ws = c == '\t' || c == '\n' || c == '\r' || is_rust_whitespace(c);
        if (!ws && is_other(c)) continue;  // control characters
        if (ws) c = ' ';
      }
      if (chinese_ && is_cjk_ideograph(c)) {
        s += U' ';
        s += c;
        s += U' ';
      } else {
        s += c;
      }
    }
    if (strip_) {  // NFD, then the nonspacing marks removed
      std::u32string t;
      for (char32_t c : s) append_without_accents(c, t);
      s = std::move(t);
    }
    if (lower_) {
      std::u32string t;
      for (char32_t c : s) append_lower(c, t);
      s = std::move(t);
    }
    text = u32_to_utf8(s);
  }

 private:
  bool clean_, chinese_, strip_, lower_;
};

class Lowercase : public Normalizer {
 public:
  void normalize(std::string& text) const override {
    bool ascii = true;
    for (char c : text) ascii &= static_cast<unsigned char>(c) < 0x80;
    if (ascii) {
      for (char& c : text) if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      return;
    }
    std::u32string t;
    for (char32_t c : utf8_to_u32(text)) append_lower(c, t);
    text = u32_to_utf8(t);
  }
};

class StripAccents : public Normalizer {  // removes combining marks (meant to follow NFD)
 public:
  void normalize(std::string& text) const override {
    std::u32string t;
    for (char32_t c : utf8_to_u32(text)) if (!is_mark(c)) t += c;
    text = u32_to_utf8(t);
  }
};

class Strip : public Normalizer {
 public:
  Strip(bool left, bool right) : left_(left), right_(right) {}
  void normalize(std::string& text) const override {
    std::u32string t = utf8_to_u32(text);
    size_t b = 0, e = t.size();
    if (left_) while (b < e && is_rust_whitespace(t[b])) ++b;
    if (right_) while (e > b && is_rust_whitespace(t[e - 1])) --e;
    text = u32_to_utf8(std::u32string_view(t).substr(b, e - b));
  }

 private:
  bool left_, right_;
};

class Prepend : public Normalizer {
 public:
  explicit Prepend(std::string p) : prepend_(std::move(p)) {}
  void normalize(std::string& text) const override {
    if (!text.empty()) text.insert(0, prepend_);
  }

 private:
  std::string prepend_;
};

class Replace : public Normalizer {
 public:
  explicit Replace(std::function<void(std::string&)> f) : f_(std::move(f)) {}
  void normalize(std::string& text) const override { f_(text); }

 private:
  std::function<void(std::string&)> f_;
};

class ByteLevelNormalizer : public Normalizer {
 public:
  void normalize(std::string& text) const override {
    std::string out;
    for (unsigned char b : text) out += byte_level_symbols()[b];
    text = std::move(out);
  }
};

class Nfc : public Normalizer {
 public:
  void normalize(std::string& text) const override {
    for (size_t i = 0; i < text.size();) {
      const Utf8Char c = next_utf8(text, i);
      if (c.cp >= 0x300 && !is_cjk_ideograph(c.cp)) {
        char hex[16];
        std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(c.cp));
        throw std::runtime_error(std::string("NFC normalization of ") + hex +
                                 " is not implemented (attnscope passes through only characters NFC leaves alone)");
      }
      i += c.size;
    }
  }
};

class Precompiled : public Normalizer {
 public:
  explicit Precompiled(PrecompiledCharsmap map) : map_(std::move(map)) {}
  void normalize(std::string& text) const override {
    if (map_.empty()) return;
    std::string out;
    for (size_t i = 0; i < text.size();) {
      // The cluster: one character, then its marks, ZWJ and variation selectors.
      size_t end = i + next_utf8(text, i).size;
      if (text[i] == '\r' && end < text.size() && text[end] == '\n') ++end;
      while (end < text.size()) {
        const Utf8Char c = next_utf8(text, end);
        if (!(is_mark(c.cp) || c.cp == 0x200D || (c.cp >= 0xFE00 && c.cp <= 0xFE0F))) break;
        end += c.size;
      }
      const std::string_view cluster = std::string_view(text).substr(i, end - i);
      i = end;
      if (cluster.size() < 6) {  // as tokenizers: the whole cluster by its shortest mapped prefix
        const auto m = map_.shortest_prefix(cluster);
        if (m.length) {
          out += m.replacement;
          continue;
        }
      }
      for (size_t j = 0; j < cluster.size();) {
        const size_t n = next_utf8(cluster, j).size;
        const auto m = map_.shortest_prefix(cluster.substr(j, n));
        if (m.length) out += m.replacement;
        else out += cluster.substr(j, n);
        j += n;
      }
    }
    text = std::move(out);
  }

 private:
  PrecompiledCharsmap map_;
};

class Sequence : public Normalizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<Normalizer>> parts) : parts_(std::move(parts)) {}
  void normalize(std::string& text) const override {
    for (const auto& p : parts_) p->normalize(text);
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> parts_;
};

std::string base64_decode(const std::string& in, const std::string& file) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else if (c == '=') break;
    else fail(file, "normalizer Precompiled: \"precompiled_charsmap\" is not base64");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

}  // namespace

std::unique_ptr<Normalizer> make_normalizer(const json& obj, const std::string& file) {
  const std::string type = type_of(obj, file, "normalizer");
  const std::string where = "normalizer " + type;
  if (type == "Sequence") {
    if (!obj.contains("normalizers") || !obj["normalizers"].is_array()) fail(file, where + ": no \"normalizers\" list");
    std::vector<std::unique_ptr<Normalizer>> parts;
    for (const json& p : obj["normalizers"]) parts.push_back(make_normalizer(p, file));
    return std::make_unique<Sequence>(std::move(parts));
  }
  if (type == "BertNormalizer") {
    const bool lower = bool_field(obj, "lowercase", file, where, true);
    return std::make_unique<BertNormalizer>(bool_field(obj, "clean_text", file, where, true),
                                            bool_field(obj, "handle_chinese_chars", file, where, true),
                                            bool_field(obj, "strip_accents", file, where, lower), lower);
  }
  if (type == "Lowercase") return std::make_unique<Lowercase>();
  if (type == "StripAccents") return std::make_unique<StripAccents>();
  if (type == "Strip")
    return std::make_unique<Strip>(bool_field(obj, "strip_left", file, where, true), bool_field(obj, "strip_right", file, where, true));
  if (type == "Prepend") return std::make_unique<Prepend>(string_field(obj, "prepend", file, where, ""));
  if (type == "Replace") return std::make_unique<Replace>(make_replace(obj, file, where));
  if (type == "ByteLevel") return std::make_unique<ByteLevelNormalizer>();
  if (type == "NFC") return std::make_unique<Nfc>();
  if (type == "Precompiled") {
    const std::string blob = base64_decode(string_field(obj, "precompiled_charsmap", file, where, ""), file);
    try {
      return std::make_unique<Precompiled>(PrecompiledCharsmap::parse(blob));
    } catch (const std::runtime_error& e) {
      fail(file, where + ": " + e.what());
    }
  }
  if (type == "NFD" || type == "NFKC" || type == "NFKD")
    fail(file, "normalizer type \"" + type + "\" is not supported (attnscope has no Unicode decomposition tables)");
  fail(file, "normalizer type \"" + type + "\" is not supported");
}

}  // namespace attnscope::hf
