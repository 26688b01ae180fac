// Reads llama2.c checkpoints (run.c's format) into LlamaWeights.
//
// Layout: a header of 7 int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size,
// seq_len; a negative vocab_size means the classifier is stored separately), then float32 arrays
// in this order, each stacked over layers: token_embedding_table [V, D], rms_att_weight [L, D],
// wq [L, H*Dh, D], wk [L, G*Dh, D], wv [L, G*Dh, D], wo [L, D, H*Dh], rms_ffn_weight [L, D],
// w1 [L, F, D], w2 [L, D, F], w3 [L, F, D], rms_final_weight [D], two legacy RoPE tables
// [seq_len, Dh/2] each (ignored: RoPE is computed), then wcls [V, D] when unshared.
#pragma once

#include <string>

#include "models/architectures/llama.h"

namespace attnscope {

// Validates the header (positive sizes, heads divide dim, kv heads divide heads) and that the file
// holds exactly the weights the header promises; throws std::runtime_error naming the file.
LlamaWeights read_llama2c_checkpoint(const std::string& path);

}  // namespace attnscope
