#include "serve/connection_threads.h"

#include <algorithm>
#include <memory>
#include <system_error>
#include <thread>

namespace attnscope {

ConnectionThreads::ConnectionThreads(size_t max_threads) : max_(std::max<size_t>(max_threads, 1)) {}

ConnectionThreads::~ConnectionThreads() { shutdown(); }

void ConnectionThreads::enqueue(std::function<void()> fn) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (stopping_) return;
  if (running_ >= max_) {
    waiting_.push_back(std::move(fn));
    return;
  }
  ++running_;
  peak_ = std::max(peak_, running_);
  lock.unlock();
  auto job = std::make_shared<std::function<void()>>(std::move(fn));
  try {
    std::thread([this, job] { work(std::move(*job)); }).detach();
  } catch (const std::system_error&) {  // no thread to be had: the connection waits its turn
    lock.lock();
    --running_;
    waiting_.push_back(std::move(*job));
  }
}

void ConnectionThreads::work(std::function<void()> fn) {
  for (;;) {
    fn();
    std::lock_guard<std::mutex> lock(mutex_);
    if (waiting_.empty()) {
      --running_;
      idle_.notify_all();
      return;
    }
    fn = std::move(waiting_.front());
    waiting_.pop_front();
  }
}

void ConnectionThreads::shutdown() {
  std::unique_lock<std::mutex> lock(mutex_);
  stopping_ = true;
  idle_.wait(lock, [this] { return running_ == 0; });
}

size_t ConnectionThreads::running() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return running_;
}

size_t ConnectionThreads::peak() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return peak_;
}

}  // namespace attnscope
