#include "models/loading/hf_llama_reader.h"

#include <algorithm>
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

// config.json "rope_scaling": {"rope_type" (or the older "type"): linear | dynamic | llama3, ...}.
RopeScaling read_rope_scaling(const HfFolder& f, int max_positions) {
  RopeScaling r;
  auto it = f.config().find("rope_scaling");
  if (it == f.config().end() || it->is_null()) return r;
  const nlohmann::json& j = *it;
  if (!j.is_object()) f.config_error("rope_scaling is not an object: " + j.dump());
  const nlohmann::json type = j.contains("rope_type") ? j["rope_type"] : j.value("type", nlohmann::json());
  if (!type.is_string()) f.config_error("rope_scaling names no rope_type: " + j.dump());
  const std::string name = type.get<std::string>();
  auto number = [&](const char* key, bool required, double fallback) {
    if (!j.contains(key) || j[key].is_null()) {
      if (required) f.config_error(std::string("rope_scaling ") + name + " needs \"" + key + "\": " + j.dump());
      return fallback;
    }
    if (!j[key].is_number()) f.config_error(std::string("rope_scaling \"") + key + "\" is not a number: " + j.dump());
    return j[key].get<double>();
  };
  if (name == "default") return r;
  if (name == "linear") r.type = RopeScaling::Type::Linear;
  else if (name == "dynamic") r.type = RopeScaling::Type::Dynamic;
  else if (name == "llama3") r.type = RopeScaling::Type::Llama3;
  else
    f.config_error("rope_scaling type \"" + name + "\" is not supported (supported: linear, dynamic, llama3)");
  r.factor = number("factor", true, 1.0);
  if (!(r.factor >= 1.0)) f.config_error("rope_scaling factor must be at least 1, got " + j["factor"].dump());
  if (j.contains("attention_factor") && !j["attention_factor"].is_null() && number("attention_factor", false, 1.0) != 1.0)
    f.config_error("rope_scaling attention_factor other than 1 is not supported");
  r.original_positions = max_positions;
  if (r.type == RopeScaling::Type::Llama3) {
    r.original_positions = static_cast<int>(number("original_max_position_embeddings", true, 0));
    r.low_freq_factor = number("low_freq_factor", true, 1.0);
    r.high_freq_factor = number("high_freq_factor", true, 4.0);
    if (r.original_positions <= 0 || !(r.high_freq_factor > r.low_freq_factor))
      f.config_error("rope_scaling llama3 needs original_max_position_embeddings > 0 and high_freq_factor > low_freq_factor: " + j.dump());
  }
  return r;
}

LlamaConfig read_llama_config(const HfFolder& f) {
  LlamaConfig c;
  const std::string& type = f.model_type();  // llama, mistral or qwen2
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
  c.rope_scaling = read_rope_scaling(f, c.max_seq_len);
  // Qwen2's modeling code takes D / H whatever the config says; Llama's and Mistral's read head_dim.
  if (const int64_t head_dim = f.config_int("head_dim", 0); type != "qwen2" && head_dim > 0) {
    c.head_width = as_int("head_dim", head_dim);
    if (c.dim % c.n_heads == 0 && c.head_width == c.dim / c.n_heads) c.head_width = 0;
  }
  if (type == "mistral") {
    const int64_t window = f.config_int("sliding_window", 0);
    if (window < 0) f.config_error("\"sliding_window\" must be positive, got " + std::to_string(window));
    c.sliding_window = static_cast<int>(std::min<int64_t>(window, 1 << 30));
  }
  if (type == "qwen2") {
    c.qkv_bias = true;
    if (f.config_bool("use_sliding_window", false))
      f.config_error("use_sliding_window true is not supported for qwen2 (its window applies from max_window_layers on)");
  }
  if (type == "llama") c.qkv_bias = c.output_bias = f.config_bool("attention_bias", false);
  try {
    c.validate();
  } catch (const std::invalid_argument& e) {
    f.config_error(e.what());
  }
  // What the Llama recipe here does not compute: refuse rather than give different numbers.
  if (f.config_string("hidden_act", "silu") != "silu")
    f.config_error("hidden_act \"" + f.config_string("hidden_act", "") + "\" is not supported (only silu)");
  if (f.config_bool("mlp_bias", false)) f.config_error("mlp_bias true is not supported");
  if (f.config_float("partial_rotary_factor", 1.0) != 1.0) f.config_error("partial_rotary_factor other than 1 is not supported");
  if (f.config_float("pretraining_tp", 1) != 1) f.config_error("pretraining_tp other than 1 is not supported");
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
    if (c.qkv_bias) {
      L.bq = rotate_half_to_interleaved(f.tensor(at + "self_attn.q_proj.bias", {HDh}).unsqueeze(1), c.n_heads).squeeze(1);
      L.bk = rotate_half_to_interleaved(f.tensor(at + "self_attn.k_proj.bias", {GDh}).unsqueeze(1), c.n_kv_heads).squeeze(1);
      L.bv = f.tensor(at + "self_attn.v_proj.bias", {GDh});
    }
    if (c.output_bias) L.bo = f.tensor(at + "self_attn.o_proj.bias", {D});
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
