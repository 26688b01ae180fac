// A Llama-style model with seeded random weights, for benchmarks and tests at lengths no shipped
// checkpoint covers (bench/long_context: 12 layers x 12 heads, width 768, at 8,192 tokens).
#pragma once

#include "models/architectures/llama.h"

namespace attnscope {

// Normal weights with std 0.02, except the query and key projections (std `qk_std`, default
// 0.08): their scores then reach several units and heads are peaked, as trained heads are, which
// is the hard case for precision. Norms are ones; the classifier is the embedding.
LlamaWeights random_llama(int layers, int heads, int dim, int vocab, int max_seq_len, unsigned seed,
                          double qk_std = 0.08);

}  // namespace attnscope
