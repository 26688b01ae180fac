#include "apps/interrupt.h"

#include <csignal>

namespace attnscope {

namespace {
std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int) { g_interrupted.store(true); }
}  // namespace

CatchInterrupt::CatchInterrupt() {
  g_interrupted = false;
  previous_ = std::signal(SIGINT, on_interrupt);
}

CatchInterrupt::~CatchInterrupt() { std::signal(SIGINT, previous_); }

const std::atomic<bool>* CatchInterrupt::flag() const { return &g_interrupted; }

}  // namespace attnscope
