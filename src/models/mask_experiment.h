// Masking experiments (seed 001): run an input as it is and with some of its tokens replaced by
// the model's mask token, and keep both runs in one AttentionSet for the compare view.
// Torch-free: it only drives PretrainedModel.
#pragma once

#include <string>
#include <vector>

#include "core/attention_set.h"
#include "models/pretrained.h"

namespace attnscope {

// Which tokens to mask: a range of token positions, or every occurrence of some words.
struct MaskSpec {
  bool has_range = false;
  size_t begin = 0, end = 0;       // token positions [begin, end), counting every token the model
                                   // sees ([CLS]/BOS included), as `--json` prints them
  std::vector<std::string> words;  // words to mask wherever they occur (case-insensitive, outer
                                   // punctuation ignored: "universe." is "universe"; every piece
                                   // of a matching word is masked except punctuation-only ones)

  static MaskSpec parse_range(const std::string& spec);  // "I:J"; throws std::invalid_argument
  static MaskSpec parse_words(const std::string& list);  // "laws,universe"; throws when empty
  std::string describe() const;                          // "tokens 3:5", "words laws, universe"
};

// Positions of `pieces` that `spec` selects. `subword_style` is the tokenizer's ("wordpiece",
// "gpt2", ...) and decides how pieces group into words; special tokens never match.
// Throws std::invalid_argument when the range leaves the input or no word matches.
std::vector<size_t> mask_positions(const std::vector<std::string>& pieces, const std::string& subword_style,
                                   const MaskSpec& spec);

struct MaskExperimentOptions {
  int top_k = 5;             // encoders: predictions kept per mask token
  GenerateOptions generate;  // decoders: generation (both runs); `keep` applies to every kind
  TranslateOptions translate;  // encoder-decoders (Marian): translation of both inputs
};

struct MaskExperiment {
  std::vector<size_t> positions;        // the masked token positions
  std::vector<Encoding> encodings;      // encoders: original, masked
  std::vector<Generation> generations;  // decoders: original, masked (each prompt generates)
  std::vector<PretrainedTranslation> translations;  // encoder-decoders: original, masked
  AttentionSet set;                     // runs "original" and "masked"; meta "experiment" says so
};

MaskExperiment run_mask_experiment(const PretrainedModel& model, const std::string& text, const MaskSpec& spec,
                                   const MaskExperimentOptions& opts = {});

}  // namespace attnscope
