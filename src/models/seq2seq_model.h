// A trained sequence-to-sequence model (RNN encoder-decoder or Transformer), as the command line and tests see it: load, translate, record
// attention. Torch-free header (pimpl): only models/ and train/ compile against libtorch.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/attention_set.h"
#include "models/seq2seq_config.h"
#include "text/vocab.h"

namespace attnscope {

struct DecodeOptions {
  int beam = 1;                 // 1 = greedy
  double length_penalty = 0.6;  // beam only: score / ((5 + len) / 6)^alpha (GNMT)
  bool record = true;           // record attention (weights, scores, context) of every step
  std::vector<int> layers, heads;  // record only these (empty: all); the caller checks them
  // Dense weights, or queries and keys (core/query_key.h): decoder self-attention (the
  // decoder-only variant's one sequence, an encoder-decoder's decoder) records the latter when
  // asked or long; encoder and cross blocks are always dense.
  WeightForm form = WeightForm::Auto;
  int max_new_tokens = 0;       // > 0: stop after this many tokens (</s> included), below the model's limit
  // Source token positions (as in the run's source_tokens) replaced by `mask_id` before
  // translating: a masking experiment. mask_id -1 means <unk> (BPE vocabularies); character
  // vocabularies have none and name a placeholder character's id.
  std::vector<size_t> masked_source;
  int mask_id = -1;
  // Teacher forcing: these target ids (</s> may end them) instead of a search; the attention is
  // recorded as if the model had produced them. Ids must be in the target vocabulary.
  std::optional<std::vector<int>> forced;
  std::function<void()> before_step;  // called before every search step (it may throw to stop)
};

struct Translation {
  std::string input;             // as given (before normalisation)
  std::string output;            // decoded text, without </s>
  AttentionRun run;              // tokens and (when recorded) the cross block [1, Q, K]
  double log_prob = 0;           // sum of token log-probabilities of the output (incl. </s>)
  std::vector<int> source_ids;   // what the encoder read (</s> last; masked ids where masked)
  std::vector<int> output_ids;   // produced (or forced), </s> included when produced
  std::vector<std::string> output_tokens;  // their pieces
  std::string stopped;           // "end of text", "max new tokens" or "forced"
};

class Seq2SeqModel {
 public:
  ~Seq2SeqModel();
  Seq2SeqModel(Seq2SeqModel&&) noexcept;

  // Loads DIR/config.json and DIR/model.safetensors; throws naming the missing or corrupt file.
  static Seq2SeqModel load(const std::string& dir, const std::string& device = "cpu");
  // A freshly initialised model (seeded) for training.
  static Seq2SeqModel create(const Seq2SeqConfig& config, const std::string& device, uint64_t seed);
  // The same with given vocabularies (translation: BPE pieces learnt from the corpus).
  static Seq2SeqModel create(const Seq2SeqConfig& config, const std::string& device, uint64_t seed,
                             std::shared_ptr<const Vocab> source, std::shared_ptr<const Vocab> target);
  // Writes DIR/config.json and DIR/model.safetensors, each atomically; creates DIR.
  void save(const std::string& dir) const;

  const Seq2SeqConfig& config() const;
  // Checks an input (normalised by the task: dates are lower-cased) and throws
  // std::invalid_argument for empty, over-long or out-of-vocabulary input.
  std::string prepare_input(const std::string& text) const;
  Translation translate(const std::string& input, const DecodeOptions& opts = {}) const;
  // Teacher-forces `output` (plus </s>) and records attention as translate() would have: for word
  // alignment of given sentence pairs. Every architecture and variant.
  Translation force(const std::string& input, const std::string& output) const;
  // The target ids of `output` followed by </s>; throws std::invalid_argument naming what the
  // target vocabulary cannot encode.
  std::vector<int> encode_output(const std::string& output) const;
  // The source tokens a run reads for an (already prepared) input, </s> last.
  std::vector<std::string> source_tokens(const std::string& prepared_input) const;
  // Source ids of a text as it is (no normalisation, no </s>); throws naming what cannot be encoded.
  std::vector<int> encode_source(const std::string& text) const;
  // Greedy, batched, no recording: for evaluation.
  std::vector<std::string> translate_batch(const std::vector<std::string>& inputs) const;
  // A whole corpus greedily, in batches of 64 inputs of similar length (less padding), outputs in
  // input order; `progress(done)` after each batch.
  std::vector<std::string> translate_corpus(const std::vector<std::string>& inputs,
                                            const std::function<void(size_t done)>& progress = {}) const;
  AttentionSet to_attention_set(const std::vector<Translation>& translations) const;
  AttentionSet to_attention_set(std::vector<AttentionRun> runs) const;

  struct Impl;
  explicit Seq2SeqModel(std::unique_ptr<Impl> impl);
  Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace attnscope
