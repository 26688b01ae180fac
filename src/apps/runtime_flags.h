// The flags every model-running command shares, parsed in one place: --device and --threads.
#pragma once

#include <string>
#include <vector>

#include "apps/args.h"

namespace attnscope {

struct Runtime {
  std::string device = "cpu";  // cpu | cuda | cuda:N
  int threads = 1;             // matrix-product threads (OpenBLAS) and the model's own pool
};

// Reads --device and --threads (default `default_threads`). Help text: kRuntimeHelp. Parsing
// only: the model library applies them (load_model, apply_runtime), so a command that turns out
// to need no model never loads libtorch.
Runtime parse_runtime(Args& args, int default_threads = 1);

// Gives the numerical engine runtime.threads threads and keeps freed memory for reuse
// (models/threads.h). Defined in the model library (apps/model_commands.cpp): its commands call it.
void apply_runtime(const Runtime& runtime);

inline constexpr const char* kRuntimeHelp =
    "  --threads N         CPU threads for the matrix products (default 1)\n"
    "  --device cpu|cuda   where the model runs (default cpu; cuda when libtorch was built with it)\n";

// "0,3,8-11" -> {0, 3, 8, 9, 10, 11}; throws UsageError naming --flag.
std::vector<int> parse_index_list(const std::string& flag, const std::string& text);

}  // namespace attnscope
