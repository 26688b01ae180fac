#include "apps/model_library.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>

namespace attnscope {
namespace {

char** g_argv = nullptr;
const ModelLibrary* g_library = nullptr;
std::once_flag g_once;

std::string own_directory() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

const ModelLibrary* open_library() {
  const std::string path = model_library_path();
  // RTLD_GLOBAL: libtorch's own plugins find its symbols; RTLD_NOW: a missing symbol is an error
  // here, with the library's name, not a crash halfway through a run.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (!handle) {
    const char* why = dlerror();
    throw std::runtime_error("cannot load the model library " + path + ": " + (why ? why : "unknown error") +
                             " (it is built beside the attnscope binary; ATTNSCOPE_MODEL_LIBRARY names another)");
  }
  using Entry = const ModelLibrary* (*)();
  auto entry = reinterpret_cast<Entry>(dlsym(handle, "attnscope_model_library"));
  if (!entry) throw std::runtime_error(path + " is not attnscope's model library (no attnscope_model_library)");
  const ModelLibrary* library = entry();
  if (!library || library->version != kModelLibraryVersion)
    throw std::runtime_error(path + " comes from another attnscope build (interface version " +
                             std::to_string(library ? library->version : 0) + ", this binary needs " +
                             std::to_string(kModelLibraryVersion) + "); rebuild both");
  // OpenBLAS has just chosen its kernels: the one moment a re-execution with better ones is cheap.
  if (g_argv) library->use_fast_blas_kernels(g_argv);
  return library;
}

}  // namespace

void set_program_arguments(char** argv) { g_argv = argv; }

std::string model_library_path() {
  if (const char* own = std::getenv("ATTNSCOPE_MODEL_LIBRARY"); own && *own) return own;
  return own_directory() + "/libattnscope_models.so";
}

const ModelLibrary& model_library() {
  std::call_once(g_once, [] { g_library = open_library(); });
  return *g_library;
}

bool model_library_loaded() { return g_library != nullptr; }

std::unique_ptr<Model> load_model(const std::string& path, const Runtime& runtime) {
  return model_library().load_model(path, runtime);
}

}  // namespace attnscope
