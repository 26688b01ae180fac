#include "models/loading/hf_llama_reader.h"

#include <stdexcept>

#include "models/loading/hf_folder.h"

namespace attnscope {

torch::Tensor rotate_half_to_interleaved(const torch::Tensor& rows, int64_t heads) {
  // Per head, row s * Dh/2 + j (s = 0: first half, 1: second) becomes row 2 j + s.
  const int64_t Dh = rows.size(0) / heads, D = rows.size(1);
  return rows.reshape({heads, 2, Dh / 2, D}).transpose(1, 2).reshape({heads * Dh, D}).contiguous();
}

torch::Tensor interleaved_to_rotate_half(const torch::Tensor& rows, int64_t heads) {
  const int64_t Dh = rows.size(0) / heads, D = rows.size(1);
  return rows.reshape({heads, Dh / 2, 2, D}).transpose(1, 2).reshape({heads * Dh, D}).contiguous();
}

namespace {

LlamaConfig read_llama_config(const HfFolder& f) {
  LlamaConfig c;
  auto as_int = [&](const char* key, int64_t v) {
    if (v <= 0 || v > (1 << 30)) f.config_error(std::string("\"") + key + "\" must be positive, got " + std::to_string(v));
    return static_cast<int>(v);
  };
  c.dim = as_int("hidden_size", f.config_int("hidden_size"));
  c.hidden_dim = as_int("intermediate_size", f.config_int("intermediate_size"));
  c.n_layers = as_int("num_hidden_layers", f.config_int("num_hidden_layers"));
  c.n_heads = as_int("num_attention_heads", f.config_int("num_attention_heads"));
  c.n_kv_heads = as_int("num_key_value_heads", f.config_int("num_key_value_heads", c.n_heads));
  c.vocab_size = as_int("vocab_size", f.config_int("vocab_size"));
  c.max_seq_len = as_int("max_position_embeddings", f.config_int("max_position_embeddings", 2048));
  c.norm_eps = static_cast<float>(f.config_float("rms_norm_eps", 1e-6));
  c.rope_theta = static_cast<float>(f.config_float("rope_theta", 10000.0));
  try {
    c.validate();
  } catch (const std::invalid_argument& e) {
    f.config_error(e.what());
  }
  // What llama.cpp's recipe does not compute: refuse rather than give different numbers.
  if (f.config_string("hidden_act", "silu") != "silu")
    f.config_error("hidden_act \"" + f.config_string("hidden_act", "") + "\" is not supported (only silu)");
  if (f.config_bool("attention_bias", false)) f.config_error("attention_bias true is not supported");
  if (f.config_bool("mlp_bias", false)) f.config_error("mlp_bias true is not supported");
  if (f.config().contains("rope_scaling") && !f.config()["rope_scaling"].is_null())
    f.config_error("rope_scaling " + f.config()["rope_scaling"].dump() + " is not supported");
  if (f.config_int("head_dim", c.head_dim()) != c.head_dim())
    f.config_error("head_dim " + std::to_string(f.config_int("head_dim")) + " differs from hidden_size / num_attention_heads");
  return c;
}

}  // namespace

LlamaWeights read_hf_llama(const HfFolder& f) {
  LlamaWeights w;
  w.config = read_llama_config(f);
  const LlamaConfig& c = w.config;
  const int64_t D = c.dim, F = c.hidden_dim, V = c.vocab_size, HDh = c.n_heads * c.head_dim(),
                GDh = c.n_kv_heads * c.head_dim();
  w.token_embedding = f.tensor("model.embed_tokens.weight", {V, D});
  for (int l = 0; l < c.n_layers; ++l) {
    const std::string at = "model.layers." + std::to_string(l) + ".";
    LlamaLayerWeights L;
    L.attn_norm = f.tensor(at + "input_layernorm.weight", {D});
    L.wq = rotate_half_to_interleaved(f.tensor(at + "self_attn.q_proj.weight", {HDh, D}), c.n_heads);
    L.wk = rotate_half_to_interleaved(f.tensor(at + "self_attn.k_proj.weight", {GDh, D}), c.n_kv_heads);
    L.wv = f.tensor(at + "self_attn.v_proj.weight", {GDh, D});
    L.wo = f.tensor(at + "self_attn.o_proj.weight", {D, HDh});
    L.ffn_norm = f.tensor(at + "post_attention_layernorm.weight", {D});
    L.w1 = f.tensor(at + "mlp.gate_proj.weight", {F, D});
    L.w2 = f.tensor(at + "mlp.down_proj.weight", {D, F});
    L.w3 = f.tensor(at + "mlp.up_proj.weight", {F, D});
    w.layers.push_back(std::move(L));
  }
  w.final_norm = f.tensor("model.norm.weight", {D});
  const bool tied = f.config_bool("tie_word_embeddings", false);
  w.classifier = tied && !f.has("lm_head.weight") ? w.token_embedding : f.tensor("lm_head.weight", {V, D});
  w.validate();
  return w;
}

}  // namespace attnscope
