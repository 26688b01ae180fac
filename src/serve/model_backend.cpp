#include "serve/model_backend.h"

#include <stdexcept>

namespace attnscope {

char mask_placeholder(const std::string& alphabet) {
  for (char c : std::string("_*?#. "))
    if (alphabet.find(c) != std::string::npos) return c;
  if (alphabet.empty()) throw std::invalid_argument("this model has no character alphabet to mask with");
  return alphabet.back();
}

std::string masked_input(const std::string& input, const std::vector<long>& positions, char placeholder) {
  std::string out = input;
  for (long p : positions) {
    if (p < 0 || p >= static_cast<long>(input.size()))
      throw std::out_of_range("mask position " + std::to_string(p) + " is outside the input (0-" +
                              std::to_string(input.size() - 1) + "; </s> cannot be masked)");
    out[static_cast<size_t>(p)] = placeholder;
  }
  return out;
}

}  // namespace attnscope
