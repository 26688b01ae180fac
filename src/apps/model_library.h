// The model library: everything that needs libtorch (the model families, training, the commands
// train, eval, run and align) lives in libattnscope_models.so beside the attnscope binary, loaded
// the first time a model is used. Model-free commands (render, import, export, derive, aer, bleu,
// bpe, tokenize, serve and stats on files) never load libtorch or OpenBLAS, so they start in
// milliseconds instead of the ~0.5 s libtorch takes to load.
//
// The library is built from the same sources as the binary and resolves attnscope's own torch-free
// symbols (core, io, text, render, apps) from the binary, which exports them: one copy of each.
#pragma once

#include <memory>
#include <string>

#include "apps/runtime_flags.h"
#include "models/model.h"

namespace attnscope {

// What the library hands the binary. kModelLibraryVersion changes whenever this struct does, so a
// stale library from another build is refused with a message instead of crashing.
inline constexpr int kModelLibraryVersion = 1;
struct ModelLibrary {
  int version = kModelLibraryVersion;
  // Runs one of the library's commands ("train", "eval", "run", "align"); -1 for another name.
  int (*run_command)(const char* name, int argc, char** argv) = nullptr;
  // Model::load after giving the numerical engine `runtime.threads` threads.
  std::unique_ptr<Model> (*load_model)(const std::string& path, const Runtime& runtime) = nullptr;
  // One line: which matrix-product kernels run (models/blas_kernels.h).
  std::string (*blas_description)() = nullptr;
  // Re-executes the process once with faster OpenBLAS kernels when OpenBLAS chose slow ones.
  void (*use_fast_blas_kernels)(char** argv) = nullptr;
};

// The entry point the library exports (C linkage: looked up by name with dlsym).
extern "C" const ModelLibrary* attnscope_model_library();

// Remembers argv for the kernel re-execution; main calls it first.
void set_program_arguments(char** argv);
// Loads the library on first use (and may re-execute the process once, for faster OpenBLAS
// kernels, before anything else happened); throws std::runtime_error naming the file when it
// cannot be loaded. ATTNSCOPE_MODEL_LIBRARY overrides where it is looked for.
const ModelLibrary& model_library();
bool model_library_loaded();
// Where the library is looked for (for messages and --version).
std::string model_library_path();

// Model::load through the library: for the torch-free commands that take models (serve, stats).
std::unique_ptr<Model> load_model(const std::string& path, const Runtime& runtime);

}  // namespace attnscope
