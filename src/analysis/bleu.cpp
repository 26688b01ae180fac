#include "analysis/bleu.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <unordered_map>

#include "core/utf8.h"

namespace attnscope {
namespace {

// Python's str.isspace(), which str.split() and str.rstrip() use.
bool is_python_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

// Calls f(begin, end) for each run of non-whitespace bytes (str.split() with no argument).
template <typename F>
void for_each_python_word(std::string_view s, F&& f) {
  size_t start = std::string_view::npos;
  for (size_t i = 0; i < s.size();) {
    const Utf8Char c = next_utf8(s, i);
    if (is_python_space(c.cp) && c.valid) {
      if (start != std::string_view::npos) f(s.substr(start, i - start));
      start = std::string_view::npos;
    } else if (start == std::string_view::npos) {
      start = i;
    }
    i += c.size;
  }
  if (start != std::string_view::npos) f(s.substr(start));
}

std::string_view python_rstrip(std::string_view s) {
  size_t end = 0;  // one past the last non-space character
  for (size_t i = 0; i < s.size();) {
    const Utf8Char c = next_utf8(s, i);
    i += c.size;
    if (!(c.valid && is_python_space(c.cp))) end = i;
  }
  return s.substr(0, end);
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  if (s.find(from) == std::string::npos) return;
  std::string out;
  out.reserve(s.size());
  size_t pos = 0;
  for (size_t hit; (hit = s.find(from, pos)) != std::string::npos; pos = hit + from.size()) {
    out.append(s, pos, hit - pos);
    out.append(to);
  }
  out.append(s, pos, std::string::npos);
  s = std::move(out);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_period_or_comma(char c) { return c == '.' || c == ','; }

// The character class of tokenizer_re.py's first rule, [\{-\~\[-\` -\&\(-\+\:-\@\/]: ASCII
// punctuation and symbols except ' , - . (and the space itself).
bool is_split_symbol(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 0x7B && u <= 0x7E) || (u >= 0x5B && u <= 0x60) || (u >= 0x20 && u <= 0x26) ||
         (u >= 0x28 && u <= 0x2B) || (u >= 0x3A && u <= 0x40) || u == 0x2F;
}

// One re.sub of a two-character pattern: matches are tried at every position, left to right,
// and never overlap. Working on bytes is exact here: every class is ASCII or the complement of
// one ([^0-9]), and a multi-byte character can only match [^0-9] through its last byte (before
// the other character) or its first (after it), which leaves the same bytes in the same order.
template <typename Match, typename Emit>
std::string substitute_pairs(const std::string& s, Match&& match, Emit&& emit) {
  std::string out;
  out.reserve(s.size() + s.size() / 4);
  size_t i = 0;
  for (; i + 1 < s.size();) {
    if (match(s[i], s[i + 1])) {
      emit(out, s[i], s[i + 1]);
      i += 2;
    } else {
      out += s[i++];
    }
  }
  if (i < s.size()) out += s[i];
  return out;
}

// Word n-grams of one tokenised segment: keys are views of the segment itself (tokens are
// joined by single spaces, so an n-gram is a substring).
struct NgramCounts {
  std::array<std::unordered_map<std::string_view, int64_t>, kBleuMaxOrder> by_order;
  int64_t length = 0;
};

NgramCounts count_ngrams(const std::string& tokenized) {
  NgramCounts counts;
  std::vector<std::pair<size_t, size_t>> spans;  // token [begin, end)
  for (size_t pos = 0; pos < tokenized.size();) {
    size_t end = tokenized.find(' ', pos);
    if (end == std::string::npos) end = tokenized.size();
    spans.emplace_back(pos, end);
    pos = end + 1;
  }
  counts.length = static_cast<int64_t>(spans.size());
  const std::string_view s(tokenized);
  for (int n = 1; n <= kBleuMaxOrder; ++n)
    for (size_t i = 0; i + n <= spans.size(); ++i)
      ++counts.by_order[n - 1][s.substr(spans[i].first, spans[i + n - 1].second - spans[i].first)];
  return counts;
}

// sacrebleu.utils.my_log
double my_log(double x) { return x == 0 ? -9999999999.0 : std::log(x); }

}  // namespace

std::string tokenize_13a(std::string_view line) {
  std::string s(line);
  // tokenizer_13a.py: the language-independent part
  replace_all(s, "<skipped>", "");
  replace_all(s, "-\n", "");
  replace_all(s, "\n", " ");
  replace_all(s, "&quot;", "\"");
  replace_all(s, "&amp;", "&");
  replace_all(s, "&lt;", "<");
  replace_all(s, "&gt;", ">");
  s = " " + s + " ";

  // tokenizer_re.py: symbols, then periods and commas unless next to a digit, then dashes after
  // a digit.
  std::string t;
  t.reserve(s.size() * 2);
  for (char c : s) {
    if (is_split_symbol(c)) {
      t += ' ';
      t += c;
      t += ' ';
    } else {
      t += c;
    }
  }
  t = substitute_pairs(
      t, [](char a, char b) { return !is_digit(a) && is_period_or_comma(b); },
      [](std::string& out, char a, char b) { out += a, out += ' ', out += b, out += ' '; });
  t = substitute_pairs(
      t, [](char a, char b) { return is_period_or_comma(a) && !is_digit(b); },
      [](std::string& out, char a, char b) { out += ' ', out += a, out += ' ', out += b; });
  t = substitute_pairs(
      t, [](char a, char b) { return is_digit(a) && b == '-'; },
      [](std::string& out, char a, char b) { out += a, out += ' ', out += b, out += ' '; });

  std::string out;
  out.reserve(t.size());
  for_each_python_word(t, [&](std::string_view w) {
    if (!out.empty()) out += ' ';
    out += w;
  });
  return out;
}

BleuScore corpus_bleu(const std::vector<std::string>& hypotheses, const std::vector<std::string>& references) {
  if (hypotheses.size() != references.size())
    throw std::invalid_argument(std::to_string(hypotheses.size()) + " hypotheses but " +
                                std::to_string(references.size()) + " references; BLEU pairs them line by line");
  BleuScore r;
  r.segments = hypotheses.size();
  for (size_t k = 0; k < hypotheses.size(); ++k) {
    const std::string_view ref_line = python_rstrip(references[k]);
    if (ref_line.empty())
      throw std::invalid_argument("reference line " + std::to_string(k + 1) +
                                  " is empty (sacreBLEU refuses empty references too)");
    const std::string ref = tokenize_13a(ref_line);
    const std::string hyp = tokenize_13a(python_rstrip(hypotheses[k]));
    const NgramCounts rc = count_ngrams(ref), hc = count_ngrams(hyp);
    r.hyp_len += hc.length;
    r.ref_len += rc.length;  // one reference: it is the closest
    for (int n = 0; n < kBleuMaxOrder; ++n)
      for (const auto& [gram, count] : hc.by_order[n]) {
        r.total[n] += count;
        auto it = rc.by_order[n].find(gram);
        if (it != rc.by_order[n].end()) r.correct[n] += std::min(count, it->second);
      }
  }

  // BLEU.compute_bleu with smooth_method='exp', effective_order=False.
  if (r.hyp_len < r.ref_len)
    r.bp = r.hyp_len > 0 ? std::exp(1.0 - static_cast<double>(r.ref_len) / static_cast<double>(r.hyp_len)) : 0.0;
  else
    r.bp = 1.0;
  r.ratio = r.ref_len ? static_cast<double>(r.hyp_len) / static_cast<double>(r.ref_len) : 0.0;
  if (std::all_of(r.correct.begin(), r.correct.end(), [](int64_t c) { return c == 0; })) return r;  // score 0
  double smooth = 1.0;
  for (int n = 0; n < kBleuMaxOrder; ++n) {
    if (r.total[n] == 0) break;  // later orders stay 0, and log(0) is "-9999999999": score 0
    if (r.correct[n] == 0) {
      smooth *= 2;
      r.precisions[n] = 100.0 / (smooth * static_cast<double>(r.total[n]));
    } else {
      r.precisions[n] = 100.0 * static_cast<double>(r.correct[n]) / static_cast<double>(r.total[n]);
    }
  }
  double sum = 0;
  for (double p : r.precisions) sum += my_log(p);
  r.score = r.bp * std::exp(sum / kBleuMaxOrder);
  return r;
}

std::string BleuScore::format() const {
  char buf[256];
  std::snprintf(buf, sizeof buf, "BLEU = %.2f %.1f/%.1f/%.1f/%.1f (BP = %.3f ratio = %.3f hyp_len = %lld ref_len = %lld)",
                score, precisions[0], precisions[1], precisions[2], precisions[3], bp, ratio,
                static_cast<long long>(hyp_len), static_cast<long long>(ref_len));
  return buf;
}

std::string BleuScore::signature() { return "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|impl:attnscope"; }

}  // namespace attnscope
