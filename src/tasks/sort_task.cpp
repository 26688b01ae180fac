#include "tasks/sort_task.h"

#include <algorithm>

#include "tasks/random.h"

namespace attnscope {

namespace {

constexpr int64_t kMinDigits = 3;
constexpr int64_t kMaxDigits = 10;

std::string join_digits(const std::string& digits, bool commas) {
  if (!commas) return digits;
  std::string out;
  for (char c : digits) {
    if (!out.empty()) out += ", ";
    out += c;
  }
  return out;
}

class SortTask : public Task {
 public:
  std::string name() const override { return "sort"; }

  Example sample(Rng& rng, bool /*noisy: no noise for sort*/) const override {
    std::string digits(static_cast<size_t>(uniform_int(rng, kMinDigits, kMaxDigits)), '0');
    for (char& c : digits) c = static_cast<char>('0' + uniform_below(rng, 10));
    const std::string input = join_digits(digits, chance(rng, 0.5));
    return {input, sort_digits(input)};
  }

  std::string input_alphabet() const override { return "0123456789, "; }
  std::string output_alphabet() const override { return "0123456789, "; }
  size_t max_input_length() const override { return 3 * kMaxDigits - 2; }  // "d, " each but the last
  size_t max_output_length() const override { return 3 * kMaxDigits - 2; }
  std::vector<std::string> demo_inputs() const override {
    return {"1, 9, 4, 3, 8, 7, 5, 6", "52817"};
  }
};

}  // namespace

std::string sort_digits(const std::string& text) {
  std::string digits;
  for (char c : text)
    if (c >= '0' && c <= '9') digits += c;
  std::sort(digits.begin(), digits.end());
  return join_digits(digits, text.find(',') != std::string::npos);
}

std::unique_ptr<Task> make_sort_task() { return std::make_unique<SortTask>(); }

}  // namespace attnscope
