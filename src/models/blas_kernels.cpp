#include "models/blas_kernels.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace attnscope {

std::string blas_kernels() {
  // Looked up, not linked: a libtorch built on MKL (or with CUDA) has no OpenBLAS.
  using CoreName = char* (*)();
  auto corename = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  const char* name = corename ? corename() : nullptr;
  return name ? name : "";
}

void use_fast_blas_kernels(char** argv) {
  // Set by the user (their choice stands) or by our own re-execution (never loop).
  if (std::getenv("OPENBLAS_CORETYPE") || std::getenv("ATTNSCOPE_BLAS_REEXEC")) return;
  std::string core = blas_kernels();
  std::transform(core.begin(), core.end(), core.begin(), [](unsigned char c) { return std::tolower(c); });
  const bool fallback = core == "prescott" || core == "core2" || core == "nehalem" || core == "sandybridge";
  if (!fallback) return;
  // __builtin_cpu_supports also checks that the OS saves the AVX/AVX-512 registers (XGETBV).
  const char* better = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") ? "SkylakeX"
                       : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")     ? "Haswell"
                                                                                               : nullptr;
  if (!better) return;
  setenv("OPENBLAS_CORETYPE", better, 1);
  setenv("ATTNSCOPE_BLAS_REEXEC", blas_kernels().c_str(), 1);  // OpenBLAS's own choice, for blas_description()
  execv("/proc/self/exe", argv);
  // exec failed (no /proc): carry on with the kernels OpenBLAS chose.
  unsetenv("OPENBLAS_CORETYPE");
}

std::string blas_description() {
  const std::string core = blas_kernels();
  if (core.empty()) return "matrix products: not OpenBLAS (libtorch's own BLAS)";
  std::string s = "matrix products: OpenBLAS, " + core + " kernels";
  if (const char* own = std::getenv("ATTNSCOPE_BLAS_REEXEC"))
    s += std::string(" (chosen by attnscope: OpenBLAS picked ") + own +
         " for this CPU, which runs faster ones; set OPENBLAS_CORETYPE to choose)";
  else if (std::getenv("OPENBLAS_CORETYPE"))
    s += " (OPENBLAS_CORETYPE)";
  return s;
}

}  // namespace attnscope
