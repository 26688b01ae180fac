// attnscope run on a pretrained language model (today: llama2.c checkpoints): greedy generation
// from a prompt; prints the text and, on request, saves or draws the attention of the final
// sequence. cmd_run dispatches here when --model names a pretrained format.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/args.h"
#include "apps/commands.h"
#include "io/attention_file.h"
#include "models/pretrained.h"
#include "models/threads.h"
#include "render/render.h"

namespace attnscope {

namespace {

const char* kHelp = R"(usage: attnscope run --model CHECKPOINT [options] "PROMPT"
       attnscope run --model CHECKPOINT [options] -     (one prompt per line from stdin)

Generates text greedily from a pretrained language model, prints prompt + continuation (as
llama2.c's run.c does) and, on request, the attention of the whole final sequence: every head
of every layer, kind decoder-self. An empty PROMPT ("") starts from BOS alone.

CHECKPOINT: a llama2.c checkpoint *.bin (its tokenizer: the one tok*.bin beside it), or a folder
holding one checkpoint *.bin and one tok*.bin (e.g. models/stories260K).

options:
  --max-new-tokens N  tokens to generate after the prompt (default 64); generation also stops
                      at the end of the text (BOS/EOS) or when the context is full
  --json              one JSON object per prompt: {"input", "output", "text", "tokens", "ids",
                      "prompt_tokens", "stopped"}
  --attn FILE         save the attention as .attn.safetensors (all prompts in one file)
  --png FILE, --svg FILE, --pdf FILE
                      draw the attention (one prompt: grid of layers x heads; several: gallery)
  --view V            grid | heatmap | heads | ... (see attnscope render --help)
  --device cpu|cuda   (default cpu)

example:
  attnscope run --model models/stories260K "Once upon a time" --max-new-tokens 32 --png story.png
)";

nlohmann::json to_json(const Generation& g, const Tokenizer& tok) {
  return {{"input", g.prompt},       {"output", g.continuation},  {"text", g.text},
          {"tokens", g.run.target_tokens}, {"ids", g.ids}, {"prompt_tokens", g.prompt_length},
          {"stopped", g.run.info.at("stopped")}, {"tokenizer", tok.describe()}};
}

}  // namespace

int cmd_run_pretrained(int argc, char** argv) {
  Args args(argc, argv, {"json"});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  const std::string model_path = args.get("model", "");
  GenerateOptions gen;
  gen.max_new_tokens = static_cast<int>(args.get_int("max-new-tokens", gen.max_new_tokens, 0, 1 << 20));
  const bool json = args.has("json");
  auto attn_path = args.get("attn");
  std::vector<std::string> figures;
  for (const char* f : {"png", "svg", "pdf"})
    if (auto p = args.get(f)) figures.push_back(*p);
  auto view = args.get("view");
  const std::string device = args.get("device", "cpu");
  set_threads(static_cast<int>(args.get_int("threads", 1, 1, 256)));
  args.finish();
  if (args.positionals().size() != 1)
    throw UsageError("expected exactly one PROMPT (quote it; \"\" starts from BOS; - reads lines from stdin)");
  gen.record = attn_path || !figures.empty();

  PretrainedModel model = PretrainedModel::load(model_path, device);
  std::vector<std::string> prompts;
  if (args.positionals()[0] == "-") {
    for (std::string line; std::getline(std::cin, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      prompts.push_back(line);
    }
    if (prompts.empty()) throw UsageError("no prompt lines on stdin");
  } else {
    prompts.push_back(args.positionals()[0]);
  }
  std::vector<Generation> results;
  for (const auto& prompt : prompts) {
    results.push_back(model.generate(prompt, gen));
    if (json)
      std::printf("%s\n", to_json(results.back(), model.tokenizer()).dump().c_str());
    else
      std::printf("%s\n", results.back().text.c_str());
    std::fflush(stdout);
  }
  if (!gen.record) return 0;
  AttentionSet set = model.to_attention_set(results);
  if (attn_path) {
    save_attention_set(set, *attn_path);
    std::fprintf(stderr, "attention: %s\n", attn_path->c_str());
  }
  for (const auto& path : figures) {
    RenderOptions opts;
    opts.view = view.value_or(results.size() > 1 ? "gallery" : "grid");
    render_figure(set, opts, path);
    std::fprintf(stderr, "figure: %s\n", path.c_str());
  }
  return 0;
}

}  // namespace attnscope
