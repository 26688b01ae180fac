#include "models/loading/pretrained_arch.h"

#include <algorithm>
#include <stdexcept>

#include "models/architectures/bert.h"
#include "models/architectures/gpt2.h"
#include "models/loading/hf_folder.h"
#include "models/loading/hf_llama_reader.h"
#include "models/architectures/llama.h"
#include "models/loading/llama2c_reader.h"
#include "models/architectures/marian.h"

namespace attnscope {

torch::Tensor PretrainedArch::encode(const torch::Tensor&, AttentionRecorder*) const {
  throw std::logic_error(family() + " is not an encoder-decoder model");
}

torch::Tensor PretrainedArch::decode(const torch::Tensor&, const torch::Tensor&, AttentionRecorder*,
                                     torch::Tensor*) const {
  throw std::logic_error(family() + " is not an encoder-decoder model");
}

namespace {

// The longest input a RoPE model takes: 128k tokens, whose queries and keys a 12 x 12 model with
// head width 64 records in 9.7 GB (12 x 12 x 131,072 x 64 x 2 floats; computed, not run).
constexpr int kLongestRopeInput = 131072;

class LlamaArch : public PretrainedArch {
 public:
  // variant: the config's model_type (llama, mistral, qwen2) or "llama" for llama2.c checkpoints.
  LlamaArch(LlamaWeights w, std::string format, std::string variant, int bos, int eos)
      : w_(std::move(w)), format_(std::move(format)), variant_(std::move(variant)), bos_(bos), eos_(eos) {}
  std::string family() const override { return "llama"; }
  bool is_encoder() const override { return false; }
  int layers() const override { return w_.config.n_layers; }
  int heads() const override { return w_.config.n_heads; }
  int vocab_size() const override { return w_.config.vocab_size; }
  // RoPE is defined at every position; the limit only bounds what one request may ask for.
  int max_positions() const override { return std::max(w_.config.max_seq_len, kLongestRopeInput); }
  int trained_positions() const override { return w_.config.max_seq_len; }
  int bos_id() const override { return bos_; }
  int eos_id() const override { return eos_; }
  std::string describe() const override { return format_ + " " + variant_ + " (" + w_.config.describe() + ")"; }
  std::string attention_note() const override {
    const LlamaConfig& c = w_.config;
    std::string note = "causal scaled dot-product, RoPE" +
                       (c.rope_scaling.type == RopeScaling::Type::None ? "" : " (" + c.rope_scaling.describe() + ")") + ", " +
                       std::to_string(c.n_heads) + " query heads sharing " + std::to_string(c.n_kv_heads) + " key/value heads";
    if (c.sliding_window > 0) note += ", sliding window of " + std::to_string(c.sliding_window) + " keys";
    return note;
  }
  nlohmann::json config_json() const override {
    const LlamaConfig& c = w_.config;
    return {{"format", format_},         {"model_type", variant_}, {"dim", c.dim},         {"hidden_dim", c.hidden_dim},
            {"n_layers", c.n_layers},    {"n_heads", c.n_heads}, {"n_kv_heads", c.n_kv_heads},
            {"vocab_size", c.vocab_size}, {"seq_len", c.max_seq_len}, {"norm_eps", c.norm_eps},
            {"rope_theta", c.rope_theta}, {"head_dim", c.head_dim()}, {"rope_scaling", c.rope_scaling.describe()},
            {"sliding_window", c.sliding_window}, {"qkv_bias", c.qkv_bias}};
  }
  torch::Tensor forward(const torch::Tensor& ids, AttentionRecorder* rec, torch::Tensor* hidden) const override {
    return llama_forward(w_, ids, rec, hidden);
  }

 private:
  LlamaWeights w_;
  std::string format_, variant_;
  int bos_, eos_;
};

class BertArch : public PretrainedArch {
 public:
  explicit BertArch(BertWeights w) : w_(std::move(w)) {}
  std::string family() const override { return "bert"; }
  bool is_encoder() const override { return true; }
  int layers() const override { return w_.config.layers; }
  int heads() const override { return w_.config.heads; }
  int vocab_size() const override { return w_.config.vocab_size; }
  int max_positions() const override { return w_.config.max_positions; }
  bool has_logits() const override { return w_.has_mlm_head; }
  std::string describe() const override { return "bert (" + w_.config.describe() + ")"; }
  std::string attention_note() const override {
    return "bidirectional scaled dot-product, " + std::to_string(w_.config.heads) + " heads, post-norm";
  }
  nlohmann::json config_json() const override {
    const BertConfig& c = w_.config;
    return {{"format", "huggingface"},        {"hidden_size", c.hidden},          {"num_hidden_layers", c.layers},
            {"num_attention_heads", c.heads}, {"intermediate_size", c.intermediate}, {"vocab_size", c.vocab_size},
            {"max_position_embeddings", c.max_positions}, {"hidden_act", c.hidden_act},
            {"mlm_head", w_.has_mlm_head}};
  }
  torch::Tensor forward(const torch::Tensor& ids, AttentionRecorder* rec, torch::Tensor* hidden) const override {
    BertOutput out = bert_forward(w_, ids, {}, {}, rec);
    if (hidden) *hidden = out.hidden;
    return out.logits;
  }

 private:
  BertWeights w_;
};

class Gpt2Arch : public PretrainedArch {
 public:
  explicit Gpt2Arch(Gpt2Weights w) : w_(std::move(w)) {}
  std::string family() const override { return "gpt2"; }
  bool is_encoder() const override { return false; }
  int layers() const override { return w_.config.layers; }
  int heads() const override { return w_.config.heads; }
  int vocab_size() const override { return w_.config.vocab_size; }
  int max_positions() const override { return w_.config.max_positions; }
  int bos_id() const override { return w_.config.bos_id; }
  int eos_id() const override { return w_.config.eos_id; }
  std::string describe() const override { return "gpt2 (" + w_.config.describe() + ")"; }
  std::string attention_note() const override {
    return "causal scaled dot-product, " + std::to_string(w_.config.heads) + " heads, learned positions, pre-norm";
  }
  nlohmann::json config_json() const override {
    const Gpt2Config& c = w_.config;
    return {{"format", "huggingface"}, {"n_embd", c.dim},           {"n_layer", c.layers},
            {"n_head", c.heads},       {"n_inner", c.inner},        {"vocab_size", c.vocab_size},
            {"n_positions", c.max_positions}, {"activation_function", c.activation}};
  }
  torch::Tensor forward(const torch::Tensor& ids, AttentionRecorder* rec, torch::Tensor* hidden) const override {
    return gpt2_forward(w_, ids, rec, hidden);
  }

 private:
  Gpt2Weights w_;
};

class MarianArch : public PretrainedArch {
 public:
  explicit MarianArch(MarianWeights w) : w_(std::move(w)) {}
  std::string family() const override { return "marian"; }
  bool is_encoder() const override { return false; }
  bool is_seq2seq() const override { return true; }
  int layers() const override { return w_.config.encoder_layers; }
  int heads() const override { return w_.config.encoder_heads; }
  int decoder_layers() const override { return w_.config.decoder_layers; }
  int decoder_heads() const override { return w_.config.decoder_heads; }
  int vocab_size() const override { return w_.config.vocab_size; }
  int max_positions() const override { return w_.config.max_positions; }
  int eos_id() const override { return w_.config.eos_id; }
  int pad_id() const override { return w_.config.pad_id; }
  int decoder_start_id() const override { return w_.config.decoder_start_id; }
  int forced_eos_id() const override { return w_.config.forced_eos_id; }
  std::string describe() const override { return "marian (" + w_.config.describe() + ")"; }
  std::string attention_note() const override {
    return "encoder-decoder scaled dot-product, sinusoidal positions, " + std::to_string(w_.config.encoder_heads) +
           " heads, post-norm";
  }
  nlohmann::json config_json() const override {
    const MarianConfig& c = w_.config;
    return {{"format", "huggingface"},         {"d_model", c.dim},
            {"encoder_layers", c.encoder_layers}, {"decoder_layers", c.decoder_layers},
            {"encoder_attention_heads", c.encoder_heads}, {"decoder_attention_heads", c.decoder_heads},
            {"encoder_ffn_dim", c.encoder_ffn}, {"decoder_ffn_dim", c.decoder_ffn},
            {"vocab_size", c.vocab_size},      {"activation_function", c.activation}};
  }
  torch::Tensor forward(const torch::Tensor&, AttentionRecorder*, torch::Tensor*) const override {
    throw std::logic_error("marian is an encoder-decoder model: use encode and decode");
  }
  torch::Tensor encode(const torch::Tensor& source_ids, AttentionRecorder* rec) const override {
    return marian_encode(w_, source_ids, rec);
  }
  torch::Tensor decode(const torch::Tensor& memory, const torch::Tensor& target_ids, AttentionRecorder* rec,
                       torch::Tensor* hidden) const override {
    return marian_decode(w_, memory, target_ids, rec, hidden);
  }

 private:
  MarianWeights w_;
};

}  // namespace

std::unique_ptr<PretrainedArch> load_llama2c_arch(const std::string& checkpoint, torch::Device device) {
  // llama2.c's tokenizers: BOS 1, EOS 2.
  return std::make_unique<LlamaArch>(read_llama2c_checkpoint(checkpoint).to(device), "llama2.c", "llama", 1, 2);
}

std::unique_ptr<PretrainedArch> load_hf_arch(const std::string& dir, torch::Device device) {
  const HfFolder f = HfFolder::open(dir);
  const std::string& type = f.model_type();
  if (type == "bert") return std::make_unique<BertArch>(read_bert(f).to(device));
  if (type == "gpt2") return std::make_unique<Gpt2Arch>(read_gpt2(f).to(device));
  if (type == "marian") return std::make_unique<MarianArch>(read_marian(f).to(device));
  if (type == "llama" || type == "mistral" || type == "qwen2")
    return std::make_unique<LlamaArch>(read_hf_llama(f).to(device), "huggingface", type,
                                       f.config_token_id("bos_token_id", -1),
                                       f.config_token_id("eos_token_id", -1));
  f.config_error("model_type \"" + type + "\"" +
                 (f.architecture().empty() ? "" : " (" + f.architecture() + ")") +
                 " is not an architecture attnscope runs (known: bert, gpt2, llama, marian, mistral, qwen2)");
}

}  // namespace attnscope
