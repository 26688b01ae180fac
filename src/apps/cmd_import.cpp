// attnscope import: attention dumped by other tools (.npy, .npz, .safetensors, .json) into an
// .attn.safetensors file (src/io/attention_import.h, docs/interop.md).
#include <cmath>
#include <cstdio>
#include <thread>
#include <string>
#include <vector>

#include "apps/args.h"
#include "apps/commands.h"
#include "io/attention_file.h"
#include "io/attention_import.h"

namespace attnscope {
namespace {

void usage() {
  std::puts(
      "usage: attnscope import FILE [--tokens F | --source-tokens \"a b\" --target-tokens \"c d\"] [--kind K]\n"
      "                        -o OUT.attn.safetensors\n\n"
      "Reads attention written by other tools and saves it as an .attn.safetensors file that\n"
      "render, export and serve read. FILE is picked by its extension:\n"
      "  .npy          one array: [q, k], [heads, q, k], [layers, heads, q, k] or [layers, 1, heads, q, k]\n"
      "  .npz          np.savez / np.savez_compressed; each array a block: names \"cross.0\" map directly,\n"
      "                other names (\"layer_0\", \"attentions.3\") become layers in name order; text arrays\n"
      "                named tokens / source_tokens / target_tokens give the tokens\n"
      "  .safetensors  any tensor names, as for .npz; tokens from __metadata__ \"tokens\" (JSON list)\n"
      "  .json         {\"attention\": [layers][1][heads][q][k], \"tokens\": [...]} (bertviz-like)\n"
      "  a folder      as 'attnscope export --npy' writes it\n"
      "Queries and keys instead of weights (long inputs, docs/python.md has the hook for a Hugging Face\n"
      "Llama): arrays \"decoder-self.3.q\" [heads, T, d] and \"decoder-self.3.k\" [key heads, T, d] as the\n"
      "scores used them (after RoPE), optionally \"decoder-self.3.lse\" [heads, T]; any weight is then\n"
      "computed exactly when a view asks. Missing log-sum-exps and the thumbnails are computed on import.\n\n"
      "options:\n"
      "  --kind K             encoder-self | decoder-self | cross: the kind of arrays whose names do not\n"
      "                       say (default: the file's \"kind\", else encoder-self)\n"
      "  --tokens F           token file: one token per line, a JSON list, or a JSON object with\n"
      "                       \"tokens\" / \"source_tokens\" / \"target_tokens\" lists\n"
      "  --source-tokens S    source tokens, space-separated (encoder-self axes, cross keys)\n"
      "  --target-tokens S    target tokens, space-separated (decoder-self axes, cross queries)\n"
      "  --index-tokens       number the positions of a side that has no tokens instead of failing\n"
      "  --scale X            queries and keys: score = X * q.k (default 1/sqrt(head width))\n"
      "  --mask causal|none   queries and keys: which keys a query sees (default causal)\n"
      "  --threads N          threads for computing log-sum-exps and thumbnails (default: cores)\n"
      "  -o, --out PATH       the .attn.safetensors file to write\n\n"
      "Tokens given here win over tokens in the file. Shapes must match the token counts and every\n"
      "weight must be finite.\n\n"
      "examples:\n"
      "  attnscope import bert.npz --tokens tokens.txt -o bert.attn.safetensors\n"
      "  attnscope import cross.npy --kind cross --source-tokens \"the cat sat\" \\\n"
      "      --target-tokens \"le chat s'est assis\" -o cross.attn.safetensors\n"
      "  attnscope import llama_qk.safetensors --tokens tokens.json -o long.attn.safetensors\n"
      "  attnscope import bert.attn.json -o bert.attn.safetensors && \\\n"
      "      attnscope render bert.attn.safetensors --view grid -o grid.png");
}

// "encoder-self 0-11, cross 0-5"
std::string block_summary(const AttentionRun& run) {
  std::string s;
  for (size_t i = 0; i < run.blocks.size();) {
    size_t j = i;
    while (j + 1 < run.blocks.size() && run.blocks[j + 1].kind == run.blocks[i].kind) ++j;
    s += (s.empty() ? "" : ", ") + kind_name(run.blocks[i].kind) + " " + std::to_string(run.blocks[i].layer);
    if (j > i) s += "-" + std::to_string(run.blocks[j].layer);
    i = j + 1;
  }
  return s;
}

}  // namespace

int cmd_import(int argc, char** argv) {
  Args args(argc, argv, {"index-tokens"});  // "-o X" arrives as --out X
  if (args.help()) {
    usage();
    return 0;
  }
  ImportOptions opt;
  if (args.has("kind")) opt.kind = kind_from_name(args.choice("kind", "", {"encoder-self", "decoder-self", "cross"}));
  const auto token_file = args.get("tokens");
  const auto source = args.get("source-tokens");
  const auto target = args.get("target-tokens");
  opt.index_tokens = args.has("index-tokens");
  if (auto s = args.get("scale")) {
    try {
      size_t used = 0;
      opt.scale = std::stod(*s, &used);
      if (used != s->size() || !(*opt.scale > 0) || !std::isfinite(*opt.scale)) throw std::invalid_argument(*s);
    } catch (const std::exception&) {
      throw UsageError("--scale must be a positive number, not '" + *s + "'");
    }
  }
  if (args.has("mask")) opt.mask = mask_rule_from_name(args.choice("mask", "causal", {"causal", "none"}));
  opt.threads = static_cast<size_t>(args.get_int("threads", static_cast<long>(std::max(1u, std::thread::hardware_concurrency())), 1, 256));
  const auto out = args.get("out");
  args.finish();

  const auto& pos = args.positionals();
  if (pos.empty()) throw UsageError("missing the input FILE (see 'attnscope import --help')");
  if (pos.size() > 1) throw UsageError("expected one input file, got " + std::to_string(pos.size()) + ": '" + pos[1] + "' is extra");
  if (!out) throw UsageError("missing -o OUT.attn.safetensors");
  if (token_file) opt.tokens = read_token_file(*token_file);
  if (source) opt.tokens.source = split_tokens(*source);
  if (target) opt.tokens.target = split_tokens(*target);

  // Streams a dense .npz (about one layer in memory); `set` then holds shapes and tokens only.
  const AttentionSet set = import_attention_to_file(pos[0], opt, *out);
  if (set.runs.empty() || set.runs[0].blocks.empty()) {
    std::printf("%s\n", out->c_str());
    return 0;
  }
  const AttentionRun& first = set.runs[0];
  const AttentionBlock& b = first.blocks[0];
  std::printf("%s: %zu run%s, blocks %s, %zu heads, %zu queries x %zu keys\n", out->c_str(), set.runs.size(),
              set.runs.size() == 1 ? "" : "s", block_summary(first).c_str(), b.heads, b.queries, b.keys);
  return 0;
}

}  // namespace attnscope
