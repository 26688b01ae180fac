// tokenizer.json decoders, as tokenizers' decode_chain over the list of token strings:
// ByteLevel, ByteFallback, Metaspace, WordPiece, BPEDecoder, Fuse, Strip, Replace, Sequence.
// ByteLevel keeps bytes that are not valid UTF-8 as they are (as text/gpt2_tokenizer does, so
// pieces decoded one by one join up); tokenizers writes U+FFFD for them.
#include "core/utf8.h"
#include "text/gpt2_tokenizer.h"
#include "text/hf_components.h"

namespace attnscope::hf {

namespace {

const std::string kReplacementChar = "\xEF\xBF\xBD";

class ByteLevel : public Decoder {
 public:
  void decode(std::vector<std::string>& tokens) const override {
    std::string out;
    for (const std::string& t : tokens) {
      std::string bytes;
      bool all = true;
      for (size_t i = 0; i < t.size() && all;) {
        const Utf8Char c = next_utf8(t, i);
        const int b = byte_level_byte(c.cp);
        if (b < 0) all = false;
        else bytes += static_cast<char>(b);
        i += c.size;
      }
      out += all ? bytes : t;  // a token outside the byte alphabet (an added token) as written
    }
    tokens = {out};
  }
  bool byte_level() const override { return true; }
};

int byte_token(const std::string& t) {  // "<0xXX>" -> XX, else -1
  if (t.size() != 6 || t.compare(0, 3, "<0x") != 0 || t[5] != '>') return -1;
  int v = 0;
  for (size_t i = 3; i < 5; ++i) {
    const char c = t[i];
    if (c >= '0' && c <= '9') v = v * 16 + (c - '0');
    else if (c >= 'A' && c <= 'F') v = v * 16 + (c - 'A' + 10);
    else if (c >= 'a' && c <= 'f') v = v * 16 + (c - 'a' + 10);
    else return -1;
  }
  return v;
}

class ByteFallback : public Decoder {
 public:
  void decode(std::vector<std::string>& tokens) const override {
    std::vector<std::string> out;
    std::string bytes;
    size_t count = 0;
    const auto flush = [&] {
      if (!count) return;
      bool valid = true;
      for (size_t i = 0; i < bytes.size() && valid;) {
        const Utf8Char c = next_utf8(bytes, i);
        valid = c.valid;
        i += c.size;
      }
      if (valid) out.push_back(bytes);
      else for (size_t i = 0; i < count; ++i) out.push_back(kReplacementChar);
      bytes.clear();
      count = 0;
    };
    for (std::string& t : tokens) {
      const int b = byte_token(t);
      if (b >= 0) {
        bytes += static_cast<char>(b);
        ++count;
      } else {
        flush();
        out.push_back(std::move(t));
      }
    }
    flush();
    tokens = std::move(out);
  }
};

class Metaspace : public Decoder {
 public:
  Metaspace(std::string replacement, bool strip_first) : replacement_(std::move(replacement)), strip_first_(strip_first) {}
  void decode(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string out;
      const std::string& t = tokens[i];
      for (size_t j = 0; j < t.size();) {
        if (t.compare(j, replacement_.size(), replacement_) == 0) {
          if (!(i == 0 && strip_first_)) out += ' ';  // tokenizers drops every one in the first token
          j += replacement_.size();
        } else {
          out += t[j++];
        }
      }
      tokens[i] = std::move(out);
    }
  }
  bool metaspace() const override { return true; }

 private:
  std::string replacement_;
  bool strip_first_;
};

class WordPiece : public Decoder {
 public:
  WordPiece(std::string prefix, bool cleanup) : prefix_(std::move(prefix)), cleanup_(cleanup) {}
  void decode(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string& t = tokens[i];
      if (i > 0) {
        if (t.compare(0, prefix_.size(), prefix_) == 0) t.erase(0, prefix_.size());
        else t.insert(0, " ");
      }
      if (cleanup_) {
        static const std::pair<const char*, const char*> kCleanUps[] = {
            {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"},
            {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
        for (const auto& [from, to] : kCleanUps) replace_all(t, from, to);
      }
    }
  }

 private:
  std::string prefix_;
  bool cleanup_;
};

class BpeDecoder : public Decoder {
 public:
  explicit BpeDecoder(std::string suffix) : suffix_(std::move(suffix)) {}
  void decode(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) replace_all(tokens[i], suffix_, i + 1 == tokens.size() ? "" : " ");
  }

 private:
  std::string suffix_;
};

class Fuse : public Decoder {
 public:
  void decode(std::vector<std::string>& tokens) const override {
    std::string all;
    for (const auto& t : tokens) all += t;
    tokens = {all};
  }
};

class Strip : public Decoder {
 public:
  Strip(std::string content, size_t start, size_t stop) : content_(std::move(content)), start_(start), stop_(stop) {}
  void decode(std::vector<std::string>& tokens) const override {
    for (std::string& t : tokens) {
      std::u32string s = utf8_to_u32(t);
      const char32_t c = utf8_to_u32(content_)[0];
      size_t b = 0, e = s.size();
      while (b < start_ && b < e && s[b] == c) ++b;
      for (size_t k = 0; k < stop_ && e > b && s[e - 1] == c; ++k) --e;
      t = u32_to_utf8(std::u32string_view(s).substr(b, e - b));
    }
  }

 private:
  std::string content_;
  size_t start_, stop_;
};

class Replace : public Decoder {
 public:
  explicit Replace(std::function<void(std::string&)> f) : f_(std::move(f)) {}
  void decode(std::vector<std::string>& tokens) const override {
    for (std::string& t : tokens) f_(t);
  }

 private:
  std::function<void(std::string&)> f_;
};

class Sequence : public Decoder {
 public:
  explicit Sequence(std::vector<std::unique_ptr<Decoder>> parts) : parts_(std::move(parts)) {}
  void decode(std::vector<std::string>& tokens) const override {
    for (const auto& p : parts_) p->decode(tokens);
  }
  bool byte_level() const override {
    for (const auto& p : parts_) if (p->byte_level()) return true;
    return false;
  }
  bool metaspace() const override {
    for (const auto& p : parts_) if (p->metaspace()) return true;
    return false;
  }

 private:
  std::vector<std::unique_ptr<Decoder>> parts_;
};

size_t count_field(const json& obj, const char* key, const std::string& file, const std::string& where) {
  if (!obj.contains(key)) return 0;
  if (!obj[key].is_number_unsigned()) fail(file, where + ": \"" + key + "\" is not a count");
  return obj[key].get<size_t>();
}

}  // namespace

std::unique_ptr<Decoder> make_decoder(const json& obj, const std::string& file) {
  const std::string type = type_of(obj, file, "decoder");
  const std::string where = "decoder " + type;
  if (type == "Sequence") {
    if (!obj.contains("decoders") || !obj["decoders"].is_array()) fail(file, where + ": no \"decoders\" list");
    std::vector<std::unique_ptr<Decoder>> parts;
    for (const json& p : obj["decoders"]) parts.push_back(make_decoder(p, file));
    return std::make_unique<Sequence>(std::move(parts));
  }
  if (type == "ByteLevel") return std::make_unique<ByteLevel>();
  if (type == "ByteFallback") return std::make_unique<ByteFallback>();
  if (type == "Fuse") return std::make_unique<Fuse>();
  if (type == "Metaspace") {
    const std::string replacement = string_field(obj, "replacement", file, where, "\xE2\x96\x81");
    if (replacement.empty()) fail(file, where + ": empty \"replacement\"");
    bool strip = bool_field(obj, "add_prefix_space", file, where, true);
    const std::string scheme = string_field(obj, "prepend_scheme", file, where, "");
    if (!scheme.empty()) strip = scheme != "never";
    return std::make_unique<Metaspace>(replacement, strip);
  }
  if (type == "WordPiece")
    return std::make_unique<WordPiece>(string_field(obj, "prefix", file, where, "##"), bool_field(obj, "cleanup", file, where, true));
  if (type == "BPEDecoder") return std::make_unique<BpeDecoder>(string_field(obj, "suffix", file, where, "</w>"));
  if (type == "Strip") {
    const std::string content = string_field(obj, "content", file, where, " ");
    if (utf8_to_u32(content).size() != 1) fail(file, where + ": \"content\" is not one character");
    return std::make_unique<Strip>(content, count_field(obj, "start", file, where), count_field(obj, "stop", file, where));
  }
  if (type == "Replace") return std::make_unique<Replace>(make_replace(obj, file, where));
  fail(file, "decoder type \"" + type + "\" is not supported");
}

}  // namespace attnscope::hf
