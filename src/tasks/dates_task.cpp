// The dates task: random dates in one of nine human formats, mixed letter case, optional noise.
#include <algorithm>

#include "tasks/dates.h"
#include "tasks/random.h"

namespace attnscope {

namespace {

const int64_t kFirstDay = days_from_civil(2000, 1, 1);
const int64_t kLastDay = days_from_civil(2024, 1, 1);  // inclusive, as in the seed

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

class DatesTask : public Task {
 public:
  std::string name() const override { return "dates"; }

  Example sample(Rng& rng, bool noisy) const override {
    int y, m, d;
    civil_from_days(uniform_int(rng, kFirstDay, kLastDay), y, m, d);
    std::string text = format_date(y, m, d, static_cast<int>(uniform_below(rng, kDateFormats)));
    if (noisy) text = add_date_noise(text, rng);
    // Users type any case; normalize_input folds it, and held-out inputs keep it to prove that.
    const uint64_t style = uniform_below(rng, 4);  // Title half the time, else lower or UPPER
    if (style == 2) std::transform(text.begin(), text.end(), text.begin(), ascii_lower);
    if (style == 3) std::transform(text.begin(), text.end(), text.begin(), ascii_upper);
    return {text, machine_date(y, m, d)};
  }

  // ASCII lower case, runs of white space as one space, no leading or trailing space.
  std::string normalize_input(const std::string& text) const override {
    std::string out;
    bool space = false;
    for (char c : text) {
      if (is_space(c)) {
        space = !out.empty();
        continue;
      }
      if (space) out += ' ';
      space = false;
      out += ascii_lower(c);
    }
    return out;
  }

  // All of a-z, not only the letters of the names, so whatever a user types stays in vocabulary.
  std::string input_alphabet() const override { return "abcdefghijklmnopqrstuvwxyz0123456789 ,"; }
  std::string output_alphabet() const override { return "0123456789-"; }

  // The longest name pair in the longest format, plus the one letter a doubling typo adds.
  size_t max_input_length() const override {
    size_t longest = 0;
    for (int f = 0; f < kDateFormats; ++f)
      for (int m = 1; m <= 12; ++m)
        for (int dd = 22; dd <= 28; ++dd)  // two-digit days, all seven weekdays, valid in February
          longest = std::max(longest, format_date(2000, m, dd, f).size());
    return longest + 1;
  }
  size_t max_output_length() const override { return 10; }  // DD-MM-YYYY

  std::vector<std::string> demo_inputs() const override {
    return {"Thrusday, October 13 2011", "28 March 2005"};
  }
};

}  // namespace

std::unique_ptr<Task> make_dates_task() { return std::make_unique<DatesTask>(); }

}  // namespace attnscope
