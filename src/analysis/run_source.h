// A source of runs: the i-th sentence's attention, whatever produces it (a model asked through
// the Model interface, or saved .attn.safetensors files). Corpus drivers (stats) read it.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "core/attention_set.h"

namespace attnscope {

class RunSource {
 public:
  virtual ~RunSource() = default;
  virtual size_t size() const = 0;
  virtual AttentionRun run(size_t i) = 0;
};

// Runs computed on demand by `produce(i)` (a model over the lines of a corpus).
class ComputedRuns : public RunSource {
 public:
  ComputedRuns(size_t n, std::function<AttentionRun(size_t)> produce) : n_(n), produce_(std::move(produce)) {}
  size_t size() const override { return n_; }
  AttentionRun run(size_t i) override { return produce_(i); }

 private:
  size_t n_;
  std::function<AttentionRun(size_t)> produce_;
};

// Every run of some saved sets, in order. Throws naming a file that holds no runs.
class SavedRuns : public RunSource {
 public:
  explicit SavedRuns(const std::vector<std::string>& files);
  size_t size() const override { return runs_.size(); }
  AttentionRun run(size_t i) override { return runs_[i]; }

 private:
  std::vector<AttentionRun> runs_;
};

}  // namespace attnscope
