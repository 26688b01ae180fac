#include "analysis/subwords.h"

#include <stdexcept>

namespace attnscope {
namespace {

const std::string kSpMarker = "\xE2\x96\x81";    // ▁ U+2581
const std::string kGptSpace = "\xC4\xA0";        // Ġ U+0120
const std::string kGptNewline = "\xC4\x8A";      // Ċ U+010A

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }
bool ends_with(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

}  // namespace

SubwordStyle subword_style(const std::string& name) {
  if (name == "none" || name.empty()) return SubwordStyle::None;
  if (name == "bpe@@") return SubwordStyle::BpeSuffix;
  if (name == "sentencepiece") return SubwordStyle::SentencePiece;
  if (name == "gpt2") return SubwordStyle::Gpt2;
  if (name == "wordpiece") return SubwordStyle::WordPiece;
  throw std::invalid_argument("unknown subword convention '" + name +
                              "' (expected none, bpe@@, sentencepiece, gpt2 or wordpiece)");
}

std::string subword_style_name(SubwordStyle style) {
  switch (style) {
    case SubwordStyle::None: return "none";
    case SubwordStyle::BpeSuffix: return "bpe@@";
    case SubwordStyle::SentencePiece: return "sentencepiece";
    case SubwordStyle::Gpt2: return "gpt2";
    case SubwordStyle::WordPiece: return "wordpiece";
  }
  return "none";
}

bool is_special_token(const std::string& t) {
  return t.size() >= 3 && ((t.front() == '<' && t.back() == '>') || (t.front() == '[' && t.back() == ']'));
}

SubwordStyle detect_subword_style(const std::vector<std::string>& tokens) {
  size_t bpe = 0, sp = 0, gpt = 0, wp = 0;
  for (const std::string& t : tokens) {
    if (is_special_token(t)) continue;
    if (t.size() > 2 && ends_with(t, "@@")) ++bpe;
    if (starts_with(t, kSpMarker)) ++sp;
    if (starts_with(t, kGptSpace)) ++gpt;
    if (t.size() > 2 && starts_with(t, "##")) ++wp;
  }
  SubwordStyle best = SubwordStyle::None;
  size_t most = 0;
  for (auto [count, style] : {std::pair{bpe, SubwordStyle::BpeSuffix}, {sp, SubwordStyle::SentencePiece},
                              {gpt, SubwordStyle::Gpt2}, {wp, SubwordStyle::WordPiece}})
    if (count > most) most = count, best = style;
  return best;
}

WordGroups group_words(const std::vector<std::string>& pieces, SubwordStyle style) {
  WordGroups g;
  bool joins_next = false;  // BPE "@@": the previous piece asked to be continued
  for (size_t i = 0; i < pieces.size(); ++i) {
    const std::string& p = pieces[i];
    const bool special = is_special_token(p);
    std::string text = p;
    bool continues = false;  // does this piece extend the current word?
    switch (style) {
      case SubwordStyle::None: break;
      case SubwordStyle::BpeSuffix:
        continues = joins_next && !special;
        joins_next = !special && p.size() > 2 && ends_with(p, "@@");
        if (joins_next) text = p.substr(0, p.size() - 2);
        break;
      case SubwordStyle::SentencePiece:
        if (starts_with(p, kSpMarker)) text = p.substr(kSpMarker.size());
        else continues = !special;
        break;
      case SubwordStyle::Gpt2:
        if (starts_with(p, kGptSpace)) text = p.substr(kGptSpace.size());
        else continues = !special && !starts_with(p, kGptNewline);
        break;
      case SubwordStyle::WordPiece:
        if (!special && p.size() > 2 && starts_with(p, "##")) text = p.substr(2), continues = true;
        break;
    }
    // A special token never joins a word, and nothing joins onto one.
    const bool after_special = i > 0 && is_special_token(pieces[i - 1]);
    if (continues && !g.words.empty() && !after_special) {
      g.words.back() += text;
      ++g.piece_count.back();
    } else {
      g.words.push_back(text);
      g.piece_count.push_back(1);
    }
    g.word_of_piece.push_back(g.words.size() - 1);
  }
  return g;
}

std::vector<float> merge_pieces(const float* w, const WordGroups& rows, const WordGroups& cols) {
  const size_t q = rows.word_of_piece.size(), k = cols.word_of_piece.size();
  const size_t wq = rows.words.size(), wk = cols.words.size();
  std::vector<double> acc(wq * wk, 0.0);
  for (size_t i = 0; i < q; ++i) {
    double* out = acc.data() + rows.word_of_piece[i] * wk;
    const float* in = w + i * k;
    for (size_t j = 0; j < k; ++j) out[cols.word_of_piece[j]] += in[j];  // sum over key pieces
  }
  std::vector<float> merged(wq * wk);
  for (size_t r = 0; r < wq; ++r)
    for (size_t c = 0; c < wk; ++c)  // mean over query pieces
      merged[r * wk + c] = static_cast<float>(acc[r * wk + c] / static_cast<double>(rows.piece_count[r]));
  return merged;
}

}  // namespace attnscope
