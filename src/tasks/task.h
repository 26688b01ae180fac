// Toy sequence-to-sequence tasks of seed 003: reverse, shift-left:K, shift-right:K, sort, dates.
// Each task draws examples from a seeded generator; held-out examples are fixed by the seed and
// never appear in training (training draws reject them).
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

namespace attnscope {

using Rng = std::mt19937_64;

struct Example {
  std::string input;   // as a user would type it
  std::string output;  // the exact expected answer
};

class Task {
 public:
  virtual ~Task() = default;
  virtual std::string name() const = 0;  // canonical spec, e.g. "shift-left:4"
  // One random example. `noisy` adds the training-time noise some tasks use (dates: typos in
  // weekday and month names); held-out examples are drawn clean.
  virtual Example sample(Rng& rng, bool noisy) const = 0;
  // Applied to any input before tokenisation, in training and at run time (dates: lower-case,
  // so any letter case works).
  virtual std::string normalize_input(const std::string& text) const { return text; }
  // Characters the model's input and output vocabularies must hold.
  virtual std::string input_alphabet() const = 0;
  virtual std::string output_alphabet() const = 0;
  virtual size_t max_input_length() const = 0;   // longest input sample() can produce, in chars
  virtual size_t max_output_length() const = 0;
  // Two example inputs from the seed (used by `make run`).
  virtual std::vector<std::string> demo_inputs() const = 0;
};

// Parses "reverse", "shift-left:K", "shift-right:K", "sort", "dates"; min/max length apply to
// reverse and shift (default 5-12). Throws std::invalid_argument naming the bad spec.
std::unique_ptr<Task> make_task(const std::string& spec, size_t min_len = 5, size_t max_len = 12);
std::vector<std::string> task_names();  // for --help and error messages

// Held-out set plus a training stream disjoint from it.
class TaskData {
 public:
  TaskData(const Task& task, uint64_t seed, size_t heldout_size = 1000);
  const std::vector<Example>& heldout() const { return heldout_; }
  Example next_train();  // never returns an input (normalised) that is in heldout()

 private:
  const Task& task_;
  Rng rng_;
  std::vector<Example> heldout_;
  std::unordered_set<std::string> heldout_inputs_;
};

}  // namespace attnscope
