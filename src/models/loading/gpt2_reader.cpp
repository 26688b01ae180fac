// read_gpt2: a Hugging Face GPT2LMHeadModel / GPT2Model folder -> Gpt2Weights.
// GPT-2 keeps OpenAI's Conv1D layout: weights are [in, out], the transpose of nn.Linear's
// [out, in]. They are transposed once here so the forward pass uses one Linear convention.
#include <stdexcept>

#include "models/architectures/gpt2.h"
#include "models/loading/hf_folder.h"

namespace attnscope {

namespace {

Gpt2Config read_gpt2_config(const HfFolder& f) {
  Gpt2Config c;
  auto as_int = [&](const char* key) {
    const int64_t v = f.config_int(key);
    if (v <= 0 || v > (1 << 30)) f.config_error(std::string("\"") + key + "\" must be positive, got " + std::to_string(v));
    return static_cast<int>(v);
  };
  c.vocab_size = as_int("vocab_size");
  c.dim = as_int("n_embd");
  c.layers = as_int("n_layer");
  c.heads = as_int("n_head");
  c.max_positions = as_int("n_positions");
  c.inner = static_cast<int>(f.config_int("n_inner", 4 * c.dim));
  c.layer_norm_eps = f.config_float("layer_norm_epsilon", 1e-5);
  c.activation = f.config_string("activation_function", "gelu_new");
  c.scale_attn_weights = f.config_bool("scale_attn_weights", true);
  c.scale_attn_by_inverse_layer_idx = f.config_bool("scale_attn_by_inverse_layer_idx", false);
  c.bos_id = f.config_token_id("bos_token_id", -1);
  c.eos_id = f.config_token_id("eos_token_id", -1);
  if (c.dim % c.heads != 0)
    f.config_error("n_head " + std::to_string(c.heads) + " does not divide n_embd " + std::to_string(c.dim));
  if (c.inner <= 0) f.config_error("\"n_inner\" must be positive, got " + std::to_string(c.inner));
  if (!is_known_activation(c.activation)) f.config_error("activation_function \"" + c.activation + "\" is not supported");
  return c;
}

// A Conv1D ([in, out] weight) as a Linear ([out, in]).
Linear conv1d(const HfFolder& f, const std::string& name, int64_t in, int64_t out) {
  return {f.tensor(name + ".weight", {in, out}).t().contiguous(), f.tensor(name + ".bias", {out})};
}

Norm norm(const HfFolder& f, const std::string& name, int64_t d) {
  return {f.tensor(name + ".weight", {d}), f.tensor(name + ".bias", {d})};
}

}  // namespace

Gpt2Weights read_gpt2(const HfFolder& f) {
  Gpt2Weights w;
  w.config = read_gpt2_config(f);
  const Gpt2Config& c = w.config;
  const int64_t D = c.dim, F = c.inner;
  const std::string p = f.has("transformer.wte.weight") ? "transformer." : "";

  w.token_embedding = f.tensor(p + "wte.weight", {c.vocab_size, D});
  w.position_embedding = f.tensor(p + "wpe.weight", {c.max_positions, D});
  for (int l = 0; l < c.layers; ++l) {
    const std::string at = p + "h." + std::to_string(l) + ".";
    Gpt2LayerWeights L;
    L.ln_1 = norm(f, at + "ln_1", D);
    L.qkv = conv1d(f, at + "attn.c_attn", D, 3 * D);
    L.attn_out = conv1d(f, at + "attn.c_proj", D, D);
    L.ln_2 = norm(f, at + "ln_2", D);
    L.ffn_in = conv1d(f, at + "mlp.c_fc", D, F);
    L.ffn_out = conv1d(f, at + "mlp.c_proj", F, D);
    w.layers.push_back(std::move(L));
  }
  w.ln_f = norm(f, p + "ln_f", D);
  // save_pretrained drops lm_head.weight when it is tied to wte (GPT-2 always ties them).
  w.lm_head = f.has("lm_head.weight") ? f.tensor("lm_head.weight", {c.vocab_size, D}) : w.token_embedding;
  return w;
}

}  // namespace attnscope
