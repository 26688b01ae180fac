#include "models/decoding/mask_experiment.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "analysis/subwords.h"
#include "core/parse_number.h"
#include "models/model_adapters.h"  // join_indices

namespace attnscope {

namespace {

std::string lower_trimmed(std::string s) {
  const auto first = s.find_first_not_of(" \t\n");
  if (first == std::string::npos) return "";
  s = s.substr(first, s.find_last_not_of(" \t\n") - first + 1);
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "universe." -> "universe": SentencePiece and byte-level BPE glue punctuation to the word before.
std::string without_punctuation(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::ispunct(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::ispunct(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// A piece made only of punctuation (after its word marker): not part of what a word means.
bool is_punctuation_piece(const std::string& piece) {
  const std::string p = lower_trimmed(piece);
  return !p.empty() && without_punctuation(p).empty();
}

size_t parse_index(const std::string& s, const std::string& spec) {
  const std::optional<size_t> index = parse_number<size_t>(s);
  if (!index) throw std::invalid_argument("--mask " + spec + ": expected I:J with token positions I < J (e.g. 3:5)");
  return *index;
}

}  // namespace

MaskSpec MaskSpec::parse_range(const std::string& spec) {
  const auto colon = spec.find(':');
  if (colon == std::string::npos)
    throw std::invalid_argument("--mask " + spec + ": expected I:J with token positions I < J (e.g. 3:5)");
  MaskSpec m;
  m.has_range = true;
  m.begin = parse_index(spec.substr(0, colon), spec);
  m.end = parse_index(spec.substr(colon + 1), spec);
  if (m.begin >= m.end) throw std::invalid_argument("--mask " + spec + ": I must be below J (the range is I..J-1)");
  return m;
}

MaskSpec MaskSpec::parse_words(const std::string& list) {
  MaskSpec m;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = std::min(list.find(',', start), list.size());
    const std::string w = lower_trimmed(list.substr(start, comma - start));
    if (!w.empty()) m.words.push_back(w);
    start = comma + 1;
  }
  if (m.words.empty()) throw std::invalid_argument("--mask-words: no words given (e.g. \"laws,universe\")");
  return m;
}

std::string MaskSpec::describe() const {
  if (has_range) return "tokens " + std::to_string(begin) + ":" + std::to_string(end);
  std::string s = "words ";
  for (size_t i = 0; i < words.size(); ++i) s += (i ? ", " : "") + words[i];
  return s;
}

std::vector<size_t> mask_positions(const std::vector<std::string>& pieces, const std::string& style,
                                   const MaskSpec& spec) {
  std::vector<size_t> out;
  if (spec.has_range) {
    if (spec.end > pieces.size())
      throw std::invalid_argument("--mask " + std::to_string(spec.begin) + ":" + std::to_string(spec.end) +
                                  ": the input has " + std::to_string(pieces.size()) + " tokens (0.." +
                                  std::to_string(pieces.size() - 1) + ")");
    for (size_t i = spec.begin; i < spec.end; ++i) out.push_back(i);
    return out;
  }
  const WordGroups groups = group_words(pieces, subword_style(style));
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (is_special_token(pieces[i])) continue;  // "[SEP]" is no word, even without its brackets
    const std::string word = without_punctuation(lower_trimmed(groups.words[groups.word_of_piece[i]]));
    const bool listed = std::find(spec.words.begin(), spec.words.end(), word) != spec.words.end();
    if (listed && (!is_punctuation_piece(pieces[i]) || groups.piece_count[groups.word_of_piece[i]] == 1)) out.push_back(i);
  }
  if (out.empty()) {
    std::string seen;
    for (const auto& w : groups.words) seen += (seen.empty() ? "" : " ") + w;
    throw std::invalid_argument("--mask-words: none of " + spec.describe().substr(6) + " is a word of the input (" +
                                seen + ")");
  }
  return out;
}

MaskExperiment run_mask_experiment(const Model& model, const Request& base, const std::vector<size_t>& positions,
                                   const std::string& selection) {
  if (positions.empty()) throw std::invalid_argument("nothing to mask: give at least one position");
  const ModelInfo& info = model.info();
  MaskExperiment e;
  e.positions = positions;
  Request plain = base;
  plain.mask.clear();
  plain.record = true;  // both runs are the point of the experiment
  e.original = model.run(plain);
  Request masked = plain;
  masked.mask = positions;
  // The same target on both sides, so the difference compares like with like (an encoder has
  // no target: it reads both inputs once).
  if (info.role != ModelRole::Encoder) {
    masked.forced_output.reset();
    masked.forced_ids = e.original.output_ids;
  }
  e.masked = model.run(masked);

  const std::string where = join_indices(positions);
  const std::string how = selection.empty() ? "tokens " + where : selection + " -> positions " + where;
  std::vector<AttentionRun> runs = {e.original.run, e.masked.run};
  runs[0].name = runs[0].info["role"] = "original";
  runs[1].name = runs[1].info["role"] = "masked";
  runs[1].info["mask"] = how + ": " + runs[1].info["mask"];
  runs[1].info["mask_positions"] = nlohmann::json(positions).dump();  // for the viewer's compare view
  if (info.role != ModelRole::Encoder) runs[1].info["target"] = "forced onto the original run's output";
  e.set = model.to_set(std::move(runs));
  e.set.meta["experiment"] = nlohmann::json{{"kind", "mask"},
                                            {"runs", {"original", "masked"}},
                                            {"selection", selection.empty() ? "tokens " + where : selection},
                                            {"positions", positions},
                                            {"mask_token", info.mask_token},
                                            {"substitute", info.mask_is_substitute},
                                            {"forced", info.role != ModelRole::Encoder}}
                                 .dump();
  return e;
}

}  // namespace attnscope
