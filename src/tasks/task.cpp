// Task spec parsing and the held-out/training split shared by every task.
#include "tasks/task.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "tasks/dates.h"
#include "tasks/letter_tasks.h"
#include "tasks/sort_task.h"

namespace attnscope {

namespace {

constexpr size_t kHeldoutAttemptsPerExample = 50;  // then the task is too small for the set
constexpr size_t kMaxTrainRejections = 100000;     // in a row: held-out covers (nearly) all inputs

std::string valid_tasks() {
  std::string out;
  for (const std::string& name : task_names()) out += (out.empty() ? "" : ", ") + name;
  return "valid tasks: " + out;
}

// K of "shift-left:K": a positive decimal integer and nothing else.
size_t parse_shift(const std::string& spec, const std::string& prefix) {
  const std::string digits = spec.substr(std::min(spec.size(), prefix.size() + 1));
  size_t k = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), k);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || k == 0)
    throw std::invalid_argument("task '" + spec + "': K must be a positive integer, as in " +
                                prefix + ":4 (" + valid_tasks() + ")");
  return k;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// Held-out and training streams come from different seeds derived from one (splitmix64 finaliser).
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

std::vector<std::string> task_names() {
  return {"reverse", "shift-left:K", "shift-right:K", "sort", "dates"};
}

std::unique_ptr<Task> make_task(const std::string& spec, size_t min_len, size_t max_len) {
  if (spec == "reverse") return make_letter_task(LetterOp::Reverse, 0, min_len, max_len);
  if (spec == "sort") return make_sort_task();
  if (spec == "dates") return make_dates_task();
  if (spec == "shift-left" || starts_with(spec, "shift-left:"))
    return make_letter_task(LetterOp::ShiftLeft, parse_shift(spec, "shift-left"), min_len, max_len);
  if (spec == "shift-right" || starts_with(spec, "shift-right:"))
    return make_letter_task(LetterOp::ShiftRight, parse_shift(spec, "shift-right"), min_len,
                            max_len);
  throw std::invalid_argument("unknown task '" + spec + "' (" + valid_tasks() + ")");
}

TaskData::TaskData(const Task& task, uint64_t seed, size_t heldout_size)
    : task_(task), rng_(mix(seed)) {
  Rng heldout_rng(seed);
  const size_t max_attempts = kHeldoutAttemptsPerExample * heldout_size + 1000;
  for (size_t attempt = 0; heldout_.size() < heldout_size; ++attempt) {
    if (attempt == max_attempts)
      throw std::invalid_argument("task '" + task.name() + "' gave only " +
                                  std::to_string(heldout_.size()) + " distinct inputs in " +
                                  std::to_string(max_attempts) + " draws; cannot hold out " +
                                  std::to_string(heldout_size));
    Example example = task.sample(heldout_rng, /*noisy=*/false);
    if (heldout_inputs_.insert(task.normalize_input(example.input)).second)
      heldout_.push_back(std::move(example));
  }
}

Example TaskData::next_train() {
  for (size_t rejected = 0; rejected < kMaxTrainRejections; ++rejected) {
    Example example = task_.sample(rng_, /*noisy=*/true);
    if (!heldout_inputs_.count(task_.normalize_input(example.input))) return example;
  }
  throw std::runtime_error("task '" + task_.name() + "': " + std::to_string(kMaxTrainRejections) +
                           " training draws in a row were held-out inputs; the held-out set (" +
                           std::to_string(heldout_.size()) + ") covers the task");
}

}  // namespace attnscope
