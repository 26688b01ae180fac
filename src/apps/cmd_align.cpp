// attnscope align: word alignments (Pharaoh) of sentence pairs from a translation model's
// cross-attention; with --gold, AER of every layer and head.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "analysis/head_alignment.h"
#include "apps/args.h"
#include "apps/commands.h"
#include "core/progress.h"
#include "io/atomic_file.h"
#include "io/text_lines.h"
#include "apps/runtime_flags.h"
#include "apps/model_library.h"
#include "render/stat_figure.h"

namespace attnscope {

namespace {

const char* kHelp = R"(usage: attnscope align --model MODEL SRC.txt TGT.txt [options]

Word alignments from cross-attention: each sentence pair is run through the translation model
(an attnscope translation model, MarianMT, or any encoder-decoder) with the target teacher-forced, subword pieces are merged into words (sum over a source word's
pieces, mean over a target word's) and each target word links to the source word it attends to
most (or, with --threshold, to every source word with at least that weight). Writes Pharaoh
links "i-j" (source word i, target word j, 0-based, words split on spaces) one line per pair.

options:
  --layer N           cross-attention layer, counted from 1 (default: the last)
  --head N            head, counted from 1 (default: the mean of heads)
  --threshold X       link every word pair with merged weight >= X instead of the argmax
  --shift             read each target word from the decoding step that takes it as its input
                      (the row after the one that produced it; "shift-att", Chen et al. 2020)
  --out FILE          write the links here (default: stdout)
  --gold FILE         also score against gold links (sure i-j, possible ipj): prints precision,
                      recall and AER for every layer and head and their means, the best head,
                      and with --figure draws AER per layer x head
  --gold-base 0|1     first index in the gold file (default 0)
  --swap              the gold file is target-source
  --figure FILE       PNG/SVG/PDF of AER per layer x head (with --gold)
  --json              with --gold: one JSON object with every score
  --threads N         CPU threads (default 1)
  --device cpu|cuda   (default cpu)

Layers and heads are counted from 1 in --layer/--head and in what is printed for people
("layer 3, head 2"), as the figures count them; the JSON keeps the stored indices, from 0
(layer 3 is the stored block cross.2).

example:
  attnscope align --model models/en-de test.en test.de --gold test.gold --figure aer.png
)";

}  // namespace

int cmd_align(int argc, char** argv) {
  Args args(argc, argv, {"swap", "json", "shift"});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  auto model_dir = args.get("model"), out = args.get("out"), gold_path = args.get("gold"), figure = args.get("figure");
  AlignOptions base;
  // Counted from 1 as the figures count; AlignOptions counts from 0 as stored (checked against the
  // model once it is read).
  const long layer = args.get_int("layer", -1, 0, 1000), head = args.get_int("head", -1, 0, 1000);
  base.layer = layer > 0 ? static_cast<int>(layer - 1) : -1;
  base.head = head > 0 ? static_cast<int>(head - 1) : -1;
  if (auto t = args.get("threshold")) {
    base.threshold = true;
    base.min_weight = args.get_double("threshold", 0.3, 0.0, 1.0);
  }
  base.shift = args.has("shift");
  PharaohOptions gold_opts;
  gold_opts.base = static_cast<int>(args.get_int("gold-base", 0, 0, 1));
  gold_opts.swap = args.has("swap");
  const bool json = args.has("json");
  const Runtime runtime = parse_runtime(args);
  args.finish();
  if (!model_dir) throw UsageError("--model MODEL is required (a translation model: attnscope train --task translate, or MarianMT)");
  if (args.positionals().size() != 2) throw UsageError("expected SRC.txt and TGT.txt: the sentence pairs to align");
  if (figure && !gold_path) throw UsageError("--figure needs --gold: it draws AER per layer and head");

  const auto [src, tgt] = read_line_pairs(args.positionals()[0], args.positionals()[1]);
  std::vector<SentenceAlignment> gold;
  if (gold_path) {
    gold = read_pharaoh(*gold_path, gold_opts);
    if (gold.size() != src.size())
      throw std::invalid_argument(*gold_path + " has " + std::to_string(gold.size()) + " sentences but the corpus has " +
                                  std::to_string(src.size()));
  }
  const std::unique_ptr<Model> model = load_model(*model_dir, runtime);
  const ModelInfo& info = model->info();
  const auto& kinds = info.kinds;
  if (std::find(kinds.begin(), kinds.end(), "cross") == kinds.end())
    throw std::invalid_argument(info.name + " is " +
                                (info.role == ModelRole::Encoder  ? "an encoder (" + architecture_name(info.architecture) + ")"
                                 : info.role == ModelRole::Decoder ? "a decoder-only model (" + architecture_name(info.architecture) + ")"
                                                                   : "a model without cross-attention") +
                                ": align needs an encoder-decoder's cross-attention");
  if (info.alphabet.size() > 0) throw std::invalid_argument(info.name + " is a character model: align reads word-level translation models");
  const SubwordStyle style = subword_style(info.subword);
  if (layer == 0 || layer > info.layers)
    throw std::invalid_argument("--layer " + std::to_string(layer) + ": no such layer (the model has layers 1-" +
                                std::to_string(info.layers) + ", counted from 1)");
  if (head == 0 || head > info.heads)
    throw std::invalid_argument("--head " + std::to_string(head) + ": no such head (the model has heads 1-" +
                                std::to_string(info.heads) + ", counted from 1)");

  // Every choice to score: the asked one first, then (with --gold) every layer x head and means.
  const int L = info.layers, H = info.heads;
  HeadAlignmentSweep sweep(base, style, gold_path.has_value(), L, H);
  ProgressBar bar(true, static_cast<int64_t>(src.size()), "sentence pairs");
  for (size_t i = 0; i < src.size(); ++i) {
    Request req;
    req.input = src[i];
    req.forced_output = tgt[i];
    req.layers = base.layer >= 0 && !gold_path ? std::vector<int>{base.layer} : std::vector<int>{};
    try {
      Result r = model->run(req);
      sweep.add(r.run);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("line " + std::to_string(i + 1) + ": " + e.what());
    }
    bar.update(static_cast<int64_t>(i + 1));
  }
  bar.done();
  if (out)
    write_file_atomic(*out, sweep.pharaoh());
  else if (!gold_path)
    std::fputs(sweep.pharaoh().c_str(), stdout);
  if (!gold_path) return 0;

  const auto& choices = sweep.choices();
  const HeadAlignmentSweep::Scores scores = sweep.score(gold);
  nlohmann::json j = nlohmann::json::array();
  Matrix aer(static_cast<size_t>(L), static_cast<size_t>(H) + 1);
  const size_t best = scores.best;
  std::printf("%-28s %10s %8s %8s\n", "cross-attention", "precision", "recall", "AER");
  for (size_t c = 0; c < choices.size(); ++c) {
    const AlignmentScore& s = scores.per_choice[c];
    if (c > 0) aer.at(static_cast<size_t>(choices[c].layer), static_cast<size_t>(choices[c].head + 1)) = static_cast<float>(s.aer());
    if (!json) std::printf("%-28s %9.1f%% %7.1f%% %7.1f%%\n", choices[c].name().c_str(), 100 * s.precision(), 100 * s.recall(), 100 * s.aer());
    j.push_back({{"layer", choices[c].layer}, {"head", choices[c].head}, {"precision", s.precision()}, {"recall", s.recall()}, {"aer", s.aer()}});
  }
  const AlignmentScore& b = scores.per_choice[best];
  if (json)
    std::printf("%s\n", nlohmann::json{{"scores", j}, {"best", {{"layer", choices[best].layer}, {"head", choices[best].head}, {"aer", b.aer()}}}}.dump().c_str());
  else
    std::printf("best: %s, AER %.1f%%\n", choices[best].name().c_str(), 100 * b.aer());
  if (figure) {
    StatFigure fig;
    fig.values = aer;
    for (int l = 0; l < L; ++l) fig.row_labels.push_back(std::to_string(l + 1));
    fig.col_labels.push_back("mean");
    for (int h = 0; h < H; ++h) fig.col_labels.push_back(std::to_string(h + 1));
    fig.row_title = "layer";
    fig.col_title = "head";
    fig.title = "Alignment error rate of cross-attention, per layer and head";
    fig.subtitle = std::to_string(src.size()) + " sentence pairs; lower is better; best: " + choices[best].name() + " (counted from 1)";
    fig.colorbar_title = "AER";
    fig.colormap = "magma";
    fig.notes.push_back(std::string("each target word links to its most-attended source word; ") + kMergeStatement);
    render_stat_figure(fig, *figure);
    std::fprintf(stderr, "figure: %s\n", figure->c_str());
  }
  return 0;
}

}  // namespace attnscope
