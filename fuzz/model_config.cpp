// Fuzz target: config.json as a model folder holds it (attnscope train folders, Hugging Face
// bert / gpt2 / llama / mistral / qwen2 / marian), read torch-free by io/model_architecture.h.
// The libtorch readers (models/loading/hf_folder.h) take the same file but cannot be built here.
#include <cstdint>
#include <exception>
#include <string>

#include "io/model_architecture.h"

#include "fuzz/fuzz_util.h"

using namespace attnscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const ModelArchitecture a = architecture_from_config(text, "config.json");
    (void)a.labels();
    for (const ArchLink& l : a.links)
      if (!a.find(l.from) || !a.find(l.to)) __builtin_trap();  // links must join blocks that exist
  } catch (const std::exception& e) {
    fuzz::note(e);
  }
  return 0;
}
