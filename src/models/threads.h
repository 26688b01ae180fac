// CPU thread count for the numerical engine. Small per-step RNN ops run faster on one thread
// than on two (measured: see bench/train_toy), so commands default to 1.
#pragma once

namespace attnscope {
void set_threads(int n);  // torch-free declaration; models/threads.cpp sets libtorch
}
