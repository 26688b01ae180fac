// A small, fully synthetic AttentionSet that exercises every view (two runs: an English->German
// translation with BPE pieces and the same input with words masked, as in seed 001; cross,
// encoder-self and decoder-self blocks, 2 layers x 4 heads; scores and context extras).
// `attnscope render --demo-set FILE` writes it so the views can be tried without a model, and the
// command-line tests draw it. The weights are made up: they show layout, not a model.
#pragma once

#include "core/attention_set.h"

namespace attnscope {

AttentionSet demo_attention_set();

}  // namespace attnscope
