// A pretrained language model as the command line and tests see it: load from the files it ships
// in, generate text, record every head of every layer. Torch-free header (pimpl), like
// models/seq2seq_model.h. Today: Llama-family models in llama2.c's checkpoint format.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/attention_set.h"
#include "text/tokenizer.h"

namespace attnscope {

struct GenerateOptions {
  int max_new_tokens = 64;  // tokens generated after the prompt; fewer when the model ends the
                            // text (BOS or EOS, as run.c) or the context (seq_len) is full
  bool record = true;       // record the attention of the final sequence (all layers and heads)
};

struct Generation {
  std::string prompt;        // as given
  std::string text;          // prompt and continuation, decoded (what llama2.c's run.c prints)
  std::string continuation;  // the generated part of `text`
  std::vector<int> ids;      // BOS, the prompt's ids, the generated ids
  size_t prompt_length = 0;  // how many of `ids` came from the prompt, BOS included
  AttentionRun run;          // target_tokens = pieces of `ids`; decoder-self blocks when recorded
};

class PretrainedModel {
 public:
  ~PretrainedModel();
  PretrainedModel(PretrainedModel&&) noexcept;

  // True when `path` is in a pretrained format attnscope reads: a llama2.c checkpoint (a *.bin
  // file, or a folder without config.json holding *.bin files). Looks at names only.
  static bool recognizes(const std::string& path);
  // Loads a llama2.c checkpoint file (its tokenizer: the one tok*.bin beside it) or a folder
  // holding exactly one checkpoint *.bin and one tok*.bin. Throws std::runtime_error with one
  // line naming the file and the problem.
  static PretrainedModel load(const std::string& path, const std::string& device = "cpu");

  const Tokenizer& tokenizer() const;
  std::string name() const;      // e.g. "stories260K"
  std::string describe() const;  // format, name and sizes, for messages
  int max_seq_len() const;

  // Logits of every position of `ids`, [T, V] row-major (V = vocab size).
  std::vector<float> logits(const std::vector<int>& ids) const;
  // Greedy decoding from BOS + the prompt's ids.
  Generation generate(const std::string& prompt, const GenerateOptions& opts = {}) const;
  // One causal forward pass over `ids`; blocks decoder-self.0 .. decoder-self.(L-1), each
  // [heads, T, T] (every query head; grouped-query heads are not averaged).
  AttentionRun record(const std::vector<int>& ids) const;
  AttentionSet to_attention_set(const std::vector<Generation>& generations) const;

  struct Impl;
  explicit PretrainedModel(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace attnscope
