// attnscope eval: held-out exact match of a toy-task model, or corpus BLEU of a translation model.
#include <algorithm>
#include <cstdio>

#include "analysis/bleu.h"
#include "apps/args.h"
#include "apps/runtime_flags.h"
#include "apps/commands.h"
#include "core/progress.h"
#include "io/atomic_file.h"
#include "io/text_lines.h"
#include "models/seq2seq_model.h"
#include "models/threads.h"
#include "train/trainer.h"

namespace attnscope {

namespace {

const char* kHelp = R"(usage: attnscope eval --model DIR                          (toy task: held-out exact match)
       attnscope eval --model DIR --src FILE --ref FILE [options]   (translation: corpus BLEU)

Toy-task models: prints the exact match on the task's held-out examples (the same 1,000 the
training run held out, rebuilt from the seed saved with the model).

Translation models: translates every line of --src and scores the output against --ref with
corpus BLEU as sacreBLEU computes it (13a tokenisation, exp smoothing, one reference). Files may
be gzip-compressed (.gz).

options:
  --beam K            beam search with K hypotheses (default 1: greedy, batched)
  --length-penalty A  beam: GNMT length penalty alpha (default 0.6)
  --hyp FILE          also write the translations, one a line
  --json              print the score as JSON
  --device cpu|cuda   (default cpu)
  --threads N         CPU threads (default 1)

example:
  attnscope eval --model models/en-de --src test_2016_flickr.en.gz --ref test_2016_flickr.de.gz --beam 4
)";

std::vector<std::string> translate_all(const Seq2SeqModel& model, const std::vector<std::string>& src, int beam,
                                       double length_penalty) {
  for (size_t i = 0; i < src.size(); ++i) {
    try {
      model.prepare_input(src[i]);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("--src line " + std::to_string(i + 1) + ": " + e.what());
    }
  }
  std::vector<std::string> hyps(src.size());
  ProgressBar bar(true, static_cast<int64_t>(src.size()), "sentences");
  if (beam > 1) {
    DecodeOptions opts;
    opts.beam = beam;
    opts.length_penalty = length_penalty;
    opts.record = false;
    for (size_t i = 0; i < src.size(); ++i) {
      hyps[i] = model.translate(src[i], opts).output;
      bar.update(static_cast<int64_t>(i + 1));
    }
  } else {
    hyps = model.translate_corpus(src, [&](size_t done) { bar.update(static_cast<int64_t>(done)); });
  }
  bar.done();
  return hyps;
}

}  // namespace

int cmd_eval(int argc, char** argv) {
  Args args(argc, argv, {"json"});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  auto model_dir = args.get("model");
  auto src_path = args.get("src"), ref_path = args.get("ref"), hyp_path = args.get("hyp");
  const int beam = static_cast<int>(args.get_int("beam", 1, 1, 64));
  const double length_penalty = args.get_double("length-penalty", 0.6, 0.0, 10.0);
  const bool json = args.has("json");
  const Runtime runtime = parse_runtime(args);
  apply_runtime(runtime);
  const std::string device = runtime.device;
  args.finish();
  if (!model_dir) throw UsageError("--model DIR is required");
  if (src_path.has_value() != ref_path.has_value()) throw UsageError("--src and --ref go together");

  Seq2SeqModel model = Seq2SeqModel::load(*model_dir, device);
  const bool translation = model.config().is_translation();
  if (!src_path) {
    if (translation) throw UsageError(*model_dir + " is a translation model: pass --src FILE --ref FILE to score it with BLEU");
    const double acc = evaluate_seq2seq(model, *model_dir);
    if (json)
      std::printf("{\"heldout_exact_match\": %.6f}\n", acc);
    else
      std::printf("held-out exact match: %.2f%%\n", 100 * acc);
    return 0;
  }
  const auto [src, ref] = read_line_pairs(*src_path, *ref_path);
  const std::vector<std::string> hyps = translate_all(model, src, beam, length_penalty);
  if (hyp_path) {
    std::string text;
    for (const auto& h : hyps) text += h + "\n";
    write_file_atomic(*hyp_path, text);
  }
  const BleuScore bleu = corpus_bleu(hyps, ref);
  if (json)
    std::printf("{\"bleu\": %.4f, \"bp\": %.4f, \"ratio\": %.4f, \"hyp_len\": %lld, \"ref_len\": %lld, \"sentences\": %zu, \"decoding\": \"%s\"}\n",
                bleu.score, bleu.bp, bleu.ratio, static_cast<long long>(bleu.hyp_len), static_cast<long long>(bleu.ref_len),
                src.size(), beam > 1 ? ("beam " + std::to_string(beam)).c_str() : "greedy");
  else
    std::printf("%s\n%s\n", bleu.format().c_str(), BleuScore::signature().c_str());
  return 0;
}

}  // namespace attnscope
