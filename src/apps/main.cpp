// attnscope: train sequence models, record their attention, and show it.
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>

#include "apps/args.h"
#include "apps/commands.h"
#include "apps/model_library.h"

namespace {

struct Command {
  const char* name;
  int (*run)(int, char**);  // nullptr: the command lives in the model library (apps/model_library.h)
  const char* summary;
  // Runs the --model it is given (serve, stats); render's --model (--view architecture) only
  // reads a config, so it is not one of these.
  bool runs_model_flag = false;
};

const Command kCommands[] = {
    {"train", nullptr, "train a model on a task (reverse, shift-left:K, shift-right:K, sort, dates)"},
    {"eval", nullptr, "print a trained model's held-out exact match"},
    {"run", nullptr, "run a model on an input, print the output, save or draw its attention"},
    {"tokenize", attnscope::cmd_tokenize, "print the tokens of a text under a pretrained model's tokenizer"},
    {"render", attnscope::cmd_render, "draw an .attn.safetensors file as PNG, SVG or PDF"},
    {"import", attnscope::cmd_import, "read attention from .npy, .npz, .safetensors or JSON into .attn.safetensors"},
    {"export", attnscope::cmd_export, "write an .attn.safetensors file as NPY, JSON or CSV"},
    {"align", nullptr, "word alignments (Pharaoh) from a translation model's cross-attention; AER per head"},
    {"aer", attnscope::cmd_aer, "precision, recall and alignment error rate of word alignments"},
    {"stats", attnscope::cmd_stats, "per-head statistics (entropy, distance, special-token share, ...) over a corpus", true},
    {"derive", attnscope::cmd_derive, "attention rollout or attention flow of a saved set, as a new set"},
    {"serve", attnscope::cmd_serve, "serve the interactive viewer on models and .attn.safetensors files", true},
    {"bpe", attnscope::cmd_bpe, "learn, apply and undo subword-nmt BPE codes (subwords for translation)"},
    {"bleu", attnscope::cmd_bleu, "corpus BLEU of a translation against a reference, as sacreBLEU computes it"},
};

// Whether the command will run a model: then the model library is loaded before anything else
// happens, so its one-time kernel re-execution (models/blas_kernels.h) repeats no work.
bool uses_models(const Command& c, int argc, char** argv) {
  if (!c.run) return true;
  if (!c.runs_model_flag) return false;
  for (int i = 2; i < argc; ++i)
    if (!std::strcmp(argv[i], "--model") || !std::strncmp(argv[i], "--model=", 8)) return true;
  return false;
}

int version(int argc, char** argv) {
  std::printf("attnscope (built %s)\n", __DATE__);
  const bool blas = argc > 2 && !std::strcmp(argv[2], "--blas");
  if (!blas) {
    std::printf("models: %s, loaded only when a model runs (attnscope --version --blas loads it and names the "
                "matrix-product kernels)\n", attnscope::model_library_path().c_str());
    return 0;
  }
  std::printf("%s\n", attnscope::model_library().blas_description().c_str());
  return 0;
}

void usage(FILE* out) {
  std::fprintf(out,
               "attnscope: train sequence-to-sequence models and see where their attention goes\n\n"
               "usage: attnscope <command> [options]    (attnscope <command> --help for its options)\n\n"
               "commands:\n");
  for (const auto& c : kCommands) std::fprintf(out, "  %-9s %s\n", c.name, c.summary);
  std::fprintf(out,
               "\nexample:\n"
               "  attnscope train --task reverse --out models/reverse\n"
               "  attnscope run --model models/reverse monojitcnn --png reverse.png\n"
               "\nattnscope --version prints the build; --version --blas also which matrix-product kernels run.\n");
}

}  // namespace

int main(int argc, char** argv) {
  attnscope::set_program_arguments(argv);
  if (argc < 2 || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "help")) {
    usage(stdout);
    return argc < 2 ? 2 : 0;
  }
  if (!std::strcmp(argv[1], "--version") || !std::strcmp(argv[1], "version")) {
    try {
      return version(argc, argv);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "attnscope: %s\n", e.what());
      return 1;
    }
  }
  for (const auto& c : kCommands) {
    if (std::strcmp(argv[1], c.name) != 0) continue;
    try {
      if (uses_models(c, argc, argv)) attnscope::model_library();  // may re-execute once
      if (!c.run) return attnscope::model_library().run_command(c.name, argc - 1, argv + 1);
      return c.run(argc - 1, argv + 1);
    } catch (const attnscope::UsageError& e) {
      std::fprintf(stderr, "attnscope %s: %s\n", c.name, e.what());
      return 2;
    } catch (const std::bad_alloc&) {  // a size no check caught: say so, not "std::bad_alloc"
      std::fprintf(stderr, "attnscope %s: out of memory while reading or drawing the input: does a file declare more than it holds?\n",
                   c.name);
      return 1;
    } catch (const std::length_error&) {
      std::fprintf(stderr, "attnscope %s: a size in the input is too large to hold: does a file declare more than it holds?\n", c.name);
      return 1;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "attnscope %s: %s\n", c.name, e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "attnscope: unknown command '%s' (try 'attnscope --help')\n", argv[1]);
  return 2;
}
