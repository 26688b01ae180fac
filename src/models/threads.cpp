#include <dlfcn.h>
#include <malloc.h>
#include <torch/torch.h>

#include "models/threads.h"

namespace attnscope {
namespace {
int threads_set = 1;
}

int compute_threads() { return threads_set; }

void set_threads(int n) {
  threads_set = n;
  // libtorch allows setting the inter-op pool once per process; later calls only change n.
  static const bool interop_set = [] {
    torch::set_num_interop_threads(1);
    return true;
  }();
  (void)interop_set;
  // Debian's libtorch calls the system BLAS (OpenBLAS), whose own thread pool ignores torch's
  // setting. Its thread count changes the summation order of a matmul, so it is always set: the
  // same input must give the same numbers alone and under mpirun (which pins a process to a core).
  using SetBlasThreads = void (*)(int);
  const auto set_blas = reinterpret_cast<SetBlasThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (!set_blas) {  // MKL or another BLAS that runs on torch's own pool
    torch::set_num_threads(n);
    return;
  }
  set_blas(n);
  // With OpenBLAS the n cores go to the matrix products and torch's own pool stays at one thread.
  // Both pools busy-wait between calls, so giving each n threads makes them fight over the same
  // cores: on 2 cores a Transformer training step took 1,166 ms that way against 639 ms this way,
  // and a BERT-base pass 356 ms against 166 ms (bench/transformer, bench/pretrained).
  torch::set_num_threads(1);
}

void reuse_freed_memory() {
  // Blocks up to 32 MiB (glibc's largest allowed threshold; a 512 x 512 x 12-head score tensor is
  // 12 MiB) come from the heap and are reused, because freeing them does not trim the heap.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

}  // namespace attnscope
