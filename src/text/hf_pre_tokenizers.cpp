// tokenizer.json pre-tokenizers: ByteLevel, Split, Metaspace, BertPreTokenizer, Whitespace,
// WhitespaceSplit, Digits, Punctuation, Sequence. Each cuts every word of the list into pieces by
// a set of matches and one of tokenizers' SplitDelimiterBehavior rules; empty pieces are dropped.
#include "core/utf8.h"
#include "text/gpt2_tokenizer.h"
#include "text/hf_components.h"
#include "text/hf_split_patterns.h"
#include "text/unicode_data.h"

namespace attnscope::hf {

namespace {

enum class Behavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };

Behavior behavior_of(const json& obj, const std::string& file, const std::string& where, Behavior fallback) {
  if (!obj.contains("behavior")) return fallback;
  const std::string b = string_field(obj, "behavior", file, where, "");
  if (b == "Removed") return Behavior::kRemoved;
  if (b == "Isolated") return Behavior::kIsolated;
  if (b == "MergedWithPrevious") return Behavior::kMergedWithPrevious;
  if (b == "MergedWithNext") return Behavior::kMergedWithNext;
  if (b == "Contiguous") return Behavior::kContiguous;
  fail(file, where + ": behavior \"" + b + "\" is not supported");
}

struct Span {
  size_t begin, end;
  bool match;
};

// tokenizers' NormalizedString::split: `matches` are the matched extents in order; the gaps
// between them are the other spans.
void split_word(const Word& w, const Extents& matches, Behavior behavior, bool invert, std::vector<Word>& out) {
  std::vector<Span> spans;
  size_t last = 0;
  for (const auto& [b, e] : matches) {
    if (b > last) spans.push_back({last, b, invert});
    spans.push_back({b, e, !invert});
    last = e;
  }
  if (last < w.text.size()) spans.push_back({last, w.text.size(), invert});

  std::vector<Span> pieces;  // .match now means "remove"
  switch (behavior) {
    case Behavior::kRemoved:
      pieces = spans;
      break;
    case Behavior::kIsolated:
      for (Span s : spans) pieces.push_back({s.begin, s.end, false});
      break;
    case Behavior::kContiguous:
      for (size_t i = 0; i < spans.size(); ++i) {
        if (spans[i].match && i > 0 && spans[i - 1].match) pieces.back().end = spans[i].end;
        else pieces.push_back({spans[i].begin, spans[i].end, false});
      }
      break;
    case Behavior::kMergedWithPrevious: {
      bool previous_match = false;
      for (const Span& s : spans) {
        if (s.match && !previous_match && !pieces.empty()) pieces.back().end = s.end;
        else pieces.push_back({s.begin, s.end, false});
        previous_match = s.match;
      }
      break;
    }
    case Behavior::kMergedWithNext: {
      bool previous_match = false;
      for (size_t i = spans.size(); i-- > 0;) {
        const Span& s = spans[i];
        if (s.match && !previous_match && !pieces.empty()) pieces.back().begin = s.begin;
        else pieces.push_back({s.begin, s.end, false});
        previous_match = s.match;
      }
      std::reverse(pieces.begin(), pieces.end());
      break;
    }
  }
  for (const Span& p : pieces)
    if (!p.match && p.end > p.begin) out.push_back({w.text.substr(p.begin, p.end - p.begin), w.at_start && p.begin == 0});
}

// Each character for which `pred` holds is one match.
template <typename Pred>
Extents char_matches(std::string_view text, Pred pred) {
  Extents out;
  for (size_t i = 0; i < text.size();) {
    const Utf8Char c = next_utf8(text, i);
    if (pred(c.cp)) out.emplace_back(i, i + c.size);
    i += c.size;
  }
  return out;
}

bool is_bert_punctuation(char32_t c) {
  return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126) ||
         is_punctuation(c);
}
bool is_numeric(char32_t c) { return is_number(c); }  // Rust's char::is_numeric: Nd Nl No

// A pre-tokenizer that cuts each word by a function of its text.
class Splitter : public PreTokenizer {
 public:
  using Find = std::function<Extents(std::string_view)>;
  Splitter(Find find, Behavior behavior, bool invert = false) : find_(std::move(find)), behavior_(behavior), invert_(invert) {}
  void pre_tokenize(std::vector<Word>& words) const override {
    std::vector<Word> out;
    for (const Word& w : words) split_word(w, find_(w.text), behavior_, invert_, out);
    words = std::move(out);
  }

 private:
  Find find_;
  Behavior behavior_;
  bool invert_;
};

class ByteLevel : public PreTokenizer {
 public:
  ByteLevel(bool add_prefix_space, bool use_regex) : add_prefix_space_(add_prefix_space), use_regex_(use_regex) {}
  void pre_tokenize(std::vector<Word>& words) const override {
    std::vector<Word> out;
    for (Word& w : words) {
      if (add_prefix_space_ && (w.text.empty() || w.text[0] != ' ')) w.text.insert(0, " ");
      if (use_regex_) split_word(w, gpt2_(w.text), Behavior::kIsolated, false, out);
      else out.push_back(std::move(w));
    }
    const auto& symbols = byte_level_symbols();
    for (Word& w : out) {
      std::string mapped;
      for (unsigned char b : w.text) mapped += symbols[b];
      w.text = std::move(mapped);
    }
    words = std::move(out);
  }
  bool byte_level() const override { return true; }

 private:
  const PatternMatcher gpt2_ = known_pattern(kGpt2Pattern);  // looked up once, not per word
  bool add_prefix_space_, use_regex_;
};

class Metaspace : public PreTokenizer {
 public:
  enum class Prepend { kAlways, kFirst, kNever };
  Metaspace(std::string replacement, Prepend prepend, bool split)
      : replacement_(std::move(replacement)), prepend_(prepend), split_(split) {}
  void pre_tokenize(std::vector<Word>& words) const override {
    std::vector<Word> out;
    for (Word& w : words) {
      std::string t;
      for (char c : w.text) {
        if (c == ' ') t += replacement_;
        else t += c;
      }
      const bool starts = t.compare(0, replacement_.size(), replacement_) == 0;
      if (!starts && (prepend_ == Prepend::kAlways || (prepend_ == Prepend::kFirst && w.at_start))) t.insert(0, replacement_);
      w.text = std::move(t);
      if (!split_) {
        out.push_back(std::move(w));
        continue;
      }
      Extents m;
      for (size_t at = w.text.find(replacement_); at != std::string::npos; at = w.text.find(replacement_, at + replacement_.size()))
        m.emplace_back(at, at + replacement_.size());
      split_word(w, m, Behavior::kMergedWithNext, false, out);
    }
    words = std::move(out);
  }
  bool metaspace() const override { return true; }

 private:
  std::string replacement_;
  Prepend prepend_;
  bool split_;
};

class Sequence : public PreTokenizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<PreTokenizer>> parts) : parts_(std::move(parts)) {}
  void pre_tokenize(std::vector<Word>& words) const override {
    for (const auto& p : parts_) p->pre_tokenize(words);
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
  std::vector<std::unique_ptr<PreTokenizer>> parts_;
};

class Chain : public PreTokenizer {  // two splitters, as BertPreTokenizer
 public:
  Chain(std::unique_ptr<PreTokenizer> a, std::unique_ptr<PreTokenizer> b) : a_(std::move(a)), b_(std::move(b)) {}
  void pre_tokenize(std::vector<Word>& words) const override {
    a_->pre_tokenize(words);
    b_->pre_tokenize(words);
  }

 private:
  std::unique_ptr<PreTokenizer> a_, b_;
};

std::unique_ptr<PreTokenizer> whitespace_split() {
  return std::make_unique<Splitter>([](std::string_view t) { return char_matches(t, is_white_space); }, Behavior::kRemoved);
}

}  // namespace

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const json& obj, const std::string& file) {
  const std::string type = type_of(obj, file, "pre-tokenizer");
  const std::string where = "pre-tokenizer " + type;
  if (type == "Sequence") {
    if (!obj.contains("pretokenizers") || !obj["pretokenizers"].is_array()) fail(file, where + ": no \"pretokenizers\" list");
    std::vector<std::unique_ptr<PreTokenizer>> parts;
    for (const json& p : obj["pretokenizers"]) parts.push_back(make_pre_tokenizer(p, file));
    return std::make_unique<Sequence>(std::move(parts));
  }
  if (type == "ByteLevel")
    return std::make_unique<ByteLevel>(bool_field(obj, "add_prefix_space", file, where, true),
                                       bool_field(obj, "use_regex", file, where, true));
  if (type == "Split") {
    if (!obj.contains("pattern") || !obj["pattern"].is_object()) fail(file, where + ": no \"pattern\"");
    const json& p = obj["pattern"];
    const Behavior behavior = behavior_of(obj, file, where, Behavior::kRemoved);
    const bool invert = bool_field(obj, "invert", file, where, false);
    if (p.contains("String") && p["String"].is_string()) {
      const std::string lit = p["String"].get<std::string>();
      if (lit.empty()) fail(file, where + ": empty \"String\" pattern");
      return std::make_unique<Splitter>(
          [lit](std::string_view t) {
            Extents m;
            for (size_t at = t.find(lit); at != std::string_view::npos; at = t.find(lit, at + lit.size())) m.emplace_back(at, at + lit.size());
            return m;
          },
          behavior, invert);
    }
    if (p.contains("Regex") && p["Regex"].is_string()) {
      const std::string re = p["Regex"].get<std::string>();
      const PatternMatcher m = known_pattern(re);
      if (!m) fail(file, where + ": the regex " + json(re).dump() + " is not supported (attnscope knows GPT-2's, Llama 3's and Qwen2's)");
      return std::make_unique<Splitter>(m, behavior, invert);
    }
    fail(file, where + ": \"pattern\" is neither {\"String\": ...} nor {\"Regex\": ...}");
  }
  if (type == "Metaspace") {
    const std::string replacement = string_field(obj, "replacement", file, where, "\xE2\x96\x81");
    if (replacement.empty()) fail(file, where + ": empty \"replacement\"");
    Metaspace::Prepend prepend = bool_field(obj, "add_prefix_space", file, where, true) ? Metaspace::Prepend::kAlways
                                                                                           : Metaspace::Prepend::kNever;
    const std::string scheme = string_field(obj, "prepend_scheme", file, where, "");
    if (scheme == "always") prepend = Metaspace::Prepend::kAlways;
    else if (scheme == "first") prepend = Metaspace::Prepend::kFirst;
    else if (scheme == "never") prepend = Metaspace::Prepend::kNever;
    else if (!scheme.empty()) fail(file, where + ": prepend_scheme \"" + scheme + "\" is not supported");
    return std::make_unique<Metaspace>(replacement, prepend, bool_field(obj, "split", file, where, true));
  }
  if (type == "WhitespaceSplit") return whitespace_split();
  if (type == "Whitespace") return std::make_unique<Splitter>(word_or_symbol_runs, Behavior::kRemoved, true);
  if (type == "BertPreTokenizer")
    return std::make_unique<Chain>(
        whitespace_split(),
        std::make_unique<Splitter>([](std::string_view t) { return char_matches(t, is_bert_punctuation); }, Behavior::kIsolated));
  if (type == "Punctuation")
    return std::make_unique<Splitter>([](std::string_view t) { return char_matches(t, is_bert_punctuation); },
                                      behavior_of(obj, file, where, Behavior::kIsolated));
  if (type == "Digits") {
    const bool individual = bool_field(obj, "individual_digits", file, where, false);
    return std::make_unique<Splitter>([](std::string_view t) { return char_matches(t, is_numeric); },
                                      individual ? Behavior::kIsolated : Behavior::kContiguous);
  }
  fail(file, "pre-tokenizer type \"" + type + "\" is not supported");
}

}  // namespace attnscope::hf
