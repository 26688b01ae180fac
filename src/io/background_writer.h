// Writes an AtomicFile on a second thread, so the kernel's copy of each buffer into the page cache
// overlaps the caller reading, inflating and converting the next one (io/attention_import.cpp's
// streamed .npz import). A few fixed buffers go round: take() one, fill it, put() it back to be
// written in order; take() waits while every buffer is queued, so memory stays bounded.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "io/atomic_file.h"

namespace attnscope {

class BackgroundWriter {
 public:
  struct Buffer {
    std::unique_ptr<char[]> data;  // `capacity` bytes
    size_t size = 0;               // bytes to write
  };

  // Nothing else may write `file` until finish() or the destructor has run.
  BackgroundWriter(AtomicFile& file, size_t capacity, size_t buffers = 3);
  ~BackgroundWriter();  // writes what is queued, then stops
  BackgroundWriter(const BackgroundWriter&) = delete;
  BackgroundWriter& operator=(const BackgroundWriter&) = delete;

  size_t capacity() const { return capacity_; }
  Buffer take();          // an empty buffer of capacity() bytes
  void put(Buffer b);     // queues b.size bytes for writing
  void finish();          // returns once everything queued is written

 private:
  void run();

  AtomicFile& file_;
  const size_t capacity_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Buffer> free_;
  std::deque<Buffer> queued_;
  bool writing_ = false, stop_ = false;
  std::thread thread_;
};

}  // namespace attnscope
