// A model the server can run, seen through plain functions so serve/ never includes libtorch:
// apps/cmd_serve.cpp wraps Seq2SeqModel in one of these.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/attention_set.h"

namespace attnscope {

struct ModelBackend {
  std::string name;      // what the viewer's model switcher shows (the folder's name)
  std::string summary;   // one line: task and architecture
  std::string alphabet;  // characters the model accepts (character models), "" otherwise
  // Normalises and checks one input; throws std::invalid_argument with a one-line message.
  std::function<std::string(const std::string& input)> prepare;
  // Runs every input (already prepared) and returns one set with one run per input.
  // Not re-entrant: the server serialises calls.
  std::function<AttentionSet(const std::vector<std::string>& inputs)> run;
};

// Character models have no [MASK] token: masked characters are replaced by a placeholder that is
// in the vocabulary: the first of "_*?#. " the alphabet has, else its last character.
char mask_placeholder(const std::string& alphabet);

// `input` with the characters at `positions` replaced by `placeholder`; throws std::out_of_range
// naming a position outside the input.
std::string masked_input(const std::string& input, const std::vector<long>& positions, char placeholder);

}  // namespace attnscope
