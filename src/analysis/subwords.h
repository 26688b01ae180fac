// Subword pieces -> words, for display and word-level analysis.
//
// Conventions (set.meta["subword"], or detected from the tokens):
//   "bpe@@"          subword-nmt: a piece ending in "@@" continues into the next ("physi@@ kalischen")
//   "sentencepiece"  "▁" (U+2581) starts a word ("▁Was", "▁grund", "legenden")
//   "gpt2"           byte-level BPE: "Ġ" (U+0120) starts a word ("Ġthe", "Ġphys", "ical")
//   "wordpiece"      BERT: "##" continues the previous piece ("play", "##ing")
//   "none"           every token is a word
// Special tokens ("<s>", "</s>", "[CLS]", "<|endoftext|>", "<ENV>") are always words of their own.
//
// Merging attention [Q, K] over pieces into [Wq, Wk] over words SUMS over the key pieces of a
// word (the attention a query gives the whole word) and takes the MEAN over the query pieces of a
// word (each piece's distribution counts once), so rows that summed to 1 still sum to 1.
// The web viewer and alignment code reuse this; figures must state the transform.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace attnscope {

enum class SubwordStyle { None, BpeSuffix, SentencePiece, Gpt2, WordPiece };

SubwordStyle subword_style(const std::string& name);  // meta names above; throws std::invalid_argument
std::string subword_style_name(SubwordStyle style);
// Looks for the markers; the convention with the most marked pieces wins, None if no marker.
SubwordStyle detect_subword_style(const std::vector<std::string>& tokens);
bool is_special_token(const std::string& token);

struct WordGroups {
  std::vector<std::string> words;     // display text, markers removed ("physikalischen")
  std::vector<size_t> word_of_piece;  // [pieces] -> index into words
  std::vector<size_t> piece_count;    // [words] how many pieces each word has
};

WordGroups group_words(const std::vector<std::string>& pieces, SubwordStyle style);

// w: [q_pieces, k_pieces] row-major, q_pieces = rows.word_of_piece.size(), likewise keys.
// Returns [rows.words.size(), cols.words.size()]: sum over key pieces, mean over query pieces.
std::vector<float> merge_pieces(const float* w, const WordGroups& rows, const WordGroups& cols);

inline constexpr const char* kMergeStatement = "subwords merged into words (sum over keys, mean over queries)";

}  // namespace attnscope
