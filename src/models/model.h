// The one model interface: every command, the viewer and (later) Python ask a model through it,
// whatever its architecture or the files it came in. Torch-free: callers never see libtorch.
//
//   auto model = Model::load("tests/fixtures/tiny-bert");   // the files decide the kind
//   Request req;  req.input = "the cat [MASK] on the mat";
//   Result r = model->run(req);                              // text, tokens, AttentionRun
//
// Formats `load` recognises (docs/pipeline.md draws where each lives):
//   attnscope-trained folders (config.json with "arch": rnn | transformer; toy tasks and translation),
//   Hugging Face folders (config.json model_type bert | gpt2 | llama | mistral | qwen2 | marian +
//   model.safetensors or a sharded index),
//   llama2.c checkpoints (a *.bin beside one tok*.bin, or a folder holding both).
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <optional>
#include <string>
#include <vector>

#include "core/attention_set.h"

namespace attnscope {

// Where the weights came from.
enum class ModelFormat { Attnscope, HuggingFace, Llama2c };
// What a run does: an encoder reads the input once (BERT: fills [MASK]s); a decoder continues
// the input (GPT-2, Llama); an encoder-decoder produces an output from it (RNN and Transformer
// seq2seq, Marian).
enum class ModelRole { Encoder, Decoder, EncoderDecoder };
// The architecture that computes the attention.
enum class Architecture { Rnn, Transformer, Bert, Gpt2, Llama, Marian };

std::string format_name(ModelFormat f);      // "attnscope", "huggingface", "llama2.c"
std::string role_name(ModelRole r);          // "encoder", "decoder", "encoder-decoder"
std::string architecture_name(Architecture a);  // "rnn", "transformer", "bert", "gpt2", "llama", "marian"

struct ModelInfo {
  std::string name;     // the folder's (or checkpoint's) name: what the viewer lists
  std::string summary;  // one line: task or family, and sizes
  ModelFormat format = ModelFormat::Attnscope;
  ModelRole role = ModelRole::EncoderDecoder;
  Architecture architecture = Architecture::Rnn;
  std::vector<std::string> kinds;  // attention kinds a run records ("encoder-self", "decoder-self", "cross")
  int layers = 0, heads = 0;       // of the largest stack
  // What input looks like: character models list their alphabet; a folder without a tokenizer
  // takes token ids ("5 17 42").
  std::string alphabet;
  bool takes_ids = false;
  // Masking: the token that replaces masked positions ("[MASK]", "<unk>", or a placeholder
  // character), and whether it is a real mask token or a stand-in (said on the figure).
  std::string mask_token;
  bool mask_is_substitute = true;
  int max_input_tokens = 0;  // longest input a run takes
  // Longest input the model was trained on (max_input_tokens but for RoPE models, which run
  // beyond it: their output degrades, their attention is still what they compute; runs say so
  // in info "beyond_training").
  int trained_tokens = 0;
  // How pieces mark words, as AttentionSet meta "subword" spells it ("none", "bpe@@",
  // "wordpiece", "gpt2", "sentencepiece"): masking by words and merging for display use it.
  std::string subword = "none";
};

// How a run produces its output. Sampling is off: every run is reproducible.
struct Decoding {
  int beam = 1;               // 1: greedy; K: beam search keeping K hypotheses
  // < 0: the model's default (LMs 64, Marian 256, trained: its limit); 0: pretrained decoders
  // read the input only (long documents), others refuse it.
  int max_new_tokens = -1;
  double length_penalty = -1; // beam: < 0 picks the model's convention (GNMT 0.6 / HF 1.0)
  bool sample = false;        // refused: attnscope decodes deterministically
};

struct Request {
  std::string input;  // text (or token ids for models without a tokenizer)
  // Pretrained models: these token ids instead of tokenizing `input` (specials as given, nothing
  // added): exact, for comparisons with another library's tokenizer or model.
  std::optional<std::vector<int>> input_ids;
  Decoding decoding;
  // Teacher forcing: score this output instead of decoding one, and record its attention.
  // Decoders continue the input with it; encoders have no output to force.
  std::optional<std::string> forced_output;
  // The same as token ids of the output side (</s> may end it): exact, for comparisons.
  std::optional<std::vector<int>> forced_ids;
  // Input token positions (as Result::input_tokens counts them, specials included) replaced by
  // the model's mask token before the run.
  std::vector<size_t> mask;
  bool record = true;        // record attention
  std::vector<int> layers;   // record only these layers (empty: all)
  std::vector<int> heads;    // record only these heads of each layer (empty: all)
  // Dense weights, or queries and keys from which any weight is computed on demand
  // (core/query_key.h; models that cannot capture them record dense weights).
  WeightForm weights = WeightForm::Auto;
  int top_k = 5;             // encoders: predictions kept per mask token
  size_t max_input_tokens = 0;  // > 0: pretrained models read only the first N input tokens (corpus statistics)
  // Asked before every decoding step; returning true stops the run with RunCancelled (Python's
  // Ctrl-C, a closed request). Empty: never.
  std::function<bool()> cancelled;
};

// Thrown when Request::cancelled said stop.
struct RunCancelled : std::runtime_error {
  RunCancelled() : std::runtime_error("the run was cancelled") {}
};

// An encoder's best guesses at one masked position.
struct MaskPrediction {
  size_t position = 0;              // index into the input's tokens
  std::vector<int> ids;             // best first
  std::vector<std::string> pieces;  // the ids' pieces
  std::vector<float> probabilities; // softmax over the whole vocabulary
};

struct Result {
  std::string input;   // as given
  std::string output;  // what the model produced (decoders: the continuation; encoders: "")
  std::string text;    // decoders: input and continuation as one text; else the output
  std::vector<std::string> input_tokens;   // what the model read, specials included
  std::vector<std::string> output_tokens;  // what it produced (or was forced), </s> included when produced
  std::vector<int> input_ids, output_ids;  // the same as ids (character models: vocabulary indices)
  std::vector<MaskPrediction> predictions; // encoders: one per mask token of the input
  std::string decoding;  // "greedy", "beam 4", "forced", ...
  std::string stopped;   // why the output ended: "end of text", "max new tokens", "context full", "forced"
  AttentionRun run;      // tokens and the recorded blocks
};

class Model {
 public:
  // Recognises the format from the files; throws std::runtime_error with one line naming the
  // path and what is wrong. device: "cpu", "cuda" or "cuda:N".
  static std::unique_ptr<Model> load(const std::string& path, const std::string& device = "cpu");

  virtual ~Model() = default;
  virtual const ModelInfo& info() const = 0;
  // The tokens the model reads for `text`, specials included (the positions `mask` counts).
  virtual std::vector<std::string> tokenize(const std::string& text) const = 0;
  // Checks and runs one request. Throws std::invalid_argument naming the problem for requests
  // the model cannot serve (a mask outside the input, a forced token outside the vocabulary, a
  // beam on a model that cannot search, ...).
  virtual Result run(const Request& request) const = 0;
  // A set holding `runs`, with the model's metadata (name, architecture, config, subword style).
  virtual AttentionSet to_set(std::vector<AttentionRun> runs) const = 0;

  // The model's output scores before softmax, one row per position: decoders and encoders over
  // `input_ids` ([T, V]); encoder-decoders over `decoder_input_ids` (start token first, as Hugging
  // Face's decoder_input_ids), reading `input_ids` ([len, V]). Row-major in `values`. Throws
  // std::invalid_argument for ids outside the vocabulary or models without logits (attnscope's
  // trained models; BERT without its MLM head).
  struct Logits {
    std::vector<float> values;
    size_t rows = 0, vocab = 0;
  };
  virtual Logits logits(const std::vector<int>& input_ids, const std::vector<int>& decoder_input_ids = {}) const;
};

}  // namespace attnscope
