// attnscope render: draw an .attn.safetensors file as PNG, SVG or PDF (src/render/render.h).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "apps/args.h"
#include "apps/commands.h"
#include "io/attention_file.h"
#include "io/model_architecture.h"
#include "render/architecture.h"
#include "render/demo_set.h"
#include "render/render.h"
#include "render/view_common.h"

namespace attnscope {
namespace {

// Not an AttentionSet view: it reads a model's config (io/model_architecture.h), so it has its own
// entry point (render/architecture.h) and no attention file.
constexpr const char* kArchitectureView = "architecture";

void usage() {
  std::printf(
      "usage: attnscope render FILE.attn.safetensors --view VIEW [options] -o OUT.png|svg|pdf\n"
      "       attnscope render --view architecture --model DIR -o OUT.png|svg|pdf\n"
      "       attnscope render --demo-set FILE.attn.safetensors   (write a small synthetic set to try the views)\n\n"
      "Draws recorded attention as a static figure; the output's extension picks the format.\n"
      "Every display transform (mean of heads, merged subwords, pooling) is stated on the figure.\n\n"
      "views:\n");
  for (const ViewInfo& v : render_views()) std::printf("  %-8s %s\n", v.name, v.summary);
  std::printf("  %s  the model itself as boxes and arrows, read from its config (--model DIR; no attention file)\n",
              kArchitectureView);
  std::printf(
      "\noptions:\n"
      "  --view V             one of the views above (default heatmap)\n"
      "  --model DIR          architecture: an attnscope train folder, a Hugging Face folder or a llama2.c *.bin\n"
      "  --kind K             encoder-self | decoder-self | cross (default: cross if recorded, else the first)\n"
      "  --layer N            layer, counted from 1 as on the figures: layer 1 is the stored block\n"
      "                       <kind>.0 (default: the last)\n"
      "  --head N             head, counted from 1 (default: the mean of heads); lines: --head 1,3\n"
      "                       overlays several heads\n"
      "  --run N              which run of the file, 0-based (default 0)\n"
      "  --highlight L,H      grid: the layer and head to outline and detail, counted from 1 like --layer\n"
      "  --spans S            brackets on the axes: \"0-6:<ENV>,7-12:<LAN>\" (token indices, inclusive;\n"
      "                       prefix q: or k: for one axis only)\n"
      "  --steps S            steps: decoding steps to show, \"0-3,7\" (default: all, up to 12)\n"
      "  --colormap C         viridis | magma | Blues | Greys | RdBu | RdBu_r (default viridis)\n"
      "  --vmin X, --vmax X   fix the colour range (default: the data's range)\n"
      "  --colorbar-title T   (default \"attention weight\")\n"
      "  --theme light|dark   --dpi N (PNG; default 96)   --title T\n"
      "  --values             print values in cells when they fit\n"
      "  --merge none|words   merge subword pieces into words (sum over keys, mean over queries)\n"
      "  --pool max|mean      how long inputs are pooled into the pixel budget (default max)\n"
      "  -o, --out PATH       the figure to write (.png, .svg or .pdf)\n\n"
      "examples:\n"
      "  attnscope render --demo-set demo.attn.safetensors\n"
      "  attnscope render demo.attn.safetensors --view heads --layer 1 -o heads.svg\n"
      "  attnscope render demo.attn.safetensors --view lines --layer 2 --head 3 -o lines.png\n"
      "  attnscope render demo.attn.safetensors --view compare --vmin 0.2 --vmax 0.8 -o compare.png\n"
      "  attnscope render bert.attn.safetensors --view grid --highlight 8,8 --spans \"0-6:<ENV>,7-12:<LAN>\" \\\n"
      "      --colorbar-title Saliency --vmax 0.3 -o grid.pdf\n");
}

// --head: "N", or for the lines view "N,M,..."; counted from 1, 0 is kept to be refused with
// the file's range once it is read.
std::vector<int> parse_heads(const std::string& s) {
  std::vector<int> heads;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = std::min(s.find(',', start), s.size());
    const std::string item = s.substr(start, comma - start);
    if (item.empty() || item.size() > 6 || item.find_first_not_of("0123456789") != std::string::npos)
      throw UsageError("--head expects a head counted from 1 (e.g. 3), or for --view lines a list (1,3); got '" + s + "'");
    heads.push_back(std::stoi(item));
    start = comma + 1;
  }
  return heads;
}

// --layer 0 / --head 0: the command line counts from 1, like the figures; say which numbers exist.
[[noreturn]] void refuse_zero(const AttentionSet& set, const RenderOptions& opt, const std::string& flag) {
  if (set.runs.empty() || static_cast<size_t>(opt.run) >= set.runs.size())
    throw std::invalid_argument("--" + flag + " 0: " + flag + "s are counted from 1");
  const AttentionRun& run = set.runs[static_cast<size_t>(opt.run)];
  const AttentionKind kind = pick_kind(run, opt.kind);
  if (flag == "layer")
    throw std::invalid_argument("--layer 0: layers are counted from 1 (valid layers " + layer_numbers(layers_of(run, kind)) +
                                " for " + kind_name(kind) + "; layer 1 is the stored block " + kind_name(kind) + "." +
                                std::to_string(layers_of(run, kind).front()) + ")");
  const AttentionBlock& block = pick_block(run, kind, opt.layer);
  throw std::invalid_argument("--head 0: heads are counted from 1 (valid heads 1-" + std::to_string(block.heads) + " for " +
                              block.name() + ", or leave --head out for the mean of heads)");
}

std::pair<int, int> parse_highlight(const std::string& s) {
  int layer = 0, head = 0;
  char extra = 0;
  if (std::sscanf(s.c_str(), "%d,%d%c", &layer, &head, &extra) != 2)
    throw UsageError("--highlight expects LAYER,HEAD (1-based, e.g. 8,8); got '" + s + "'");
  return {layer, head};
}

}  // namespace

int cmd_render(int argc, char** argv) {
  Args args(argc, argv, {"values"});  // "-o X" arrives as --out X
  if (args.help()) {
    usage();
    return 0;
  }
  if (auto demo = args.get("demo-set")) {
    args.finish();
    if (!args.positionals().empty()) throw UsageError("--demo-set takes no input file");
    save_attention_set(demo_attention_set(), *demo);
    std::printf("%s\n", demo->c_str());
    return 0;
  }

  RenderOptions opt;
  opt.view = args.get("view", opt.view);
  opt.kind = args.get("kind", "");
  // --layer and --head count from 1 as the figures do; RenderOptions counts from 0 as stored.
  const long layer = args.get_int("layer", -1, 0, 100000);
  opt.layer = layer > 0 ? static_cast<int>(layer - 1) : -1;
  std::vector<int> heads;
  if (auto h = args.get("head")) heads = parse_heads(*h);
  const bool zero_head = std::find(heads.begin(), heads.end(), 0) != heads.end();
  for (int& h : heads) h -= 1;
  if (heads.size() == 1) opt.head = heads[0];
  if (heads.size() > 1) opt.heads = heads;
  opt.run = static_cast<int>(args.get_int("run", 0, 0, 100000000));
  if (auto h = args.get("highlight")) opt.highlight = parse_highlight(*h);
  opt.spans = args.get("spans", "");
  opt.steps = args.get("steps", "");
  opt.colormap = args.get("colormap", opt.colormap);
  if (args.has("vmin")) opt.vmin = static_cast<float>(args.get_double("vmin", 0, -1e30, 1e30));
  if (args.has("vmax")) opt.vmax = static_cast<float>(args.get_double("vmax", 1, -1e30, 1e30));
  opt.colorbar_title = args.get("colorbar-title", opt.colorbar_title);
  opt.theme = args.choice("theme", opt.theme, {"light", "dark"});
  opt.dpi = args.get_double("dpi", opt.dpi, 10, 1200);
  opt.values = args.has("values");
  opt.merge = args.choice("merge", opt.merge, {"none", "words"});
  opt.pool = args.choice("pool", opt.pool, {"max", "mean"});
  opt.title = args.get("title", "");
  const std::optional<std::string> out = args.get("out");
  const std::optional<std::string> model = args.get("model");
  args.finish();

  const auto& pos = args.positionals();
  if (opt.view == kArchitectureView) {
    if (!model) throw UsageError("--view architecture needs --model DIR (a model folder or llama2.c *.bin)");
    if (!pos.empty()) throw UsageError("--view architecture reads --model, not an attention file: '" + pos[0] + "' is extra");
    if (!out) throw UsageError("missing -o OUT.png|svg|pdf");
    if (!std::filesystem::exists(*model)) throw UsageError("--model " + *model + ": no such model folder or file");
    const ModelArchitecture arch = read_model_architecture(*model);
    render_architecture(arch, opt, *out);
    std::printf("%s\n", out->c_str());
    return 0;
  }
  if (model) throw UsageError("--model is read by --view architecture only (other views draw an attention file)");
  if (pos.empty()) throw UsageError("missing the input FILE.attn.safetensors (see 'attnscope render --help')");
  if (pos.size() > 1) throw UsageError("expected one input file, got " + std::to_string(pos.size()) + ": '" + pos[1] + "' is extra");
  if (!out) throw UsageError("missing -o OUT.png|svg|pdf");
  check_render_options(opt);  // bad names fail before the file is read

  const AttentionSet set = load_attention_set(pos[0]);
  if (layer == 0) refuse_zero(set, opt, "layer");
  if (zero_head) refuse_zero(set, opt, "head");
  render_figure(set, opt, *out);
  std::printf("%s\n", out->c_str());
  return 0;
}

}  // namespace attnscope
