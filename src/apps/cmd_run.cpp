// attnscope run: one input (or one per stdin line) through a trained model; prints the output,
// optionally as JSON, and saves or draws the recorded attention.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/args.h"
#include "apps/commands.h"
#include "io/attention_file.h"
#include "models/mask_experiment.h"
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
  --mask-words W,W    translation models: masking experiment (seed 001): translate the input as
                      it is and with every piece of these words replaced by <unk>; both runs go
                      into one set, drawn with the compare view
  --mask I:J          the same for source tokens I..J-1 (positions as --json prints them)
  --device cpu|cuda   (default cpu)

--model may also be a pretrained model (a llama2.c *.bin, a folder holding one and its tok*.bin,
or a Hugging Face folder: BERT, GPT-2, Llama); attnscope run --model MODEL --help for its options.

examples:
  attnscope run --model models/dates "Thrusday, October 13 2011" --png out/dates.png
  attnscope run --model models/en-de "What are the basic physical laws of the universe?" --png laws.png
  attnscope run --model models/en-de "What are the basic physical laws of the universe?" \
      --mask-words "laws,universe" --png laws-masked.png
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
  auto mask_range = args.get("mask"), mask_words = args.get("mask-words");
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
  std::optional<MaskSpec> mask;
  if (mask_range && mask_words) throw UsageError("--mask and --mask-words exclude each other");
  try {
    if (mask_range) mask = MaskSpec::parse_range(*mask_range);
    if (mask_words) mask = MaskSpec::parse_words(*mask_words);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  if (mask && inputs.size() != 1) throw UsageError("a masking experiment takes one INPUT, not lines from stdin");
  if (mask && model.config().vocab != "bpe")
    throw UsageError("--mask/--mask-words need a translation model: character models have no <unk> to mask with");
  std::vector<Translation> results;
  std::vector<size_t> masked_positions;
  if (mask) {
    results.push_back(model.translate(inputs[0], decode));
    DecodeOptions masked = decode;
    masked_positions = masked.masked_source = mask_positions(results[0].run.source_tokens, "bpe@@", *mask);
    results.push_back(model.translate(inputs[0], masked));
    results[1].run.info["mask"] = mask->describe() + " -> " + results[1].run.info["mask"];
    for (size_t i = 0; i < 2; ++i) {
      if (json)
        std::printf("%s\n", to_json(results[i]).dump().c_str());
      else
        std::printf("%s %s\n", i == 0 ? "original:" : "masked:  ", results[i].output.c_str());
    }
    inputs.clear();
  }
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
  if (mask) {
    set.runs[0].name = set.runs[0].info["role"] = "original";
    set.runs[1].name = set.runs[1].info["role"] = "masked";
    set.meta["experiment"] = nlohmann::json{{"kind", "mask"},
                                            {"runs", {"original", "masked"}},
                                            {"selection", mask->describe()},
                                            {"positions", masked_positions},
                                            {"mask_token", "<unk>"},
                                            {"substitute", true}}
                                 .dump();
  }
  if (attn_path) {
    save_attention_set(set, *attn_path);
    std::fprintf(stderr, "attention: %s\n", attn_path->c_str());
  }
  if (!figures.empty() && !model.config().has_attention())
    throw std::runtime_error("this model has no attention (--attention none), so there is nothing to draw");
  for (const auto& path : figures) {
    RenderOptions opts;
    opts.view = view.value_or(mask ? "compare" : results.size() > 1 ? "gallery" : "heatmap");
    render_figure(set, opts, path);
    std::fprintf(stderr, "figure: %s\n", path.c_str());
  }
  return 0;
}

}  // namespace attnscope
