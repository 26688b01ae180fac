#include "core/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <utility>

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

Progress::Progress(bool enabled, double budget_seconds, std::string metric)
    : enabled_(enabled), tty_(::isatty(STDERR_FILENO)), total_(0), budget_(budget_seconds), metric_(std::move(metric)),
      last_(std::chrono::steady_clock::now()) {}

void Progress::set_elapsed(double seconds) { elapsed_ = seconds; }

std::string Progress::line(int64_t step, double loss, double acc, double rate) const {
  char buf[200];
  if (!metric_.empty()) {  // a time budget and a score (translation: validation BLEU)
    const double left = std::max(0.0, budget_ - elapsed_);
    std::snprintf(buf, sizeof buf, "step %lld  %3.0f%% of %s  loss %.4f  %s %5.2f  %.2f steps/s  ETA <=%s",
                  static_cast<long long>(step), budget_ > 0 ? 100.0 * elapsed_ / budget_ : 0.0, format_duration(budget_).c_str(),
                  loss, metric_.c_str(), acc, rate, format_duration(left).c_str());
    return buf;
  }
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

ProgressBar::ProgressBar(bool enabled, int64_t total, std::string unit)
    : enabled_(enabled),
      tty_(::isatty(STDERR_FILENO)),
      total_(total),
      unit_(std::move(unit)),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

std::string ProgressBar::line(int64_t done) const {
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = secs > 0 ? done / secs : 0;
  char buf[200];
  if (total_ > 0) {
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(kWidth * std::min<int64_t>(done, total_) / total_);
    std::string bar(filled, '#');
    bar.append(kWidth - filled, '-');
    std::snprintf(buf, sizeof buf, "[%s] %lld/%lld %s  %.1f/s  ETA %s", bar.c_str(), static_cast<long long>(done),
                  static_cast<long long>(total_), unit_.c_str(), rate,
                  format_duration(rate > 0 ? (total_ - done) / rate : 0).c_str());
  } else {
    std::snprintf(buf, sizeof buf, "%lld %s  %.1f/s", static_cast<long long>(done), unit_.c_str(), rate);
  }
  return buf;
}

void ProgressBar::update(int64_t done) {
  done_ = done;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (tty_) {
    if (now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    std::fprintf(stderr, "\r\033[K%s", line(done).c_str());
  } else if (total_ > 0) {
    const int decile = static_cast<int>(10 * done / total_);
    if (decile == last_decile_) return;
    last_decile_ = decile;
    std::fprintf(stderr, "%s\n", line(done).c_str());
  }
}

void ProgressBar::done() {
  if (!enabled_) return;
  std::fprintf(stderr, tty_ ? "\r\033[K%s\n" : "%s\n", line(done_).c_str());
}

}  // namespace attnscope
