// Attention rollout and attention flow (Abnar & Zuidema 2020, "Quantifying Attention Flow in
// Transformers"): how much each input token reaches each position after l layers, given the
// self-attention of every layer. Both turn a run's self-attention into a derived AttentionSet any
// view can show: one block per layer (heads = 1), block l = what reaches layer l's outputs.
//
// Per layer: A = mean over heads, then the residual connection is modelled as 0.5 A + 0.5 I.
//   rollout: R_0 = Â_0, R_l = Â_l R_{l-1} (matrix product; rows still sum to 1).
//   flow:    F_l[j][i] = max flow from input i to position j of layer l in the layered graph
//            whose edges carry capacities Â; each row is then divided by its sum.
// The derived set's meta "transforms" says all of this, so figures state it.
#pragma once

#include <string>

#include "core/attention_set.h"

namespace attnscope {

enum class DerivedAttention { Rollout, Flow };
DerivedAttention derived_attention_from_name(const std::string& name);  // "rollout" | "flow"

// Every run of `set`, self-attention of `kind` ("" = encoder-self if present, else
// decoder-self). Throws std::invalid_argument for cross-attention or a run without that kind,
// and for flow over more than kMaxFlowTokens tokens (max flow is cubic in length).
inline constexpr size_t kMaxFlowTokens = 256;
AttentionSet derive_attention(const AttentionSet& set, DerivedAttention method, const std::string& kind = "");

}  // namespace attnscope
