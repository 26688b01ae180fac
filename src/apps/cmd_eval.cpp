// attnscope eval: held-out exact match of a trained model.
#include <cstdio>

#include "apps/args.h"
#include "apps/commands.h"
#include "models/threads.h"
#include "train/trainer.h"

namespace attnscope {

int cmd_eval(int argc, char** argv) {
  Args args(argc, argv, {});
  if (args.help()) {
    std::puts("usage: attnscope eval --model DIR [--device cpu|cuda] [--threads N]\n\n"
              "Prints the model's exact match on its task's held-out examples (the same 1,000\n"
              "the training run held out, rebuilt from the seed saved with the model).");
    return 0;
  }
  auto model = args.get("model");
  const std::string device = args.get("device", "cpu");
  set_threads(static_cast<int>(args.get_int("threads", 1, 1, 256)));
  args.finish();
  if (!model) throw UsageError("--model DIR is required");
  const double acc = evaluate_seq2seq(*model, device);
  std::printf("held-out exact match: %.2f%%\n", 100 * acc);
  return 0;
}

}  // namespace attnscope
