// Ctrl-C during long work (training): while a CatchInterrupt lives, SIGINT only sets a flag the
// work polls, so it can save a checkpoint and return; the previous handler comes back after.
#pragma once

#include <atomic>

namespace attnscope {

class CatchInterrupt {
 public:
  CatchInterrupt();
  ~CatchInterrupt();
  CatchInterrupt(const CatchInterrupt&) = delete;
  CatchInterrupt& operator=(const CatchInterrupt&) = delete;
  const std::atomic<bool>* flag() const;  // true once Ctrl-C was pressed

 private:
  void (*previous_)(int);
};

}  // namespace attnscope
