#include <torch/torch.h>

#include "models/threads.h"

namespace attnscope {
void set_threads(int n) {
  torch::set_num_threads(n);
  torch::set_num_interop_threads(1);
}
}  // namespace attnscope
