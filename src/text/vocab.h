// The token vocabulary of a trainable model, behind one face: characters for the toy tasks
// (CharVocab), BPE pieces for translation (SubwordVocab). Ids 0..2 are the same specials in both.
#pragma once

#include <string>
#include <vector>

namespace attnscope {

class Vocab {
 public:
  static constexpr int kPad = 0, kBos = 1, kEos = 2;
  static constexpr const char* kEosToken = "</s>";

  virtual ~Vocab() = default;
  virtual int size() const = 0;
  // Ids of `text`; throws std::invalid_argument naming what cannot be encoded.
  virtual std::vector<int> encode(const std::string& text) const = 0;
  // Text of `ids` up to the first </s>, specials skipped (BPE: pieces joined, "@@ " undone).
  virtual std::string decode(const std::vector<int>& ids) const = 0;
  // Display string of one id, as the model saw it ("a", "physi@@", "</s>").
  virtual std::string token(int id) const = 0;
};

}  // namespace attnscope
