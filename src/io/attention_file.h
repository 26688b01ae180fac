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

// For writers that stream the weights: the file's header (everything before the tensor data) for
// `shapes`, a set of dense blocks whose weights are not held (each block's heads, queries, keys,
// tokens and facts as they will be). The file is this header, then each block's weights as
// float32 [heads, queries, keys], runs and blocks in set order: byte for byte what
// save_attention_set writes once the weights are filled in. The caller checks shapes against
// tokens (save_attention_set's AttentionSet::validate needs the weights).
std::string attention_file_header(const AttentionSet& shapes);

}  // namespace attnscope
