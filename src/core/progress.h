// A live progress line for long work (training, corpus statistics): step, loss, accuracy,
// rate and ETA, redrawn in place on a terminal and printed as plain lines otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace attnscope {

class Progress {
 public:
  Progress(bool enabled, int64_t total_steps);
  // Time-budgeted work with a named score instead of held-out accuracy ("BLEU 31.20"); the ETA
  // is the budget left, from set_elapsed().
  Progress(bool enabled, double budget_seconds, std::string metric);
  void set_elapsed(double seconds);
  // Redraws at most a few times a second (terminal only).
  void update(int64_t step, double loss, double acc, double steps_per_second);
  // After an evaluation: always shown (a new line when not on a terminal).
  void checkpoint(int64_t step, double loss, double acc, double steps_per_second);
  void done();  // ends the line

 private:
  std::string line(int64_t step, double loss, double acc, double steps_per_second) const;
  bool enabled_, tty_;
  int64_t total_;
  double budget_ = 0, elapsed_ = 0;
  std::string metric_;  // empty: step-counted with held-out accuracy
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_;
};

// A bar for counted work (sentences of a corpus, files): "[#####-----] 120/400 sentences
// 45.1/s ETA 6s", redrawn in place on a terminal, a line every 10% otherwise. total 0 = unknown.
class ProgressBar {
 public:
  ProgressBar(bool enabled, int64_t total, std::string unit);
  void update(int64_t done);
  void done();  // final state and a newline

 private:
  std::string line(int64_t done) const;
  bool enabled_, tty_;
  int64_t total_;
  std::string unit_;
  int last_decile_ = -1;
  int64_t done_ = 0;
  std::chrono::steady_clock::time_point start_, last_;
};

std::string format_duration(double seconds);  // "42s", "3m05s", "1h02m"

}  // namespace attnscope
