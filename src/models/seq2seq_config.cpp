#include "models/seq2seq_config.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "io/json_limits.h"

namespace attnscope {

namespace {
bool one_of(const std::string& v, std::initializer_list<const char*> allowed) {
  for (const char* a : allowed)
    if (v == a) return true;
  return false;
}
}  // namespace

std::string Seq2SeqConfig::to_json() const {
  nlohmann::json j = {{"architecture", arch},
                      {"task", task},
                      {"vocab", vocab},
                      {"input_alphabet", input_alphabet},
                      {"output_alphabet", output_alphabet},
                      {"max_input_length", max_input_length},
                      {"max_output_length", max_output_length},
                      {"layers", layers},
                      {"dropout", dropout}};
  if (is_transformer()) {
    j.update({{"variant", variant},
              {"heads", heads},
              {"d_model", d_model},
              {"ff", ff},
              {"positional", positional},
              {"norm", norm},
              {"tie_embeddings", tie_embeddings}});
  } else {
    j.update({{"cell", cell},
              {"bidirectional", bidirectional},
              {"embedding", embedding},
              {"hidden", hidden},
              {"attention", attention},
              {"scope", scope},
              {"window", window},
              {"input_feeding", input_feeding}});
  }
  return j.dump(2);
}

Seq2SeqConfig Seq2SeqConfig::from_json(const std::string& text) {
  Seq2SeqConfig c;
  try {
    try {
      check_json_depth(text, "");
    } catch (const std::runtime_error& e) {
      throw std::invalid_argument(e.what());  // Seq2SeqModel::load names the file
    }
    nlohmann::json j = nlohmann::json::parse(text);
    if (!j.contains("architecture") && j.contains("model_type"))
      throw std::invalid_argument("a Hugging Face model folder (model_type " + j["model_type"].dump() +
                                  "), not a model trained by attnscope train");
    c.arch = j.value("architecture", "rnn");
    if (c.arch != "rnn" && c.arch != "transformer")
      throw std::invalid_argument("architecture '" + c.arch + "' is not a trainable attnscope model (rnn or transformer)");
    c.task = j.at("task").get<std::string>();
    c.vocab = j.value("vocab", "chars");
    c.input_alphabet = j.at("input_alphabet").get<std::string>();
    c.output_alphabet = j.at("output_alphabet").get<std::string>();
    c.max_input_length = j.at("max_input_length").get<int>();
    c.max_output_length = j.at("max_output_length").get<int>();
    c.layers = j.at("layers").get<int>();
    c.dropout = j.at("dropout").get<double>();
    if (c.is_transformer()) {
      c.variant = j.at("variant").get<std::string>();
      c.heads = j.at("heads").get<int>();
      c.d_model = j.at("d_model").get<int>();
      c.ff = j.at("ff").get<int>();
      c.positional = j.at("positional").get<std::string>();
      c.norm = j.at("norm").get<std::string>();
      c.tie_embeddings = j.value("tie_embeddings", false);
    } else {
      c.cell = j.at("cell").get<std::string>();
      c.bidirectional = j.at("bidirectional").get<bool>();
      c.embedding = j.at("embedding").get<int>();
      c.hidden = j.at("hidden").get<int>();
      c.attention = j.at("attention").get<std::string>();
      c.scope = j.at("scope").get<std::string>();
      c.window = j.at("window").get<int>();
      c.input_feeding = j.at("input_feeding").get<bool>();
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(e.what());
  }
  c.validate();
  return c;
}

void Seq2SeqConfig::validate() const {
  auto bad = [](const std::string& what) { throw std::invalid_argument(what); };
  if (!one_of(arch, {"rnn", "transformer"})) bad("arch must be rnn or transformer, got '" + arch + "'");
  if (!one_of(vocab, {"chars", "bpe"})) bad("vocab must be chars or bpe, got '" + vocab + "'");
  if (layers < 1 || layers > 24) bad("layers must be 1..24, got " + std::to_string(layers));
  if (dropout < 0 || dropout >= 1) bad("dropout must be in [0, 1), got " + std::to_string(dropout));
  if (vocab == "chars" && (input_alphabet.empty() || output_alphabet.empty())) bad("empty vocabulary");
  if (max_input_length < 1 || max_output_length < 1) bad("maximum lengths must be positive");
  if (is_transformer()) {
    if (!one_of(variant, {"encoder-decoder", "decoder-only", "encoder-only"}))
      bad("variant must be encoder-decoder, decoder-only or encoder-only, got '" + variant + "'");
    if (heads < 1 || heads > 64) bad("heads must be 1..64, got " + std::to_string(heads));
    if (d_model < 1 || d_model > 8192 || d_model % heads)
      bad("d-model must be 1..8192 and divisible by heads (" + std::to_string(heads) + "), got " + std::to_string(d_model));
    if (ff < 1 || ff > 32768) bad("ff must be 1..32768, got " + std::to_string(ff));
    if (!one_of(positional, {"sinusoidal", "learned"})) bad("positional must be sinusoidal or learned, got '" + positional + "'");
    if (!one_of(norm, {"pre", "post"})) bad("norm must be pre or post, got '" + norm + "'");
    return;
  }
  if (layers > 8) bad("layers must be 1..8 for an RNN, got " + std::to_string(layers));
  if (!one_of(cell, {"gru", "lstm"})) bad("cell must be gru or lstm, got '" + cell + "'");
  if (!one_of(attention, {"none", "bahdanau", "luong-dot", "luong-general", "luong-concat"}))
    bad("attention must be none, bahdanau, luong-dot, luong-general or luong-concat, got '" + attention + "'");
  if (!one_of(scope, {"global", "local-m", "local-p"}))
    bad("scope must be global, local-m or local-p, got '" + scope + "'");
  if (hidden < 2 || hidden > 4096 || (bidirectional && hidden % 2))
    bad("hidden must be 2..4096 (even when bidirectional), got " + std::to_string(hidden));
  if (embedding < 1 || embedding > 4096) bad("embedding must be 1..4096, got " + std::to_string(embedding));
  if (window < 1 || window > 1000) bad("window must be 1..1000, got " + std::to_string(window));
}

std::string Seq2SeqConfig::summary() const {
  if (is_transformer())
    return "transformer " + variant + " " + std::to_string(layers) + " layers x " + std::to_string(heads) + " heads, d " +
           std::to_string(d_model) + ", ff " + std::to_string(ff) + ", " + positional + " positions, " + norm + "-norm";
  return cell + " " + std::to_string(layers) + "x" + std::to_string(hidden) + (bidirectional ? " bi" : "") + ", " +
         attention + (attention == "none" ? "" : " " + scope + (scope == "global" ? "" : " D=" + std::to_string(window))) +
         (input_feeding ? ", input feeding" : "");
}

TransformerVariant Seq2SeqConfig::transformer_variant() const {
  if (variant == "decoder-only") return TransformerVariant::DecoderOnly;
  if (variant == "encoder-only") return TransformerVariant::EncoderOnly;
  return TransformerVariant::EncoderDecoder;
}

}  // namespace attnscope
