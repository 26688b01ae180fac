// A pretrained Transformer as the command line and tests see it: load from the files it ships in,
// generate text (decoders) or fill masks (encoders), record every head of every layer. Torch-free
// header (pimpl), like models/seq2seq_model.h.
//
// Formats: llama2.c checkpoints (*.bin + tok*.bin) and Hugging Face folders (config.json +
// model.safetensors; model_type llama, bert, gpt2), tokenizer from the same folder.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/attention_set.h"
#include "models/model.h"  // MaskPrediction
#include "text/tokenizer.h"

namespace attnscope {

// Which attention to keep (the forward pass computes all of it either way).
struct RecordOptions {
  std::vector<int> layers;  // layer indices to keep, in order; empty keeps every layer
  std::vector<int> heads;   // head indices to keep in each kept layer; empty keeps every head
  WeightForm form = WeightForm::Auto;  // dense weights or queries and keys (core/query_key.h)
};

struct GenerateOptions {
  int max_new_tokens = 64;  // tokens generated after the prompt; fewer when the model ends the
                            // text (BOS or EOS, as run.c) or the context (seq_len) is full
  bool record = true;       // record the attention of the final sequence
  RecordOptions keep;       // which layers and heads the record keeps
  // Teacher forcing: continue the prompt with these ids instead of generating (no stop at EOS).
  std::optional<std::vector<int>> forced;
  std::function<void()> before_step;  // called before every generated token (it may throw to stop)
};

struct Generation {
  std::string prompt;        // as given
  std::string text;          // prompt and continuation, decoded (what llama2.c's run.c prints)
  std::string continuation;  // the generated part of `text`
  std::vector<int> ids;      // BOS (where the model uses one), the prompt's ids, the generated ids
  size_t prompt_length = 0;  // how many of `ids` came from the prompt, BOS included
  AttentionRun run;          // target_tokens = pieces of `ids`; decoder-self blocks when recorded
};


// An encoder's pass over one input (BERT).
struct Encoding {
  std::string text;                         // as given
  std::vector<int> ids;                     // with the model's special tokens ([CLS] ... [SEP])
  std::vector<MaskPrediction> predictions;  // one per mask token in `ids`, in order
  AttentionRun run;                         // source_tokens; encoder-self blocks when recorded
};

// An encoder-decoder's translation of one input (Marian).
struct PretrainedTranslation {
  std::string input;            // as given
  std::string output;           // the decoded target text
  std::vector<int> source_ids;  // with the model's special tokens (Marian: ... </s>)
  std::vector<int> target_ids;  // generated, </s> included when the model produced it
  // source_tokens = pieces of source_ids; target_tokens = pieces of target_ids: row i of
  // decoder-self and cross blocks is the decoding step that produced target token i (its query
  // read the previous token, the start token for i = 0). encoder-self, decoder-self and cross
  // blocks when recorded.
  AttentionRun run;
};

struct TranslateOptions {
  int max_new_tokens = 256;  // stop after this many target tokens if </s> has not come
  int beam = 1;              // 1: greedy; K > 1: beam search keeping K hypotheses
  double length_penalty = 1.0;  // beam: a finished hypothesis scores sum(log p) / length^this
  bool record = true;
  RecordOptions keep;  // applies to the encoder's and the decoder's layers alike
  // Teacher forcing: these target ids (</s> may end them) instead of a search.
  std::optional<std::vector<int>> forced;
  std::function<void()> before_step;  // called before every search step (it may throw to stop)
};

class PretrainedModel {
 public:
  ~PretrainedModel();
  PretrainedModel(PretrainedModel&&) noexcept;

  // True when `path` is in a pretrained format attnscope reads: a llama2.c checkpoint (a *.bin
  // file, or a folder without config.json holding *.bin files) or a Hugging Face folder
  // (config.json naming a model_type, or a model.safetensors). Looks at names and config.json only.
  static bool recognizes(const std::string& path);
  // Loads a llama2.c checkpoint file or folder, or a Hugging Face folder (the architecture from
  // config.json's model_type; the tokenizer, when the folder ships one, from the same folder).
  // Throws std::runtime_error with one line naming the file and the problem.
  static PretrainedModel load(const std::string& path, const std::string& device = "cpu");

  bool has_tokenizer() const;
  const Tokenizer& tokenizer() const;  // throws naming the folder when it ships no tokenizer
  std::string name() const;            // e.g. "stories260K", "tiny-bert"
  std::string architecture() const;    // "llama", "bert", "gpt2"
  std::string describe() const;        // format, name and sizes, for messages
  bool is_encoder() const;             // true: fill_masks; false: generate or translate
  bool is_seq2seq() const;             // true: translate (Marian)
  int layers() const;
  int heads() const;                   // query heads per layer
  int vocab_size() const;
  int max_seq_len() const;      // the longest sequence one forward pass takes
  int trained_seq_len() const;  // the longest it was trained on (RoPE models run beyond it)
  std::string piece(int id) const;     // the tokenizer's piece, or "#ID" without a tokenizer
  std::string format() const;          // "huggingface" or "llama2.c"
  int eos_id() const;                  // the tokenizer's (else config.json's) end token; -1 if none
  std::string tokenizer_problem() const;  // why there is no tokenizer ("" when there is one)
  // The text of output ids: Marian decodes with its target side; "" without a tokenizer.
  std::string decode_output(const std::vector<int>& ids) const;
  // Output ids of a given output text (teacher forcing): a decoder's continuation without
  // specials; Marian's target side with </s>. Throws naming the folder without a tokenizer.
  std::vector<int> encode_output(const std::string& text) const;

  // Token ids of `text` with the model's special tokens. Decoders with a BOS token start from
  // BOS alone for an empty text.
  std::vector<int> encode(const std::string& text) const;
  // The token masking experiments substitute: [MASK] or <mask> where the vocabulary has one,
  // else <unk> / [UNK], else EOS. `mask_is_substitute` says when it is not a real mask token.
  int mask_id() const;
  std::string mask_token() const;
  bool mask_is_substitute() const;

  // Logits of every position of `ids`, [T, V] row-major (V = vocab size); empty for an encoder
  // without a masked-LM head.
  std::vector<float> logits(const std::vector<int>& ids) const;
  // The last hidden states [T, D] row-major (after the final norm for decoders).
  std::vector<float> hidden_states(const std::vector<int>& ids) const;

  // Decoders: greedy decoding from the prompt's ids (generate) or from given ids (generate_from,
  // e.g. a masked prompt; `prompt` is only what the run reports as its input).
  Generation generate(const std::string& prompt, const GenerateOptions& opts = {}) const;
  Generation generate_from(const std::vector<int>& ids, const std::string& prompt, const GenerateOptions& opts = {}) const;
  // Encoders: one pass over `ids`; the top `top_k` predictions at every mask token.
  Encoding fill_masks(const std::vector<int>& ids, const std::string& text, int top_k = 5, bool record = true,
                      const RecordOptions& keep = {}) const;

  // Encoder-decoders: greedy translation (the pad token is never produced, as Marian's
  // generation config bans it). translate_ids takes source ids (e.g. a masked input).
  PretrainedTranslation translate(const std::string& text, const TranslateOptions& opts = {}) const;
  PretrainedTranslation translate_ids(const std::vector<int>& source_ids, const std::string& text,
                                      const TranslateOptions& opts = {}) const;
  // Encoder-decoders: one teacher-forced pass: logits [T, V] of the decoder over `target_inputs`
  // (start token first), and the attention of every kind, for tests against references.
  std::vector<float> decoder_logits(const std::vector<int>& source_ids, const std::vector<int>& target_inputs) const;

  // One forward pass over `ids`; blocks <kind>.<layer> for the kept layers, each [heads kept, T, T]
  // (every query head; grouped-query heads are not averaged). Kind: encoder-self for encoders
  // (tokens in source_tokens), decoder-self for decoders (target_tokens). Throws
  // std::invalid_argument naming a layer or head that does not exist.
  AttentionRun record(const std::vector<int>& ids, const RecordOptions& keep = {}) const;
  AttentionSet to_attention_set(const std::vector<Generation>& generations) const;
  AttentionSet to_attention_set(const std::vector<AttentionRun>& runs) const;

  struct Impl;
  explicit PretrainedModel(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace attnscope
