// Small random helpers for the tasks. The distributions of <random> are implementation-defined
// (libstdc++ and libc++ give different numbers for the same engine state); these are not, so a
// seed gives the same held-out set and training stream on every platform.
#pragma once

#include <cstdint>
#include <limits>

#include "tasks/task.h"

namespace attnscope {

// Uniform in [0, n), n > 0, without modulo bias (rejects the top partial block of 2^64).
inline uint64_t uniform_below(Rng& rng, uint64_t n) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  const uint64_t excess = (kMax % n + 1) % n;  // 2^64 mod n
  uint64_t x = rng();
  while (excess != 0 && x > kMax - excess) x = rng();
  return x % n;
}

// Uniform in [lo, hi], lo <= hi.
inline int64_t uniform_int(Rng& rng, int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(uniform_below(rng, static_cast<uint64_t>(hi - lo) + 1));
}

// True with probability p (53 random bits, like a double in [0, 1)).
inline bool chance(Rng& rng, double p) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53 < p;
}

}  // namespace attnscope
