// Writing an AttentionSet for other tools (docs/interop.md). Every file is written atomically.
//   NPY:  DIR/<kind>.<layer>.npy, float32 [heads, queries, keys], plus DIR/tokens.json
//         ({"source_tokens", "target_tokens", "name", "input", "output"}); a set of several runs
//         gets one numbered subfolder per run (DIR/0/, DIR/1/, ...), like the "<run>/" tensor
//         prefix of .attn.safetensors.
//   JSON: the shape of io/attention_json.h, which `attnscope import` reads back.
//   CSV:  long form, one row per weight, RFC 4180 (CRLF line ends, fields with a comma, quote or
//         line break quoted, quotes doubled), header
//         run,kind,layer,head,query,key,query_token,key_token,weight
#pragma once

#include <ostream>
#include <string>

#include "core/attention_set.h"

namespace attnscope {

void export_npy_folder(const AttentionSet& set, const std::string& dir);  // creates dir if needed
void export_json(const AttentionSet& set, const std::string& path);
void export_csv(const AttentionSet& set, const std::string& path);

void write_csv(const AttentionSet& set, std::ostream& os);  // streams the rows; validates first
std::string attention_csv(const AttentionSet& set);          // the CSV text, for tests
std::string csv_field(const std::string& field);     // RFC 4180 quoting when needed

}  // namespace attnscope
