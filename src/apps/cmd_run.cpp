// attnscope run: one input (or one per stdin line) through a trained model; prints the output,
// optionally as JSON, and saves or draws the recorded attention.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/args.h"
#include "apps/commands.h"
#include "io/attention_file.h"
#include "models/pretrained.h"
#include "models/seq2seq_model.h"
#include "models/threads.h"
#include "render/render.h"

namespace attnscope {

namespace {

const char* kHelp = R"(usage: attnscope run --model DIR [options] "INPUT"
       attnscope run --model DIR [options] -        (one input per line from stdin)

Runs a trained model, prints its output and, on request, its attention.

options:
  --json              one JSON object per input: {"input", "output", "input_tokens",
                      "output_tokens", "attention"}; attention is the output x input matrix
  --attn FILE         save the recorded attention as .attn.safetensors (all inputs in one file)
  --png FILE, --svg FILE, --pdf FILE
                      draw the attention (one input: heatmap; several: a gallery)
  --view V            heatmap | steps | gallery | ... (see attnscope render --help)
  --beam K            beam search with K hypotheses (default 1: greedy)
  --device cpu|cuda   (default cpu)

--model may also be a pretrained model (a llama2.c *.bin, a folder holding one and its tok*.bin,
or a Hugging Face folder: BERT, GPT-2, Llama); attnscope run --model MODEL --help for its options.

example:
  attnscope run --model models/dates "Thrusday, October 13 2011" --png out/dates.png
)";

nlohmann::json to_json(const Translation& t) {
  nlohmann::json j = {{"input", t.input},
                      {"output", t.output},
                      {"input_tokens", t.run.source_tokens},
                      {"output_tokens", t.run.target_tokens}};
  const AttentionBlock* b = t.run.find(AttentionKind::Cross, 0);
  if (!b) {
    j["attention"] = nullptr;
    auto note = t.run.info.find("attention");
    if (note != t.run.info.end()) j["note"] = note->second;
    return j;
  }
  nlohmann::json rows = nlohmann::json::array();
  for (size_t q = 0; q < b->queries; ++q) rows.push_back(std::vector<float>(b->row(0, q), b->row(0, q) + b->keys));
  j["attention"] = rows;
  return j;
}

// The value of --model without parsing the other flags (they differ between model kinds).
std::optional<std::string> peek_model(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--model" && i + 1 < argc) return std::string(argv[i + 1]);
    if (a.rfind("--model=", 0) == 0) return a.substr(8);
  }
  return std::nullopt;
}

}  // namespace

int cmd_run(int argc, char** argv) {
  // The model's files decide its kind: pretrained checkpoints generate, trained seq2seq translate.
  if (auto model = peek_model(argc, argv); model && PretrainedModel::recognizes(*model))
    return cmd_run_pretrained(argc, argv);
  Args args(argc, argv, {"json"});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  auto model_dir = args.get("model");
  const bool json = args.has("json");
  auto attn_path = args.get("attn");
  std::vector<std::string> figures;
  for (const char* f : {"png", "svg", "pdf"})
    if (auto p = args.get(f)) figures.push_back(*p);
  auto view = args.get("view");
  DecodeOptions decode;
  decode.beam = static_cast<int>(args.get_int("beam", 1, 1, 64));
  const std::string device = args.get("device", "cpu");
  set_threads(static_cast<int>(args.get_int("threads", 1, 1, 256)));
  args.finish();
  if (!model_dir) throw UsageError("--model DIR is required");
  if (args.positionals().size() != 1)
    throw UsageError("expected exactly one INPUT (quote it, or pass - to read lines from stdin)");

  Seq2SeqModel model = Seq2SeqModel::load(*model_dir, device);
  std::vector<std::string> inputs;
  if (args.positionals()[0] == "-") {
    inputs = read_stdin_lines();
    if (inputs.empty()) throw UsageError("no input lines on stdin");
  } else {
    inputs.push_back(args.positionals()[0]);
  }
  // Check every input first so a bad line fails before anything is printed or written.
  for (size_t i = 0; i < inputs.size(); ++i) {
    try {
      model.prepare_input(inputs[i]);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(inputs.size() > 1 ? "line " + std::to_string(i + 1) + ": " + e.what() : e.what());
    }
  }
  std::vector<Translation> results;
  for (const auto& in : inputs) {
    results.push_back(model.translate(in, decode));
    if (json)
      std::printf("%s\n", to_json(results.back()).dump().c_str());
    else
      std::printf("%s\n", results.back().output.c_str());
    std::fflush(stdout);
  }
  if (!attn_path && figures.empty()) return 0;
  AttentionSet set = model.to_attention_set(results);
  if (attn_path) {
    save_attention_set(set, *attn_path);
    std::fprintf(stderr, "attention: %s\n", attn_path->c_str());
  }
  if (!figures.empty() && model.config().attention == "none")
    throw std::runtime_error("this model has no attention (--attention none), so there is nothing to draw");
  for (const auto& path : figures) {
    RenderOptions opts;
    opts.view = view.value_or(results.size() > 1 ? "gallery" : "heatmap");
    render_figure(set, opts, path);
    std::fprintf(stderr, "figure: %s\n", path.c_str());
  }
  return 0;
}

}  // namespace attnscope
