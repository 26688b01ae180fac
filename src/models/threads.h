// CPU thread count for the numerical engine. Small per-step RNN ops run faster on one thread
// than on two (measured: see bench/train_toy), so commands default to 1.
#pragma once

namespace attnscope {
void set_threads(int n);  // torch-free declaration; models/threads.cpp sets libtorch
int compute_threads();    // the n last set (1 before any call): for attnscope's own parallel loops
// Keeps freed memory in the process for reuse instead of returning it to the system (glibc
// mallopt). Transformer passes free and reallocate the same multi-megabyte tensors every layer;
// with glibc's defaults each one is a fresh mmap whose pages fault in again, which made a
// 512-token BERT-base pass 3-5x slower here (bench/pretrained). Process-wide: commands call it.
void reuse_freed_memory();
}
