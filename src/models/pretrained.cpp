#include "models/pretrained.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "models/recording/attention_recorder.h"
#include "models/decoding/beam_search.h"
#include "models/loading/hf_folder.h"
#include "models/model_adapters.h"  // check_indices
#include "models/loading/pretrained_arch.h"
#include "models/seq2seq_impl.h"  // parse_device
#include "text/llama2c_tokenizer.h"
#include "text/marian_tokenizer.h"
#include "core/utf8.h"

namespace attnscope {

namespace fs = std::filesystem;

namespace {

bool is_tokenizer_name(const fs::path& p) { return p.filename().string().rfind("tok", 0) == 0; }

// *.bin files in `dir`, split into llama2.c tokenizers (tok*.bin) and checkpoints (the rest).
struct BinFiles {
  std::vector<fs::path> checkpoints, tokenizers;
};

BinFiles bin_files_in(const fs::path& dir) {
  BinFiles found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (!e.is_regular_file() || e.path().extension() != ".bin") continue;
    (is_tokenizer_name(e.path()) ? found.tokenizers : found.checkpoints).push_back(e.path());
  }
  std::sort(found.checkpoints.begin(), found.checkpoints.end());
  std::sort(found.tokenizers.begin(), found.tokenizers.end());
  return found;
}

std::string names(const std::vector<fs::path>& paths) {
  std::string s;
  for (const auto& p : paths) s += (s.empty() ? "" : ", ") + p.filename().string();
  return s;
}

struct Llama2cFiles {
  fs::path checkpoint, tokenizer;
};

// The checkpoint and tokenizer that `path` names: a checkpoint file (tokenizer beside it) or a
// folder holding one of each.
Llama2cFiles locate_llama2c(const fs::path& path) {
  const bool is_dir = fs::is_directory(path);
  const fs::path dir = is_dir ? path : path.parent_path().empty() ? fs::path(".") : path.parent_path();
  const BinFiles found = bin_files_in(dir);
  Llama2cFiles files;
  if (is_dir) {
    if (found.checkpoints.size() != 1)
      throw std::runtime_error(path.string() + ": expected exactly one llama2.c checkpoint *.bin besides tok*.bin, found " +
                               std::to_string(found.checkpoints.size()) +
                               (found.checkpoints.empty() ? "" : " (" + names(found.checkpoints) + ")"));
    files.checkpoint = found.checkpoints[0];
  } else {
    if (!fs::is_regular_file(path)) throw std::runtime_error(path.string() + ": no such model file or folder");
    files.checkpoint = path;
  }
  if (found.tokenizers.size() != 1)
    throw std::runtime_error(dir.string() + ": expected exactly one llama2.c tokenizer tok*.bin beside " +
                             files.checkpoint.filename().string() + ", found " + std::to_string(found.tokenizers.size()) +
                             (found.tokenizers.empty() ? "" : " (" + names(found.tokenizers) + ")"));
  files.tokenizer = found.tokenizers[0];
  return files;
}

}  // namespace

struct PretrainedModel::Impl {
  std::string name, format;
  std::unique_ptr<PretrainedArch> arch;
  std::unique_ptr<Tokenizer> tokenizer;
  std::unique_ptr<Tokenizer> target_tokenizer;  // Marian decodes its output with target.spm
  std::string tokenizer_problem;  // why there is none, when there is none
  torch::Device device = torch::kCPU;
  int mask_id = -1;
  bool mask_is_substitute = true;

  torch::Tensor ids_tensor(const std::vector<int>& ids) const {
    if (ids.empty()) throw std::invalid_argument("no tokens to run (the sequence is empty)");
    const int V = arch->vocab_size();
    for (int id : ids)
      if (id < 0 || id >= V)
        throw std::invalid_argument("token id " + std::to_string(id) + " is outside the vocabulary of " + std::to_string(V));
    if (static_cast<int>(ids.size()) > arch->max_positions())
      throw std::invalid_argument(std::to_string(ids.size()) + " tokens; " + name + " reads at most " +
                                  std::to_string(arch->max_positions()));
    std::vector<int64_t> v(ids.begin(), ids.end());
    return torch::tensor(v, torch::kLong).to(device);
  }
  int bos() const { return tokenizer ? tokenizer->bos_id() : arch->bos_id(); }
  int eos() const { return tokenizer ? tokenizer->eos_id() : arch->eos_id(); }

  // The first piece of `candidates` in the vocabulary, or -1.
  int find_piece(const std::vector<std::string>& candidates) const {
    if (!tokenizer) return -1;
    for (const auto& want : candidates)
      for (int id = 0; id < tokenizer->vocab_size(); ++id)
        if (tokenizer->piece(id) == want) return id;
    return -1;
  }
  void pick_mask_token() {
    mask_id = find_piece({"[MASK]", "<mask>"});
    mask_is_substitute = mask_id < 0;
    if (mask_id < 0) mask_id = find_piece({"<unk>", "[UNK]"});
    if (mask_id < 0) mask_id = eos();
  }
};

PretrainedModel::PretrainedModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PretrainedModel::~PretrainedModel() = default;
PretrainedModel::PretrainedModel(PretrainedModel&&) noexcept = default;

bool PretrainedModel::recognizes(const std::string& path) {
  std::error_code ec;
  const fs::path p(path);
  if (fs::is_directory(p, ec)) {
    if (HfFolder::looks_like(path)) return true;
    return !fs::exists(p / "config.json", ec) && !bin_files_in(p).checkpoints.empty();
  }
  return p.extension() == ".bin" && !is_tokenizer_name(p);
}

PretrainedModel PretrainedModel::load(const std::string& path, const std::string& device) {
  auto impl = std::make_unique<Impl>();
  impl->device = parse_device(device);
  if (HfFolder::looks_like(path)) {
    impl->format = "huggingface";
    impl->name = fs::path(path).lexically_normal().filename().string();
    if (impl->name.empty()) impl->name = fs::path(path).lexically_normal().parent_path().filename().string();
    impl->arch = load_hf_arch(path, impl->device);
    try {
      impl->tokenizer = load_tokenizer(path);
      if (auto* marian = dynamic_cast<const MarianTokenizer*>(impl->tokenizer.get()))
        impl->target_tokenizer = std::make_unique<MarianTokenizer>(marian->target());
    } catch (const std::exception& e) {
      impl->tokenizer_problem = e.what();  // ids still run (tests, tiny models); text needs one
    }
  } else {
    const Llama2cFiles files = locate_llama2c(path);
    impl->format = "llama2.c";
    impl->name = files.checkpoint.stem().string();
    impl->arch = load_llama2c_arch(files.checkpoint.string(), impl->device);
    impl->tokenizer = std::make_unique<Llama2cTokenizer>(Llama2cTokenizer::load(files.tokenizer.string()));
  }
  if (impl->tokenizer && !impl->target_tokenizer && impl->arch->is_seq2seq())
    throw std::runtime_error(path + ": an encoder-decoder model needs a Marian tokenizer (source.spm, target.spm, vocab.json)");
  if (impl->tokenizer && impl->tokenizer->vocab_size() > impl->arch->vocab_size())
    throw std::runtime_error(path + ": the tokenizer has " + std::to_string(impl->tokenizer->vocab_size()) +
                             " pieces, but the model's vocabulary is " + std::to_string(impl->arch->vocab_size()));
  impl->pick_mask_token();
  return PretrainedModel(std::move(impl));
}

bool PretrainedModel::has_tokenizer() const { return impl_->tokenizer != nullptr; }

const Tokenizer& PretrainedModel::tokenizer() const {
  if (!impl_->tokenizer) throw std::runtime_error("no tokenizer for " + impl_->name + ": " + impl_->tokenizer_problem);
  return *impl_->tokenizer;
}

std::string PretrainedModel::name() const { return impl_->name; }
std::string PretrainedModel::architecture() const { return impl_->arch->family(); }
bool PretrainedModel::is_encoder() const { return impl_->arch->is_encoder(); }
bool PretrainedModel::is_seq2seq() const { return impl_->arch->is_seq2seq(); }
int PretrainedModel::layers() const { return impl_->arch->layers(); }
int PretrainedModel::heads() const { return impl_->arch->heads(); }
int PretrainedModel::vocab_size() const { return impl_->arch->vocab_size(); }
int PretrainedModel::max_seq_len() const { return impl_->arch->max_positions(); }
int PretrainedModel::trained_seq_len() const { return impl_->arch->trained_positions(); }
int PretrainedModel::mask_id() const { return impl_->mask_id; }
bool PretrainedModel::mask_is_substitute() const { return impl_->mask_is_substitute; }
std::string PretrainedModel::mask_token() const { return impl_->mask_id < 0 ? "" : piece(impl_->mask_id); }

std::string PretrainedModel::format() const { return impl_->format; }
int PretrainedModel::eos_id() const { return impl_->eos(); }
std::string PretrainedModel::tokenizer_problem() const { return impl_->tokenizer_problem; }
std::string PretrainedModel::decode_output(const std::vector<int>& ids) const {
  const Tokenizer* tok = impl_->target_tokenizer ? impl_->target_tokenizer.get() : impl_->tokenizer.get();
  return tok ? tok->decode(ids) : "";
}

std::vector<int> PretrainedModel::encode_output(const std::string& text) const {
  if (impl_->target_tokenizer) return impl_->target_tokenizer->encode(text, /*add_special=*/true);
  return tokenizer().encode(text, /*add_special=*/false);
}

std::string PretrainedModel::describe() const { return impl_->format + " " + impl_->name + ": " + impl_->arch->describe(); }

std::string PretrainedModel::piece(int id) const {
  return impl_->tokenizer && id < impl_->tokenizer->vocab_size() ? impl_->tokenizer->piece(id) : "#" + std::to_string(id);
}

std::vector<int> PretrainedModel::encode(const std::string& text) const {
  std::vector<int> ids = tokenizer().encode(text, /*add_special=*/true);
  if (ids.empty() && !is_encoder() && impl_->bos() >= 0) ids.push_back(impl_->bos());  // GPT-2: <|endoftext|>
  return ids;
}

std::vector<float> PretrainedModel::logits(const std::vector<int>& ids) const {
  torch::InferenceMode no_grad;
  torch::Tensor out = impl_->arch->forward(impl_->ids_tensor(ids));
  if (!out.defined()) return {};
  out = out.to(torch::kCPU).contiguous();
  return std::vector<float>(out.data_ptr<float>(), out.data_ptr<float>() + out.numel());
}

std::vector<float> PretrainedModel::hidden_states(const std::vector<int>& ids) const {
  torch::InferenceMode no_grad;
  torch::Tensor hidden;
  impl_->arch->forward(impl_->ids_tensor(ids), nullptr, &hidden);
  hidden = hidden.to(torch::kCPU).contiguous();
  return std::vector<float>(hidden.data_ptr<float>(), hidden.data_ptr<float>() + hidden.numel());
}

AttentionRun PretrainedModel::record(const std::vector<int>& ids, const RecordOptions& keep) const {
  torch::InferenceMode no_grad;
  const PretrainedArch& a = *impl_->arch;
  if (a.is_seq2seq())
    throw std::invalid_argument(name() + " is an encoder-decoder (" + a.family() + "): translate records its attention");
  check_indices(keep.layers, a.layers(), "layer");
  check_indices(keep.heads, a.heads(), "head");
  const torch::Tensor input = impl_->ids_tensor(ids);
  AttentionRecorder rec(keep.layers, keep.heads);
  rec.set_form(keep.form);
  a.forward(input, &rec);
  AttentionRun run;
  auto& tokens = a.is_encoder() ? run.source_tokens : run.target_tokens;
  for (int id : ids) tokens.push_back(piece(id));
  rec.into(run);
  if (static_cast<int>(ids.size()) > a.trained_positions())
    run.info["beyond_training"] = name() + " was trained on " + std::to_string(a.trained_positions()) + " tokens; RoPE runs to " +
                                  std::to_string(ids.size()) + ", where its output degrades; the attention is what it computes";
  return run;
}

std::vector<float> PretrainedModel::decoder_logits(const std::vector<int>& source_ids,
                                                  const std::vector<int>& target_inputs) const {
  torch::InferenceMode no_grad;
  const PretrainedArch& a = *impl_->arch;
  const torch::Tensor memory = a.encode(impl_->ids_tensor(source_ids), nullptr);
  torch::Tensor out = a.decode(memory, impl_->ids_tensor(target_inputs), nullptr).to(torch::kCPU).contiguous();
  return std::vector<float>(out.data_ptr<float>(), out.data_ptr<float>() + out.numel());
}

namespace {

struct SearchResult {
  std::vector<int> target_ids;  // </s> included when produced
  std::string stopped;
};

// Next-token log-probabilities after `inputs` (start token first): [V], <pad> banned (Marian's
// generation config lists it in bad_words_ids).
torch::Tensor next_log_probs(const PretrainedArch& a, const PretrainedModel::Impl& m, const torch::Tensor& memory,
                             const std::vector<int>& inputs) {
  torch::Tensor last = a.decode(memory, m.ids_tensor(inputs), nullptr).select(0, -1).clone();  // [V]
  if (a.pad_id() >= 0) last[a.pad_id()] = -std::numeric_limits<float>::infinity();
  return torch::log_softmax(last, -1);
}

// Greedy (beam 1) or beam search through the shared models/beam_search, rerunning the decoder
// over each prefix every step (no cache: exact, and the recorded pass needs the whole prefix
// anyway). A finished hypothesis scores sum(log p) / length^length_penalty (HF's convention).
// The context holds the start token and at most max_positions - 1 produced tokens.
SearchResult search(const PretrainedArch& a, const PretrainedModel::Impl& m, const torch::Tensor& memory,
                    const TranslateOptions& opts) {
  auto next = [&](const std::vector<std::vector<int>>& prefixes) {
    std::vector<torch::Tensor> rows;
    for (const auto& p : prefixes) {
      std::vector<int> inputs = {a.decoder_start_id()};
      inputs.insert(inputs.end(), p.begin(), p.end());
      rows.push_back(next_log_probs(a, m, memory, inputs));
    }
    return torch::stack(rows);
  };
  const int context_limit = a.max_positions() - 1;
  BeamSearchOptions bo;
  bo.beam = std::max(1, opts.beam);
  bo.max_steps = std::min(opts.max_new_tokens, context_limit);
  bo.forced_last = a.forced_eos_id();
  bo.eos = a.eos_id();
  bo.length_penalty = opts.length_penalty;
  bo.before_step = opts.before_step;
  const BeamSearchResult found = beam_search(next, bo);
  SearchResult r{found.ids, "end of text"};
  if (!found.finished)
    r.stopped = context_limit < opts.max_new_tokens && static_cast<int>(found.ids.size()) >= context_limit ? "context full"
                                                                                                       : "max new tokens";
  return r;
}

}  // namespace

PretrainedTranslation PretrainedModel::translate(const std::string& text, const TranslateOptions& opts) const {
  return translate_ids(tokenizer().encode(text, /*add_special=*/true), text, opts);
}

PretrainedTranslation PretrainedModel::translate_ids(const std::vector<int>& source_ids, const std::string& text,
                                                     const TranslateOptions& opts) const {
  const PretrainedArch& a = *impl_->arch;
  if (!a.is_seq2seq()) throw std::invalid_argument(name() + " (" + architecture() + ") is not an encoder-decoder model");
  torch::InferenceMode no_grad;
  check_indices(opts.keep.layers, std::min(a.layers(), a.decoder_layers()), "layer");
  check_indices(opts.keep.heads, std::min(a.heads(), a.decoder_heads()), "head");
  PretrainedTranslation t;
  t.input = text;
  t.source_ids = source_ids;
  const torch::Tensor source = impl_->ids_tensor(source_ids);
  const torch::Tensor memory = a.encode(source, nullptr);  // [S, D], reused at every step

  SearchResult found;
  if (opts.forced) {
    for (int id : *opts.forced)
      if (id < 0 || id >= a.vocab_size())
        throw std::invalid_argument("forced output: token id " + std::to_string(id) + " is outside the vocabulary of " +
                                    std::to_string(a.vocab_size()));
    if (static_cast<int>(opts.forced->size()) > a.max_positions())
      throw std::invalid_argument("forced output: " + std::to_string(opts.forced->size()) + " tokens; " + name() +
                                  " decodes at most " + std::to_string(a.max_positions()));
    found = {*opts.forced, "forced"};
  } else {
    found = search(a, *impl_, memory, opts);
  }
  t.target_ids = found.target_ids;
  const std::string stopped = found.stopped;
  std::vector<int> inputs = {a.decoder_start_id()};
  inputs.insert(inputs.end(), t.target_ids.begin(), t.target_ids.end());
  inputs.resize(t.target_ids.size());  // the decoder inputs that produced target_ids: start, y1 .. y(n-1)
  if (impl_->target_tokenizer) t.output = impl_->target_tokenizer->decode(t.target_ids);

  AttentionRun& run = t.run;
  for (int id : source_ids) run.source_tokens.push_back(piece(id));
  for (int id : t.target_ids) run.target_tokens.push_back(piece(id));
  if (opts.record && !t.target_ids.empty()) {
    AttentionRecorder rec(opts.keep.layers, opts.keep.heads);
    rec.set_form(opts.keep.form);
    a.decode(a.encode(source, &rec), impl_->ids_tensor(inputs), &rec);
    rec.into(run);
  }
  run.input_text = u32_to_utf8(utf8_to_u32(text));
  run.output_text = u32_to_utf8(utf8_to_u32(t.output));
  run.info["decoding"] = opts.forced ? "forced: the given output" : opts.beam > 1 ? "beam " + std::to_string(opts.beam) : "greedy";
  run.info["stopped"] = stopped;
  run.info["target_axis"] = "row i: the decoding step that produced target token i (its input: the previous token)";
  return t;
}

Encoding PretrainedModel::fill_masks(const std::vector<int>& ids, const std::string& text, int top_k, bool record_attention,
                                     const RecordOptions& keep) const {
  torch::InferenceMode no_grad;
  Encoding e;
  e.text = text;
  e.ids = ids;
  if (record_attention) {
    e.run = record(ids, keep);
  } else {
    for (int id : ids) e.run.source_tokens.push_back(piece(id));
  }
  e.run.input_text = text;
  const bool any_mask = std::find(ids.begin(), ids.end(), impl_->mask_id) != ids.end();
  if (any_mask && impl_->arch->has_logits()) {
    // A second pass without the recorder: the logits are cheap next to recording, and keeping the
    // two apart keeps record() the one place attention is captured.
    const torch::Tensor logits = impl_->arch->forward(impl_->ids_tensor(ids)).to(torch::kCPU);  // [T, V]
    for (size_t t = 0; t < ids.size(); ++t) {
      if (ids[t] != impl_->mask_id) continue;
      const auto best = torch::softmax(logits[static_cast<int64_t>(t)], -1).topk(std::min<int64_t>(top_k, vocab_size()));
      MaskPrediction p;
      p.position = t;
      const torch::Tensor probs = std::get<0>(best), idx = std::get<1>(best);
      for (int64_t i = 0; i < probs.size(0); ++i) {
        p.ids.push_back(static_cast<int>(idx[i].item<int64_t>()));
        p.pieces.push_back(piece(p.ids.back()));
        p.probabilities.push_back(probs[i].item<float>());
      }
      e.predictions.push_back(std::move(p));
    }
  }
  nlohmann::json preds = nlohmann::json::array();
  for (const auto& p : e.predictions)
    preds.push_back({{"position", p.position}, {"pieces", p.pieces}, {"probabilities", p.probabilities}});
  if (!e.predictions.empty()) e.run.info["mask_predictions"] = preds.dump();
  return e;
}

Generation PretrainedModel::generate(const std::string& prompt, const GenerateOptions& opts) const {
  return generate_from(encode(prompt), prompt, opts);
}

Generation PretrainedModel::generate_from(const std::vector<int>& prompt_ids, const std::string& prompt,
                                          const GenerateOptions& opts) const {
  if (is_encoder())
    throw std::invalid_argument(name() + " is an encoder (" + architecture() + "); it fills masks, it does not generate");
  if (is_seq2seq())
    throw std::invalid_argument(name() + " is an encoder-decoder (" + architecture() + "); it translates");
  torch::InferenceMode no_grad;
  Generation g;
  g.prompt = prompt;
  g.ids = prompt_ids;
  g.prompt_length = g.ids.size();
  const size_t context = static_cast<size_t>(max_seq_len());
  if (g.ids.size() > context)
    throw std::invalid_argument("the prompt is " + std::to_string(g.ids.size()) + " tokens; " + name() +
                                " reads at most " + std::to_string(context));
  std::string stopped = "max new tokens";
  if (opts.forced) {
    for (int id : *opts.forced)
      if (id < 0 || id >= vocab_size())
        throw std::invalid_argument("forced output: token id " + std::to_string(id) + " is outside the vocabulary of " +
                                    std::to_string(vocab_size()));
    if (g.ids.size() + opts.forced->size() > context)
      throw std::invalid_argument("prompt and forced output are " + std::to_string(g.ids.size() + opts.forced->size()) +
                                  " tokens; " + name() + " reads at most " + std::to_string(context));
    g.ids.insert(g.ids.end(), opts.forced->begin(), opts.forced->end());
    stopped = "forced";
  }
  // Each step reruns the whole prefix (no key/value cache): simple and exact, and cheap for the
  // small models attnscope shows; the recorded pass below needs the full sequence anyway.
  for (int step = 0; !opts.forced && step < opts.max_new_tokens; ++step) {
    if (opts.before_step) opts.before_step();
    if (g.ids.size() >= context) {
      stopped = "context full";
      break;
    }
    torch::Tensor last = impl_->arch->forward(impl_->ids_tensor(g.ids)).select(0, -1);
    const int next = static_cast<int>(last.argmax().item<int64_t>());  // greedy; first maximum on ties
    // EOS ends the text (Hugging Face's generate); llama2.c's run.c also stops at BOS, which
    // starts the next story there.
    if (next == impl_->eos() || (next == impl_->bos() && impl_->format == "llama2.c")) {
      stopped = "end of text";
      break;
    }
    g.ids.push_back(next);
  }
  if (impl_->tokenizer) {
    const Tokenizer& tok = *impl_->tokenizer;
    g.text = tok.decode(g.ids);
    const std::string prompt_text = tok.decode(std::vector<int>(g.ids.begin(), g.ids.begin() + g.prompt_length));
    g.continuation =
        g.text.compare(0, prompt_text.size(), prompt_text) == 0 ? g.text.substr(prompt_text.size()) : g.text;
  }
  if (opts.record) {
    g.run = record(g.ids, opts.keep);
  } else {
    for (int id : g.ids) g.run.target_tokens.push_back(piece(id));
  }
  // Generation can stop inside a UTF-8 character; the set's JSON metadata needs valid text, so
  // the run gets U+FFFD for such bytes (g.text and g.continuation keep the bytes as decoded).
  g.run.input_text = u32_to_utf8(utf8_to_u32(prompt));
  g.run.output_text = u32_to_utf8(utf8_to_u32(g.continuation));
  g.run.info["decoding"] = opts.forced ? "forced: the given continuation" : "greedy";
  g.run.info["prompt_tokens"] = std::to_string(g.prompt_length);
  g.run.info["stopped"] = stopped;
  return g;
}

AttentionSet PretrainedModel::to_attention_set(const std::vector<Generation>& generations) const {
  std::vector<AttentionRun> runs;
  for (const auto& g : generations) runs.push_back(g.run);
  return to_attention_set(runs);
}

AttentionSet PretrainedModel::to_attention_set(const std::vector<AttentionRun>& runs) const {
  const PretrainedArch& a = *impl_->arch;
  AttentionSet set;
  set.meta["model"] = impl_->name + " (" + impl_->format + ")";
  set.meta["architecture"] = a.family();
  set.meta["attention"] = a.attention_note();
  nlohmann::json config = a.config_json();
  config["tokenizer"] = impl_->tokenizer ? impl_->tokenizer->describe() : "none (" + impl_->tokenizer_problem + ")";
  set.meta["config"] = config.dump();
  set.meta["subword"] = impl_->tokenizer ? impl_->tokenizer->subword_style() : "none";
  set.meta["transforms"] = "";
  set.runs = runs;
  if (set.runs.size() > 1)
    for (auto& run : set.runs)
      if (run.name.empty()) run.name = run.input_text;
  return set;
}

}  // namespace attnscope
