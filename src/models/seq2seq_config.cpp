#include "models/seq2seq_config.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace attnscope {

namespace {
bool one_of(const std::string& v, std::initializer_list<const char*> allowed) {
  for (const char* a : allowed)
    if (v == a) return true;
  return false;
}
}  // namespace

std::string Seq2SeqConfig::to_json() const {
  nlohmann::json j = {{"architecture", "rnn"},
                      {"task", task},
                      {"input_alphabet", input_alphabet},
                      {"output_alphabet", output_alphabet},
                      {"max_input_length", max_input_length},
                      {"max_output_length", max_output_length},
                      {"cell", cell},
                      {"layers", layers},
                      {"bidirectional", bidirectional},
                      {"embedding", embedding},
                      {"hidden", hidden},
                      {"attention", attention},
                      {"scope", scope},
                      {"window", window},
                      {"input_feeding", input_feeding},
                      {"dropout", dropout}};
  return j.dump(2);
}

Seq2SeqConfig Seq2SeqConfig::from_json(const std::string& text) {
  Seq2SeqConfig c;
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    if (j.value("architecture", "rnn") != "rnn")
      throw std::invalid_argument("architecture '" + j.value("architecture", "") + "' is not an RNN encoder-decoder");
    c.task = j.at("task").get<std::string>();
    c.input_alphabet = j.at("input_alphabet").get<std::string>();
    c.output_alphabet = j.at("output_alphabet").get<std::string>();
    c.max_input_length = j.at("max_input_length").get<int>();
    c.max_output_length = j.at("max_output_length").get<int>();
    c.cell = j.at("cell").get<std::string>();
    c.layers = j.at("layers").get<int>();
    c.bidirectional = j.at("bidirectional").get<bool>();
    c.embedding = j.at("embedding").get<int>();
    c.hidden = j.at("hidden").get<int>();
    c.attention = j.at("attention").get<std::string>();
    c.scope = j.at("scope").get<std::string>();
    c.window = j.at("window").get<int>();
    c.input_feeding = j.at("input_feeding").get<bool>();
    c.dropout = j.at("dropout").get<double>();
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(e.what());
  }
  c.validate();
  return c;
}

void Seq2SeqConfig::validate() const {
  auto bad = [](const std::string& what) { throw std::invalid_argument(what); };
  if (!one_of(cell, {"gru", "lstm"})) bad("cell must be gru or lstm, got '" + cell + "'");
  if (!one_of(attention, {"none", "bahdanau", "luong-dot", "luong-general", "luong-concat"}))
    bad("attention must be none, bahdanau, luong-dot, luong-general or luong-concat, got '" + attention + "'");
  if (!one_of(scope, {"global", "local-m", "local-p"}))
    bad("scope must be global, local-m or local-p, got '" + scope + "'");
  if (layers < 1 || layers > 8) bad("layers must be 1..8, got " + std::to_string(layers));
  if (hidden < 2 || hidden > 4096 || (bidirectional && hidden % 2))
    bad("hidden must be 2..4096 (even when bidirectional), got " + std::to_string(hidden));
  if (embedding < 1 || embedding > 4096) bad("embedding must be 1..4096, got " + std::to_string(embedding));
  if (window < 1 || window > 1000) bad("window must be 1..1000, got " + std::to_string(window));
  if (dropout < 0 || dropout >= 1) bad("dropout must be in [0, 1), got " + std::to_string(dropout));
  if (input_alphabet.empty() || output_alphabet.empty()) bad("empty vocabulary");
  if (max_input_length < 1 || max_output_length < 1) bad("maximum lengths must be positive");
}

std::string Seq2SeqConfig::summary() const {
  return cell + " " + std::to_string(layers) + "x" + std::to_string(hidden) + (bidirectional ? " bi" : "") + ", " +
         attention + (attention == "none" ? "" : " " + scope + (scope == "global" ? "" : " D=" + std::to_string(window))) +
         (input_feeding ? ", input feeding" : "");
}

}  // namespace attnscope
