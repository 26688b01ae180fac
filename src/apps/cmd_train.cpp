// attnscope train: flags -> TrainOptions -> train_seq2seq.
#include <cstdio>
#include <string>
#include <nlohmann/json.hpp>

#include "apps/args.h"
#include "apps/runtime_flags.h"
#include "apps/commands.h"
#include "apps/interrupt.h"
#include "models/threads.h"
#include "core/progress.h"
#include "tasks/task.h"
#include "train/trainer.h"

namespace attnscope {

namespace {

const char* kHelp = R"(usage: attnscope train --task TASK --out DIR [options]

Trains a sequence-to-sequence model with attention on a toy task and keeps the checkpoint in DIR
(config.json, model.safetensors, optimizer.pt, train_state.json; each written atomically).
Stops when the held-out exact match reaches --target-acc or after --steps. Ctrl-C saves a
checkpoint and exits; --resume continues from it.

tasks:
  reverse           monojitcnn -> nnctijonom
  shift-left:K      rotate left by K   (shift-left:4: monojitcnn -> jitcnnmono)
  shift-right:K     rotate right by K  (shift-right:3: monojitcnn -> cnnmonojit)
  sort              1, 9, 4, 3 -> 1, 3, 4, 9   (and bare digits 1943 -> 1349)
  dates             Thrusday, October 13 2011 -> 13-10-2011   (nine formats, 2000-2024)

model:
  --arch rnn|transformer     architecture (default rnn)

RNN (--arch rnn):
  --cell gru|lstm            recurrent cell (default gru)
  --layers N                 stacked layers (default 1)
  --hidden N                 hidden size (default 128)
  --embedding N              embedding size (default 64)
  --unidirectional           encoder reads left to right only (default: bidirectional)
  --attention A              none | bahdanau | luong-dot | luong-general | luong-concat
                             (default luong-general)
  --scope S                  global | local-m | local-p (default global)
  --window D                 local attention window half-width D (default 3)
  --input-feeding            feed the previous attentional state into each step
  --dropout P                dropout (default 0)

Transformer (--arch transformer):
  --variant V                encoder-decoder | decoder-only | encoder-only (default
                             encoder-decoder; encoder-only predicts one output token per input
                             token, so it fits reverse, shift and sort but not dates)
  --layers N                 encoder layers and decoder layers (default 2)
  --heads H                  attention heads (default 4)
  --d-model D                model width, divisible by H (default 128)
  --ff N                     feed-forward width (default 4 x D)
  --positional P             sinusoidal | learned (default sinusoidal)
  --norm pre|post            layer norm before or after each sublayer (default pre)
  --tie-embeddings           output projection shares the target embedding
  --dropout P                (default 0)
  Transformers train with Adam (0.9, 0.98), the inverse-square-root schedule (--warmup) and
  --lr 0.001 unless told otherwise.

training:
  --steps N                  at most N steps (default 20000)
  --batch N                  batch size (default 64)
  --lr X                     Adam learning rate (default 0.003; halved after 5 evaluations
                             without a new best held-out accuracy, down to 1e-4)
  --warmup N                 linear warm-up over N steps, then 1/sqrt(step) decay (default 0 for
                             rnn: constant rate; 400 for transformer)
  --label-smoothing X        spread X of the target probability over the vocabulary (default 0)
  --clip X                   gradient-norm clip (default 5)
  --teacher-forcing P        probability of feeding the reference token (default 1)
  --target-acc X             stop at this held-out exact match (default 0.995)
  --eval-every N             steps between evaluations and checkpoints (default 100)
  --heldout N                held-out examples (default 1000)
  --min-len N, --max-len N   string lengths for reverse/shift (default 5-12)
  --seed N                   seed for data and initialisation (default 1)
  --resume                   continue the checkpoint in --out
  --device cpu|cuda          (default cpu)
  --threads N                CPU threads (default 1: faster for these small models)
  --quiet                    no progress line and no summary
  --json                     print the result as one JSON object

examples:
  attnscope train --task dates --out models/dates
  attnscope train --task reverse --arch transformer --layers 2 --heads 4 --out models/reverse-tf

translation (BPE subwords on a parallel corpus): attnscope train --task translate --help
)";

}  // namespace

int cmd_train(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--task" && std::string(argv[i + 1]) == "translate") return cmd_train_translate(argc, argv);
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--task=translate") return cmd_train_translate(argc, argv);
  Args args(argc, argv, {"unidirectional", "input-feeding", "resume", "quiet", "json", "tie-embeddings"});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  TrainOptions o;
  auto task = args.get("task");
  auto out = args.get("out");
  o.model.arch = args.choice("arch", "rnn", {"rnn", "transformer"});
  const bool transformer = o.model.is_transformer();
  o.model.variant = args.choice("variant", "encoder-decoder", {"encoder-decoder", "decoder-only", "encoder-only"});
  o.model.heads = static_cast<int>(args.get_int("heads", 4, 1, 64));
  o.model.d_model = static_cast<int>(args.get_int("d-model", 128, 1, 8192));
  o.model.ff = static_cast<int>(args.get_int("ff", 4 * o.model.d_model, 1, 32768));
  o.model.positional = args.choice("positional", "sinusoidal", {"sinusoidal", "learned"});
  o.model.norm = args.choice("norm", "pre", {"pre", "post"});
  o.model.tie_embeddings = args.has("tie-embeddings");
  o.model.cell = args.choice("cell", "gru", {"gru", "lstm"});
  o.model.layers = static_cast<int>(args.get_int("layers", transformer ? 2 : 1, 1, transformer ? 24 : 8));
  o.model.hidden = static_cast<int>(args.get_int("hidden", 128, 2, 4096));
  o.model.embedding = static_cast<int>(args.get_int("embedding", 64, 1, 4096));
  o.model.bidirectional = !args.has("unidirectional");
  o.model.attention = args.choice("attention", "luong-general", {"none", "bahdanau", "luong-dot", "luong-general", "luong-concat"});
  o.model.scope = args.choice("scope", "global", {"global", "local-m", "local-p"});
  o.model.window = static_cast<int>(args.get_int("window", 3, 1, 1000));
  o.model.input_feeding = args.has("input-feeding");
  o.model.dropout = args.get_double("dropout", 0.0, 0.0, 0.95);
  o.steps = args.get_int("steps", 20000, 1, 100000000);
  o.batch = static_cast<int>(args.get_int("batch", 64, 1, 65536));
  o.lr = args.get_double("lr", transformer ? 0.001 : 0.003, 1e-7, 10);
  o.warmup = args.get_int("warmup", transformer ? 400 : 0, 0, 100000000);
  o.label_smoothing = args.get_double("label-smoothing", 0.0, 0.0, 0.99);
  o.grad_clip = args.get_double("clip", 5.0, 1e-6, 1e6);
  o.teacher_forcing = args.get_double("teacher-forcing", 1.0, 0.0, 1.0);
  o.target_acc = args.get_double("target-acc", 0.995, 0.0, 1.0);
  o.eval_every = args.get_int("eval-every", 100, 1, 100000000);
  o.heldout = static_cast<int>(args.get_int("heldout", 1000, 1, 1000000));
  o.min_len = static_cast<int>(args.get_int("min-len", 5, 1, 1000));
  o.max_len = static_cast<int>(args.get_int("max-len", 12, 1, 1000));
  o.seed = static_cast<uint64_t>(args.get_int("seed", 1, 0, 1L << 62));
  o.resume = args.has("resume");
  const Runtime runtime = parse_runtime(args, 1);
  apply_runtime(runtime);
  o.device = runtime.device;
  o.progress = !args.has("quiet");
  const bool json = args.has("json");
  args.finish();
  if (!task) throw UsageError("--task is required (one of reverse, shift-left:K, shift-right:K, sort, dates)");
  if (!out) throw UsageError("--out DIR is required: the folder the model is saved in");
  if (o.min_len > o.max_len) throw UsageError("--min-len is larger than --max-len");
  try {
    make_task(*task, o.min_len, o.max_len);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  o.task = *task;
  o.out = *out;

  const CatchInterrupt interrupt;
  o.stop = interrupt.flag();
  const TrainResult r = train_seq2seq(o);

  if (json) {
    std::printf("%s\n", nlohmann::json{{"task", o.task},
                                       {"steps", r.steps},
                                       {"seconds", r.seconds},
                                       {"ms_per_step", r.ms_per_step},
                                       {"heldout_acc", r.heldout_acc},
                                       {"seconds_to_target", r.seconds_to_target},
                                       {"interrupted", r.interrupted}}
                            .dump()
                            .c_str());
  }
  if (r.interrupted) {
    std::fprintf(stderr, "interrupted at step %lld: checkpoint saved in %s (continue with --resume)\n",
                 static_cast<long long>(r.steps), o.out.c_str());
    return 130;
  }
  if (o.progress)
    std::fprintf(stderr, "trained %s: %lld steps, held-out exact match %.1f%%, %s (%.1f ms/step); model in %s\n",
               o.task.c_str(), static_cast<long long>(r.steps), 100 * r.heldout_acc, format_duration(r.seconds).c_str(),
               r.ms_per_step, o.out.c_str());
  return 0;
}

}  // namespace attnscope
