// Character vocabulary for the toy tasks: one token per character, plus the specials.
#pragma once

#include <string>
#include <vector>

#include "text/vocab.h"

namespace attnscope {

class CharVocab : public Vocab {
 public:
  CharVocab() = default;
  explicit CharVocab(const std::string& alphabet);  // duplicate characters are ignored

  int size() const override { return static_cast<int>(chars_.size()) + 3; }
  const std::string& alphabet() const { return chars_; }
  // Ids of the characters of `text`; throws std::invalid_argument naming the first character
  // outside the vocabulary and its position.
  std::vector<int> encode(const std::string& text) const override;
  std::string decode(const std::vector<int>& ids) const override;  // stops at </s>, skips specials
  std::string token(int id) const override;                         // display string: "a", " ", "</s>"

 private:
  std::string chars_;
  int index_[256] = {};
};

}  // namespace attnscope
