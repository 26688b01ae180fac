// A model's architecture read from its files alone, as plain blocks for a diagram
// (`attnscope render --view architecture`, render/architecture.h). Torch-free: it reads
// config.json (attnscope train folders, Hugging Face folders) or a llama2.c header with
// nlohmann::json and plain file reads, and never loads weights.
//
// The diagram's shape (seeds 003 and 004, the encoder-decoder figures of Bahdanau, Luong and
// Vaswani): one column per stack, encoder on the left and decoder on the right, each read bottom to
// top (tokens in, embedding, positions, the repeated layers, the output layer), and links across
// the columns for what the decoder reads from the encoder (cross attention, the initial state).
#pragma once

#include <string>
#include <vector>

namespace attnscope {

enum class ArchBlockKind { Embedding, Position, Recurrent, Attention, FeedForward, Norm, Combine, Output };

struct ArchBlock {
  std::string id;                  // unique in the model: "encoder.rnn", "decoder.layer.cross-attention"
  ArchBlockKind kind = ArchBlockKind::Embedding;
  std::string title;               // "Bidirectional GRU", "Multi-head cross-attention"
  std::vector<std::string> lines;  // details: "4 heads × 32", "vocab 30 × 64"
  int repeat = 1;                  // a stack of identical layers drawn once, marked "× repeat"
  std::vector<ArchBlock> inner;    // a repeated layer's sublayers, bottom to top
};

struct ArchColumn {
  std::string name;                // "Encoder", "Decoder"
  std::string input;               // under the column: "source tokens x₁ … x_S"
  std::string output;              // above it (may be empty): "next-token probabilities"
  std::vector<ArchBlock> blocks;   // bottom to top; consecutive blocks are joined by arrows
};

// An arrow from one block (in the left column) into another (in the right one).
struct ArchLink {
  std::string from, to;            // block ids
  std::string label;               // "keys, values", "initial state"
};

struct ModelArchitecture {
  std::string name;                // the folder's or file's name
  std::string format;              // "attnscope rnn", "Hugging Face bert", "llama2.c"
  std::string source;              // the file the facts came from (config.json, the .bin)
  std::string summary;             // one line under the title
  std::vector<ArchColumn> columns; // encoder first
  std::vector<ArchLink> links;
  std::vector<std::string> notes;  // facts without a box: "layers numbered from 1", ...

  // Every block's title and detail lines, inner blocks included, in drawing order (for tests
  // and --help-like listings).
  std::vector<std::string> labels() const;
  const ArchBlock* find(const std::string& id) const;  // nullptr when absent
};

// Reads the architecture of the model at `path`: a folder made by `attnscope train`
// (config.json with "architecture": rnn | transformer), a Hugging Face folder (config.json with
// model_type bert, gpt2, llama, mistral, qwen2 or marian), or a llama2.c checkpoint (a *.bin, or
// a folder holding one besides tok*.bin). Throws std::runtime_error with one line naming the file
// and what is missing or not understood; std::invalid_argument when `path` does not exist.
ModelArchitecture read_model_architecture(const std::string& path);

// The same from a config.json's text (`source` names it in errors); `dir` is where vocabulary
// files of a BPE-trained attnscope model would be ("" = none).
ModelArchitecture architecture_from_config(const std::string& config_text, const std::string& source,
                                           const std::string& dir = "");

// The same from a llama2.c header: dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size
// (negative: classifier stored apart, untied), seq_len.
ModelArchitecture architecture_from_llama2c(const int header[7], const std::string& source);

}  // namespace attnscope
