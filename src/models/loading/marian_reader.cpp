// read_marian: a Hugging Face MarianMTModel folder -> MarianWeights. Stored sinusoidal position
// tables (embed_positions) are ignored: they are computed. The output layer is the shared
// embedding (lm_head.weight, when stored, must be that same matrix's copy).
#include <stdexcept>

#include "models/loading/hf_folder.h"
#include "models/architectures/marian.h"

namespace attnscope {

namespace {

MarianConfig read_marian_config(const HfFolder& f) {
  MarianConfig c;
  auto positive = [&](const char* key) {
    const int64_t v = f.config_int(key);
    if (v <= 0 || v > (1 << 30)) f.config_error(std::string("\"") + key + "\" must be positive, got " + std::to_string(v));
    return static_cast<int>(v);
  };
  c.vocab_size = positive("vocab_size");
  c.dim = positive("d_model");
  c.encoder_layers = positive("encoder_layers");
  c.decoder_layers = positive("decoder_layers");
  c.encoder_heads = positive("encoder_attention_heads");
  c.decoder_heads = positive("decoder_attention_heads");
  c.encoder_ffn = positive("encoder_ffn_dim");
  c.decoder_ffn = positive("decoder_ffn_dim");
  c.max_positions = positive("max_position_embeddings");
  c.scale_embedding = f.config_bool("scale_embedding", false);
  c.activation = f.config_string("activation_function", "swish");
  c.pad_id = static_cast<int>(f.config_int("pad_token_id", c.vocab_size - 1));
  c.eos_id = f.config_token_id("eos_token_id", 0);
  c.decoder_start_id = static_cast<int>(f.config_int("decoder_start_token_id", c.pad_id));
  c.forced_eos_id = f.config_token_id("forced_eos_token_id", 0);
  for (int heads : {c.encoder_heads, c.decoder_heads})
    if (c.dim % heads != 0)
      f.config_error("attention heads " + std::to_string(heads) + " do not divide d_model " + std::to_string(c.dim));
  if (c.dim % 2 != 0) f.config_error("d_model " + std::to_string(c.dim) + " is odd; sinusoidal positions need pairs");
  if (!is_known_activation(c.activation)) f.config_error("activation_function \"" + c.activation + "\" is not supported");
  if (f.config_bool("normalize_before", false)) f.config_error("normalize_before true (pre-norm) is not supported");
  if (f.config_bool("normalize_embedding", false)) f.config_error("normalize_embedding true is not supported");
  if (!f.config_bool("share_encoder_decoder_embeddings", true))
    f.config_error("share_encoder_decoder_embeddings false is not supported");
  return c;
}

Linear linear(const HfFolder& f, const std::string& name, int64_t out, int64_t in) {
  return {f.tensor(name + ".weight", {out, in}), f.tensor(name + ".bias", {out})};
}

Norm norm(const HfFolder& f, const std::string& name, int64_t d) {
  return {f.tensor(name + ".weight", {d}), f.tensor(name + ".bias", {d})};
}

MarianAttention attention(const HfFolder& f, const std::string& name, int64_t d) {
  return {linear(f, name + ".q_proj", d, d), linear(f, name + ".k_proj", d, d), linear(f, name + ".v_proj", d, d),
          linear(f, name + ".out_proj", d, d)};
}

}  // namespace

MarianWeights read_marian(const HfFolder& f) {
  MarianWeights w;
  w.config = read_marian_config(f);
  const MarianConfig& c = w.config;
  const int64_t D = c.dim, V = c.vocab_size;
  w.embedding = f.tensor_any({"model.shared.weight", "model.encoder.embed_tokens.weight"}, {V, D});
  for (int l = 0; l < c.encoder_layers; ++l) {
    const std::string at = "model.encoder.layers." + std::to_string(l) + ".";
    w.encoder.push_back({attention(f, at + "self_attn", D), norm(f, at + "self_attn_layer_norm", D),
                         linear(f, at + "fc1", c.encoder_ffn, D), linear(f, at + "fc2", D, c.encoder_ffn),
                         norm(f, at + "final_layer_norm", D)});
  }
  for (int l = 0; l < c.decoder_layers; ++l) {
    const std::string at = "model.decoder.layers." + std::to_string(l) + ".";
    w.decoder.push_back({attention(f, at + "self_attn", D), norm(f, at + "self_attn_layer_norm", D),
                         attention(f, at + "encoder_attn", D), norm(f, at + "encoder_attn_layer_norm", D),
                         linear(f, at + "fc1", c.decoder_ffn, D), linear(f, at + "fc2", D, c.decoder_ffn),
                         norm(f, at + "final_layer_norm", D)});
  }
  // final_logits_bias is a [1, V] buffer; checkpoints without it mean zeros.
  w.final_logits_bias = f.has("final_logits_bias") ? f.tensor("final_logits_bias", {1, V}).view({V}) : torch::zeros({V});
  return w;
}

}  // namespace attnscope
