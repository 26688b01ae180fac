// The model library's entry point (apps/model_library.h): the commands that need libtorch and
// Model::load, compiled into libattnscope_models.so, never into the attnscope binary.
#include <cstring>

#include "apps/commands.h"
#include "apps/model_library.h"
#include "models/blas_kernels.h"
#include "models/threads.h"

namespace attnscope {

void apply_runtime(const Runtime& runtime) {
  set_threads(runtime.threads);
  reuse_freed_memory();
}

namespace {

int run_command(const char* name, int argc, char** argv) {
  if (!std::strcmp(name, "train")) return cmd_train(argc, argv);
  if (!std::strcmp(name, "eval")) return cmd_eval(argc, argv);
  if (!std::strcmp(name, "run")) return cmd_run(argc, argv);
  if (!std::strcmp(name, "align")) return cmd_align(argc, argv);
  return -1;
}

std::unique_ptr<Model> load(const std::string& path, const Runtime& runtime) {
  apply_runtime(runtime);
  return Model::load(path, runtime.device);
}

const ModelLibrary kLibrary = [] {
  ModelLibrary l;
  l.run_command = run_command;
  l.load_model = load;
  l.blas_description = blas_description;
  l.use_fast_blas_kernels = use_fast_blas_kernels;
  return l;
}();

}  // namespace
}  // namespace attnscope

extern "C" __attribute__((visibility("default"))) const attnscope::ModelLibrary* attnscope_model_library() {
  return &attnscope::kLibrary;
}
