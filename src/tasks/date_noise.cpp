// Training noise for the dates task: typos in weekday and month names, dropped commas.
#include <cctype>
#include <string>
#include <unordered_map>
#include <vector>

#include "tasks/dates.h"
#include "tasks/random.h"

namespace attnscope {

namespace {

constexpr double kTypoProbability = 0.3;
constexpr double kDropCommaProbability = 0.1;
constexpr int kTypoAttempts = 8;  // redraws when a typo would make a name ambiguous

enum class Typo { Drop, Double, Swap };
constexpr Typo kTypos[] = {Typo::Drop, Typo::Double, Typo::Swap};

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// Applies one typo at position i (Swap exchanges i and i+1); the caller keeps i in range.
std::string apply_typo(const std::string& word, Typo typo, size_t i) {
  std::string out = word;
  switch (typo) {
    case Typo::Drop: out.erase(i, 1); break;
    case Typo::Double: out.insert(i, 1, word[i]); break;
    case Typo::Swap: std::swap(out[i], out[i + 1]); break;
  }
  return out;
}

size_t typo_positions(const std::string& word, Typo typo) {
  if (typo == Typo::Drop) return word.size() > 1 ? word.size() : 0;  // keep at least one letter
  if (typo == Typo::Swap) return word.size() > 1 ? word.size() - 1 : 0;
  return word.size();
}

// For every lower-case spelling within one typo of a name (full or three-letter, months and
// weekdays), the set of names it could come from: bit m-1 for month m, bit 12+w for weekday w.
struct NameTable {
  std::unordered_map<std::string, uint32_t> owner;     // clean names only
  std::unordered_map<std::string, uint32_t> reachable;  // clean names and all one-typo spellings

  NameTable() {
    auto add = [&](const std::string& name, uint32_t bit) {
      for (const std::string& form : {lower(name), lower(name.substr(0, 3))}) {
        owner[form] |= bit;
        reachable[form] |= bit;
        for (Typo typo : kTypos)
          for (size_t i = 0; i < typo_positions(form, typo); ++i)
            reachable[apply_typo(form, typo, i)] |= bit;
      }
    };
    for (int m = 1; m <= 12; ++m) add(month_name(m), 1u << (m - 1));
    for (int w = 0; w < 7; ++w) add(weekday_name(w), 1u << (12 + w));
  }
};

const NameTable& names() {
  static const NameTable table;
  return table;
}

// One typo in a randomly chosen name of `text`, or `text` unchanged if it has no names or every
// drawn typo was ambiguous.
std::string typo_in_a_name(const std::string& text, Rng& rng) {
  std::vector<std::pair<size_t, size_t>> words;  // [begin, end) of each run of letters
  for (size_t i = 0; i < text.size();) {
    if (!is_letter(text[i])) { ++i; continue; }
    size_t j = i;
    while (j < text.size() && is_letter(text[j])) ++j;
    words.push_back({i, j});
    i = j;
  }
  if (words.empty()) return text;
  const auto [begin, end] = words[uniform_below(rng, words.size())];
  const std::string word = text.substr(begin, end - begin);
  const auto owner = names().owner.find(lower(word));
  if (owner == names().owner.end()) return text;  // not a name we know: leave it alone
  for (int attempt = 0; attempt < kTypoAttempts; ++attempt) {
    const Typo typo = kTypos[uniform_below(rng, 3)];
    const size_t positions = typo_positions(word, typo);
    if (positions == 0) continue;
    const std::string typed = apply_typo(word, typo, uniform_below(rng, positions));
    if (names().reachable.at(lower(typed)) == owner->second)
      return text.substr(0, begin) + typed + text.substr(end);
  }
  return text;
}

}  // namespace

std::string add_date_noise(const std::string& text, Rng& rng) {
  std::string out = chance(rng, kTypoProbability) ? typo_in_a_name(text, rng) : text;
  if (chance(rng, kDropCommaProbability)) {
    std::vector<size_t> commas;
    for (size_t i = 0; i < out.size(); ++i)
      if (out[i] == ',') commas.push_back(i);
    if (!commas.empty()) out.erase(commas[uniform_below(rng, commas.size())], 1);
  }
  return out;
}

}  // namespace attnscope
