// attnscope run: one input (or one per stdin line) through any model; prints the output,
// optionally as JSON, and saves or draws the recorded attention. Parse, call Model, print.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/args.h"
#include "apps/commands.h"
#include "apps/runtime_flags.h"
#include "io/atomic_file.h"
#include "io/attention_file.h"
#include "models/decoding/mask_experiment.h"
#include "apps/model_library.h"
#include "render/render.h"

namespace attnscope {

namespace {

const char* kHelp = R"(usage: attnscope run --model MODEL [options] "INPUT"
       attnscope run --model MODEL [options] -        (one input per line from stdin)
       attnscope run --model MODEL [options] --input-file FILE   (one long input)

Runs any model on INPUT, prints what it produces and, on request, records the attention of every
head of every layer. The model's kind comes from its files:
  attnscope models (train): translate INPUT (toy tasks, En->De); cross attention, and for
    Transformers encoder-self and decoder-self too.
  decoders (Llama, Mistral, Qwen2, GPT-2, llama2.c): continue INPUT greedily and print prompt + continuation (as
    llama2.c's run.c does); decoder-self attention over both. "" starts from BOS alone.
  encoders (BERT): read INPUT once, print the top predictions for each [MASK]; encoder-self.
  encoder-decoders (MarianMT): translate INPUT; encoder-self, decoder-self and cross.
A Hugging Face folder without tokenizer files takes token ids: "5 17 42".

MODEL: a folder made by attnscope train; a Hugging Face folder as save_pretrained writes it
(config.json with model_type bert, gpt2, llama, mistral, qwen2 or marian; model.safetensors or a
sharded model.safetensors.index.json; F32, F16 or BF16; the tokenizer's files: tokenizer.json,
tokenizer.model, vocab.txt, vocab.json + merges.txt or source.spm); a llama2.c checkpoint *.bin
beside one tok*.bin, or a folder holding both.

options:
  --json              one JSON object per input, the same keys for every model: model, input,
                      output, text, input_tokens, output_tokens, input_ids, output_ids, decoding,
                      stopped, blocks, predictions (encoders), attention (the one cross head of an
                      RNN, else null)
  --force OUTPUT      teacher-force OUTPUT instead of decoding, and record the attention of that
                      pass (decoders: the continuation of INPUT; "" forces just </s>)
  --beam K            encoder-decoders: beam search with K hypotheses (default 1: greedy)
  --max-new-tokens N  stop after N new tokens (default: decoders 64, Marian 256, trained models
                      their own limit); output also ends at </s>, EOS or a full context.
                      0: Llama and GPT-2 read INPUT only (long documents)
  --top-k K           encoders: predictions printed per [MASK] (default 5)
  --mask I:J          masking experiment (seed 001): run INPUT as it is and with tokens I..J-1
                      (positions as --json's input_tokens count them) replaced by the model's mask
                      token: [MASK], else <unk> or a placeholder character, and the figure says so.
                      Decoders and translation models are forced onto the original's output, so
                      both runs share one target and the compare view draws their difference
  --mask-words W,W    the same for every piece of every occurrence of these words
  --layers L          record only these layers, counted from 1 as the figures count them: "1,4"
                      or "9-12" (default all; layer 1 is stored as the block <kind>.0)
  --heads H           record only these heads of each kept layer, counted from 1 (default all)
  --weights FORM      how attention is kept: dense (every weight), query-key (each head's queries,
                      keys and row log-sum-exps; any weight is computed exactly when a view asks,
                      so 8,192 tokens of 12 x 12 heads take 0.6 GB instead of 39), or auto
                      (default: query-key from 1,024 tokens, for Llama, GPT-2 and the decoder
                      self-attention of attnscope's Transformers; other blocks stay dense)
  --input-file FILE   read INPUT from FILE, the whole file as one input (a long document)
  --attn FILE         save the attention as .attn.safetensors (all inputs, or both runs, in one file)
  --png FILE, --svg FILE, --pdf FILE
                      draw the attention (one input: heatmap for translation models, grid of
                      layers x heads otherwise; several: gallery; a masking experiment: compare)
  --view V            heatmap | grid | steps | gallery | compare | ... (see attnscope render --help)
)";

const char* kExamples = R"(
examples:
  attnscope run --model models/dates "Thrusday, October 13 2011" --png out/dates.png
  attnscope run --model models/dates "30 July 2021" --mask 0:2 --png compare.png
  attnscope run --model models/en-de "A little girl climbing into a wooden playhouse." --png girl.png
  attnscope run --model models/en-de "Two dogs play." --force "Zwei Hunde spielen." --json
  attnscope run --model models/stories260K "Once upon a time" --max-new-tokens 32 --png story.png
  attnscope run --model models/stories260K --input-file book.txt --max-new-tokens 0 --attn long.attn.safetensors
  attnscope run --model bert-base-uncased "the laws of physics rule the universe" \
                --mask-words "laws,universe" --png compare.png
)";

// Generated text can end inside a UTF-8 character (or, from a random model, be any bytes): JSON
// output replaces invalid bytes with U+FFFD instead of failing.
std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

// One shape for every model. Older keys stay for scripts written against them: "tokens" and
// "ids" (every token the model read; decoders: prompt and continuation), "prompt_tokens",
// "source_ids" / "target_ids" (encoder-decoders).
nlohmann::json result_json(const Result& r, const Model& model) {
  const ModelInfo& info = model.info();
  nlohmann::json blocks = nlohmann::json::array();
  for (const auto& b : r.run.blocks) blocks.push_back({{"name", b.name()}, {"shape", {b.heads, b.queries, b.keys}}});
  nlohmann::json j = {{"model", info.name},
                      {"input", r.input},
                      {"output", r.output},
                      {"text", r.text},
                      {"input_tokens", r.input_tokens},
                      {"output_tokens", r.output_tokens},
                      {"input_ids", r.input_ids},
                      {"output_ids", r.output_ids},
                      {"decoding", r.decoding},
                      {"stopped", r.stopped},
                      {"blocks", blocks},
                      {"attention", nullptr}};
  const AttentionBlock* cross = r.run.find(AttentionKind::Cross, 0);
  if (cross && cross->heads == 1 && r.run.blocks.size() == 1) {
    nlohmann::json rows = nlohmann::json::array();
    for (size_t q = 0; q < cross->queries; ++q) rows.push_back(std::vector<float>(cross->row(0, q), cross->row(0, q) + cross->keys));
    j["attention"] = rows;
  } else if (auto note = r.run.info.find("attention"); note != r.run.info.end()) {
    j["note"] = note->second;
  }
  if (info.role == ModelRole::Encoder) {
    nlohmann::json preds = nlohmann::json::array();
    for (const auto& p : r.predictions)
      preds.push_back({{"position", p.position}, {"tokens", p.pieces}, {"ids", p.ids}, {"probabilities", p.probabilities}});
    j["predictions"] = preds;
    j["tokens"] = r.input_tokens;
    j["ids"] = r.input_ids;
  } else if (info.role == ModelRole::Decoder) {
    std::vector<std::string> tokens = r.input_tokens;
    tokens.insert(tokens.end(), r.output_tokens.begin(), r.output_tokens.end());
    std::vector<int> ids = r.input_ids;
    ids.insert(ids.end(), r.output_ids.begin(), r.output_ids.end());
    j["tokens"] = tokens;
    j["ids"] = ids;
    j["prompt_tokens"] = r.input_ids.size();
  } else {
    j["source_ids"] = r.input_ids;
    j["target_ids"] = r.output_ids;
  }
  return j;
}

void print_result(const Result& r, const Model& model, const char* label) {
  const ModelInfo& info = model.info();
  if (info.role == ModelRole::Encoder) {
    std::string tokens;
    for (const auto& t : r.input_tokens) tokens += (tokens.empty() ? "" : " ") + t;
    std::printf("%s%s\n", label, tokens.c_str());
    for (const auto& p : r.predictions) {
      std::printf("  %s at %zu:", r.input_tokens[p.position].c_str(), p.position);
      for (size_t i = 0; i < p.pieces.size(); ++i) std::printf(" %s %.3f", p.pieces[i].c_str(), p.probabilities[i]);
      std::printf("\n");
    }
    return;
  }
  std::printf("%s%s\n", label, r.text.c_str());
}

// --layers/--heads count from 1 as the figures do; Request counts from 0 as stored. `count` is
// the model's (its largest stack's), so the error names the numbers that exist.
void to_stored_indices(std::vector<int>& wanted, const std::string& flag, int count) {
  const std::string what = flag == "layers" ? "layer" : "head";
  for (int& i : wanted) {
    if (i < 1 || i > count)
      throw std::invalid_argument("--" + flag + ": " + what + " " + std::to_string(i) + " does not exist (the model has " +
                                  flag + " 1-" + std::to_string(count) + ", counted from 1)");
    i -= 1;
  }
}

}  // namespace

int cmd_run(int argc, char** argv) {
  Args args(argc, argv, {"json"});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    std::fputs(kRuntimeHelp, stdout);
    std::fputs(kExamples, stdout);
    return 0;
  }
  auto model_path = args.get("model");
  const bool json = args.has("json");
  auto attn_path = args.get("attn");
  std::vector<std::string> figures;
  for (const char* f : {"png", "svg", "pdf"})
    if (auto p = args.get(f)) figures.push_back(*p);
  auto view = args.get("view");
  Request req;
  req.decoding.beam = static_cast<int>(args.get_int("beam", 1, 1, 64));
  req.decoding.max_new_tokens = static_cast<int>(args.get_int("max-new-tokens", -1, 0, 1 << 20));
  if (auto w = args.get("weights")) {
    try {
      req.weights = weight_form_from_name(*w);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--weights: ") + e.what());
    }
  }
  req.top_k = static_cast<int>(args.get_int("top-k", 5, 1, 1000));
  if (auto f = args.get("force")) req.forced_output = *f;
  if (auto l = args.get("layers")) req.layers = parse_index_list("layers", *l);
  if (auto h = args.get("heads")) req.heads = parse_index_list("heads", *h);
  auto mask_range = args.get("mask"), mask_words = args.get("mask-words");
  auto input_file = args.get("input-file");
  const Runtime runtime = parse_runtime(args);
  args.finish();
  if (!model_path) throw UsageError("--model MODEL is required (a folder or a llama2.c checkpoint)");
  if (args.positionals().size() != (input_file ? 0u : 1u))
    throw UsageError(input_file ? "--input-file gives the INPUT; drop the other one"
                                : "expected exactly one INPUT (quote it; \"\" starts a decoder from BOS; - reads lines from stdin; --input-file FILE reads a whole file)");
  if (mask_range && mask_words) throw UsageError("--mask and --mask-words exclude each other");
  std::optional<MaskSpec> mask;
  try {
    if (mask_range) mask = MaskSpec::parse_range(*mask_range);
    if (mask_words) mask = MaskSpec::parse_words(*mask_words);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  if (mask && req.forced_output) throw UsageError("--mask forces the masked run onto the original's output; drop --force");
  req.record = attn_path || !figures.empty() || json;  // --json carries an RNN's attention matrix

  const std::unique_ptr<Model> model = load_model(*model_path, runtime);
  const ModelInfo& info = model->info();
  to_stored_indices(req.layers, "layers", info.layers);
  to_stored_indices(req.heads, "heads", info.heads);
  std::vector<std::string> inputs;
  if (input_file) {
    std::string text = read_file(*input_file);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    inputs.push_back(std::move(text));
  } else if (args.positionals()[0] == "-") {
    inputs = read_stdin_lines();
    if (inputs.empty()) throw UsageError("no input lines on stdin");
  } else {
    inputs.push_back(args.positionals()[0]);
  }
  if (mask && inputs.size() != 1) throw UsageError("a masking experiment takes one INPUT, not lines from stdin");
  // Check every input first so a bad line fails before anything is printed or written.
  for (size_t i = 0; i < inputs.size(); ++i) {
    try {
      model->tokenize(inputs[i]);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(inputs.size() > 1 ? "line " + std::to_string(i + 1) + ": " + e.what() : e.what());
    }
  }

  AttentionSet set;
  std::string default_view = info.role == ModelRole::EncoderDecoder ? "heatmap" : "grid";
  if (mask) {
    const std::vector<std::string> tokens = model->tokenize(inputs[0]);
    std::vector<size_t> positions;
    try {
      positions = mask_positions(tokens, info.subword, *mask);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
    req.input = inputs[0];
    const MaskExperiment e = run_mask_experiment(*model, req, positions, mask->describe());
    if (json) {
      nlohmann::json j = {{"mask", e.set.runs[1].info.at("mask")},
                          {"positions", e.positions},
                          {"original", result_json(e.original, *model)},
                          {"masked", result_json(e.masked, *model)}};
      std::printf("%s\n", dump(j).c_str());
    } else {
      print_result(e.original, *model, "original: ");
      print_result(e.masked, *model, "masked:   ");
      if (info.role != ModelRole::Encoder)
        std::fprintf(stderr, "the masked run is forced onto the original's output, so both share one target\n");
    }
    std::fprintf(stderr, "masked: %s\n", e.set.runs[1].info.at("mask").c_str());
    set = e.set;
    default_view = "compare";
  } else {
    std::vector<AttentionRun> runs;
    for (const auto& in : inputs) {
      req.input = in;
      Result r = model->run(req);
      if (json)
        std::printf("%s\n", dump(result_json(r, *model)).c_str());
      else
        print_result(r, *model, "");
      std::fflush(stdout);
      runs.push_back(std::move(r.run));
    }
    set = model->to_set(std::move(runs));
    if (inputs.size() > 1) default_view = "gallery";
  }
  if (!req.record && !mask) return 0;
  if (attn_path) {
    save_attention_set(set, *attn_path);
    std::fprintf(stderr, "attention: %s\n", attn_path->c_str());
  }
  if (!figures.empty() && info.kinds.empty())
    throw std::runtime_error("this model has no attention (--attention none), so there is nothing to draw");
  for (const auto& path : figures) {
    RenderOptions opts;
    opts.view = view.value_or(default_view);
    render_figure(set, opts, path);
    std::fprintf(stderr, "figure: %s\n", path.c_str());
  }
  return 0;
}

}  // namespace attnscope
