// tokenizer.json's added_tokens: strings cut out of the text whole, before the model sees it, as
// tokenizers' AddedVocabulary does. Tokens with "normalized": false are found in the raw text,
// those with true in each normalized segment (their content normalized first); at one position
// the longest token wins, and the search goes on after it. "single_word" keeps a match only
// between non-word characters; "lstrip"/"rstrip" take the whitespace before/after it into it.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace attnscope::hf {

struct AddedToken {
  std::string content;
  int id = -1;
  bool single_word = false, lstrip = false, rstrip = false, normalized = true, special = false;
};

struct Segment {
  std::string_view text;  // plain text; empty for a token
  int id = -1;            // the token's id, or -1 for plain text
  size_t offset = 0;      // byte offset of `text` in the searched string
};

class AddedTokens {
 public:
  // `normalize` rewrites the content of tokens with normalized: true (null: no normalizer).
  AddedTokens(std::vector<AddedToken> tokens, const std::function<void(std::string&)>& normalize);
  const std::vector<AddedToken>& tokens() const { return tokens_; }
  // Cuts `text` by the tokens whose "normalized" flag equals `normalized`.
  std::vector<Segment> split(std::string_view text, bool normalized) const;

 private:
  std::vector<AddedToken> tokens_;
  // Per set (raw, normalized) and first byte: (pattern, token index), longest pattern first.
  std::vector<std::pair<std::string, size_t>> by_byte_[2][256];
};

}  // namespace attnscope::hf
