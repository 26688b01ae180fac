#include "io/background_writer.h"

#include <string_view>

namespace attnscope {

BackgroundWriter::BackgroundWriter(AtomicFile& file, size_t capacity, size_t buffers) : file_(file), capacity_(capacity) {
  for (size_t i = 0; i < buffers; ++i) free_.push_back({std::make_unique<char[]>(capacity), 0});
  thread_ = std::thread([this] { run(); });
}

BackgroundWriter::~BackgroundWriter() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

BackgroundWriter::Buffer BackgroundWriter::take() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return !free_.empty(); });
  Buffer b = std::move(free_.back());
  free_.pop_back();
  b.size = 0;
  return b;
}

void BackgroundWriter::put(Buffer b) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queued_.push_back(std::move(b));
  }
  changed_.notify_all();
}

void BackgroundWriter::finish() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return queued_.empty() && !writing_; });
}

void BackgroundWriter::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return stop_ || !queued_.empty(); });
    if (queued_.empty()) return;  // stopped, and everything is written
    Buffer b = std::move(queued_.front());
    queued_.pop_front();
    writing_ = true;
    lock.unlock();
    // A failed write leaves the stream failed; AtomicFile::commit() reports it.
    file_.write(std::string_view(b.data.get(), b.size));
    lock.lock();
    writing_ = false;
    free_.push_back(std::move(b));
    changed_.notify_all();
  }
}

}  // namespace attnscope
