#include "text/llama2c_tokenizer.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <queue>
#include <stdexcept>

namespace attnscope {

namespace {

// run.c starts its best-pair search at this score, so pieces scoring at or below it never merge.
constexpr float kNoMergeScore = -1e10f;
constexpr int kMaxReasonableTokenLength = 1 << 16;  // header sanity bound for looks_like()

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open the tokenizer file");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

template <typename T>
T read_le(const std::string& bytes, size_t offset) {
  T v;
  std::memcpy(&v, bytes.data() + offset, sizeof v);  // llama2.c writes native (little-endian) order
  return v;
}

std::string byte_piece_name(int byte) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "<0x%02X>", byte);
  return buf;
}

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

bool Llama2cTokenizer::looks_like(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  char head[12];
  if (!in.read(head, sizeof head)) return false;
  int32_t max_len, first_len;
  std::memcpy(&max_len, head, 4);
  std::memcpy(&first_len, head + 8, 4);  // after max_token_length and the first piece's score
  return max_len > 0 && max_len < kMaxReasonableTokenLength && first_len >= 0 && first_len <= max_len;
}

Llama2cTokenizer Llama2cTokenizer::load(const std::string& path) {
  const std::string bytes = read_all(path);
  if (bytes.size() < 4) throw std::runtime_error(path + ": " + std::to_string(bytes.size()) +
                                                 " bytes is too short for a llama2.c tokenizer");
  const int32_t max_len = read_le<int32_t>(bytes, 0);
  if (max_len <= 0) throw std::runtime_error(path + ": max_token_length is " + std::to_string(max_len) +
                                             ", not a llama2.c tokenizer");
  Llama2cTokenizer tok;
  tok.path_ = path;
  for (size_t off = 4; off < bytes.size();) {
    const size_t id = tok.pieces_.size();
    if (bytes.size() - off < 8)
      throw std::runtime_error(path + ": piece " + std::to_string(id) + " is cut off at byte " + std::to_string(off));
    const float score = read_le<float>(bytes, off);
    const int32_t len = read_le<int32_t>(bytes, off + 4);
    off += 8;
    if (len < 0 || static_cast<size_t>(len) > bytes.size() - off)
      throw std::runtime_error(path + ": piece " + std::to_string(id) + " has length " + std::to_string(len) +
                               " but only " + std::to_string(bytes.size() - off) + " bytes remain");
    tok.pieces_.emplace_back(bytes, off, static_cast<size_t>(len));
    tok.scores_.push_back(score);
    tok.ids_.emplace(tok.pieces_.back(), static_cast<int>(id));  // keeps the first id of a duplicate
    off += static_cast<size_t>(len);
  }
  // Byte fallback maps byte b to id b + 3 without a lookup, so those ids must be the byte pieces.
  const int needed = kFirstByte + 256;
  if (tok.vocab_size() < needed)
    throw std::runtime_error(path + ": " + std::to_string(tok.vocab_size()) + " pieces; a llama2.c tokenizer has at least " +
                             std::to_string(needed) + " (<unk>, <s>, </s> and 256 byte pieces)");
  for (int b = 0; b < 256; ++b)
    if (tok.pieces_[kFirstByte + b] != byte_piece_name(b))
      throw std::runtime_error(path + ": piece " + std::to_string(kFirstByte + b) + " is '" + tok.pieces_[kFirstByte + b] +
                               "', expected the byte piece " + byte_piece_name(b));
  auto space = tok.ids_.find(" ");
  tok.space_id_ = space == tok.ids_.end() ? -1 : space->second;
  return tok;
}

std::string Llama2cTokenizer::describe() const {
  return "llama2.c tokenizer " + std::filesystem::path(path_).filename().string() + " (" +
         std::to_string(vocab_size()) + " pieces)";
}

void Llama2cTokenizer::check_id(int id) const {
  if (id < 0 || id >= vocab_size())
    throw std::out_of_range("token id " + std::to_string(id) + " is outside the vocabulary of " +
                            std::to_string(vocab_size()) + " pieces");
}

std::string Llama2cTokenizer::piece(int id) const {
  check_id(id);
  if (id == kUnk) return "<unk>";
  if (id == kBos) return "<s>";  // stored as "\n<s>\n"; the newlines are not part of the token
  if (id == kEos) return "</s>";
  return pieces_[static_cast<size_t>(id)];
}

std::vector<int> Llama2cTokenizer::encode(const std::string& text, bool add_special) const {
  std::vector<int> ids;
  if (add_special) ids.push_back(kBos);
  const size_t first = ids.size();  // merging starts after BOS, as in run.c (BOS never merges:
                                    // no piece begins with its text)
  if (!text.empty() && space_id_ >= 0) ids.push_back(space_id_);

  // One token per UTF-8 code point found in the vocabulary, else one byte token per byte.
  // Like run.c, a code point is at most 4 bytes and stray continuation bytes stand alone.
  std::string cp;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!is_continuation(c)) cp.clear();
    cp.push_back(static_cast<char>(c));
    const bool next_continues = i + 1 < text.size() && is_continuation(static_cast<unsigned char>(text[i + 1]));
    if (next_continues && cp.size() < 4) continue;
    auto found = ids_.find(cp);
    if (found != ids_.end()) {
      ids.push_back(found->second);
    } else {
      for (unsigned char b : cp) ids.push_back(kFirstByte + b);
    }
    cp.clear();
  }

  // Greedy merges: each round merges the adjacent pair whose concatenation is the best-scoring
  // piece, leftmost among equal scores. A heap of candidate pairs ordered by (score, position)
  // gives exactly run.c's order without its quadratic rescans; stale candidates are skipped.
  const size_t n = ids.size();
  std::vector<size_t> prev(n), next(n);
  std::vector<bool> alive(n, true);
  for (size_t i = 0; i < n; ++i) {
    prev[i] = i - 1;  // wraps to SIZE_MAX for the first: "no neighbour"
    next[i] = i + 1;  // n for the last: "no neighbour"
  }
  struct Candidate {
    float score;
    size_t left, right;
    int left_id, right_id, merged;
  };
  auto worse = [](const Candidate& a, const Candidate& b) {
    return a.score != b.score ? a.score < b.score : a.left > b.left;
  };
  std::priority_queue<Candidate, std::vector<Candidate>, decltype(worse)> heap(worse);
  auto consider = [&](size_t left) {
    if (left < first || left >= n || next[left] >= n) return;
    const size_t right = next[left];
    auto found = ids_.find(pieces_[ids[left]] + pieces_[ids[right]]);
    if (found == ids_.end() || !(scores_[found->second] > kNoMergeScore)) return;
    heap.push({scores_[found->second], left, right, ids[left], ids[right], found->second});
  };
  for (size_t i = first; i + 1 < n; ++i) consider(i);
  while (!heap.empty()) {
    const Candidate c = heap.top();
    heap.pop();
    const bool current = alive[c.left] && alive[c.right] && next[c.left] == c.right && ids[c.left] == c.left_id &&
                         ids[c.right] == c.right_id;
    if (!current) continue;
    ids[c.left] = c.merged;
    alive[c.right] = false;
    next[c.left] = next[c.right];
    if (next[c.right] < n) prev[next[c.right]] = c.left;
    consider(prev[c.left]);  // SIZE_MAX (no left neighbour) is ignored
    consider(c.left);
  }
  std::vector<int> out(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(first));
  for (size_t i = first; i < n; ++i)
    if (alive[i]) out.push_back(ids[i]);
  return out;
}

std::string Llama2cTokenizer::decode(const std::vector<int>& ids) const {
  std::string text;
  bool at_start = true;  // at the very start or just after BOS: SentencePiece drops the word marker
  for (int id : ids) {
    check_id(id);
    if (id == kBos) {
      at_start = true;
      continue;
    }
    if (id == kUnk || id == kEos) continue;
    if (id >= kFirstByte && id < kFirstByte + 256) {
      text.push_back(static_cast<char>(id - kFirstByte));
    } else {
      const std::string& p = pieces_[static_cast<size_t>(id)];
      text += at_start && !p.empty() && p[0] == ' ' ? p.substr(1) : p;
    }
    at_start = false;
  }
  return text;
}

}  // namespace attnscope
