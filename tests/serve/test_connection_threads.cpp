#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <functional>
#include <thread>
#include <vector>

#include "serve/connection_threads.h"

using namespace attnscope;
using namespace std::chrono_literals;

namespace {

// A latch the test opens: work enqueued behind it blocks, as a slowloris connection does.
struct Gate {
  std::mutex m;
  std::condition_variable cv;
  bool open = false;
  void wait() {
    std::unique_lock<std::mutex> l(m);
    cv.wait(l, [&] { return open; });
  }
  void release() {
    {
      std::lock_guard<std::mutex> l(m);
      open = true;
    }
    cv.notify_all();
  }
};

bool eventually(const std::function<bool()>& f) {
  for (int i = 0; i < 400; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return f();
}

}  // namespace

TEST(ConnectionThreads, BlockedConnectionsDoNotDelayANewOne) {
  // 200 connections stuck (a slowloris client), then a browser's: it runs at once on its own thread.
  ConnectionThreads threads(512);
  Gate gate;
  std::atomic<int> stuck{0};
  for (int i = 0; i < 200; ++i) threads.enqueue([&] { ++stuck; gate.wait(); });
  std::atomic<bool> served{false};
  threads.enqueue([&] { served = true; });
  EXPECT_TRUE(eventually([&] { return served.load(); }));
  EXPECT_TRUE(eventually([&] { return stuck.load() == 200; }));
  EXPECT_GE(threads.peak(), 201u);
  gate.release();
  threads.shutdown();
  EXPECT_EQ(threads.running(), 0u);
}

TEST(ConnectionThreads, PastTheCapConnectionsWaitTheirTurnInOrder) {
  ConnectionThreads threads(2);
  Gate gate;
  std::mutex m;
  std::vector<int> order;
  for (int i = 0; i < 2; ++i) threads.enqueue([&] { gate.wait(); });
  for (int i = 0; i < 3; ++i)
    threads.enqueue([&, i] {
      std::lock_guard<std::mutex> l(m);
      order.push_back(i);
    });
  std::this_thread::sleep_for(50ms);
  {
    std::lock_guard<std::mutex> l(m);
    EXPECT_TRUE(order.empty()) << "ran past the cap of 2 threads";
  }
  EXPECT_EQ(threads.running(), 2u);
  gate.release();
  threads.shutdown();  // waits for the queued three
  EXPECT_EQ(order.size(), 3u);
  EXPECT_LE(threads.peak(), 2u);
}

TEST(ConnectionThreads, ShutdownWaitsForRunningWorkAndRefusesMore) {
  std::atomic<bool> finished{false};
  {
    ConnectionThreads threads(4);
    threads.enqueue([&] {
      std::this_thread::sleep_for(100ms);
      finished = true;
    });
    threads.shutdown();
    EXPECT_TRUE(finished.load());
    std::atomic<bool> late{false};
    threads.enqueue([&] { late = true; });
    std::this_thread::sleep_for(20ms);
    EXPECT_FALSE(late.load());
  }
}
