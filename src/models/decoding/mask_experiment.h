// Masking experiments (seed 001): run an input as it is and with some of its tokens replaced by
// the model's mask token, and keep both runs in one AttentionSet for the compare view.
// Torch-free: it only asks the Model interface.
#pragma once

#include <string>
#include <vector>

#include "core/attention_set.h"
#include "models/model.h"

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

// The masking experiment (seed 001) on any model: the input as it is, then with `positions`
// replaced by the model's mask token ([MASK]; <unk> or a placeholder character where the model
// has none, and the set says so). Encoders read both inputs; decoders and encoder-decoders run
// the masked input forced onto the original's output, so both runs share one target and their
// difference is defined. Runs "original" and "masked" in one set; meta "experiment" says what
// was masked and with which token. `selection` describes how positions were chosen ("words
// laws, universe"); empty: by position.
struct MaskExperiment {
  std::vector<size_t> positions;
  Result original, masked;
  AttentionSet set;
};
MaskExperiment run_mask_experiment(const Model& model, const Request& base, const std::vector<size_t>& positions,
                                   const std::string& selection = "");

}  // namespace attnscope
