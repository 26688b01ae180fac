// attnscope stats: per-head statistics (entropy, distance, special/first/punctuation/previous/same/next
// shares, after Clark et al. 2019) over a corpus run through a model, or over saved
// .attn.safetensors files; a table, a JSON file and one layer x head figure per statistic.
// Under `mpirun -np N` the sentences are split across processes and reduced exactly.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "analysis/corpus_stats.h"
#include "apps/args.h"
#include "apps/commands.h"
#include "core/progress.h"
#include "core/process_group.h"
#include "io/atomic_file.h"
#include "io/attention_file.h"
#include "apps/runtime_flags.h"
#include "apps/model_library.h"
#include "render/stat_figure.h"

namespace attnscope {

namespace {

const char* kHelp = R"(usage: attnscope stats --model PATH CORPUS.txt [options]
       attnscope stats FILE.attn.safetensors ... [options]

Per-head statistics over a whole corpus (after Clark et al. 2019, "What Does BERT Look At?"),
averaged over every query token of every sentence:
  entropy       -sum p ln p of each attention row (nats)
  uniform       the entropy uniform attention would have over the keys the query may see
  broadness     entropy / uniform (1 = as broad as uniform, 0 = all weight on one key)
  distance      mean |query - key| weighted by attention (self-attention only)
  special       share of attention on [CLS], [SEP], <s>, </s>, <|endoftext|> ...
  first         share on the first token (attention sinks)
  punctuation   share on punctuation tokens
  previous, same, next   share on the token before, the token itself, the token after

With --model, each non-empty line of CORPUS is one input: language models record self-attention
over the line's tokens (with the model's special tokens, e.g. BOS; nothing is generated),
encoders (BERT) read the line once, translation models (attnscope, Marian) translate it and
record every kind. Without --model, the runs of
saved .attn.safetensors files are the sentences. Long inputs recorded as queries and keys
(run --weights query-key) are streamed a band of rows at a time, never held whole.

Prints a table (one line per layer and head), writes OUT/stats.json and one layer x head
figure per statistic and kind (OUT/<kind>-<statistic>.png). The table and figures count layers
and heads from 1, as every figure does (layer 1 is the stored block <kind>.0); stats.json keeps
the stored indices, from 0.

options:
  --model PATH        any model attnscope runs (llama2.c, Hugging Face folder, attnscope train)
  --out DIR           where stats.json and the figures go (default stats)
  --max-sentences N   stop after N sentences (default: all)
  --max-tokens N      truncate each input to N tokens (default: the model's context)
  --format png|svg|pdf   figure format (default png)
  --no-figures        table and JSON only
  --quiet             no progress bar
  --threads N         CPU threads per process (default 1)
  --device cpu|cuda   (default cpu)

scale-out: mpirun -np 2 attnscope stats --model ... splits the sentences across processes
(sentence i on process i mod N) and adds the per-sentence sums in corpus order on process 0:
the result is bit-identical to one process. (As root, OpenMPI wants --allow-run-as-root.)

example:
  attnscope stats --model ../shared/models/stories260K stories.txt --out out/stats
)";

std::vector<std::string> read_lines(const std::string& path, long max_lines) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open the corpus");
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line) && (max_lines <= 0 || static_cast<long>(lines.size()) < max_lines)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) lines.push_back(line);
  }
  if (lines.empty()) throw std::runtime_error(path + ": no non-empty lines");
  return lines;
}

nlohmann::json to_json(const HeadStats& stats, const std::string& source) {
  nlohmann::json j;
  j["source"] = source;
  j["sentences"] = stats.sentences;
  j["statistics"] = nlohmann::json::array();
  for (int s = 0; s < kStatCount; ++s) j["statistics"].push_back(head_stat_name(s));
  j["heads"] = nlohmann::json::array();
  for (const HeadStatsRow& r : stats.rows) {
    nlohmann::json h{{"kind", kind_name(r.kind)}, {"layer", r.layer}, {"head", r.head}};
    for (int s = 0; s < kStatCount; ++s)
      h[head_stat_name(s)] = std::isnan(r.values[s]) ? nlohmann::json(nullptr) : nlohmann::json(r.values[s]);
    j["heads"].push_back(h);
  }
  return j;
}

// One figure per (kind, statistic): rows = layers, columns = heads.
void write_figures(const HeadStats& stats, const std::string& dir, const std::string& ext, const std::string& source,
                   std::vector<std::string>& written) {
  for (AttentionKind kind : {AttentionKind::EncoderSelf, AttentionKind::DecoderSelf, AttentionKind::Cross}) {
    int layers = 0, heads = 0;
    for (const HeadStatsRow& r : stats.rows)
      if (r.kind == kind) layers = std::max(layers, r.layer + 1), heads = std::max(heads, r.head + 1);
    if (!layers) continue;
    for (int s = 0; s < kStatCount; ++s) {
      StatFigure fig;
      fig.values = Matrix(layers, heads, NAN);
      bool any = false;
      for (const HeadStatsRow& r : stats.rows)
        if (r.kind == kind) {
          fig.values.at(r.layer, r.head) = static_cast<float>(r.values[s]);
          any |= !std::isnan(r.values[s]);
        }
      if (!any) continue;
      // Counted from 1 as every figure counts them; stats.json keeps the stored indices.
      for (int l = 0; l < layers; ++l) fig.row_labels.push_back(std::to_string(l + 1));
      for (int h = 0; h < heads; ++h) fig.col_labels.push_back(std::to_string(h + 1));
      fig.notes.push_back("layers and heads are counted from 1 (layer 1 is the stored block " + kind_name(kind) +
                          ".0; stats.json counts from 0)");
      fig.row_title = "layer";
      fig.col_title = "head";
      fig.title = std::string(head_stat_name(s)) + " per head · " + kind_name(kind);
      fig.subtitle = source + " · " + std::to_string(stats.sentences) + " sentences, mean over every query token";
      fig.colorbar_title = head_stat_name(s);
      fig.colormap = s == kEntropy || s == kUniformEntropy || s == kDistance ? "magma" : "viridis";
      const std::string path = dir + "/" + kind_name(kind) + "-" + head_stat_name(s) + "." + ext;
      render_stat_figure(fig, path);
      written.push_back(path);
    }
  }
}

}  // namespace

int cmd_stats(int argc, char** argv) {
  Args args(argc, argv, {"no-figures", "quiet"});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  const auto model = args.get("model");
  const std::string out = args.get("out", "stats");
  const long max_sentences = args.get_int("max-sentences", 0, 0, 1L << 40);
  const long max_tokens = args.get_int("max-tokens", 0, 0, 1 << 20);
  const std::string format = args.choice("format", "png", {"png", "svg", "pdf"});
  const bool figures = !args.has("no-figures"), quiet = args.has("quiet");
  const Runtime runtime = parse_runtime(args);
  args.finish();
  const std::vector<std::string>& inputs = args.positionals();
  if (inputs.empty()) throw UsageError("missing input: a corpus file with --model, or .attn.safetensors files");
  if (model && inputs.size() != 1) throw UsageError("with --model, give exactly one corpus file");
  ProcessGroup group;
  std::unique_ptr<Model> loaded;
  std::unique_ptr<RunSource> source;
  std::string described;
  if (model) {
    std::vector<std::string> lines = read_lines(inputs[0], max_sentences);
    described = std::filesystem::path(*model).filename().string() + " on " +
                std::filesystem::path(inputs[0]).filename().string();
    loaded = load_model(*model, runtime);
    const Model* m = loaded.get();
    const size_t count = lines.size();
    source = std::make_unique<ComputedRuns>(count, [m, lines = std::move(lines), max_tokens](size_t i) {
      Request req;
      req.input = lines[i];
      req.max_input_tokens = static_cast<size_t>(max_tokens > 0 ? max_tokens : m->info().trained_tokens);
      if (m->info().role == ModelRole::Decoder) req.forced_ids = std::vector<int>{};  // the line itself, nothing generated
      try {
        return m->run(req).run;
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("line " + std::to_string(i + 1) + ": " + e.what());
      }
    });
  } else {
    source = std::make_unique<SavedRuns>(inputs);
    described = inputs.size() == 1 ? std::filesystem::path(inputs[0]).filename().string()
                                   : std::to_string(inputs.size()) + " files";
  }
  size_t n = source->size();
  if (max_sentences > 0) n = std::min(n, static_cast<size_t>(max_sentences));

  ProgressBar bar(!quiet && group.root(), static_cast<int64_t>(n), "sentences");
  const std::optional<HeadStats> result =
      corpus_head_stats(*source, n, group, [&](size_t done) { bar.update(static_cast<int64_t>(done)); });
  bar.done();
  if (!result) return 0;
  const HeadStats& stats = *result;
  std::fputs(format_head_stats(stats).c_str(), stdout);

  std::filesystem::create_directories(out);
  write_file_atomic(out + "/stats.json", to_json(stats, described).dump(1) + "\n");
  std::vector<std::string> written{out + "/stats.json"};
  if (figures) write_figures(stats, out, format, described, written);
  std::fprintf(stderr, "%zu sentences on %d process%s; wrote %s", n, group.size(), group.size() == 1 ? "" : "es",
               written.front().c_str());
  if (written.size() > 1) std::fprintf(stderr, " and %zu figures in %s/", written.size() - 1, out.c_str());
  std::fprintf(stderr, "\n");
  return 0;
}

}  // namespace attnscope
