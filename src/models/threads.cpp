#include <dlfcn.h>
#include <malloc.h>
#include <torch/torch.h>

#include "models/threads.h"

namespace attnscope {
void set_threads(int n) {
  torch::set_num_threads(n);
  // libtorch allows setting the inter-op pool once per process; later calls only change n.
  static const bool interop_set = [] {
    torch::set_num_interop_threads(1);
    return true;
  }();
  (void)interop_set;
  // Debian's libtorch calls the system BLAS (OpenBLAS), whose own thread pool ignores torch's
  // setting. Its thread count changes the summation order of a matmul, so the same input would
  // give slightly different numbers alone and under mpirun (which pins a process to one core).
  using SetBlasThreads = void (*)(int);
  if (auto f = reinterpret_cast<SetBlasThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) f(n);
}

void reuse_freed_memory() {
  // Blocks up to 32 MiB (glibc's largest allowed threshold; a 512 x 512 x 12-head score tensor is
  // 12 MiB) come from the heap and are reused, because freeing them does not trim the heap.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

}  // namespace attnscope
