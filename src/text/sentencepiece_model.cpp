#include "text/sentencepiece_model.h"

#include <algorithm>
#include <cfloat>
#include <cstring>
#include <fstream>
#include <iterator>
#include <functional>
#include <queue>
#include <stdexcept>

#include "core/parse_number.h"

namespace attnscope {

namespace {

const std::string_view kSpaceSymbol = "\xE2\x96\x81";  // "▁"

// --- the protobuf wire format, by hand --------------------------------------------------------

struct WireError {
  std::string what;
};

class Wire {
 public:
  explicit Wire(std::string_view b) : b_(b) {}
  bool done() const { return pos_ >= b_.size(); }

  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= b_.size()) throw WireError{"truncated varint"};
      const auto c = static_cast<uint8_t>(b_[pos_++]);
      v |= static_cast<uint64_t>(c & 0x7F) << shift;
      if (c < 0x80) return v;
    }
    throw WireError{"varint longer than 10 bytes"};
  }
  std::string_view bytes(size_t n) {
    if (n > b_.size() - pos_) throw WireError{"field runs past the end: truncated, or not a .spm file"};
    const std::string_view s = b_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  // Next field: number and wire type; the value is read with the functions below or skipped.
  std::pair<uint32_t, int> tag() {
    const uint64_t t = varint();
    if ((t >> 3) == 0) throw WireError{"field number 0"};
    return {static_cast<uint32_t>(t >> 3), static_cast<int>(t & 7)};
  }
  std::string_view length_delimited() { return bytes(static_cast<size_t>(varint())); }
  float fixed32_float() {
    const std::string_view s = bytes(4);
    uint32_t u = 0;
    for (int i = 3; i >= 0; --i) u = (u << 8) | static_cast<uint8_t>(s[static_cast<size_t>(i)]);
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  }
  void skip(int wire_type) {
    switch (wire_type) {
      case 0: varint(); break;
      case 1: bytes(8); break;
      case 2: length_delimited(); break;
      case 5: bytes(4); break;
      default: throw WireError{"unsupported wire type " + std::to_string(wire_type)};
    }
  }
  void expect(int got, int want, const char* field) {
    if (got != want) throw WireError{std::string("field ") + field + " has the wrong wire type"};
  }

 private:
  std::string_view b_;
  size_t pos_ = 0;
};

// --- UTF-8 as sentencepiece's util.cc reads it ------------------------------------------------

bool is_trail(char c) { return (static_cast<uint8_t>(c) & 0xC0) == 0x80; }
bool valid_codepoint(uint32_t c) { return c < 0xD800 || (c >= 0xE000 && c <= 0x10FFFF); }

// The code point at the start of `s` and its length; 0xFFFD with length 1 when malformed.
uint32_t decode_utf8(std::string_view s, size_t* len) {
  const auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(s[i])); };
  const size_t n = s.size();
  if (b(0) < 0x80) {
    *len = 1;
    return b(0);
  } else if (n >= 2 && (b(0) & 0xE0) == 0xC0) {
    const uint32_t cp = ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    if (is_trail(s[1]) && cp >= 0x80 && valid_codepoint(cp)) {
      *len = 2;
      return cp;
    }
  } else if (n >= 3 && (b(0) & 0xF0) == 0xE0) {
    const uint32_t cp = ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    if (is_trail(s[1]) && is_trail(s[2]) && cp >= 0x800 && valid_codepoint(cp)) {
      *len = 3;
      return cp;
    }
  } else if (n >= 4 && (b(0) & 0xF8) == 0xF0) {
    const uint32_t cp = ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
    if (is_trail(s[1]) && is_trail(s[2]) && is_trail(s[3]) && cp >= 0x10000 && valid_codepoint(cp)) {
      *len = 4;
      return cp;
    }
  }
  *len = 1;
  return 0xFFFD;
}

// sentencepiece's OneCharLen: from the lead byte alone.
size_t one_char_len(char c) { return "\1\1\1\1\1\1\1\1\1\1\1\1\2\2\3\4"[static_cast<uint8_t>(c) >> 4]; }

}  // namespace

SentencePieceModel SentencePieceModel::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open the SentencePiece model");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse(bytes, path);
}

SentencePieceModel SentencePieceModel::parse(std::string_view bytes, const std::string& name) {
  SentencePieceModel m;
  int model_type = 1;  // UNIGRAM
  bool byte_fallback = false;
  std::string_view charsmap;
  try {
    Wire model(bytes);
    while (!model.done()) {
      const auto [field, wt] = model.tag();
      if (field == 1) {  // repeated SentencePiece pieces
        model.expect(wt, 2, "pieces");
        Wire w(model.length_delimited());
        Piece p;
        while (!w.done()) {
          const auto [f, t] = w.tag();
          if (f == 1) {
            w.expect(t, 2, "piece");
            p.text = std::string(w.length_delimited());
          } else if (f == 2) {
            w.expect(t, 5, "score");
            p.score = w.fixed32_float();
          } else if (f == 3) {
            w.expect(t, 0, "type");
            const uint64_t type = w.varint();
            if (type < 1 || type > 6) throw WireError{"piece type " + std::to_string(type)};
            p.type = static_cast<PieceType>(type);
          } else {
            w.skip(t);
          }
        }
        m.pieces_.push_back(std::move(p));
      } else if (field == 2) {  // TrainerSpec
        model.expect(wt, 2, "trainer_spec");
        Wire w(model.length_delimited());
        while (!w.done()) {
          const auto [f, t] = w.tag();
          if (f == 3 && t == 0) model_type = static_cast<int>(w.varint());
          else if (f == 24 && t == 0) m.treat_whitespace_as_suffix_ = w.varint() != 0;
          else if (f == 35 && t == 0) byte_fallback = w.varint() != 0;
          else if (f == 44 && t == 2) m.unk_surface_ = std::string(w.length_delimited());
          else w.skip(t);
        }
      } else if (field == 3) {  // NormalizerSpec
        model.expect(wt, 2, "normalizer_spec");
        Wire w(model.length_delimited());
        while (!w.done()) {
          const auto [f, t] = w.tag();
          if (f == 2 && t == 2) charsmap = w.length_delimited();
          else if (f == 3 && t == 0) m.add_dummy_prefix_ = w.varint() != 0;
          else if (f == 4 && t == 0) m.remove_extra_whitespaces_ = w.varint() != 0;
          else if (f == 5 && t == 0) m.escape_whitespaces_ = w.varint() != 0;
          else w.skip(t);
        }
      } else {
        model.skip(wt);  // self_test_data, denormalizer_spec, ...
      }
    }
    if (m.pieces_.empty()) throw WireError{"no pieces"};
    if (model_type != 1 && model_type != 2)
      throw WireError{"model type " + std::to_string(model_type) + " is not supported, only UNIGRAM (1) and BPE (2)"};
    m.bpe_ = model_type == 2;
    m.byte_fallback_ = byte_fallback;

    m.min_score_ = FLT_MAX;
    m.max_score_ = FLT_MIN;  // as sentencepiece: FLT_MIN, the smallest positive float
    for (size_t i = 0; i < m.pieces_.size(); ++i) {
      const Piece& p = m.pieces_[i];
      const int id = static_cast<int>(i);
      if (p.text.empty()) throw WireError{"piece " + std::to_string(i) + " is empty"};
      const bool normal =
          p.type == PieceType::kNormal || p.type == PieceType::kUserDefined || p.type == PieceType::kUnused;
      if (!(normal ? m.normal_ids_ : m.reserved_ids_).emplace(p.text, id).second)
        throw WireError{"piece \"" + p.text + "\" is defined twice"};
      if (p.type == PieceType::kUserDefined) {
        m.user_defined_.push_back(p.text);
        m.max_user_defined_bytes_ = std::max(m.max_user_defined_bytes_, p.text.size());
      }
      if (p.type == PieceType::kUnknown) {
        if (m.unk_id_ >= 0) throw WireError{"two unknown pieces"};
        m.unk_id_ = id;
      }
      if (p.type == PieceType::kByte && !byte_fallback) throw WireError{"byte pieces without byte_fallback"};
      if (p.type == PieceType::kByte && (p.text.size() != 6 || p.text.compare(0, 3, "<0x") != 0 || p.text[5] != '>' ||
                                         !parse_number<unsigned>(std::string_view(p.text).substr(3, 2), 16)))
        throw WireError{"byte piece \"" + p.text + "\" is not <0xHH>"};
      if (p.type == PieceType::kNormal) {
        m.min_score_ = std::min(m.min_score_, p.score);
        m.max_score_ = std::max(m.max_score_, p.score);
      }
      if (normal) m.max_piece_bytes_ = std::max(m.max_piece_bytes_, p.text.size());
    }
    if (m.unk_id_ < 0) throw WireError{"no unknown piece"};
    if (byte_fallback)
      for (int b = 0; b < 256; ++b) {
        const auto it = m.reserved_ids_.find(byte_piece(static_cast<uint8_t>(b)));
        if (it == m.reserved_ids_.end() || m.pieces_[static_cast<size_t>(it->second)].type != PieceType::kByte)
          throw WireError{"byte_fallback without the byte piece " + byte_piece(static_cast<uint8_t>(b))};
        m.byte_ids_[static_cast<size_t>(b)] = it->second;
      }

    try {
      m.charsmap_ = PrecompiledCharsmap::parse(charsmap);
    } catch (const std::runtime_error& e) {
      throw WireError{e.what()};
    }
  } catch (const WireError& e) {
    throw std::runtime_error(name + ": not a readable SentencePiece model (" + e.what + ")");
  }
  return m;
}

size_t SentencePieceModel::user_defined_prefix(std::string_view input) const {
  size_t best = 0;
  for (const std::string& u : user_defined_)
    if (u.size() > best && input.substr(0, u.size()) == u) best = u.size();
  return best;
}

// sentencepiece's Normalizer::NormalizePrefix: the normalised form of the input's first
// character(s) and how many input bytes it consumed.
std::pair<std::string_view, size_t> SentencePieceModel::normalize_prefix(std::string_view input) const {
  if (input.empty()) return {{}, 0};
  if (!user_defined_.empty())
    if (const size_t n = user_defined_prefix(input)) return {input.substr(0, n), n};

  const PrecompiledCharsmap::Match match = charsmap_.longest_prefix(input);
  if (match.length == 0) {
    size_t len = 0;
    const uint32_t c = decode_utf8(input, &len);
    if (c == 0xFFFD && len != 3) return {"\xEF\xBF\xBD", 1};  // malformed: U+FFFD for one byte
    return {input.substr(0, len), len};
  }
  return {match.replacement, match.length};
}

std::string SentencePieceModel::normalize(std::string_view input) const {
  std::string out;
  if (input.empty()) return out;
  if (remove_extra_whitespaces_) {  // leading spaces
    while (!input.empty()) {
      const auto p = normalize_prefix(input);
      if (p.first != " ") break;
      input.remove_prefix(p.second);
    }
  }
  if (input.empty()) return out;
  const auto add_ws = [&] { out += escape_whitespaces_ ? kSpaceSymbol : std::string_view(" "); };
  if (!treat_whitespace_as_suffix_ && add_dummy_prefix_) add_ws();
  bool is_prev_space = remove_extra_whitespaces_;
  while (!input.empty()) {
    const auto p = normalize_prefix(input);
    std::string_view sp = p.first;
    while (is_prev_space && !sp.empty() && sp.front() == ' ') sp.remove_prefix(1);
    if (!sp.empty()) {
      for (char c : sp) {
        if (escape_whitespaces_ && c == ' ') out += kSpaceSymbol;
        else out += c;
      }
      is_prev_space = sp.back() == ' ';
    }
    input.remove_prefix(p.second);
    if (!remove_extra_whitespaces_) is_prev_space = false;
  }
  if (remove_extra_whitespaces_) {  // trailing spaces
    const std::string_view space = escape_whitespaces_ ? kSpaceSymbol : std::string_view(" ");
    while (out.size() >= space.size() && std::string_view(out).substr(out.size() - space.size()) == space)
      out.resize(out.size() - space.size());
  }
  if (treat_whitespace_as_suffix_ && add_dummy_prefix_) add_ws();
  return out;
}

std::vector<std::pair<std::string_view, int>> SentencePieceModel::unigram(std::string_view norm) const {
  // sentencepiece's unigram Model::EncodeOptimized: the best path ending at each position.
  struct Best {
    int id = -1;
    float score = 0;
    int starts_at = -1;
  };
  const size_t size = norm.size();
  const float unk_score = min_score_ - 10.0f;  // kUnkPenalty
  std::vector<Best> best(size + 1);
  size_t starts_at = 0;
  while (starts_at < size) {
    const float till_here = best[starts_at].score;
    bool has_single_node = false;
    const size_t mblen = std::min(one_char_len(norm[starts_at]), size - starts_at);
    const size_t max_len = std::min(max_piece_bytes_, size - starts_at);
    for (size_t length = 1; length <= max_len; ++length) {
      const auto it = normal_ids_.find(std::string(norm.substr(starts_at, length)));
      if (it == normal_ids_.end()) continue;
      const int id = it->second;
      const Piece& p = pieces_[static_cast<size_t>(id)];
      if (p.type == PieceType::kUnused) continue;
      Best& target = best[starts_at + length];
      double candidate;
      if (arithmetic_ == Arithmetic::kV0_1) {  // the 0.1 literal made the whole sum double
        const double score = p.type == PieceType::kUserDefined
                                 ? static_cast<double>(static_cast<float>(length) * max_score_) - 0.1
                                 : static_cast<double>(p.score);
        candidate = score + static_cast<double>(till_here);
      } else {
        const float score = p.type == PieceType::kUserDefined ? static_cast<float>(length) * max_score_ - 0.1f : p.score;
        candidate = static_cast<double>(score + till_here);
      }
      if (target.starts_at == -1 || candidate > static_cast<double>(target.score)) {
        target.score = static_cast<float>(candidate);
        target.starts_at = static_cast<int>(starts_at);
        target.id = id;
      }
      if (!has_single_node && length == mblen) has_single_node = true;
    }
    if (!has_single_node) {
      Best& target = best[starts_at + mblen];
      const double candidate = arithmetic_ == Arithmetic::kV0_1 ? static_cast<double>(unk_score) + static_cast<double>(till_here)
                                                                : static_cast<double>(unk_score + till_here);
      if (target.starts_at == -1 || candidate > static_cast<double>(target.score)) {
        target.score = static_cast<float>(candidate);
        target.starts_at = static_cast<int>(starts_at);
        target.id = unk_id_;
      }
    }
    starts_at += mblen;
  }
  std::vector<std::pair<std::string_view, int>> path;
  for (size_t end = size; end > 0;) {
    const Best& node = best[end];
    if (node.starts_at < 0) throw std::logic_error("SentencePiece Viterbi: a position without a path");
    path.emplace_back(norm.substr(static_cast<size_t>(node.starts_at), end - static_cast<size_t>(node.starts_at)),
                      node.id);
    end = static_cast<size_t>(node.starts_at);
  }
  std::reverse(path.begin(), path.end());
  // As unigram_model.cc: a run of unknown pieces becomes one piece.
  std::vector<std::pair<std::string_view, int>> fused;
  for (const auto& [piece, id] : path) {
    if (id == unk_id_ && !fused.empty() && fused.back().second == unk_id_)
      fused.back().first = std::string_view(fused.back().first.data(), fused.back().first.size() + piece.size());
    else
      fused.emplace_back(piece, id);
  }
  return fused;
}

// sentencepiece's bpe_model.cc Model::Encode: start from characters (user-defined pieces whole and
// frozen), repeatedly merge the adjacent pair whose concatenation is the highest-scoring piece
// (ties: the leftmost), then split pieces of type UNUSED back into the pair they were made of.
std::vector<std::pair<std::string_view, int>> SentencePieceModel::bpe(std::string_view norm) const {
  struct Symbol {
    int prev, next;
    std::string_view piece;
    bool freeze;
  };
  struct Pair {
    int left, right;
    float score;
    size_t size;
  };
  const auto lower_priority = [](const Pair& a, const Pair& b) {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  };
  std::vector<Symbol> symbols;
  for (size_t i = 0; i < norm.size();) {
    size_t len = user_defined_.empty() ? 0 : user_defined_prefix(norm.substr(i));
    const bool freeze = len > 0;
    if (!freeze) len = std::min(one_char_len(norm[i]), norm.size() - i);
    const int index = static_cast<int>(symbols.size());
    symbols.push_back({index - 1, i + len < norm.size() ? index + 1 : -1, norm.substr(i, len), freeze});
    i += len;
  }
  std::priority_queue<Pair, std::vector<Pair>, decltype(lower_priority)> agenda(lower_priority);
  std::unordered_map<std::string_view, std::pair<std::string_view, std::string_view>> rev_merge;
  std::string key;
  const auto maybe_add = [&](int left, int right) {
    if (left == -1 || right == -1 || symbols[static_cast<size_t>(left)].freeze || symbols[static_cast<size_t>(right)].freeze) return;
    const Symbol& l = symbols[static_cast<size_t>(left)];
    const Symbol& r = symbols[static_cast<size_t>(right)];
    const std::string_view piece(l.piece.data(), l.piece.size() + r.piece.size());
    key.assign(piece);
    const auto it = normal_ids_.find(key);
    if (it == normal_ids_.end()) return;
    const Piece& p = pieces_[static_cast<size_t>(it->second)];
    agenda.push({left, right, p.score, piece.size()});
    if (p.type == PieceType::kUnused) rev_merge[piece] = {l.piece, r.piece};
  };
  for (size_t i = 1; i < symbols.size(); ++i) maybe_add(static_cast<int>(i - 1), static_cast<int>(i));
  while (!agenda.empty()) {
    const Pair top = agenda.top();
    agenda.pop();
    Symbol& l = symbols[static_cast<size_t>(top.left)];
    Symbol& r = symbols[static_cast<size_t>(top.right)];
    if (l.piece.empty() || r.piece.empty() || l.piece.size() + r.piece.size() != top.size) continue;  // stale
    l.piece = std::string_view(l.piece.data(), l.piece.size() + r.piece.size());
    l.next = r.next;
    if (r.next >= 0) symbols[static_cast<size_t>(r.next)].prev = top.left;
    r.piece = {};
    maybe_add(l.prev, top.left);
    maybe_add(top.left, l.next);
  }
  std::vector<std::pair<std::string_view, int>> out;
  std::function<void(std::string_view)> resegment = [&](std::string_view w) {
    const int id = piece_to_id(w);
    const auto it = rev_merge.find(w);
    if (pieces_[static_cast<size_t>(id)].type != PieceType::kUnused || it == rev_merge.end()) {
      out.emplace_back(w, id);
      return;
    }
    resegment(it->second.first);
    resegment(it->second.second);
  };
  for (int i = symbols.empty() ? -1 : 0; i != -1; i = symbols[static_cast<size_t>(i)].next) resegment(symbols[static_cast<size_t>(i)].piece);
  return out;
}

std::vector<std::pair<std::string, int>> SentencePieceModel::encode_with_ids(std::string_view text) const {
  const std::string normalized = normalize(text);
  std::vector<std::pair<std::string, int>> result;
  if (normalized.empty()) return result;
  for (const auto& [piece, id] : bpe_ ? bpe(normalized) : unigram(normalized)) {
    if (id == unk_id_ && byte_fallback_) {  // as SentencePieceProcessor: an unknown piece as its bytes
      for (char c : piece) result.emplace_back(byte_piece(static_cast<uint8_t>(c)), byte_ids_[static_cast<uint8_t>(c)]);
    } else {
      result.emplace_back(std::string(piece), id);
    }
  }
  return result;
}

std::vector<std::string> SentencePieceModel::encode(std::string_view text) const {
  std::vector<std::string> pieces;
  for (auto& [piece, id] : encode_with_ids(text)) pieces.push_back(std::move(piece));
  return pieces;
}

std::vector<int> SentencePieceModel::encode_ids(std::string_view text) const {
  std::vector<int> ids;
  for (const auto& p : encode_with_ids(text)) ids.push_back(p.second);
  return ids;
}

std::string SentencePieceModel::byte_piece(uint8_t b) {
  static const char* kHex = "0123456789ABCDEF";
  return std::string("<0x") + kHex[b >> 4] + kHex[b & 15] + ">";
}

int SentencePieceModel::piece_to_id(std::string_view piece) const {
  const std::string key(piece);
  if (const auto it = normal_ids_.find(key); it != normal_ids_.end()) return it->second;
  if (const auto it = reserved_ids_.find(key); it != reserved_ids_.end()) return it->second;
  return unk_id_;
}

std::string SentencePieceModel::decode(const std::vector<std::string>& pieces) const {
  std::string text, bytes;
  // Consecutive byte pieces are bytes; what is not valid UTF-8 among them becomes U+FFFD per byte.
  const auto flush_bytes = [&] {
    for (size_t i = 0; i < bytes.size();) {
      size_t len = 0;
      const uint32_t c = decode_utf8(std::string_view(bytes).substr(i), &len);
      if (c == 0xFFFD && len != 3) text += "\xEF\xBF\xBD";
      else text.append(bytes, i, len);
      i += len;
    }
    bytes.clear();
  };
  for (const std::string& w : pieces) {
    const int id = piece_to_id(w);
    const PieceType type = pieces_[static_cast<size_t>(id)].type;
    if (type == PieceType::kByte) {
      bytes += static_cast<char>(parse_number<unsigned>(std::string_view(w).substr(3, 2), 16).value_or(0));  // checked on load
      continue;
    }
    flush_bytes();
    if (type == PieceType::kControl) continue;  // invisible
    if (type == PieceType::kUnknown) {
      text += w == pieces_[static_cast<size_t>(id)].text ? unk_surface_ : w;  // other unknowns as written
      continue;
    }
    std::string_view piece = w;
    if (text.empty() && (add_dummy_prefix_ || remove_extra_whitespaces_) && piece.substr(0, kSpaceSymbol.size()) == kSpaceSymbol)
      piece.remove_prefix(kSpaceSymbol.size());
    for (size_t i = 0; i < piece.size();) {
      if (piece.substr(i, kSpaceSymbol.size()) == kSpaceSymbol) {
        text += ' ';
        i += kSpaceSymbol.size();
      } else {
        text += piece[i++];
      }
    }
  }
  flush_bytes();
  return text;
}

}  // namespace attnscope
