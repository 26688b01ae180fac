// read_bert: a Hugging Face BertModel / BertForMaskedLM folder -> BertWeights.
// Tensor names as save_pretrained writes them ("bert.encoder.layer.0.attention.self.query.weight");
// BertModel drops the "bert." prefix; old checkpoints call LayerNorm's weight/bias gamma/beta.
#include <stdexcept>

#include "models/architectures/bert.h"
#include "models/loading/hf_folder.h"

namespace attnscope {

namespace {

BertConfig read_bert_config(const HfFolder& f) {
  BertConfig c;
  auto as_int = [&](const char* key) {
    const int64_t v = f.config_int(key);
    if (v <= 0 || v > (1 << 30)) f.config_error(std::string("\"") + key + "\" must be positive, got " + std::to_string(v));
    return static_cast<int>(v);
  };
  c.vocab_size = as_int("vocab_size");
  c.hidden = as_int("hidden_size");
  c.layers = as_int("num_hidden_layers");
  c.heads = as_int("num_attention_heads");
  c.intermediate = as_int("intermediate_size");
  c.max_positions = as_int("max_position_embeddings");
  c.type_vocab_size = static_cast<int>(f.config_int("type_vocab_size", 2));
  c.layer_norm_eps = f.config_float("layer_norm_eps", 1e-12);
  c.hidden_act = f.config_string("hidden_act", "gelu");
  if (c.hidden % c.heads != 0)
    f.config_error("num_attention_heads " + std::to_string(c.heads) + " does not divide hidden_size " + std::to_string(c.hidden));
  if (!is_known_activation(c.hidden_act)) f.config_error("hidden_act \"" + c.hidden_act + "\" is not supported");
  const std::string pos = f.config_string("position_embedding_type", "absolute");
  if (pos != "absolute") f.config_error("position_embedding_type \"" + pos + "\" is not supported (only absolute)");
  if (f.config_bool("is_decoder", false)) f.config_error("is_decoder BERT models are not supported");
  return c;
}

Linear linear(const HfFolder& f, const std::string& name, int64_t out, int64_t in) {
  return {f.tensor(name + ".weight", {out, in}), f.tensor(name + ".bias", {out})};
}

Norm norm(const HfFolder& f, const std::string& name, int64_t d) {
  return {f.tensor_any({name + ".weight", name + ".gamma"}, {d}), f.tensor_any({name + ".bias", name + ".beta"}, {d})};
}

}  // namespace

BertWeights read_bert(const HfFolder& f) {
  BertWeights w;
  w.config = read_bert_config(f);
  const BertConfig& c = w.config;
  const int64_t D = c.hidden, F = c.intermediate;
  const std::string p = f.has("bert.embeddings.word_embeddings.weight") ? "bert." : "";

  w.word_embeddings = f.tensor(p + "embeddings.word_embeddings.weight", {c.vocab_size, D});
  w.position_embeddings = f.tensor(p + "embeddings.position_embeddings.weight", {c.max_positions, D});
  w.token_type_embeddings = f.tensor(p + "embeddings.token_type_embeddings.weight", {c.type_vocab_size, D});
  w.embed_norm = norm(f, p + "embeddings.LayerNorm", D);
  for (int l = 0; l < c.layers; ++l) {
    const std::string at = p + "encoder.layer." + std::to_string(l) + ".";
    BertLayerWeights L;
    L.query = linear(f, at + "attention.self.query", D, D);
    L.key = linear(f, at + "attention.self.key", D, D);
    L.value = linear(f, at + "attention.self.value", D, D);
    L.attn_out = linear(f, at + "attention.output.dense", D, D);
    L.attn_norm = norm(f, at + "attention.output.LayerNorm", D);
    L.ffn_in = linear(f, at + "intermediate.dense", F, D);
    L.ffn_out = linear(f, at + "output.dense", D, F);
    L.ffn_norm = norm(f, at + "output.LayerNorm", D);
    w.layers.push_back(std::move(L));
  }

  // The masked-LM head: required for BertForMaskedLM, absent from a bare BertModel.
  const bool wants_head = f.architecture() == "BertForMaskedLM" || f.architecture() == "BertForPreTraining";
  w.has_mlm_head = wants_head || f.has("cls.predictions.transform.dense.weight");
  if (w.has_mlm_head) {
    w.mlm.transform = linear(f, "cls.predictions.transform.dense", D, D);
    w.mlm.norm = norm(f, "cls.predictions.transform.LayerNorm", D);
    // The decoder's weight is the word embedding matrix (save_pretrained drops the tied copy).
    w.mlm.decoder.weight = f.has("cls.predictions.decoder.weight")
                               ? f.tensor("cls.predictions.decoder.weight", {c.vocab_size, D})
                               : w.word_embeddings;
    w.mlm.decoder.bias = f.tensor_any({"cls.predictions.bias", "cls.predictions.decoder.bias"}, {c.vocab_size});
  }
  return w;
}

}  // namespace attnscope
