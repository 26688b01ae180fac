// ATTNSCOPE_VECTOR_CLONES before a function with a hot element-wise loop: GCC compiles it for
// AVX-512, AVX2 and baseline x86-64 and picks one at load time, so the loop runs in the widest
// vectors the CPU has while the binary still runs on any x86-64 (Debian builds for the baseline,
// where such loops get 128-bit SSE2 or stay scalar: 64-bit multiplies, as in a hash, need AVX-512).
// Results are the same on every path: the loops are integer arithmetic or element-wise float
// arithmetic that does not reassociate. Elsewhere (other compilers, other architectures) it is empty.
#pragma once

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define ATTNSCOPE_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define ATTNSCOPE_VECTOR_CLONES
#endif
