// attnscope run on a pretrained Transformer (llama2.c checkpoints, Hugging Face folders): decoders
// generate greedily from a prompt; encoders (BERT) run the input once and predict every [MASK];
// --mask / --mask-words run a masking experiment. Prints the result and, on request, saves or
// draws the attention. cmd_run dispatches here when --model names a pretrained format.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/args.h"
#include "apps/commands.h"
#include "io/attention_file.h"
#include "models/mask_experiment.h"
#include "models/pretrained.h"
#include "models/threads.h"
#include "render/render.h"

namespace attnscope {

namespace {

const char* kHelp = R"(usage: attnscope run --model MODEL [options] "TEXT"
       attnscope run --model MODEL [options] -     (one text per line from stdin)

Runs a pretrained Transformer and, on request, records the attention of every head of every
layer. The model's kind comes from its files:
  decoders (Llama, GPT-2) generate greedily from TEXT and print prompt + continuation (as
    llama2.c's run.c does); the attention covers prompt and continuation, kind decoder-self.
    An empty TEXT ("") starts from BOS alone.
  encoders (BERT) read TEXT once, print the top predictions for each [MASK] in it, and record
    encoder-self attention.
  encoder-decoders (MarianMT) translate TEXT greedily and record encoder-self, decoder-self and
    cross attention (rows: the target tokens as produced; the figure defaults to the cross
    heatmap of the last layer).

MODEL: a llama2.c checkpoint *.bin (its tokenizer: the one tok*.bin beside it) or a folder holding
one checkpoint and one tok*.bin (e.g. models/stories260K); or a Hugging Face folder: config.json
(model_type llama, bert, gpt2 or marian) + model.safetensors (F32, F16 or BF16) + the tokenizer's files.

options:
  --max-new-tokens N  decoders: tokens to generate after the prompt (default 64; translation: 256);
                      generation also stops at the end of the text (BOS/EOS) or a full context
  --top-k K           encoders: predictions printed per [MASK] (default 5)
  --beam K            encoder-decoders: beam search keeping K hypotheses (default 1: greedy)
  --mask I:J          masking experiment: replace tokens I..J-1 (positions as --json prints them,
                      [CLS]/BOS included) by the model's mask token ([MASK]; models without one
                      use <unk>, else EOS, and say so), run both inputs, keep both in one set
  --mask-words W,W    the same for every occurrence of these words (all their subword pieces)
  --layers L          record only these layers: "0,3" or "8-11" (default all)
  --heads H           record only these heads of each kept layer (default all)
  --json              one JSON object per text
  --attn FILE         save the attention as .attn.safetensors (all texts, or both runs, in one file)
  --png FILE, --svg FILE, --pdf FILE
                      draw the attention (one text: grid of layers x heads; several: gallery;
                      a masking experiment: compare)
  --view V            grid | heatmap | heads | compare | ... (see attnscope render --help)
  --device cpu|cuda   (default cpu; cuda when libtorch was built with it)

examples:
  attnscope run --model models/stories260K "Once upon a time" --max-new-tokens 32 --png story.png
  attnscope run --model bert-base-uncased "The capital of France is [MASK]." --attn bert.attn.safetensors
  attnscope run --model bert-base-uncased "the laws of physics rule the universe" \
                --mask-words "laws,universe" --png compare.png
)";

// Whether --max-new-tokens was given (translation's default differs from generation's).
bool args_has_max_new_tokens(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]).rfind("--max-new-tokens", 0) == 0) return true;
  return false;
}

// "0,3,8-11" -> {0, 3, 8, 9, 10, 11}
std::vector<int> parse_index_list(const std::string& flag, const std::string& text) {
  std::vector<int> out;
  size_t start = 0;
  auto bad = [&]() { return UsageError("--" + flag + " " + text + ": expected indices like 0,3 or 8-11"); };
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    const size_t dash = item.find('-');
    try {
      if (item.empty() || item.find_first_not_of("0123456789-") != std::string::npos) throw bad();
      if (dash == std::string::npos) {
        out.push_back(std::stoi(item));
      } else {
        const int a = std::stoi(item.substr(0, dash)), b = std::stoi(item.substr(dash + 1));
        if (a > b) throw bad();
        for (int i = a; i <= b; ++i) out.push_back(i);
      }
    } catch (const std::logic_error&) {
      throw bad();
    }
    start = comma + 1;
  }
  return out;
}

// Generated text can end inside a UTF-8 character (or, from a random model, be any bytes): JSON
// output replaces invalid bytes with U+FFFD instead of failing.
std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

nlohmann::json generation_json(const Generation& g, const PretrainedModel& model) {
  return {{"input", g.prompt},
          {"output", g.continuation},
          {"text", g.text},
          {"tokens", g.run.target_tokens},
          {"ids", g.ids},
          {"prompt_tokens", g.prompt_length},
          {"stopped", g.run.info.at("stopped")},
          {"tokenizer", model.tokenizer().describe()}};
}

nlohmann::json translation_json(const PretrainedTranslation& t) {
  return {{"input", t.input},
          {"output", t.output},
          {"input_tokens", t.run.source_tokens},
          {"output_tokens", t.run.target_tokens},
          {"source_ids", t.source_ids},
          {"target_ids", t.target_ids},
          {"stopped", t.run.info.at("stopped")}};
}

nlohmann::json encoding_json(const Encoding& e) {
  nlohmann::json preds = nlohmann::json::array();
  for (const auto& p : e.predictions)
    preds.push_back({{"position", p.position}, {"tokens", p.pieces}, {"ids", p.ids}, {"probabilities", p.probabilities}});
  return {{"input", e.text}, {"tokens", e.run.source_tokens}, {"ids", e.ids}, {"predictions", preds}};
}

void print_encoding(const Encoding& e, const char* label) {
  std::string tokens;
  for (const auto& t : e.run.source_tokens) tokens += (tokens.empty() ? "" : " ") + t;
  std::printf("%s%s\n", label, tokens.c_str());
  for (const auto& p : e.predictions) {
    std::printf("  %s at %zu:", e.run.source_tokens[p.position].c_str(), p.position);
    for (size_t i = 0; i < p.pieces.size(); ++i) std::printf(" %s %.3f", p.pieces[i].c_str(), p.probabilities[i]);
    std::printf("\n");
  }
}

}  // namespace

int cmd_run_pretrained(int argc, char** argv) {
  Args args(argc, argv, {"json"});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  const std::string model_path = args.get("model", "");
  MaskExperimentOptions opts;
  GenerateOptions& gen = opts.generate;
  gen.max_new_tokens = static_cast<int>(args.get_int("max-new-tokens", gen.max_new_tokens, 0, 1 << 20));
  opts.top_k = static_cast<int>(args.get_int("top-k", 5, 1, 1000));
  opts.translate.beam = static_cast<int>(args.get_int("beam", 1, 1, 64));
  const bool json = args.has("json");
  auto attn_path = args.get("attn");
  std::vector<std::string> figures;
  for (const char* f : {"png", "svg", "pdf"})
    if (auto p = args.get(f)) figures.push_back(*p);
  auto view = args.get("view");
  const std::string device = args.get("device", "cpu");
  auto mask_range = args.get("mask");
  auto mask_words = args.get("mask-words");
  if (auto l = args.get("layers")) gen.keep.layers = parse_index_list("layers", *l);
  if (auto h = args.get("heads")) gen.keep.heads = parse_index_list("heads", *h);
  set_threads(static_cast<int>(args.get_int("threads", 1, 1, 256)));
  reuse_freed_memory();
  args.finish();
  if (args.positionals().size() != 1)
    throw UsageError("expected exactly one TEXT (quote it; \"\" starts from BOS; - reads lines from stdin)");
  if (mask_range && mask_words) throw UsageError("--mask and --mask-words exclude each other");
  std::optional<MaskSpec> mask;
  try {
    if (mask_range) mask = MaskSpec::parse_range(*mask_range);
    if (mask_words) mask = MaskSpec::parse_words(*mask_words);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  gen.record = attn_path || !figures.empty();
  opts.translate.record = gen.record;
  opts.translate.keep = gen.keep;
  if (args_has_max_new_tokens(argc, argv))
    opts.translate.max_new_tokens = gen.max_new_tokens;

  PretrainedModel model = PretrainedModel::load(model_path, device);
  if (opts.translate.beam > 1 && !model.is_seq2seq())
    throw UsageError("--beam applies to encoder-decoder models (MarianMT); " + model.name() + " decodes greedily");
  std::vector<std::string> texts;
  if (args.positionals()[0] == "-") {
    texts = read_stdin_lines();
    if (texts.empty()) throw UsageError("no text lines on stdin");
  } else {
    texts.push_back(args.positionals()[0]);
  }
  if (mask && texts.size() != 1) throw UsageError("a masking experiment takes one TEXT, not lines from stdin");

  AttentionSet set;
  std::string default_view = texts.size() > 1 ? "gallery" : "grid";
  if (mask) {
    gen.record = true;  // both runs are the point of the experiment
    const MaskExperiment e = run_mask_experiment(model, texts[0], *mask, opts);
    if (json) {
      nlohmann::json j = {{"mask", e.set.runs[1].info.at("mask")}, {"positions", e.positions}};
      if (model.is_encoder()) {
        j["original"] = encoding_json(e.encodings[0]);
        j["masked"] = encoding_json(e.encodings[1]);
      } else if (model.is_seq2seq()) {
        j["original"] = translation_json(e.translations[0]);
        j["masked"] = translation_json(e.translations[1]);
      } else {
        j["original"] = generation_json(e.generations[0], model);
        j["masked"] = generation_json(e.generations[1], model);
      }
      std::printf("%s\n", dump(j).c_str());
    } else if (model.is_encoder()) {
      print_encoding(e.encodings[0], "original: ");
      print_encoding(e.encodings[1], "masked:   ");
    } else if (model.is_seq2seq()) {
      std::printf("original: %s\nmasked:   %s\n", e.translations[0].output.c_str(), e.translations[1].output.c_str());
    } else {
      std::printf("original: %s\nmasked:   %s\n", e.generations[0].text.c_str(), e.generations[1].text.c_str());
    }
    std::fprintf(stderr, "masked: %s\n", e.set.runs[1].info.at("mask").c_str());
    set = e.set;
    default_view = "compare";
  } else if (model.is_seq2seq()) {
    std::vector<AttentionRun> runs;
    for (const auto& text : texts) {
      const PretrainedTranslation t = model.translate(text, opts.translate);
      if (json)
        std::printf("%s\n", dump(translation_json(t)).c_str());
      else
        std::printf("%s\n", t.output.c_str());
      std::fflush(stdout);
      runs.push_back(t.run);
    }
    set = model.to_attention_set(runs);
    if (texts.size() == 1) default_view = "heatmap";
  } else if (model.is_encoder()) {
    std::vector<AttentionRun> runs;
    for (const auto& text : texts) {
      const Encoding e = model.fill_masks(model.encode(text), text, opts.top_k, gen.record, gen.keep);
      if (json)
        std::printf("%s\n", dump(encoding_json(e)).c_str());
      else
        print_encoding(e, "");
      std::fflush(stdout);
      runs.push_back(e.run);
    }
    set = model.to_attention_set(runs);
  } else {
    std::vector<Generation> results;
    for (const auto& text : texts) {
      results.push_back(model.generate(text, gen));
      if (json)
        std::printf("%s\n", dump(generation_json(results.back(), model)).c_str());
      else
        std::printf("%s\n", results.back().text.c_str());
      std::fflush(stdout);
    }
    set = model.to_attention_set(results);
  }
  if (!gen.record) return 0;
  if (attn_path) {
    save_attention_set(set, *attn_path);
    std::fprintf(stderr, "attention: %s\n", attn_path->c_str());
  }
  for (const auto& path : figures) {
    RenderOptions ropts;
    ropts.view = view.value_or(default_view);
    render_figure(set, ropts, path);
    std::fprintf(stderr, "figure: %s\n", path.c_str());
  }
  return 0;
}

}  // namespace attnscope
