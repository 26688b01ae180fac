#include "text/bpe.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "io/atomic_file.h"
#include "io/text_lines.h"
#include "core/utf8.h"

namespace attnscope {
namespace {

const std::string kEndOfWord = "</w>";
const std::string kContinuation = "@@";

// The characters (code points) of a word as byte strings; an invalid byte counts as one character.
std::vector<std::string> characters(std::string_view word) {
  std::vector<std::string> out;
  out.reserve(word.size());
  for (size_t i = 0; i < word.size();) {
    const size_t n = next_utf8(word, i).size;
    out.emplace_back(word.substr(i, n));
    i += n;
  }
  return out;
}

size_t count_characters(std::string_view word) {
  size_t n = 0;
  for (size_t i = 0; i < word.size(); ++n) i += next_utf8(word, i).size;
  return n;
}

// Python's str.strip('\r\n '), which subword-nmt applies to every line.
bool is_line_padding(char c) { return c == ' ' || c == '\r' || c == '\n'; }

std::string_view strip_padding(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && is_line_padding(s[b])) ++b;
  while (e > b && is_line_padding(s[e - 1])) --e;
  return s.substr(b, e - b);
}

// line.strip('\r\n ').split(' ') without the empty words between repeated spaces.
template <typename F>
void for_each_word(std::string_view line, F&& f) {
  line = strip_padding(line);
  size_t start = 0;
  while (start <= line.size()) {
    size_t end = line.find(' ', start);
    if (end == std::string_view::npos) end = line.size();
    if (end > start) f(line.substr(start, end - start));
    start = end + 1;
  }
}

uint64_t fnv1a64(std::string_view bytes) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// ---- learning ------------------------------------------------------------------------------
//
// A transcription of learn_bpe.py. Symbols are interned as ints; a pair is one 64-bit key.
// stats_ is learn_bpe.py's pruned working set `stats`, big_stats_ its `big_stats`; index_ is
// `indices` (pair -> word -> occurrences). Choosing max(stats, key=(count, pair)) by scanning
// would cost a pass over stats_ per merge, so a max-heap holds a (count, pair) entry for every
// value stats_ takes; entries whose pair left stats_ or whose count changed since are skipped
// when they surface, which leaves exactly the maximum of stats_ on top.
class BpeLearner {
 public:
  explicit BpeLearner(const std::vector<std::string>& lines) {
    // get_vocabulary: words in order of first appearance, with their counts.
    std::unordered_map<std::string_view, size_t> seen;
    std::vector<std::pair<std::string_view, int64_t>> counts;
    for (const auto& line : lines)
      for_each_word(line, [&](std::string_view w) {
        auto [it, added] = seen.emplace(w, counts.size());
        if (added) counts.emplace_back(w, 0);
        ++counts[it->second].second;
      });
    // sorted(vocab.items(), key=count, reverse=True): stable, so ties keep first appearance.
    std::stable_sort(counts.begin(), counts.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    words_.reserve(counts.size());
    for (const auto& [text, count] : counts) {
      std::vector<std::string> chars = characters(text);
      chars.back() += kEndOfWord;
      Word w{{}, count};
      for (auto& c : chars) w.symbols.push_back(intern(std::move(c)));
      words_.push_back(std::move(w));
    }
  }

  std::vector<BpeCodes::Merge> learn(int num_merges, int min_frequency, const BpeProgress& progress) {
    std::vector<BpeCodes::Merge> merges;
    // get_pair_statistics
    for (int j = 0; j < static_cast<int>(words_.size()); ++j) {
      const Word& w = words_[j];
      for (size_t i = 1; i < w.symbols.size(); ++i) {
        const Key p = key(w.symbols[i - 1], w.symbols[i]);
        stats_[p] += w.freq;
        index_[p][j] += 1;
      }
    }
    big_stats_ = stats_;
    rebuild_heap();
    if (stats_.empty()) return merges;  // learn_bpe.py fails on max() of nothing here

    int64_t max_count = 0;
    for (const auto& [p, c] : stats_) max_count = std::max(max_count, c);
    // "threshold is inspired by Zipfian assumption, but should only affect speed"
    double threshold = static_cast<double>(max_count) / 10.0;
    for (int i = 0; i < num_merges; ++i) {
      Key best = 0;
      if (!stats_.empty()) best = top();
      // The best pair may have been pruned: go back to the full statistics.
      if (stats_.empty() || (i > 0 && static_cast<double>(stats_[best]) < threshold)) {
        prune(threshold);
        stats_ = big_stats_;
        rebuild_heap();
        if (stats_.empty()) break;  // nothing left to merge (learn_bpe.py: ValueError)
        best = top();
        threshold = static_cast<double>(stats_[best] * i) / (i + 10000.0);
        prune(threshold);
      }
      if (value(best) < min_frequency) break;

      merges.emplace_back(symbols_[first(best)], symbols_[second(best)]);
      const auto changes = replace_pair(best);
      update_pair_statistics(best, changes);
      set(best, 0);
      if (i % 100 == 0) prune(threshold);
      if (progress) progress(i + 1, num_merges);
    }
    return merges;
  }

 private:
  using Key = uint64_t;  // first symbol << 32 | second symbol
  struct Word {
    std::vector<int> symbols;
    int64_t freq;
  };
  struct Change {
    int word;
    std::vector<int> old_symbols;  // the word before the merge (now in words_[word])
  };
  struct HeapEntry {
    int64_t count;
    Key pair;
  };

  std::vector<std::string> symbols_;
  std::unordered_map<std::string, int> symbol_ids_;
  std::vector<Word> words_;
  std::unordered_map<Key, int64_t> stats_, big_stats_;
  std::unordered_map<Key, std::unordered_map<int, int>> index_;
  std::vector<HeapEntry> heap_;

  static Key key(int a, int b) { return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b); }
  static int first(Key k) { return static_cast<int>(k >> 32); }
  static int second(Key k) { return static_cast<int>(k & 0xffffffffu); }

  int intern(std::string s) {
    auto [it, added] = symbol_ids_.emplace(std::move(s), static_cast<int>(symbols_.size()));
    if (added) symbols_.push_back(it->first);
    return it->second;
  }

  // Python's ordering of (count, (first, second)).
  bool heap_less(const HeapEntry& a, const HeapEntry& b) const {
    if (a.count != b.count) return a.count < b.count;
    if (a.pair == b.pair) return false;
    const int c = symbols_[first(a.pair)].compare(symbols_[first(b.pair)]);
    if (c != 0) return c < 0;
    return symbols_[second(a.pair)] < symbols_[second(b.pair)];
  }
  auto heap_cmp() const {
    return [this](const HeapEntry& a, const HeapEntry& b) { return heap_less(a, b); };
  }

  void push(Key p, int64_t count) {
    heap_.push_back({count, p});
    std::push_heap(heap_.begin(), heap_.end(), heap_cmp());
    // Stale entries pile up; start again from stats_ when they dominate.
    if (heap_.size() > 4 * stats_.size() + 4096) rebuild_heap();
  }

  void rebuild_heap() {
    heap_.clear();
    heap_.reserve(stats_.size());
    for (const auto& [p, c] : stats_) heap_.push_back({c, p});
    std::make_heap(heap_.begin(), heap_.end(), heap_cmp());
  }

  // The pair max(stats, key=lambda x: (stats[x], x)) picks; stats_ must not be empty.
  Key top() {
    for (;;) {
      const HeapEntry& e = heap_.front();
      auto it = stats_.find(e.pair);
      if (it != stats_.end() && it->second == e.count) return e.pair;
      std::pop_heap(heap_.begin(), heap_.end(), heap_cmp());
      heap_.pop_back();
    }
  }

  // stats[p] as learn_bpe.py reads it: a defaultdict, so a missing pair reads (and becomes) 0.
  int64_t value(Key p) {
    auto [it, added] = stats_.emplace(p, 0);
    if (added) push(p, 0);
    return it->second;
  }
  void set(Key p, int64_t v) {
    stats_[p] = v;
    push(p, v);
  }
  void add(Key p, int64_t delta) {
    const int64_t v = (stats_[p] += delta);
    push(p, v);
  }

  // prune_stats: pairs below the threshold leave the working set for big_stats_. A negative
  // count there is a pending decrement of a pair pruned earlier; a positive one replaces what
  // big_stats_ held (learn_bpe.py does exactly this).
  void prune(double threshold) {
    for (auto it = stats_.begin(); it != stats_.end();) {
      const int64_t c = it->second;
      if (static_cast<double>(c) < threshold) {
        if (c < 0)
          big_stats_[it->first] += c;
        else
          big_stats_[it->first] = c;
        it = stats_.erase(it);
      } else {
        ++it;
      }
    }
  }

  // replace_pair: every word the index lists for the pair, with its occurrences merged left to
  // right (learn_bpe.py's regex over the space-joined word does the same for ordinary symbols).
  std::vector<Change> replace_pair(Key pair) {
    std::vector<Change> changes;
    const int a = first(pair), b = second(pair);
    const int merged = intern(symbols_[a] + symbols_[b]);
    auto found = index_.find(pair);
    if (found == index_.end()) return changes;
    for (const auto& [j, n] : found->second) {
      if (n < 1) continue;
      std::vector<int>& w = words_[j].symbols;
      std::vector<int> out;
      out.reserve(w.size());
      for (size_t i = 0; i < w.size();) {
        if (i + 1 < w.size() && w[i] == a && w[i + 1] == b) {
          out.push_back(merged);
          i += 2;
        } else {
          out.push_back(w[i++]);
        }
      }
      changes.push_back({j, std::move(w)});
      w = std::move(out);
    }
    return changes;
  }

  // update_pair_statistics: only pairs overlapping the merged occurrences change.
  void update_pair_statistics(Key pair, const std::vector<Change>& changes) {
    set(pair, 0);
    index_[pair].clear();
    const int a = first(pair), b = second(pair);
    const int merged = intern(symbols_[a] + symbols_[b]);
    for (const Change& c : changes) {
      const int j = c.word;
      const int64_t freq = words_[j].freq;
      const std::vector<int>& old_word = c.old_symbols;
      const std::vector<int>& word = words_[j].symbols;
      const int n_old = static_cast<int>(old_word.size()), n_new = static_cast<int>(word.size());
      // Occurrences of the pair in the old word take away the pairs around them.
      for (int i = 0;;) {
        const auto at = std::find(old_word.begin() + i, old_word.end(), a);
        if (at == old_word.end()) break;
        i = static_cast<int>(at - old_word.begin());
        if (i < n_old - 1 && old_word[i + 1] == b) {
          // "A B C" with "B C" merged: one "A B" fewer.
          if (i > 0) {
            const Key prev = key(old_word[i - 1], old_word[i]);
            add(prev, -freq);
            index_[prev][j] -= 1;
          }
          // "A B C B" with "B C" merged: one "C B" fewer, unless it is "A B C B C", where the
          // next occurrence's "A B" step already counts it.
          if (i < n_old - 2) {
            if (old_word[i + 2] != a || i >= n_old - 3 || old_word[i + 3] != b) {
              const Key next = key(old_word[i + 1], old_word[i + 2]);
              add(next, -freq);
              index_[next][j] -= 1;
            }
          }
          i += 2;
        } else {
          i += 1;
        }
      }
      // The new symbol in the new word brings the pairs around it.
      for (int i = 0;;) {
        const auto at = std::find(word.begin() + i, word.end(), merged);
        if (at == word.end()) break;
        i = static_cast<int>(at - word.begin());
        if (i > 0) {
          const Key prev = key(word[i - 1], word[i]);
          add(prev, freq);
          index_[prev][j] += 1;
        }
        // "A BC BC": the "BC BC" pair was counted by the previous step.
        if (i < n_new - 1 && word[i + 1] != merged) {
          const Key next = key(word[i], word[i + 1]);
          add(next, freq);
          index_[next][j] += 1;
        }
        i += 1;
      }
    }
  }
};

}  // namespace

// ---- codes ---------------------------------------------------------------------------------

struct BpeCodes::Impl {
  std::unordered_map<std::string, int> ranks;  // "a b" -> rank of its first line
  std::mutex mutex;
  std::unordered_map<std::string, std::vector<std::string>> cache;  // word -> pieces
};

BpeCodes::BpeCodes() : BpeCodes(std::vector<Merge>{}) {}

BpeCodes::BpeCodes(std::vector<Merge> merges, int minor_version)
    : merges_(std::move(merges)), minor_version_(minor_version), impl_(std::make_shared<Impl>()) {
  if (minor_version != 1 && minor_version != 2)
    throw std::invalid_argument("BPE codes version 0." + std::to_string(minor_version) + " is not supported (0.1 or 0.2)");
  for (size_t r = 0; r < merges_.size(); ++r) {
    const auto& [a, b] = merges_[r];
    if (a.empty() || b.empty() || a.find(' ') != std::string::npos || b.find(' ') != std::string::npos)
      throw std::invalid_argument("BPE merge " + std::to_string(r + 1) + " ('" + a + "', '" + b +
                                  "') needs two non-empty symbols without spaces");
    impl_->ranks.emplace(a + ' ' + b, static_cast<int>(r));  // a repeated merge keeps its first rank
  }
}

BpeCodes BpeCodes::parse(std::string_view text, const std::string& name) {
  std::vector<std::string> lines = split_text_lines(std::string(text), name);
  size_t first = 0;
  int minor = 1;  // no "#version" line: subword-nmt 0.1
  if (!lines.empty() && lines[0].rfind("#version:", 0) == 0) {
    std::string v = lines[0].substr(9);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.pop_back();
    v = v.substr(v.find_last_of(" \t") == std::string::npos ? 0 : v.find_last_of(" \t") + 1);
    // "0.2.0" is "0.2": learn_bpe.py drops trailing ".0" groups.
    for (size_t dot; (dot = v.rfind('.')) != std::string::npos && dot + 1 < v.size() &&
                     v.find_first_not_of('0', dot + 1) == std::string::npos;)
      v.erase(dot);
    if (v == "0.2")
      minor = 2;
    else if (v != "0.1")
      throw std::runtime_error(name + ":1: BPE codes version '" + v + "' is not supported (0.1 or 0.2; byte-level BPE is not)");
    first = 1;
  }
  size_t last = lines.size();
  while (last > first && lines[last - 1].empty()) --last;  // trailing blank lines
  std::vector<Merge> merges;
  merges.reserve(last - first);
  for (size_t i = first; i < last; ++i) {
    const std::string_view line = strip_padding(lines[i]);
    const size_t space = line.find(' ');
    if (line.empty() || space == std::string_view::npos || space == 0 || space + 1 == line.size() ||
        line.find(' ', space + 1) != std::string_view::npos) {
      std::string shown(line.substr(0, 60));
      throw std::runtime_error(name + ":" + std::to_string(i + 1) + ": expected a merge of two symbols 'a b', got '" +
                               shown + (line.size() > 60 ? "...'" : "'") + " (is this a subword-nmt codes file?)");
    }
    merges.emplace_back(std::string(line.substr(0, space)), std::string(line.substr(space + 1)));
  }
  return BpeCodes(std::move(merges), minor);
}

BpeCodes BpeCodes::load(const std::string& path) { return parse(read_file(path), path); }

std::string BpeCodes::serialize() const {
  std::string out = minor_version_ == 2 ? "#version: 0.2\n" : "";
  for (const auto& [a, b] : merges_) {
    out += a;
    out += ' ';
    out += b;
    out += '\n';
  }
  return out;
}

void BpeCodes::save(const std::string& path) const { write_file_atomic(path, serialize()); }

std::string BpeCodes::fingerprint() const {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a64(serialize())));
  return hex;
}

// apply_bpe.py's encode(): merge the adjacent pair of lowest rank, all its occurrences left to
// right, until no adjacent pair is a merge; then drop the end-of-word marker.
std::vector<std::string> BpeCodes::segment_word(const std::string& word) const {
  if (word.empty()) return {};
  if (count_characters(word) == 1) return {word};
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    auto it = impl_->cache.find(word);
    if (it != impl_->cache.end()) return it->second;
  }
  std::vector<std::string> w = characters(word);
  if (minor_version_ == 2)
    w.back() += kEndOfWord;
  else
    w.push_back(kEndOfWord);
  std::string pair;
  while (w.size() > 1) {
    int best_rank = INT_MAX;
    size_t best = 0;
    for (size_t i = 0; i + 1 < w.size(); ++i) {
      pair.assign(w[i]).append(1, ' ').append(w[i + 1]);
      auto it = impl_->ranks.find(pair);
      if (it != impl_->ranks.end() && it->second < best_rank) {
        best_rank = it->second;
        best = i;
      }
    }
    if (best_rank == INT_MAX) break;
    const std::string a = w[best], b = w[best + 1];
    std::vector<std::string> merged;
    merged.reserve(w.size());
    for (size_t i = 0; i < w.size();) {
      if (i + 1 < w.size() && w[i] == a && w[i + 1] == b) {
        merged.push_back(a + b);
        i += 2;
      } else {
        merged.push_back(std::move(w[i++]));
      }
    }
    w = std::move(merged);
  }
  if (w.back() == kEndOfWord)
    w.pop_back();
  else if (w.back().size() >= kEndOfWord.size() &&
           w.back().compare(w.back().size() - kEndOfWord.size(), kEndOfWord.size(), kEndOfWord) == 0)
    w.back().resize(w.back().size() - kEndOfWord.size());
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->cache.emplace(word, w);
  return w;
}

std::vector<std::string> BpeCodes::apply_tokens(const std::string& line) const {
  std::vector<std::string> out;
  for_each_word(line, [&](std::string_view word) {
    std::vector<std::string> pieces = segment_word(std::string(word));
    for (size_t i = 0; i + 1 < pieces.size(); ++i) out.push_back(pieces[i] + kContinuation);
    if (!pieces.empty()) out.push_back(std::move(pieces.back()));
  });
  return out;
}

std::string BpeCodes::apply(const std::string& line) const {
  size_t lead = 0, trail = 0;
  while (lead < line.size() && is_line_padding(line[lead])) ++lead;
  while (trail < line.size() && is_line_padding(line[line.size() - 1 - trail])) ++trail;
  std::string out = line.substr(0, lead);
  const std::vector<std::string> tokens = apply_tokens(line);
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i) out += ' ';
    out += tokens[i];
  }
  if (trail && trail != line.size()) out += line.substr(line.size() - trail);
  return out;
}

BpeCodes learn_bpe(const std::vector<std::string>& lines, int num_merges, int min_frequency, const BpeProgress& progress) {
  if (num_merges < 0) throw std::invalid_argument("the number of BPE merges must be >= 0, got " + std::to_string(num_merges));
  if (min_frequency < 1)
    throw std::invalid_argument("the minimum pair frequency must be >= 1, got " + std::to_string(min_frequency));
  BpeLearner learner(lines);
  return BpeCodes(learner.learn(num_merges, min_frequency, progress), 2);
}

std::string undo_bpe(const std::string& line) {
  std::string out;
  out.reserve(line.size());
  const size_t n = line.size();
  for (size_t i = 0; i < n;) {
    if (line.compare(i, 3, "@@ ") == 0) {
      i += 3;
    } else if (i + 2 == n && line.compare(i, 2, "@@") == 0) {
      i += 2;
    } else {
      out += line[i++];
    }
  }
  return out;
}

}  // namespace attnscope
