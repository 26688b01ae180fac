#include "core/progress.h"

#include <unistd.h>

#include <cstdio>

namespace attnscope {

std::string format_duration(double seconds) {
  if (seconds < 0) seconds = 0;
  const long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%lds", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  return buf;
}

Progress::Progress(bool enabled, int64_t total_steps)
    : enabled_(enabled), tty_(::isatty(STDERR_FILENO)), total_(total_steps), last_(std::chrono::steady_clock::now()) {}

std::string Progress::line(int64_t step, double loss, double acc, double rate) const {
  char buf[200];
  const double eta = rate > 0 ? (total_ - step) / rate : 0;
  std::snprintf(buf, sizeof buf, "step %lld/%lld  %3.0f%%  loss %.4f  held-out %5.1f%%  %.1f steps/s  ETA <=%s",
                static_cast<long long>(step), static_cast<long long>(total_), 100.0 * step / total_, loss, 100.0 * acc,
                rate, format_duration(eta).c_str());
  return buf;
}

void Progress::update(int64_t step, double loss, double acc, double rate) {
  if (!enabled_ || !tty_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  std::fprintf(stderr, "\r\033[K%s", line(step, loss, acc, rate).c_str());
  drawn_ = true;
}

void Progress::checkpoint(int64_t step, double loss, double acc, double rate) {
  if (!enabled_) return;
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s", line(step, loss, acc, rate).c_str());
    drawn_ = true;
  } else {
    std::fprintf(stderr, "%s\n", line(step, loss, acc, rate).c_str());
  }
}

void Progress::done() {
  if (enabled_ && tty_ && drawn_) std::fprintf(stderr, "\n");
  drawn_ = false;
}

}  // namespace attnscope
