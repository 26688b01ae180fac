// Which OpenBLAS kernels do the matrix products. Debian 12's OpenBLAS 0.3.21 (built for every x86
// CPU, chosen at load time by CPU model number) falls back to its Prescott (SSE3) kernels on CPUs
// newer than it knows: seen on this project's machines (a virtualised Xeon with AVX-512), where
// sgemm ran at 18-25 GFLOP/s on one core instead of 100-130 with the AVX-512 kernels. The
// documented OPENBLAS_CORETYPE variable picks the kernels, but OpenBLAS reads it when the library
// loads, before main; so main calls this first and the process re-executes itself once with it set.
#pragma once

#include <string>

namespace attnscope {

// When OpenBLAS is loaded, the user has not set OPENBLAS_CORETYPE, and OpenBLAS chose kernels
// older than the CPU runs (Prescott/Core2/Nehalem/Sandybridge on a CPU with AVX-512 or AVX2 + FMA),
// re-executes /proc/self/exe with OPENBLAS_CORETYPE=SkylakeX or Haswell. Returns only when no
// re-execution is needed or it failed (then the slow kernels stay: results are the same).
void use_fast_blas_kernels(char** argv);

// OpenBLAS's name for the kernels in use ("SkylakeX", "Prescott", ...), or "" when the matrix
// products are not done by OpenBLAS.
std::string blas_kernels();

// One line for `attnscope --version`: which kernels run and who chose them.
std::string blas_description();

}  // namespace attnscope
