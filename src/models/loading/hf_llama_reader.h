// Reads a Hugging Face LlamaForCausalLM, MistralForCausalLM or Qwen2ForCausalLM folder (config.json +
// model.safetensors) into LlamaWeights: the three differ only in config (sliding window, q/k/v biases).
#pragma once

#include "models/architectures/llama.h"

namespace attnscope {

class HfFolder;

// Tensor names as save_pretrained writes them ("model.layers.0.self_attn.q_proj.weight").
// Hugging Face stores the q and k rows of each head in the rotate-half RoPE layout (element i
// pairs with i + Dh/2); they are permuted here to llama.h's interleaved pairs (2i, 2i+1), which
// changes no attention score: q and k get the same permutation, so q.k is unchanged.
LlamaWeights read_hf_llama(const HfFolder& folder);

// rows [N * Dh, D] in rotate-half layout -> interleaved layout (and its inverse, for tests and
// for writing HF folders from llama2.c weights).
torch::Tensor rotate_half_to_interleaved(const torch::Tensor& rows, int64_t heads);
torch::Tensor interleaved_to_rotate_half(const torch::Tensor& rows, int64_t heads);

}  // namespace attnscope
