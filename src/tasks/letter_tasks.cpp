#include "tasks/letter_tasks.h"

#include <algorithm>
#include <stdexcept>

#include "tasks/random.h"

namespace attnscope {

namespace {

constexpr char kLetters[] = "abcdefghijklmnopqrstuvwxyz";
constexpr size_t kLetterCount = sizeof(kLetters) - 1;

class LetterTask : public Task {
 public:
  LetterTask(LetterOp op, size_t k, size_t min_len, size_t max_len)
      : op_(op), k_(k), min_len_(min_len), max_len_(max_len) {}

  std::string name() const override {
    switch (op_) {
      case LetterOp::Reverse: return "reverse";
      case LetterOp::ShiftLeft: return "shift-left:" + std::to_string(k_);
      case LetterOp::ShiftRight: return "shift-right:" + std::to_string(k_);
    }
    return "";
  }

  Example sample(Rng& rng, bool /*noisy: no noise for letter tasks*/) const override {
    std::string input(static_cast<size_t>(uniform_int(rng, min_len_, max_len_)), 'a');
    for (char& c : input) c = kLetters[uniform_below(rng, kLetterCount)];
    return {input, apply(input)};
  }

  std::string input_alphabet() const override { return kLetters; }
  std::string output_alphabet() const override { return kLetters; }
  size_t max_input_length() const override { return max_len_; }
  size_t max_output_length() const override { return max_len_; }
  std::vector<std::string> demo_inputs() const override { return {"monojitcnn", "attention"}; }

 private:
  std::string apply(const std::string& text) const {
    switch (op_) {
      case LetterOp::Reverse: return reverse_text(text);
      case LetterOp::ShiftLeft: return rotate_left(text, k_);
      case LetterOp::ShiftRight: return rotate_right(text, k_);
    }
    return text;
  }

  LetterOp op_;
  size_t k_;
  size_t min_len_, max_len_;
};

}  // namespace

std::string reverse_text(const std::string& text) { return {text.rbegin(), text.rend()}; }

std::string rotate_left(const std::string& text, size_t k) {
  if (k > text.size())
    throw std::invalid_argument("rotate_left: k=" + std::to_string(k) + " exceeds length " +
                                std::to_string(text.size()) + " of '" + text + "'");
  return text.substr(k) + text.substr(0, k);
}

std::string rotate_right(const std::string& text, size_t k) {
  if (k > text.size())
    throw std::invalid_argument("rotate_right: k=" + std::to_string(k) + " exceeds length " +
                                std::to_string(text.size()) + " of '" + text + "'");
  return rotate_left(text, text.size() - k);
}

std::unique_ptr<Task> make_letter_task(LetterOp op, size_t k, size_t min_len, size_t max_len) {
  if (min_len < 1 || max_len < min_len)
    throw std::invalid_argument("word lengths must satisfy 1 <= min <= max (got min " +
                                std::to_string(min_len) + ", max " + std::to_string(max_len) + ")");
  if (op != LetterOp::Reverse && (k < 1 || k >= min_len)) {
    const std::string spec = (op == LetterOp::ShiftLeft ? "shift-left:" : "shift-right:") +
                             std::to_string(k);
    throw std::invalid_argument("task '" + spec + "': K must be at least 1 and smaller than the " +
                                "minimum word length " + std::to_string(min_len) +
                                ", so every example moves letters");
  }
  return std::make_unique<LetterTask>(op, k, min_len, max_len);
}

}  // namespace attnscope
