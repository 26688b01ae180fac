// read_model_architecture: config.json or a llama2.c header -> the blocks of a diagram.
// One builder per family (attnscope RNN, attnscope Transformer, BERT, GPT-2, Llama-like, Marian),
// each reading the keys its loader in models/loading reads, with the same defaults.
#include "io/model_architecture.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "io/json_limits.h"
#include "core/utf8.h"
#include "io/atomic_file.h"
#include "models/seq2seq_config.h"

namespace attnscope {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// 32000 -> "32,000": sizes read at a glance.
std::string num(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (v < 0 ? "-" : "") + out;
}

std::string plural(int64_t n, const std::string& one) { return num(n) + " " + one + (n == 1 ? "" : "s"); }

// The config's keys, with errors that name the file, the model family and the key.
class Config {
 public:
  Config(json j, std::string source, std::string family)
      : j_(std::move(j)), source_(std::move(source)), family_(std::move(family)) {}

  static std::string quoted(const char* key) { return std::string(1, '"').append(key).append(1, '"'); }
  [[noreturn]] void fail(const std::string& what) const { throw std::runtime_error(source_ + ": " + what); }

  bool has(const char* key) const { return j_.contains(key) && !j_[key].is_null(); }
  int64_t integer(const char* key) const {
    if (!has(key)) fail("missing " + quoted(key) + " (" + family_ + " needs it)");
    return positive(key);
  }
  int64_t integer(const char* key, int64_t fallback) const { return has(key) ? positive(key) : fallback; }
  std::string string(const char* key) const {
    if (!has(key)) fail("missing " + quoted(key) + " (" + family_ + " needs it)");
    if (!j_[key].is_string()) fail(quoted(key) + " is not a string: " + j_[key].dump());
    return j_[key].get<std::string>();
  }
  std::string string(const char* key, const std::string& fallback) const { return has(key) ? string(key) : fallback; }
  bool boolean(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    if (!j_[key].is_boolean()) fail(quoted(key) + " is not true or false: " + j_[key].dump());
    return j_[key].get<bool>();
  }
  double number(const char* key, double fallback) const {
    if (!has(key)) return fallback;
    if (!j_[key].is_number()) fail(quoted(key) + " is not a number: " + j_[key].dump());
    return j_[key].get<double>();
  }
  const json& raw() const { return j_; }

 private:
  int64_t positive(const char* key) const {
    const json& v = j_[key];
    if (!v.is_number_integer() || v.get<int64_t>() <= 0)
      fail(quoted(key) + " must be a positive integer, got " + v.dump());
    return v.get<int64_t>();
  }
  json j_;
  std::string source_, family_;
};

ArchBlock block(std::string id, ArchBlockKind kind, std::string title, std::vector<std::string> lines = {}) {
  ArchBlock b;
  b.id = std::move(id);
  b.kind = kind;
  b.title = std::move(title);
  b.lines = std::move(lines);
  return b;
}

ArchBlock stack(std::string id, std::string title, int64_t layers, std::vector<std::string> lines, std::vector<ArchBlock> inner) {
  ArchBlock b = block(std::move(id), ArchBlockKind::Recurrent, std::move(title), std::move(lines));
  b.repeat = static_cast<int>(layers);
  b.inner = std::move(inner);
  return b;
}

std::string head_shape(int64_t heads, int64_t head_dim) {
  return plural(heads, "head") + " × " + num(head_dim);
}

// "12 layers, numbered 1-12": says how the layers the other figures name are counted.
std::string layer_note(int64_t layers, const std::string& stack_name) {
  return stack_name + " layers are numbered 1-" + num(layers) + " in the other figures";
}

// Number of tokens of a vocabulary file ("piece count" per line), or -1 when it is absent.
int64_t count_lines(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return -1;
  int64_t n = 0;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) ++n;
  return n;
}

// ---------------------------------------------------------------------------------------------
// attnscope train folders, read by Seq2SeqConfig::from_json as Seq2SeqModel::load reads them
// ---------------------------------------------------------------------------------------------

// Character vocabularies hold the alphabet plus <pad>, <s>, </s>; BPE ones four specials plus the
// pieces of source.vocab / target.vocab.
std::string vocab_phrase(const Seq2SeqConfig& c, const std::string& dir, bool source) {
  if (c.character_vocab())
    return "vocab " + num(static_cast<int64_t>(utf8_to_u32(source ? c.input_alphabet : c.output_alphabet).size()) + 3) +
           " characters";
  const int64_t pieces = dir.empty() ? -1 : count_lines(fs::path(dir) / (source ? "source.vocab" : "target.vocab"));
  return pieces < 0 ? std::string("BPE vocab") : "BPE vocab " + num(pieces + 4);
}

// `c` has passed Seq2SeqConfig::validate: its cell, attention and scope are known names.
ModelArchitecture attnscope_rnn(const Seq2SeqConfig& c, const std::string& dir) {
  const std::string cell_name = c.cell == "lstm" ? "LSTM" : "GRU";
  const int64_t layers = c.layers, E = c.embedding, H = c.hidden, D = c.window;
  const bool bi = c.bidirectional, feeding = c.input_feeding;
  const std::string& method = c.attention;
  const std::string& scope = c.scope;

  ModelArchitecture a;
  a.format = "attnscope rnn";
  a.summary = "RNN encoder-decoder (" + c.task + "): " + cell_name + " " + num(layers) + " × " + num(H) +
              (bi ? ", bidirectional encoder" : "") + (method == "none" ? ", no attention" : ", " + method + " " + scope);

  ArchColumn enc{"Encoder", "source tokens x₁ … x_S", "", {}};
  enc.blocks.push_back(block("encoder.embedding", ArchBlockKind::Embedding, "Source embedding",
                             {vocab_phrase(c, dir, true) + " × " + num(E)}));
  enc.blocks.push_back(block("encoder.rnn", ArchBlockKind::Recurrent, (bi ? "Bidirectional " : "") + cell_name + " encoder",
                             {plural(layers, "layer") + ", " + num(bi ? H / 2 : H) + " units" + (bi ? " each way" : ""),
                              "states h₁ … h_S, " + num(H) + " wide"}));

  ArchColumn dec{"Decoder", "previous output y_{t-1}", "next output y_t", {}};
  dec.blocks.push_back(block("decoder.embedding", ArchBlockKind::Embedding, "Target embedding",
                             {vocab_phrase(c, dir, false) + " × " + num(E)}));
  std::vector<std::string> rnn_lines{plural(layers, "layer") + " × " + num(H) + " units"};
  if (method == "bahdanau") rnn_lines.push_back("input: [y_{t-1}; c_t]");
  if (feeding) rnn_lines.push_back("input feeding: h̃_{t-1} joins the input");
  ArchBlock rnn = block("decoder.rnn", ArchBlockKind::Recurrent, cell_name + " decoder", rnn_lines);

  if (method != "none") {
    std::string title;
    std::vector<std::string> lines;
    if (method == "bahdanau") {
      title = "Bahdanau attention (additive)";
      lines = {"score vᵀ tanh(W_q s_{t-1} + W_k h_s)"};
    } else if (method == "luong-dot") {
      title = "Luong attention: dot";
      lines = {"score h_tᵀ h_s"};
    } else if (method == "luong-general") {
      title = "Luong attention: general";
      lines = {"score h_tᵀ W_a h_s"};
    } else {  // luong-concat
      title = "Luong attention: concat";
      lines = {"score vᵀ tanh(W_q h_t + W_k h_s)"};
    }
    if (scope == "global") {
      lines.push_back("global: every source position");
    } else if (scope == "local-m") {
      lines.push_back("local-m: window [p_t − D, p_t + D], D = " + num(D));
      lines.push_back("monotonic p_t = t");
    } else {  // local-p
      lines.push_back("local-p: window [p_t − D, p_t + D], D = " + num(D));
      lines.push_back("predicted p_t = (S−1)·σ(v_pᵀ tanh(W_p h_t))");
      lines.push_back("Gaussian σ = D/2 around p_t");
    }
    lines.push_back("1 head → context c_t");
    ArchBlock attention = block("decoder.attention", ArchBlockKind::Attention, title, lines);
    ArchBlock combine = block("decoder.combine", ArchBlockKind::Combine, "Attentional state", {"h̃_t = tanh(W_c [c_t; h_t])"});
    if (method == "bahdanau") {  // attends with the previous state; the context enters the RNN
      dec.blocks.push_back(attention);
      dec.blocks.push_back(rnn);
    } else {  // Luong: attends with the new state h_t
      dec.blocks.push_back(rnn);
      dec.blocks.push_back(attention);
    }
    dec.blocks.push_back(combine);
  } else {
    dec.blocks.push_back(rnn);
  }
  dec.blocks.push_back(block("decoder.output", ArchBlockKind::Output, "Output layer",
                             {"softmax(W_s " + std::string(method == "none" ? "h_t" : "h̃_t") + "), " + vocab_phrase(c, dir, false),
                              "not tied to the embedding"}));
  a.columns = {enc, dec};
  a.links.push_back({"encoder.rnn", "decoder.rnn", "final state → initial state"});
  if (method != "none") a.links.push_back({"encoder.rnn", "decoder.attention", "states h_s"});
  a.notes.push_back("cross attention is recorded as cross.0: one head, one row per decoding step");
  return a;
}

// `c` has passed Seq2SeqConfig::validate: heads divide d_model, the variant is known.
ModelArchitecture attnscope_transformer(const Seq2SeqConfig& c, const std::string& dir) {
  const int64_t layers = c.layers, heads = c.heads, d = c.d_model, ff = c.ff, dh = d / heads;
  const std::string& variant = c.variant;
  const std::string& positional = c.positional;
  const bool pre = c.norm == "pre", tied = c.tie_embeddings;

  ModelArchitecture a;
  a.format = "attnscope transformer";
  a.summary = "Transformer " + variant + " (" + c.task + "): " + plural(layers, "layer") + " × " +
              plural(heads, "head") + ", d " + num(d) + ", ff " + num(ff) + ", " + (pre ? "pre" : "post") + "-norm";
  const std::string norm_line = pre ? "pre-norm: x + f(LayerNorm(x))" : "post-norm: LayerNorm(x + f(x))";
  auto positions = [&](const std::string& side) {
    return block(side + ".positions", ArchBlockKind::Position,
                 positional == "learned" ? "Learned positions" : "Sinusoidal positions", {"added to the embedding"});
  };
  auto ffn = [&](const std::string& side) {
    return block(side + ".layer.feed-forward", ArchBlockKind::FeedForward, "Feed-forward",
                 {num(d) + " → " + num(ff) + " → " + num(d) + ", ReLU"});
  };

  const bool has_encoder = variant != "decoder-only", has_decoder = variant != "encoder-only";
  if (has_encoder) {
    ArchColumn enc{"Encoder", "source tokens", has_decoder ? "" : "one output per position", {}};
    enc.blocks.push_back(block("encoder.embedding", ArchBlockKind::Embedding, "Source embedding",
                               {vocab_phrase(c, dir, true) + " × " + num(d)}));
    enc.blocks.push_back(positions("encoder"));
    enc.blocks.push_back(stack("encoder.layer", "Encoder layer", layers, {norm_line},
                               {block("encoder.layer.self-attention", ArchBlockKind::Attention, "Multi-head self-attention",
                                      {head_shape(heads, dh), "every source position (encoder-self)"}),
                                ffn("encoder")}));
    if (pre) enc.blocks.push_back(block("encoder.norm", ArchBlockKind::Norm, "LayerNorm"));
    if (!has_decoder)
      enc.blocks.push_back(block("encoder.output", ArchBlockKind::Output, "Output layer",
                                 {"linear " + num(d) + " → " + vocab_phrase(c, dir, false), tied ? "tied to the target embedding" : "not tied"}));
    a.columns.push_back(enc);
  }
  if (has_decoder) {
    ArchColumn dec{"Decoder", has_encoder ? "previous outputs" : "tokens so far", "next-token probabilities", {}};
    dec.blocks.push_back(block("decoder.embedding", ArchBlockKind::Embedding, has_encoder ? "Target embedding" : "Token embedding",
                               {vocab_phrase(c, dir, !has_encoder) + " × " + num(d)}));
    dec.blocks.push_back(positions("decoder"));
    std::vector<ArchBlock> inner{block("decoder.layer.self-attention", ArchBlockKind::Attention, "Masked multi-head self-attention",
                                       {head_shape(heads, dh), "causal: earlier positions (decoder-self)"})};
    if (has_encoder)
      inner.push_back(block("decoder.layer.cross-attention", ArchBlockKind::Attention, "Multi-head cross-attention",
                            {head_shape(heads, dh), "queries: decoder, keys/values: encoder"}));
    inner.push_back(ffn("decoder"));
    dec.blocks.push_back(stack("decoder.layer", "Decoder layer", layers, {norm_line}, inner));
    if (pre) dec.blocks.push_back(block("decoder.norm", ArchBlockKind::Norm, "LayerNorm"));
    dec.blocks.push_back(block("decoder.output", ArchBlockKind::Output, "Output layer",
                               {"linear " + num(d) + " → " + vocab_phrase(c, dir, false) + ", softmax",
                                tied ? "tied to the target embedding" : "not tied"}));
    a.columns.push_back(dec);
    // Cross-attention reads the encoder's last output: after its final LayerNorm when pre-norm.
    if (has_encoder) a.links.push_back({pre ? "encoder.norm" : "encoder.layer", "decoder.layer.cross-attention", "keys, values"});
  }
  a.notes.push_back(layer_note(layers, "Transformer"));
  return a;
}

// ---------------------------------------------------------------------------------------------
// Hugging Face folders (src/models/loading/*_reader.cpp read the same keys)
// ---------------------------------------------------------------------------------------------

ModelArchitecture hf_bert(const Config& c) {
  const int64_t V = c.integer("vocab_size"), d = c.integer("hidden_size"), L = c.integer("num_hidden_layers"),
                H = c.integer("num_attention_heads"), F = c.integer("intermediate_size"),
                P = c.integer("max_position_embeddings"), types = c.integer("type_vocab_size", 2);
  if (d % H) c.fail("num_attention_heads " + num(H) + " does not divide hidden_size " + num(d));
  const std::string act = c.string("hidden_act", "gelu");
  ModelArchitecture a;
  a.format = "Hugging Face bert";
  a.summary = "BERT encoder: " + plural(L, "layer") + " × " + plural(H, "head") + ", hidden " + num(d) + ", vocab " + num(V);
  ArchColumn enc{"Encoder", "tokens: [CLS] … [SEP]", "a token per [MASK]", {}};
  enc.blocks.push_back(block("encoder.embedding", ArchBlockKind::Embedding, "Token embedding", {"vocab " + num(V) + " × " + num(d)}));
  enc.blocks.push_back(block("encoder.positions", ArchBlockKind::Position, "Learned positions",
                             {num(P) + " positions, + " + plural(types, "token type"), "LayerNorm after the sum"}));
  enc.blocks.push_back(stack("encoder.layer", "Encoder layer", L, {"post-norm: LayerNorm(x + f(x))"},
                             {block("encoder.layer.self-attention", ArchBlockKind::Attention, "Multi-head self-attention",
                                    {head_shape(H, d / H), "bidirectional: every token (encoder-self)"}),
                              block("encoder.layer.feed-forward", ArchBlockKind::FeedForward, "Feed-forward",
                                    {num(d) + " → " + num(F) + " → " + num(d) + ", " + act})}));
  enc.blocks.push_back(block("encoder.output", ArchBlockKind::Output, "Masked-LM head",
                             {"dense + LayerNorm, then vocab " + num(V), "tied to the token embedding"}));
  a.columns = {enc};
  a.notes.push_back(layer_note(L, "BERT"));
  return a;
}

ModelArchitecture hf_gpt2(const Config& c) {
  const int64_t V = c.integer("vocab_size"), d = c.integer("n_embd"), L = c.integer("n_layer"), H = c.integer("n_head"),
                P = c.integer("n_positions"), F = c.integer("n_inner", 4 * d);
  if (d % H) c.fail("n_head " + num(H) + " does not divide n_embd " + num(d));
  ModelArchitecture a;
  a.format = "Hugging Face gpt2";
  a.summary = "GPT-2 decoder: " + plural(L, "layer") + " × " + plural(H, "head") + ", d " + num(d) + ", vocab " + num(V);
  ArchColumn dec{"Decoder", "tokens so far", "next-token probabilities", {}};
  dec.blocks.push_back(block("decoder.embedding", ArchBlockKind::Embedding, "Token embedding (wte)", {"vocab " + num(V) + " × " + num(d)}));
  dec.blocks.push_back(block("decoder.positions", ArchBlockKind::Position, "Learned positions (wpe)", {num(P) + " positions, added"}));
  dec.blocks.push_back(stack("decoder.layer", "Decoder layer", L, {"pre-norm: x + f(LayerNorm(x))"},
                             {block("decoder.layer.self-attention", ArchBlockKind::Attention, "Masked multi-head self-attention",
                                    {head_shape(H, d / H), "causal: earlier tokens (decoder-self)"}),
                              block("decoder.layer.feed-forward", ArchBlockKind::FeedForward, "MLP",
                                    {num(d) + " → " + num(F) + " → " + num(d) + ", " + c.string("activation_function", "gelu_new")})}));
  dec.blocks.push_back(block("decoder.norm", ArchBlockKind::Norm, "Final LayerNorm"));
  dec.blocks.push_back(block("decoder.output", ArchBlockKind::Output, "LM head", {"vocab " + num(V), "tied to the token embedding"}));
  a.columns = {dec};
  a.notes.push_back(layer_note(L, "GPT-2"));
  return a;
}

struct LlamaFacts {
  std::string family = "Llama";  // Llama, Mistral, Qwen2, llama2.c
  int64_t V = 0, d = 0, F = 0, L = 0, H = 0, G = 0, head_dim = 0, max_positions = 0, sliding_window = 0;
  double rope_theta = 10000;
  std::string rope_scaling;  // "" or the type
  bool tied = false, qkv_bias = false;
};

ModelArchitecture llama_like(const LlamaFacts& f) {
  ModelArchitecture a;
  a.summary = f.family + " decoder: " + plural(f.L, "layer") + " × " + plural(f.H, "head") + " (" + num(f.G) +
              " key/value), d " + num(f.d) + ", vocab " + num(f.V);
  ArchColumn dec{"Decoder", "tokens so far", "next-token probabilities", {}};
  dec.blocks.push_back(block("decoder.embedding", ArchBlockKind::Embedding, "Token embedding", {"vocab " + num(f.V) + " × " + num(f.d)}));
  std::vector<std::string> rope{"rotates q and k in every layer", "θ = " + num(static_cast<int64_t>(f.rope_theta))};
  if (!f.rope_scaling.empty()) rope.push_back("scaling: " + f.rope_scaling);
  if (f.max_positions) rope.push_back(num(f.max_positions) + " positions");
  dec.blocks.push_back(block("decoder.positions", ArchBlockKind::Position, "Rotary positions (RoPE)", rope));

  std::string title;
  std::vector<std::string> lines;
  if (f.G == f.H) {
    title = "Masked multi-head self-attention";
    lines = {head_shape(f.H, f.head_dim)};
  } else {
    title = f.G == 1 ? "Multi-query self-attention" : "Grouped-query self-attention";
    lines = {plural(f.H, "query head") + " × " + num(f.head_dim),
             plural(f.G, "key/value head") + " (" + num(f.H / f.G) + " queries share each)"};
  }
  lines.push_back(f.sliding_window ? "causal, sliding window " + num(f.sliding_window) + " (decoder-self)"
                                   : std::string("causal: earlier tokens (decoder-self)"));
  if (f.qkv_bias) lines.push_back("q, k, v with bias");
  dec.blocks.push_back(stack("decoder.layer", "Decoder layer", f.L, {"pre-norm: x + f(RMSNorm(x))"},
                             {block("decoder.layer.self-attention", ArchBlockKind::Attention, title, lines),
                              block("decoder.layer.feed-forward", ArchBlockKind::FeedForward, "SwiGLU feed-forward",
                                    {num(f.d) + " → " + num(f.F) + " → " + num(f.d) + ", SiLU gate"})}));
  dec.blocks.push_back(block("decoder.norm", ArchBlockKind::Norm, "Final RMSNorm"));
  dec.blocks.push_back(block("decoder.output", ArchBlockKind::Output, "LM head",
                             {"vocab " + num(f.V), f.tied ? "tied to the token embedding" : "not tied (own matrix)"}));
  a.columns = {dec};
  a.notes.push_back(layer_note(f.L, f.family));
  return a;
}

ModelArchitecture hf_llama(const Config& c, const std::string& type) {
  LlamaFacts f;
  f.family = type == "mistral" ? "Mistral" : type == "qwen2" ? "Qwen2" : "Llama";
  f.V = c.integer("vocab_size");
  f.d = c.integer("hidden_size");
  f.F = c.integer("intermediate_size");
  f.L = c.integer("num_hidden_layers");
  f.H = c.integer("num_attention_heads");
  f.G = c.integer("num_key_value_heads", f.H);
  f.max_positions = c.integer("max_position_embeddings", 2048);
  f.rope_theta = c.number("rope_theta", 10000.0);
  if (f.H % f.G) c.fail("num_key_value_heads " + num(f.G) + " does not divide num_attention_heads " + num(f.H));
  f.head_dim = type != "qwen2" ? c.integer("head_dim", f.d / f.H) : f.d / f.H;
  if (type == "mistral") f.sliding_window = c.integer("sliding_window", 0);
  if (c.has("rope_scaling")) {
    const json& r = c.raw()["rope_scaling"];
    const json t = r.is_object() ? (r.contains("rope_type") ? r["rope_type"] : r.value("type", json())) : json();
    f.rope_scaling = t.is_string() ? t.get<std::string>() : r.dump();
  }
  f.tied = c.boolean("tie_word_embeddings", false);
  f.qkv_bias = type == "qwen2" || (type == "llama" && c.boolean("attention_bias", false));
  ModelArchitecture a = llama_like(f);
  a.format = "Hugging Face " + type;
  return a;
}

ModelArchitecture hf_marian(const Config& c) {
  const int64_t V = c.integer("vocab_size"), d = c.integer("d_model"), Le = c.integer("encoder_layers"),
                Ld = c.integer("decoder_layers"), He = c.integer("encoder_attention_heads"),
                Hd = c.integer("decoder_attention_heads"), Fe = c.integer("encoder_ffn_dim"), Fd = c.integer("decoder_ffn_dim"),
                P = c.integer("max_position_embeddings");
  if (d % He || d % Hd) c.fail("attention heads do not divide d_model " + num(d));
  const std::string act = c.string("activation_function", "swish");
  const bool scaled = c.boolean("scale_embedding", false);
  ModelArchitecture a;
  a.format = "Hugging Face marian";
  a.summary = "Marian encoder-decoder: " + num(Le) + " + " + plural(Ld, "layer") + ", " + plural(He, "head") + ", d " + num(d) +
              ", vocab " + num(V);
  auto embedding = [&](const std::string& side, const std::string& second) {
    return block(side + ".embedding", ArchBlockKind::Embedding, "Shared embedding",
                 {"vocab " + num(V) + " × " + num(d) + (scaled ? ", scaled by √d" : ""), second});
  };
  auto positions = [&](const std::string& side) {
    return block(side + ".positions", ArchBlockKind::Position, "Sinusoidal positions", {num(P) + " positions, added"});
  };
  auto ffn = [&](const std::string& side, int64_t F) {
    return block(side + ".layer.feed-forward", ArchBlockKind::FeedForward, "Feed-forward",
                 {num(d) + " → " + num(F) + " → " + num(d) + ", " + act});
  };
  ArchColumn enc{"Encoder", "source tokens … </s>", "", {}};
  enc.blocks.push_back(embedding("encoder", "one matrix for source, target, output"));
  enc.blocks.push_back(positions("encoder"));
  enc.blocks.push_back(stack("encoder.layer", "Encoder layer", Le, {"post-norm: LayerNorm(x + f(x))"},
                             {block("encoder.layer.self-attention", ArchBlockKind::Attention, "Multi-head self-attention",
                                    {head_shape(He, d / He), "every source token (encoder-self)"}),
                              ffn("encoder", Fe)}));
  ArchColumn dec{"Decoder", "<pad> then previous outputs", "next-token probabilities", {}};
  dec.blocks.push_back(embedding("decoder", "the encoder's matrix"));
  dec.blocks.push_back(positions("decoder"));
  dec.blocks.push_back(stack("decoder.layer", "Decoder layer", Ld, {"post-norm: LayerNorm(x + f(x))"},
                             {block("decoder.layer.self-attention", ArchBlockKind::Attention, "Masked multi-head self-attention",
                                    {head_shape(Hd, d / Hd), "causal: earlier outputs (decoder-self)"}),
                              block("decoder.layer.cross-attention", ArchBlockKind::Attention, "Multi-head cross-attention",
                                    {head_shape(Hd, d / Hd), "queries: decoder, keys/values: encoder"}),
                              ffn("decoder", Fd)}));
  dec.blocks.push_back(block("decoder.output", ArchBlockKind::Output, "LM head",
                             {"vocab " + num(V) + " + final_logits_bias", "tied to the shared embedding"}));
  a.columns = {enc, dec};
  a.links.push_back({"encoder.layer", "decoder.layer.cross-attention", "keys, values (last layer)"});
  a.notes.push_back(layer_note(std::max(Le, Ld), "Marian"));
  return a;
}

ModelArchitecture llama2c_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot be read");
  int header[7];
  in.read(reinterpret_cast<char*>(header), sizeof header);
  if (in.gcount() != sizeof header)
    throw std::runtime_error(path.string() + ": shorter than a llama2.c header (7 int32: dim, hidden_dim, n_layers, n_heads, "
                                             "n_kv_heads, vocab_size, seq_len)");
  ModelArchitecture a = architecture_from_llama2c(header, path.string());
  a.name = path.stem().string();
  return a;
}

}  // namespace

std::vector<std::string> ModelArchitecture::labels() const {
  std::vector<std::string> out;
  auto visit = [&](const ArchBlock& b, auto&& self) -> void {
    out.push_back(b.title);
    out.insert(out.end(), b.lines.begin(), b.lines.end());
    for (const ArchBlock& i : b.inner) self(i, self);
  };
  for (const ArchColumn& c : columns)
    for (const ArchBlock& b : c.blocks) visit(b, visit);
  return out;
}

const ArchBlock* ModelArchitecture::find(const std::string& id) const {
  const ArchBlock* found = nullptr;
  auto visit = [&](const ArchBlock& b, auto&& self) -> void {
    if (b.id == id) found = &b;
    for (const ArchBlock& i : b.inner) self(i, self);
  };
  for (const ArchColumn& c : columns)
    for (const ArchBlock& b : c.blocks) visit(b, visit);
  return found;
}

ModelArchitecture architecture_from_config(const std::string& config_text, const std::string& source, const std::string& dir) {
  check_json_depth(config_text, source);
  json j;
  try {
    j = json::parse(config_text);
  } catch (const json::exception& e) {
    throw std::runtime_error(source + ": not JSON (" + std::string(e.what()) + ")");
  }
  if (!j.is_object()) throw std::runtime_error(source + ": not a JSON object");
  ModelArchitecture a;
  if (j.contains("model_type")) {
    if (!j["model_type"].is_string()) throw std::runtime_error(source + ": \"model_type\" is not a string: " + j["model_type"].dump());
    const std::string type = j["model_type"].get<std::string>();
    const Config c(j, source, "model_type " + type);
    if (type == "bert") a = hf_bert(c);
    else if (type == "gpt2") a = hf_gpt2(c);
    else if (type == "llama" || type == "mistral" || type == "qwen2") a = hf_llama(c, type);
    else if (type == "marian") a = hf_marian(c);
    else
      throw std::runtime_error(source + ": model_type \"" + type +
                               "\" has no architecture diagram (known: bert, gpt2, llama, mistral, qwen2, marian)");
  } else if (j.contains("architecture") || j.contains("task")) {  // attnscope train (no key: rnn)
    // The loader's own reader: the same keys, defaults and checks as Seq2SeqModel::load.
    Seq2SeqConfig c;
    try {
      c = Seq2SeqConfig::from_json(config_text);
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(source + ": " + e.what());
    }
    a = c.is_transformer() ? attnscope_transformer(c, dir) : attnscope_rnn(c, dir);
  } else {
    throw std::runtime_error(source + ": neither \"model_type\" (a Hugging Face config) nor \"architecture\" (attnscope train) says what model this is");
  }
  a.source = source;
  return a;
}

ModelArchitecture architecture_from_llama2c(const int header[7], const std::string& source) {
  const char* names[7] = {"dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len"};
  for (int i = 0; i < 7; ++i)
    if (header[i] == 0 || (i != 5 && header[i] < 0))
      throw std::runtime_error(source + ": llama2.c header " + names[i] + " must be positive, got " + std::to_string(header[i]));
  LlamaFacts f;
  f.family = "llama2.c";
  f.d = header[0];
  f.F = header[1];
  f.L = header[2];
  f.H = header[3];
  f.G = header[4];
  f.V = header[5] < 0 ? -static_cast<int64_t>(header[5]) : header[5];
  f.max_positions = header[6];
  f.tied = header[5] > 0;
  if (f.d % f.H || f.H % f.G)
    throw std::runtime_error(source + ": llama2.c header: n_heads " + num(f.H) + " must divide dim " + num(f.d) +
                             " and n_kv_heads " + num(f.G) + " must divide n_heads");
  f.head_dim = f.d / f.H;
  ModelArchitecture a = llama_like(f);
  a.format = "llama2.c";
  a.source = source;
  return a;
}

ModelArchitecture read_model_architecture(const std::string& path) {
  std::error_code ec;
  const fs::path p(path);
  if (!fs::exists(p, ec)) throw std::invalid_argument(path + ": no such model folder or file");
  fs::path absolute = fs::absolute(p, ec).lexically_normal();
  if (absolute.filename().empty()) absolute = absolute.parent_path();  // "dir/" names dir
  const std::string name = absolute.filename().string();
  auto named = [&](ModelArchitecture a) {
    if (a.name.empty() || fs::is_directory(p, ec)) a.name = name.empty() ? path : name;
    return a;
  };
  if (fs::is_directory(p, ec)) {
    if (fs::exists(p / "config.json", ec)) {
      const std::string config = (p / "config.json").string();
      return named(architecture_from_config(read_file(config), config, path));
    }
    std::vector<fs::path> checkpoints;
    for (const auto& e : fs::directory_iterator(p, ec))
      if (e.is_regular_file() && e.path().extension() == ".bin" && e.path().filename().string().rfind("tok", 0) != 0)
        checkpoints.push_back(e.path());
    if (checkpoints.size() == 1) return named(llama2c_file(checkpoints[0]));
    if (checkpoints.empty())
      throw std::runtime_error(path + ": no config.json and no llama2.c checkpoint (*.bin besides tok*.bin): not a model folder");
    throw std::runtime_error(path + ": no config.json and " + std::to_string(checkpoints.size()) +
                             " llama2.c checkpoints (*.bin); name one of them");
  }
  if (p.extension() == ".bin") return named(llama2c_file(p));
  if (p.filename() == "config.json") {
    ModelArchitecture a = architecture_from_config(read_file(path), path, p.parent_path().string());
    a.name = fs::absolute(p, ec).lexically_normal().parent_path().filename().string();
    return a;
  }
  throw std::runtime_error(path + ": not a model folder, config.json or llama2.c checkpoint (*.bin)");
}

}  // namespace attnscope
