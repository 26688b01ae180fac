// tokenizer.json's BPE model, as tokenizers 0.20's models/bpe: a word becomes its characters
// (continuing_subword_prefix on all but the first, end_of_word_suffix on the last); a character
// that is no piece becomes its bytes as "<0xXX>" pieces (byte_fallback) or the unknown piece
// (consecutive ones fused into one with fuse_unk); then the merges apply lowest rank first, ties
// leftmost, one occurrence at a time (tokenizers' Word::merge_all). With ignore_merges, a word
// that is itself a piece is that piece. GPT-2-style byte-level models see words already mapped
// to byte symbols by the ByteLevel pre-tokenizer.
#include <mutex>
#include <queue>

#include "core/utf8.h"
#include "text/hf_components.h"

namespace attnscope::hf {

namespace {

class Bpe : public Model {
 public:
  std::string unk_token, prefix, suffix;
  int unk_id = -1;
  bool byte_fallback = false, fuse_unk = false, ignore_merges = false;
  std::unordered_map<uint64_t, std::pair<int, int>> merges;  // (left id, right id) -> (rank, merged id)
  std::array<int, 256> byte_ids{};                           // "<0xXX>" pieces, -1 when absent

  static uint64_t key(int a, int b) { return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b); }

  std::string kind() const override {
    std::string k = "BPE";
    if (byte_fallback) k += ", byte fallback";
    return k;
  }

  void tokenize(std::string_view word, std::vector<int>& out) const override {
    if (word.empty()) return;
    if (ignore_merges) {
      if (const auto it = ids.find(std::string(word)); it != ids.end()) {
        out.push_back(it->second);
        return;
      }
    }
    {
      std::lock_guard<std::mutex> lock(cache_mutex_);
      if (const auto it = cache_.find(std::string(word)); it != cache_.end()) {
        out.insert(out.end(), it->second.begin(), it->second.end());
        return;
      }
    }
    const std::vector<int> result = merge_word(word);
    out.insert(out.end(), result.begin(), result.end());
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (cache_.size() >= kCacheEntries) cache_.clear();
    cache_.emplace(std::string(word), result);
  }

 private:
  static constexpr size_t kCacheEntries = 1 << 16;
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::vector<int>> cache_;

  struct Symbol {
    int id;
    int prev, next;
    bool removed;
  };

  std::vector<int> merge_word(std::string_view w) const {
    std::vector<Symbol> symbols;
    const auto add = [&](int id) {
      const int i = static_cast<int>(symbols.size());
      symbols.push_back({id, i - 1, i + 1, false});
    };
    int pending_unk = 0;  // bytes of the unknown piece not yet added (0: none)
    std::string s;
    for (size_t i = 0; i < w.size();) {
      const size_t len = next_utf8(w, i).size;
      s.clear();
      if (i > 0) s += prefix;
      s.append(w.substr(i, len));
      i += len;
      if (i == w.size()) s += suffix;
      if (const auto it = ids.find(s); it != ids.end()) {
        if (pending_unk) add(unk_id);
        pending_unk = 0;
        add(it->second);
        continue;
      }
      if (byte_fallback) {
        bool all = true;
        for (unsigned char b : s) all &= byte_ids[b] >= 0;
        if (all) {  // (a pending unknown piece is added after these, as tokenizers does)
          for (unsigned char b : s) add(byte_ids[b]);
          continue;
        }
      }
      if (unk_id < 0) continue;  // no unknown piece: the character is dropped, as in tokenizers
      if (pending_unk && fuse_unk) {
        pending_unk += static_cast<int>(len);
      } else {
        if (pending_unk) add(unk_id);
        pending_unk = static_cast<int>(len);
      }
    }
    if (pending_unk) add(unk_id);
    if (!symbols.empty()) symbols.back().next = -1;

    struct Merge {
      int rank, pos, new_id;
    };
    const auto later = [](const Merge& a, const Merge& b) { return a.rank != b.rank ? a.rank > b.rank : a.pos > b.pos; };
    std::priority_queue<Merge, std::vector<Merge>, decltype(later)> queue(later);
    for (size_t i = 0; i + 1 < symbols.size(); ++i)
      if (const auto it = merges.find(key(symbols[i].id, symbols[i + 1].id)); it != merges.end())
        queue.push({it->second.first, static_cast<int>(i), it->second.second});
    while (!queue.empty()) {
      const Merge top = queue.top();
      queue.pop();
      Symbol& cur = symbols[static_cast<size_t>(top.pos)];
      if (cur.removed || cur.next < 0) continue;
      const Symbol right = symbols[static_cast<size_t>(cur.next)];
      const auto it = merges.find(key(cur.id, right.id));
      if (it == merges.end() || it->second.second != top.new_id) continue;  // expired
      cur.id = top.new_id;
      symbols[static_cast<size_t>(cur.next)].removed = true;
      cur.next = right.next;
      if (right.next >= 0) symbols[static_cast<size_t>(right.next)].prev = top.pos;
      if (cur.prev >= 0)
        if (const auto m = merges.find(key(symbols[static_cast<size_t>(cur.prev)].id, cur.id)); m != merges.end())
          queue.push({m->second.first, cur.prev, m->second.second});
      if (cur.next >= 0)
        if (const auto m = merges.find(key(cur.id, symbols[static_cast<size_t>(cur.next)].id)); m != merges.end())
          queue.push({m->second.first, top.pos, m->second.second});
    }
    std::vector<int> result;
    for (const Symbol& sym : symbols)
      if (!sym.removed) result.push_back(sym.id);
    return result;
  }
};

}  // namespace

std::unique_ptr<Model> make_bpe_model(const json& obj, const std::string& file) {
  const std::string where = "model BPE";
  auto m = std::make_unique<Bpe>();
  if (obj.contains("dropout") && !obj["dropout"].is_null() && !(obj["dropout"].is_number() && obj["dropout"].get<double>() == 0.0))
    fail(file, where + ": dropout is not supported (it makes tokens random)");
  if (!obj.contains("vocab")) fail(file, where + ": no \"vocab\"");
  read_vocab_object(obj["vocab"], file, where, *m);
  m->unk_token = string_field(obj, "unk_token", file, where, "");
  m->prefix = string_field(obj, "continuing_subword_prefix", file, where, "");
  m->suffix = string_field(obj, "end_of_word_suffix", file, where, "");
  m->byte_fallback = bool_field(obj, "byte_fallback", file, where, false);
  m->fuse_unk = bool_field(obj, "fuse_unk", file, where, false);
  m->ignore_merges = bool_field(obj, "ignore_merges", file, where, false);
  if (!m->unk_token.empty()) {
    const auto it = m->ids.find(m->unk_token);
    if (it == m->ids.end()) fail(file, where + ": unk_token \"" + m->unk_token + "\" is not in the vocabulary");
    m->unk_id = it->second;
  }
  static const char* kHex = "0123456789ABCDEF";
  for (int b = 0; b < 256; ++b) {
    const auto it = m->ids.find(std::string("<0x") + kHex[b >> 4] + kHex[b & 15] + ">");
    m->byte_ids[static_cast<size_t>(b)] = it == m->ids.end() ? -1 : it->second;
  }
  // merges: ["a b", ...] (tokenizers < 0.21) or [["a", "b"], ...]; later duplicates win.
  if (!obj.contains("merges") || !obj["merges"].is_array()) fail(file, where + ": no \"merges\" list");
  int rank = 0;
  for (const json& merge : obj["merges"]) {
    std::string a, b;
    if (merge.is_string()) {
      const std::string line = merge.get<std::string>();
      const size_t sp = line.find(' ');
      if (sp == std::string::npos || line.find(' ', sp + 1) != std::string::npos)
        fail(file, where + ": merge " + std::to_string(rank) + " " + merge.dump() + " is not \"a b\"");
      a = line.substr(0, sp);
      b = line.substr(sp + 1);
    } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() && merge[1].is_string()) {
      a = merge[0].get<std::string>();
      b = merge[1].get<std::string>();
    } else {
      fail(file, where + ": merge " + std::to_string(rank) + " is neither \"a b\" nor [\"a\", \"b\"]");
    }
    const auto ia = m->ids.find(a), ib = m->ids.find(b);
    if (ia == m->ids.end() || ib == m->ids.end())
      fail(file, where + ": merge " + std::to_string(rank) + " uses \"" + (ia == m->ids.end() ? a : b) + "\", not in the vocabulary");
    if (b.size() < m->prefix.size())  // tokenizers cuts the prefix's length off b without looking
      fail(file, where + ": merge " + std::to_string(rank) + ": \"" + b + "\" is shorter than the continuing_subword_prefix");
    const std::string merged = a + b.substr(m->prefix.size());
    const auto im = m->ids.find(merged);
    if (im == m->ids.end()) fail(file, where + ": merge " + std::to_string(rank) + " makes \"" + merged + "\", not in the vocabulary");
    m->merges[Bpe::key(ia->second, ib->second)] = {rank, im->second};
    ++rank;
  }
  return m;
}

}  // namespace attnscope::hf
