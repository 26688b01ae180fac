// One thread per connection, up to a cap, for the viewer's HTTP server. httplib's fixed pool of N
// threads lets N clients that send their request a byte at a time (slowloris) hold every thread:
// httplib's read timeout restarts with each byte. Here a slow client holds only its own thread,
// and a browser's request starts at once on a fresh one while fewer than `max_threads`
// connections are open; past the cap, connections wait in order for one to close.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

namespace attnscope {

class ConnectionThreads {
 public:
  explicit ConnectionThreads(size_t max_threads);
  ~ConnectionThreads();  // waits for every connection (shutdown)
  ConnectionThreads(const ConnectionThreads&) = delete;
  ConnectionThreads& operator=(const ConnectionThreads&) = delete;

  // Runs `fn` on a thread of its own, or queues it while max_threads are busy.
  void enqueue(std::function<void()> fn);
  // Lets queued and running work finish, then returns; enqueue afterwards runs nothing.
  void shutdown();

  size_t running() const;   // threads alive now
  size_t peak() const;      // most threads alive at once

 private:
  void work(std::function<void()> fn);

  const size_t max_;
  mutable std::mutex mutex_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> waiting_;
  size_t running_ = 0, peak_ = 0;
  bool stopping_ = false;
};

}  // namespace attnscope
