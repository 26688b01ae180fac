#include "text/char_vocab.h"

#include <cstdio>
#include <stdexcept>

namespace attnscope {

CharVocab::CharVocab(const std::string& alphabet) {
  for (unsigned char c : alphabet) {
    if (index_[c]) continue;
    chars_.push_back(static_cast<char>(c));
    index_[c] = static_cast<int>(chars_.size()) + 2;  // ids 0..2 are the specials
  }
}

std::vector<int> CharVocab::encode(const std::string& text) const {
  std::vector<int> ids;
  ids.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (!index_[c]) {
      char shown[32];
      if (c >= 0x20 && c < 0x7f)
        std::snprintf(shown, sizeof shown, "character '%c'", c);
      else
        std::snprintf(shown, sizeof shown, "%s byte 0x%02x", c >= 0x80 ? "non-ASCII" : "control", c);
      throw std::invalid_argument(std::string(shown) + " at position " + std::to_string(i) +
                                  " is not in the model's vocabulary (\"" + chars_ + "\")");
    }
    ids.push_back(index_[c]);
  }
  return ids;
}

std::string CharVocab::decode(const std::vector<int>& ids) const {
  std::string out;
  for (int id : ids) {
    if (id == kEos) break;
    if (id >= 3 && id < size()) out.push_back(chars_[id - 3]);
  }
  return out;
}

std::string CharVocab::token(int id) const {
  if (id == kPad) return "<pad>";
  if (id == kBos) return "<s>";
  if (id == kEos) return kEosToken;
  if (id >= 3 && id < size()) return std::string(1, chars_[id - 3]);
  return "<?>";
}

}  // namespace attnscope
