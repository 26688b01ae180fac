#include "analysis/head_stats.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace attnscope {

namespace {

const char* const kNames[kStatCount] = {"entropy", "uniform_entropy", "broadness", "distance", "special",
                                        "first",   "punctuation",     "previous",  "same",     "next"};
// The sums, then three counts: queries, queries with a token before them, queries with one after
// (previous / next shares average over the queries that have such a token).
constexpr size_t kSlots = kStatCount + 3;
constexpr size_t kQueries = kStatCount, kWithPrevious = kStatCount + 1, kWithNext = kStatCount + 2;

bool is_self(AttentionKind kind) { return kind != AttentionKind::Cross; }

// Causal self-attention stores exact zeros above the diagonal; then query q may see q + 1 keys.
bool is_causal(const AttentionBlock& b) {
  if (!is_self(b.kind) || b.queries != b.keys) return false;
  if (b.qk) return b.qk->mask == MaskRule::Causal;
  for (size_t h = 0; h < b.heads; ++h)
    for (size_t q = 0; q < b.queries; ++q) {
      const float* row = b.row(h, q);
      for (size_t k = q + 1; k < b.keys; ++k)
        if (row[k] != 0.0f) return false;
    }
  return true;
}

std::string strip_markers(std::string p) {
  static const std::string kMarkers[] = {"\xC4\xA0", "\xE2\x96\x81", "##"};  // Ġ, ▁, ##
  for (const std::string& m : kMarkers)
    if (p.compare(0, m.size(), m) == 0) p.erase(0, m.size());
  if (p.size() >= 2 && p.compare(p.size() - 2, 2, "@@") == 0) p.erase(p.size() - 2);
  size_t a = p.find_first_not_of(" \n\t"), b = p.find_last_not_of(" \n\t");
  return a == std::string::npos ? "" : p.substr(a, b - a + 1);
}

}  // namespace

const char* head_stat_name(int stat) {
  if (stat < 0 || stat >= kStatCount) throw std::out_of_range("head statistic " + std::to_string(stat));
  return kNames[stat];
}

int head_stat_from_name(const std::string& name) {
  std::string list;
  for (int s = 0; s < kStatCount; ++s) {
    if (name == kNames[s]) return s;
    list += (s ? ", " : "") + std::string(kNames[s]);
  }
  throw std::invalid_argument("unknown statistic '" + name + "' (expected one of " + list + ")");
}

bool is_boundary_token(const std::string& piece) {
  static const char* const kSpecial[] = {"[CLS]", "[SEP]", "[PAD]", "<s>", "</s>", "<pad>", "<|endoftext|>",
                                         "<bos>", "<eos>", "<BOS>", "<EOS>"};
  const std::string p = strip_markers(piece);
  for (const char* s : kSpecial)
    if (p == s) return true;
  return false;
}

bool is_punctuation_token(const std::string& piece) {
  const std::string p = strip_markers(piece);
  if (p.empty() || is_boundary_token(p)) return false;
  // ASCII punctuation, plus the typographic quotes, dashes and ellipsis text corpora carry.
  static const std::string kUnicode[] = {"\xE2\x80\x9C", "\xE2\x80\x9D", "\xE2\x80\x98", "\xE2\x80\x99",
                                         "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\xA6"};
  for (size_t i = 0; i < p.size();) {
    const unsigned char c = static_cast<unsigned char>(p[i]);
    if (c < 0x80) {
      if (!std::ispunct(c)) return false;
      ++i;
      continue;
    }
    bool matched = false;
    for (const std::string& u : kUnicode)
      if (p.compare(i, u.size(), u) == 0) {
        i += u.size();
        matched = true;
        break;
      }
    if (!matched) return false;
  }
  return true;
}

StatsLayout StatsLayout::of(const AttentionRun& run) {
  if (run.blocks.empty()) throw std::runtime_error("the run holds no attention blocks");
  StatsLayout l;
  for (const AttentionBlock& b : run.blocks) l.blocks.push_back({b.kind, b.layer, b.heads});
  return l;
}

size_t StatsLayout::heads_total() const {
  size_t n = 0;
  for (const Block& b : blocks) n += b.heads;
  return n;
}

size_t StatsLayout::size() const { return heads_total() * kSlots; }

void StatsLayout::check(const AttentionRun& run) const {
  if (run.blocks.size() != blocks.size())
    throw std::runtime_error("sentence has " + std::to_string(run.blocks.size()) + " attention blocks, the first had " +
                             std::to_string(blocks.size()));
  for (size_t i = 0; i < blocks.size(); ++i) {
    const AttentionBlock& b = run.blocks[i];
    if (b.kind != blocks[i].kind || b.layer != blocks[i].layer || b.heads != blocks[i].heads)
      throw std::runtime_error("block " + b.name() + " with " + std::to_string(b.heads) +
                               " heads differs from the first sentence's " + kind_name(blocks[i].kind) + "." +
                               std::to_string(blocks[i].layer) + " with " + std::to_string(blocks[i].heads));
  }
}

SentenceSums sentence_sums(const StatsLayout& layout, const AttentionRun& run) {
  layout.check(run);
  SentenceSums s(layout.size(), 0.0);
  size_t slot = 0;
  for (const AttentionBlock& b : run.blocks) {
    const std::vector<std::string>& keys = run.key_tokens(b.kind);
    std::vector<char> special(b.keys, 0), punct(b.keys, 0);
    for (size_t k = 0; k < b.keys && k < keys.size(); ++k) {
      special[k] = is_boundary_token(keys[k]);
      punct[k] = is_punctuation_token(keys[k]);
    }
    const bool self = is_self(b.kind), causal = is_causal(b);
    constexpr size_t kBand = 256;  // query-key blocks: rows computed per band
    std::vector<float> band;
    for (size_t h = 0; h < b.heads; ++h, slot += kSlots) {
      double* out = s.data() + slot;
      for (size_t q = 0; q < b.queries; ++q) {
        if (!b.dense() && q % kBand == 0) {
          const size_t q1 = std::min(b.queries, q + kBand);
          band.resize((q1 - q) * b.keys);
          b.tile(h, q, q1, 0, b.keys, band.data());
        }
        const float* row = b.dense() ? b.row(h, q) : band.data() + (q % kBand) * b.keys;
        const size_t visible = causal ? q + 1 : b.keys;
        double entropy = 0, distance = 0, sp = 0, pu = 0;
        for (size_t k = 0; k < b.keys; ++k) {
          const double p = row[k];
          if (p > 0) entropy -= p * std::log(p);
          distance += p * std::fabs(static_cast<double>(q) - static_cast<double>(k));
          if (special[k]) sp += p;
          if (punct[k]) pu += p;
        }
        out[kEntropy] += entropy;
        out[kUniformEntropy] += std::log(static_cast<double>(visible));
        out[kSpecial] += sp;
        out[kFirst] += row[0];
        out[kPunctuation] += pu;
        if (self) {
          out[kDistance] += distance;
          if (q > 0) out[kPrevious] += row[q - 1], out[kWithPrevious] += 1;
          if (q < b.keys) out[kSame] += row[q];
          if (q + 1 < b.keys) out[kNext] += row[q + 1], out[kWithNext] += 1;
        }
        out[kQueries] += 1;
      }
    }
  }
  return s;
}

void accumulate(SentenceSums& total, const SentenceSums& s) {
  if (total.empty()) total.assign(s.size(), 0.0);
  if (total.size() != s.size()) throw std::runtime_error("statistics vectors differ in size");
  for (size_t i = 0; i < s.size(); ++i) total[i] += s[i];
}

HeadStats finish_head_stats(const StatsLayout& layout, const SentenceSums& total, size_t sentences) {
  if (total.size() != layout.size()) throw std::runtime_error("statistics vector does not match the layout");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  HeadStats out;
  out.sentences = sentences;
  size_t slot = 0;
  for (const StatsLayout::Block& b : layout.blocks)
    for (size_t h = 0; h < b.heads; ++h, slot += kSlots) {
      const double* in = total.data() + slot;
      HeadStatsRow row{b.kind, b.layer, static_cast<int>(h), {}};
      const double n = in[kQueries];
      for (int st = 0; st < kStatCount; ++st) row.values[st] = n > 0 ? in[st] / n : nan;
      row.values[kBroadness] = in[kUniformEntropy] > 0 ? in[kEntropy] / in[kUniformEntropy] : nan;
      row.values[kPrevious] = in[kWithPrevious] > 0 ? in[kPrevious] / in[kWithPrevious] : nan;
      row.values[kNext] = in[kWithNext] > 0 ? in[kNext] / in[kWithNext] : nan;
      if (!is_self(b.kind)) row.values[kDistance] = row.values[kPrevious] = row.values[kSame] = row.values[kNext] = nan;
      if (out.rows.empty()) out.queries = n;
      out.rows.push_back(row);
    }
  return out;
}

std::string format_head_stats(const HeadStats& stats) {
  std::string text;
  char line[256];
  std::snprintf(line, sizeof line, "%-14s %5s %4s", "kind", "layer", "head");
  text += line;
  for (int s = 0; s < kStatCount; ++s) {
    std::snprintf(line, sizeof line, " %8s", s == kUniformEntropy ? "uniform" : kNames[s]);
    text += line;
  }
  text += "\n";
  for (const HeadStatsRow& r : stats.rows) {
    // Counted from 1 for people, as the figures count; stats.json keeps the stored indices.
    std::snprintf(line, sizeof line, "%-14s %5d %4d", kind_name(r.kind).c_str(), r.layer + 1, r.head + 1);
    text += line;
    for (int s = 0; s < kStatCount; ++s) {
      if (std::isnan(r.values[s]))
        std::snprintf(line, sizeof line, " %8s", "-");
      else
        std::snprintf(line, sizeof line, " %8.3f", r.values[s]);
      text += line;
    }
    text += "\n";
  }
  return text;
}

}  // namespace attnscope
