// attnscope train --task translate: flags -> TranslateTrainOptions -> train_translation.
#include <cstdio>

#include "apps/args.h"
#include "apps/runtime_flags.h"
#include "apps/commands.h"
#include "apps/interrupt.h"
#include "core/progress.h"
#include "models/threads.h"
#include "train/translate_trainer.h"

namespace attnscope {

namespace {

const char* kHelp = R"(usage: attnscope train --task translate --src FILE --tgt FILE --out DIR [options]

Trains a Transformer to translate: learns BPE subwords (subword-nmt's convention, "physi@@
kalischen") on both sides of the corpus, then trains with label smoothing and the inverse-square-
root schedule, decoding the validation set every --eval-every steps. DIR always holds the best
model so far (by validation BLEU): config.json, model.safetensors, bpe.codes, source.vocab,
target.vocab; beside it last.safetensors, optimizer.pt and train_state.json to resume,
train_log.tsv (step, minutes, loss, BLEU) and snapshots.attn.safetensors: the attention of one
fixed sentence at every evaluation (attnscope render DIR/snapshots.attn.safetensors --view
gallery). Ctrl-C saves and exits; --resume continues. Files may be gzip-compressed (.gz).

data:
  --src FILE, --tgt FILE       training corpus, one sentence a line, same line count
  --valid-src F, --valid-tgt F validation corpus (default: the last 10% up to 500 lines of the
                               training corpus, held out)
  --valid-sentences N          validation lines decoded for BLEU (default 500)
  --codes FILE                 use these BPE merges instead of learning them
  --merges N                   merges to learn, jointly on both sides (default 8000)
  --shared-vocab               one vocabulary for both languages
  --max-tokens N               leave out training pairs longer than N pieces (default 100)

model (Transformer encoder-decoder):
  --layers N (default 3)  --heads H (4)  --d-model D (256)  --ff N (1024)
  --dropout P (0.1)  --positional sinusoidal|learned  --norm pre|post  --tie-embeddings

training:
  --minutes M                  stop after M minutes of training (default: no limit)
  --steps N                    stop after N steps
  --batch-tokens N             source + target tokens per batch (default 4096)
  --lr X (0.001)  --warmup N (1000)  --label-smoothing X (0.1)  --clip X (1)
  --eval-every N               steps between validation, checkpoints and snapshots (default 500)
  --snapshot "SENTENCE"        the sentence whose attention is snapshotted (default: first
                               validation line)
  --seed N  --resume  --device cpu|cuda  --threads N (default 2)  --quiet

example (Multi30k, as bench/translate runs it):
  D=../shared/data/multi30k
  attnscope train --task translate --src $D/train.en.gz --tgt $D/train.de.gz \
      --valid-src $D/val.en.gz --valid-tgt $D/val.de.gz --minutes 60 --out models/en-de
  attnscope eval --model models/en-de --src $D/test_2016_flickr.en.gz --ref $D/test_2016_flickr.de.gz
  attnscope run --model models/en-de "A little girl climbing into a wooden playhouse." --png girl.png
)";

}  // namespace

int cmd_train_translate(int argc, char** argv) {
  Args args(argc, argv, {"shared-vocab", "tie-embeddings", "resume", "quiet", "json"});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  TranslateTrainOptions o;
  args.get("task");
  args.choice("arch", "transformer", {"transformer"});
  auto src = args.get("src"), tgt = args.get("tgt"), out = args.get("out");
  o.valid_src = args.get("valid-src", "");
  o.valid_tgt = args.get("valid-tgt", "");
  o.valid_sentences = static_cast<int>(args.get_int("valid-sentences", 500, 1, 1000000));
  o.codes = args.get("codes", "");
  o.merges = static_cast<int>(args.get_int("merges", 8000, 0, 1000000));
  o.shared_vocab = args.has("shared-vocab");
  o.max_tokens = static_cast<int>(args.get_int("max-tokens", 100, 1, 10000));
  o.model.arch = "transformer";
  o.model.layers = static_cast<int>(args.get_int("layers", 3, 1, 24));
  o.model.heads = static_cast<int>(args.get_int("heads", 4, 1, 64));
  o.model.d_model = static_cast<int>(args.get_int("d-model", 256, 1, 8192));
  o.model.ff = static_cast<int>(args.get_int("ff", 4 * o.model.d_model, 1, 32768));
  o.model.dropout = args.get_double("dropout", 0.1, 0.0, 0.95);
  o.model.positional = args.choice("positional", "sinusoidal", {"sinusoidal", "learned"});
  o.model.norm = args.choice("norm", "pre", {"pre", "post"});
  o.model.tie_embeddings = args.has("tie-embeddings");
  o.minutes = args.get_double("minutes", 0, 0, 1e7);
  o.steps = args.get_int("steps", 100000000, 1, 100000000);
  o.batch_tokens = static_cast<int>(args.get_int("batch-tokens", 4096, 16, 10000000));
  o.lr = args.get_double("lr", 0.001, 1e-7, 10);
  o.warmup = args.get_int("warmup", 1000, 0, 100000000);
  o.label_smoothing = args.get_double("label-smoothing", 0.1, 0.0, 0.99);
  o.grad_clip = args.get_double("clip", 1.0, 1e-6, 1e6);
  o.eval_every = args.get_int("eval-every", 500, 1, 100000000);
  o.snapshot_sentence = args.get("snapshot", "");
  o.seed = static_cast<uint64_t>(args.get_int("seed", 1, 0, 1L << 62));
  o.resume = args.has("resume");
  const Runtime runtime = parse_runtime(args, 2);
  apply_runtime(runtime);
  o.device = runtime.device;
  o.progress = !args.has("quiet");
  const bool json = args.has("json");
  args.finish();
  if (!src || !tgt) throw UsageError("--src FILE and --tgt FILE are required: the parallel training corpus");
  if (!out) throw UsageError("--out DIR is required: the folder the model is saved in");
  if (o.valid_src.empty() != o.valid_tgt.empty()) throw UsageError("--valid-src and --valid-tgt go together");
  if (o.model.d_model % o.model.heads) throw UsageError("--d-model must be divisible by --heads");
  o.src = *src;
  o.tgt = *tgt;
  o.out = *out;

  const CatchInterrupt interrupt;
  o.stop = interrupt.flag();
  const TranslateTrainResult r = train_translation(o);
  if (json)
    std::printf("{\"steps\": %lld, \"train_minutes\": %.2f, \"best_valid_bleu\": %.2f, \"best_step\": %lld, \"interrupted\": %s}\n",
                static_cast<long long>(r.steps), r.train_minutes, r.best_bleu, static_cast<long long>(r.best_step),
                r.interrupted ? "true" : "false");
  if (r.interrupted) {
    std::fprintf(stderr, "interrupted at step %lld: checkpoint saved in %s (continue with --resume)\n",
                 static_cast<long long>(r.steps), o.out.c_str());
    return 130;
  }
  if (o.progress)
    std::fprintf(stderr, "trained %lld steps in %s of training; best validation BLEU %.2f (step %lld); model in %s\n",
                 static_cast<long long>(r.steps), format_duration(r.train_minutes * 60).c_str(), r.best_bleu,
                 static_cast<long long>(r.best_step), o.out.c_str());
  return 0;
}

}  // namespace attnscope
