#include "models/pretrained.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "models/attention_recorder.h"
#include "models/llama.h"
#include "models/llama2c_reader.h"
#include "models/seq2seq_impl.h"  // parse_device
#include "text/llama2c_tokenizer.h"

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

// Keeps every layer's attention in one buffer allocated before the forward pass.
class AllLayersSink : public LayerAttentionSink {
 public:
  AllLayersSink(int layers, int64_t heads, int64_t tokens, torch::Device device)
      : buffer(torch::empty({layers, heads, tokens, tokens}, torch::TensorOptions(torch::kFloat).device(device))) {}
  void record(int layer, const torch::Tensor& weights) override { buffer[layer].copy_(weights); }

  torch::Tensor buffer;  // [L, H, T, T]
};

}  // namespace

struct PretrainedModel::Impl {
  std::string name, format;
  LlamaWeights weights;
  std::unique_ptr<Tokenizer> tokenizer;
  torch::Device device = torch::kCPU;

  torch::Tensor ids_tensor(const std::vector<int>& ids) const {
    if (ids.empty()) throw std::invalid_argument("no tokens to run (the sequence is empty)");
    const int V = weights.config.vocab_size;
    for (int id : ids)
      if (id < 0 || id >= V)
        throw std::invalid_argument("token id " + std::to_string(id) + " is outside the vocabulary of " + std::to_string(V));
    std::vector<int64_t> v(ids.begin(), ids.end());
    return torch::tensor(v, torch::kLong).to(device);
  }
};

PretrainedModel::PretrainedModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PretrainedModel::~PretrainedModel() = default;
PretrainedModel::PretrainedModel(PretrainedModel&&) noexcept = default;

bool PretrainedModel::recognizes(const std::string& path) {
  std::error_code ec;
  const fs::path p(path);
  if (fs::is_directory(p, ec)) return !fs::exists(p / "config.json", ec) && !bin_files_in(p).checkpoints.empty();
  return p.extension() == ".bin" && !is_tokenizer_name(p);
}

PretrainedModel PretrainedModel::load(const std::string& path, const std::string& device) {
  const Llama2cFiles files = locate_llama2c(path);
  auto impl = std::make_unique<Impl>();
  impl->format = "llama2.c";
  impl->name = files.checkpoint.stem().string();
  impl->device = parse_device(device);
  impl->weights = read_llama2c_checkpoint(files.checkpoint.string()).to(impl->device);
  impl->tokenizer = std::make_unique<Llama2cTokenizer>(Llama2cTokenizer::load(files.tokenizer.string()));
  const int model_vocab = impl->weights.config.vocab_size, tok_vocab = impl->tokenizer->vocab_size();
  if (model_vocab != tok_vocab)
    throw std::runtime_error(files.tokenizer.string() + ": " + std::to_string(tok_vocab) + " pieces, but " +
                             files.checkpoint.filename().string() + " has a vocabulary of " + std::to_string(model_vocab));
  return PretrainedModel(std::move(impl));
}

const Tokenizer& PretrainedModel::tokenizer() const { return *impl_->tokenizer; }
std::string PretrainedModel::name() const { return impl_->name; }
int PretrainedModel::max_seq_len() const { return impl_->weights.config.max_seq_len; }

std::string PretrainedModel::describe() const {
  return impl_->format + " llama " + impl_->name + " (" + impl_->weights.config.describe() + ")";
}

std::vector<float> PretrainedModel::logits(const std::vector<int>& ids) const {
  torch::InferenceMode no_grad;
  torch::Tensor out = llama_forward(impl_->weights, impl_->ids_tensor(ids)).to(torch::kCPU).contiguous();
  return std::vector<float>(out.data_ptr<float>(), out.data_ptr<float>() + out.numel());
}

AttentionRun PretrainedModel::record(const std::vector<int>& ids) const {
  torch::InferenceMode no_grad;
  const LlamaConfig& c = impl_->weights.config;
  AllLayersSink sink(c.n_layers, c.n_heads, static_cast<int64_t>(ids.size()), impl_->device);
  llama_forward(impl_->weights, impl_->ids_tensor(ids), &sink);
  AttentionRun run;
  for (int id : ids) run.target_tokens.push_back(impl_->tokenizer->piece(id));
  for (int l = 0; l < c.n_layers; ++l) run.blocks.push_back(to_block(AttentionKind::DecoderSelf, l, sink.buffer[l]));
  return run;
}

Generation PretrainedModel::generate(const std::string& prompt, const GenerateOptions& opts) const {
  torch::InferenceMode no_grad;
  const Tokenizer& tok = *impl_->tokenizer;
  Generation g;
  g.prompt = prompt;
  g.ids = tok.encode(prompt, /*add_special=*/true);
  g.prompt_length = g.ids.size();
  const size_t context = static_cast<size_t>(max_seq_len());
  if (g.ids.size() > context)
    throw std::invalid_argument("the prompt is " + std::to_string(g.ids.size()) + " tokens; " + name() +
                                " reads at most " + std::to_string(context));
  std::string stopped = "max new tokens";
  // Each step reruns the whole prefix (no key/value cache): simple and exact, and cheap for the
  // small models attnscope shows; the recorded pass below needs the full sequence anyway.
  for (int step = 0; step < opts.max_new_tokens; ++step) {
    if (g.ids.size() >= context) {
      stopped = "context full";
      break;
    }
    torch::Tensor last = llama_forward(impl_->weights, impl_->ids_tensor(g.ids)).select(0, -1);
    const int next = static_cast<int>(last.argmax().item<int64_t>());  // greedy; first maximum on ties
    if (next == tok.bos_id() || next == tok.eos_id()) {  // run.c: BOS starts the next text
      stopped = "end of text";
      break;
    }
    g.ids.push_back(next);
  }
  g.text = tok.decode(g.ids);
  const std::string prompt_text = tok.decode(std::vector<int>(g.ids.begin(), g.ids.begin() + g.prompt_length));
  g.continuation = g.text.compare(0, prompt_text.size(), prompt_text) == 0 ? g.text.substr(prompt_text.size()) : g.text;

  if (opts.record) {
    g.run = record(g.ids);
  } else {
    for (int id : g.ids) g.run.target_tokens.push_back(tok.piece(id));
  }
  g.run.input_text = prompt;
  g.run.output_text = g.continuation;
  g.run.info["decoding"] = "greedy";
  g.run.info["prompt_tokens"] = std::to_string(g.prompt_length);
  g.run.info["stopped"] = stopped;
  return g;
}

AttentionSet PretrainedModel::to_attention_set(const std::vector<Generation>& generations) const {
  const LlamaConfig& c = impl_->weights.config;
  AttentionSet set;
  set.meta["model"] = impl_->name + " (" + impl_->format + ")";
  set.meta["architecture"] = "llama";
  set.meta["attention"] = "causal scaled dot-product, RoPE, " + std::to_string(c.n_heads) + " query heads sharing " +
                          std::to_string(c.n_kv_heads) + " key/value heads";
  set.meta["config"] = nlohmann::json{{"format", impl_->format},
                                      {"dim", c.dim},
                                      {"hidden_dim", c.hidden_dim},
                                      {"n_layers", c.n_layers},
                                      {"n_heads", c.n_heads},
                                      {"n_kv_heads", c.n_kv_heads},
                                      {"vocab_size", c.vocab_size},
                                      {"seq_len", c.max_seq_len},
                                      {"tokenizer", impl_->tokenizer->describe()}}
                           .dump();
  set.meta["subword"] = impl_->tokenizer->subword_style();
  set.meta["transforms"] = "";
  for (const auto& g : generations) set.runs.push_back(g.run);
  if (set.runs.size() > 1)
    for (auto& run : set.runs) run.name = run.input_text;
  return set;
}

}  // namespace attnscope
