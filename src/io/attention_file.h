// .attn.safetensors: an AttentionSet as a safetensors file (docs/attention-file.md).
//   tensors:      "<kind>.<layer>" float32 [heads, queries, keys] for a single run; a query-key
//                 block instead has "<kind>.<layer>.q", ".k", ".lse" and thumbnails (version 2);
//                 "<run>/<kind>.<layer>" when the set holds several runs; extras likewise.
//   __metadata__: "format" = "attnscope/1", "meta" = JSON object, "runs" = JSON array of runs
//                 (name, input, output, source_tokens, target_tokens, info).
// Python reads it with safetensors.numpy.load_file and json.loads.
#pragma once

#include <string>

#include "core/attention_set.h"

namespace attnscope {

inline constexpr const char* kAttentionFormat = "attnscope/1";          // dense blocks only
inline constexpr const char* kAttentionFormatQueryKey = "attnscope/2";  // query-key blocks too

void save_attention_set(const AttentionSet& set, const std::string& path);  // atomic
AttentionSet load_attention_set(const std::string& path);  // validates; throws naming the problem

std::string attention_set_bytes(const AttentionSet& set);  // the file's bytes, for HTTP and tests

}  // namespace attnscope
