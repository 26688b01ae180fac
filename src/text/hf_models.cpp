// tokenizer.json models: the factory, WordPiece (BERT's greedy longest match, shared with
// text/wordpiece_tokenizer) and Unigram (tokenizers' encode_optimized: the Viterbi over piece
// scores in double precision, unknown characters at min score - 10 and fused into one piece, then
// with byte_fallback an unknown piece as its bytes). BPE is in text/hf_bpe_model.cpp.
#include <cfloat>
#include <cmath>
#include <mutex>

#include "core/utf8.h"
#include "text/hf_components.h"
#include "text/wordpiece_tokenizer.h"

namespace attnscope::hf {

namespace {

constexpr int kMaxId = 1 << 24;

class WordPiece : public Model {
 public:
  std::string prefix = "##";
  size_t max_chars = 100;
  int unk_id = -1;
  std::string kind() const override { return "WordPiece"; }
  void tokenize(std::string_view word, std::vector<int>& out) const override {
    const std::vector<int> r = greedy_wordpiece(word, ids, prefix, max_chars, unk_id);
    out.insert(out.end(), r.begin(), r.end());
  }
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class Unigram : public Model {
 public:
  std::vector<double> scores;  // by id
  std::unordered_map<std::string, int, StringHash, std::equal_to<>> lookup;
  size_t max_piece_bytes = 0;
  int unk_id = -1;
  bool byte_fallback = false;
  double min_score = 0;
  std::array<int, 256> byte_ids{};
  std::string file;

  std::string kind() const override { return byte_fallback ? "Unigram, byte fallback" : "Unigram"; }

  void tokenize(std::string_view word, std::vector<int>& out) const override {
    if (word.empty()) return;
    struct Node {
      int id = -1;
      double score = 0;
      int starts_at = -1;
    };
    const size_t size = word.size();
    const double unk_score = min_score - 10.0;
    std::vector<Node> best(size + 1);
    for (size_t start = 0; start < size;) {
      const double here = best[start].score;
      const size_t mblen = next_utf8(word, start).size;
      bool single = false;
      const size_t max_len = std::min(max_piece_bytes, size - start);
      for (size_t len = 1; len <= max_len; ++len) {
        const auto it = lookup.find(word.substr(start, len));
        if (it == lookup.end()) continue;
        Node& target = best[start + len];
        const double candidate = scores[static_cast<size_t>(it->second)] + here;
        if (target.starts_at < 0 || candidate > target.score) target = {it->second, candidate, static_cast<int>(start)};
        if (len == mblen) single = true;
      }
      if (!single) {
        if (unk_id < 0) fail(file, "model Unigram: a character that is no piece, and no unk_id");
        Node& target = best[start + mblen];
        const double candidate = unk_score + here;
        if (target.starts_at < 0 || candidate > target.score) target = {unk_id, candidate, static_cast<int>(start)};
      }
      start += mblen;
    }
    // Back from the end; runs of unknown pieces fused.
    std::vector<std::pair<std::string_view, int>> path;
    for (size_t end = size; end > 0;) {
      const Node& node = best[end];
      const size_t start = static_cast<size_t>(node.starts_at);
      const std::string_view piece = word.substr(start, end - start);
      if (node.id == unk_id && !path.empty() && path.back().second == unk_id)
        path.back().first = std::string_view(piece.data(), piece.size() + path.back().first.size());
      else
        path.emplace_back(piece, node.id);
      end = start;
    }
    for (size_t i = path.size(); i-- > 0;) {
      const auto& [piece, id] = path[i];
      if (id != unk_id) {  // a piece the search found: its id is the lookup's
        out.push_back(id);
        continue;
      }
      // A fused run of unknowns is looked up again (tokenizers' token_to_ids): it may be a piece.
      const auto it = lookup.find(piece);
      if (it != lookup.end()) {
        out.push_back(it->second);
        continue;
      }
      bool bytes = byte_fallback;
      for (unsigned char b : piece) bytes = bytes && byte_ids[b] >= 0;
      if (bytes) {
        for (unsigned char b : piece) out.push_back(byte_ids[b]);
        continue;
      }
      out.push_back(id);
    }
  }
};

int id_value(const json& v, const std::string& file, const std::string& where, const std::string& piece) {
  if (!v.is_number_integer() || v.get<long long>() < 0 || v.get<long long>() >= kMaxId)
    fail(file, where + ": the id of \"" + piece + "\" is not an integer 0.." + std::to_string(kMaxId - 1));
  return v.get<int>();
}

}  // namespace

void read_vocab_object(const json& vocab, const std::string& file, const std::string& where, Model& m) {
  if (!vocab.is_object() || vocab.empty()) fail(file, where + ": \"vocab\" is not a non-empty object {piece: id}");
  for (const auto& [piece, v] : vocab.items()) {
    const int id = id_value(v, file, where, piece);
    if (static_cast<size_t>(id) >= m.pieces.size()) m.pieces.resize(static_cast<size_t>(id) + 1);
    if (!m.ids.emplace(piece, id).second) fail(file, where + ": \"" + piece + "\" is in the vocabulary twice");
    m.pieces[static_cast<size_t>(id)] = piece;
  }
  if (m.ids.size() != vocab.size()) fail(file, where + ": a piece is in the vocabulary twice");
  std::vector<char> seen(m.pieces.size(), 0);
  for (const auto& [piece, id] : m.ids) {
    if (seen[static_cast<size_t>(id)]) fail(file, where + ": id " + std::to_string(id) + " is given to two pieces");
    seen[static_cast<size_t>(id)] = 1;
  }
}

std::unique_ptr<Model> make_model(const json& obj, const std::string& file) {
  if (!obj.is_object()) fail(file, "no \"model\" object");
  // Files written by old tokenizers versions have no model "type": tell them apart by their fields.
  std::string type = obj.contains("type") ? type_of(obj, file, "model") : "";
  if (type.empty()) {
    if (obj.contains("merges")) type = "BPE";
    else if (obj.contains("vocab") && obj["vocab"].is_array()) type = "Unigram";
    else if (obj.contains("continuing_subword_prefix") || obj.contains("max_input_chars_per_word")) type = "WordPiece";
    else fail(file, "model without a \"type\"");
  }
  const std::string where = "model " + type;
  if (type == "BPE") return make_bpe_model(obj, file);
  if (type == "WordPiece") {
    auto m = std::make_unique<WordPiece>();
    if (!obj.contains("vocab")) fail(file, where + ": no \"vocab\"");
    read_vocab_object(obj["vocab"], file, where, *m);
    m->prefix = string_field(obj, "continuing_subword_prefix", file, where, "##");
    if (obj.contains("max_input_chars_per_word")) {
      if (!obj["max_input_chars_per_word"].is_number_unsigned()) fail(file, where + ": \"max_input_chars_per_word\" is not a count");
      m->max_chars = obj["max_input_chars_per_word"].get<size_t>();
    }
    const std::string unk = string_field(obj, "unk_token", file, where, "[UNK]");
    const auto it = m->ids.find(unk);
    if (it == m->ids.end()) fail(file, where + ": unk_token \"" + unk + "\" is not in the vocabulary");
    m->unk_id = it->second;
    return m;
  }
  if (type == "Unigram") {
    auto m = std::make_unique<Unigram>();
    m->file = file;
    if (!obj.contains("vocab") || !obj["vocab"].is_array() || obj["vocab"].empty())
      fail(file, where + ": \"vocab\" is not a non-empty list of [piece, score]");
    m->min_score = INFINITY;
    for (const json& e : obj["vocab"]) {
      if (!e.is_array() || e.size() != 2 || !e[0].is_string() || !e[1].is_number())
        fail(file, where + ": vocabulary entry " + std::to_string(m->pieces.size()) + " is not [piece, score]");
      const std::string piece = e[0].get<std::string>();
      const int id = static_cast<int>(m->pieces.size());
      if (!m->ids.emplace(piece, id).second) fail(file, where + ": \"" + piece + "\" is in the vocabulary twice");
      m->lookup.emplace(piece, id);
      m->pieces.push_back(piece);
      m->scores.push_back(e[1].get<double>());
      m->min_score = std::min(m->min_score, m->scores.back());
      m->max_piece_bytes = std::max(m->max_piece_bytes, piece.size());
    }
    if (obj.contains("unk_id") && !obj["unk_id"].is_null()) {
      const int unk = id_value(obj["unk_id"], file, where, "unk_id");
      if (static_cast<size_t>(unk) >= m->pieces.size()) fail(file, where + ": unk_id " + std::to_string(unk) + " is outside the vocabulary");
      m->unk_id = unk;
    }
    m->byte_fallback = bool_field(obj, "byte_fallback", file, where, false);
    static const char* kHex = "0123456789ABCDEF";
    for (int b = 0; b < 256; ++b) {
      const auto it = m->ids.find(std::string("<0x") + kHex[b >> 4] + kHex[b & 15] + ">");
      m->byte_ids[static_cast<size_t>(b)] = it == m->ids.end() ? -1 : it->second;
    }
    return m;
  }
  fail(file, "model type \"" + type + "\" is not supported");
}

}  // namespace attnscope::hf
