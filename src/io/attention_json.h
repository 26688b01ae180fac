// The JSON shape attnscope exports and imports, close to what bertviz and similar tools use:
//
//   {"source_tokens": [...], "target_tokens": [...],     (or "tokens": [...])
//    "kind": "encoder-self",
//    "attention": [layers][heads][queries][keys]}        (or [layers][1][heads][q][k])
//
// When a run's blocks are not layers 0..L-1 of one kind with equal head counts, "attention" is
// an object keyed by block name instead: {"cross.0": [heads][q][k], "encoder-self.0": ...}.
// Optional: "name", "input", "output" per run, "meta" (string -> string) at the top. Several runs:
// {"meta": {...}, "runs": [run, run, ...]}. A bare list is read as {"attention": list}.
// Numbers are written as the shortest text that reads back to the same float32.
#pragma once

#include <string>
#include <string_view>

#include "core/attention_set.h"
#include "io/attention_import.h"

namespace attnscope {

std::string attention_json(const AttentionSet& set);

// Parses the JSON shape above; throws std::runtime_error "<name>: <what is wrong>".
ImportedFile parse_attention_json(std::string_view text, const std::string& name);

// The JSON text of a list of strings (escaped), e.g. for tokens.json.
std::string json_string_list(const std::vector<std::string>& items);

}  // namespace attnscope
