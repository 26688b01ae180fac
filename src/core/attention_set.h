// AttentionSet: the one data type that flows downstream of every model.
//
// Models produce it; renderers, the viewer, exporters and analysis only read it.
// It holds plain float arrays (no libtorch), so everything downstream compiles fast and
// can serve attention dumped by other tools too.
//
// Shape legend used throughout attnscope:
//   H = heads, Q = queries, K = keys, L = layers
//   a block's weights are [H, Q, K], row-major, each row (fixed h, q) a distribution over K.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace attnscope {

// Which two sequences a block relates. The kind fixes which token lists are its axes:
//   encoder-self: queries = source, keys = source
//   decoder-self: queries = target, keys = target
//   cross:        queries = target, keys = source
enum class AttentionKind { EncoderSelf, DecoderSelf, Cross };

std::string kind_name(AttentionKind kind);              // "encoder-self", "decoder-self", "cross"
AttentionKind kind_from_name(const std::string& name);  // throws std::invalid_argument

// A dense float array with a shape; used for weights and for optional extras
// (pre-softmax scores, context vectors, ...).
struct Array {
  std::vector<size_t> shape;
  std::vector<float> data;  // row-major, size == product(shape)

  size_t size() const;
};

// One attention block: every head of one layer of one kind.
//
// Its weights are either owned (`weights`) or borrowed from memory someone else holds (a NumPy
// array or a torch tensor handed in from Python, used without a copy): then `borrowed` points at
// them and `owner` keeps that memory alive. Readers go through data() / at() / row(), which do not
// care which.
struct AttentionBlock {
  AttentionKind kind = AttentionKind::Cross;
  int layer = 0;
  size_t heads = 0, queries = 0, keys = 0;
  std::vector<float> weights;               // [heads, queries, keys] when owned
  const float* borrowed = nullptr;          // [heads, queries, keys] when borrowed
  std::shared_ptr<const void> owner;        // keeps borrowed memory alive

  const float* data() const { return borrowed ? borrowed : weights.data(); }
  size_t size() const { return borrowed ? heads * queries * keys : weights.size(); }
  float at(size_t h, size_t q, size_t k) const { return data()[(h * queries + q) * keys + k]; }
  const float* row(size_t h, size_t q) const { return data() + (h * queries + q) * keys; }
  // Copies borrowed weights into `weights` (before changing them, or outliving the owner).
  void own();
  // Mean over heads, [queries, keys]. A display transform: callers must say so on the figure.
  std::vector<float> mean_of_heads() const;
  std::string name() const;  // "<kind>.<layer>", the tensor name in .attn.safetensors
};

// One forward pass (one input): its token lists, its blocks and anything extra it recorded.
struct AttentionRun {
  std::string name;         // e.g. "original", "masked", "step 400"; may be empty for a single run
  std::string input_text;   // what the user typed
  std::string output_text;  // what the model produced (empty for encoders)
  // Tokens exactly as the model saw them (subword pieces with their markers: "physi@@", "Ġthe",
  // "▁Was", "##ing"). Renderers may merge pieces into words for display and say so.
  std::vector<std::string> source_tokens;
  std::vector<std::string> target_tokens;
  std::vector<AttentionBlock> blocks;
  // Extra arrays, named "<kind>.<layer>.<what>", e.g. "cross.0.scores" [H, Q, K] (pre-softmax),
  // "cross.0.context" [Q, D]. Optional; views that need them say so when absent.
  std::map<std::string, Array> extras;
  std::map<std::string, std::string> info;  // free-form run facts (decoding, mask, ...)

  const AttentionBlock* find(AttentionKind kind, int layer) const;  // nullptr if absent
  // Token lists on the query and key axes of a block of this kind.
  const std::vector<std::string>& query_tokens(AttentionKind kind) const;
  const std::vector<std::string>& key_tokens(AttentionKind kind) const;
};

// Everything a model recorded for one or more runs (several runs: masking experiments,
// galleries of inputs, snapshots during training).
struct AttentionSet {
  // Model facts: "model" (name), "architecture", "attention", "config" (JSON), "subword"
  // ("none", "bpe@@", "sentencepiece", "gpt2", "wordpiece"), "transforms" (display transforms
  // already applied to the stored weights; empty means raw, as the model computed them).
  std::map<std::string, std::string> meta;
  std::vector<AttentionRun> runs;

  // Checks every invariant (shapes match token lists, sizes match shapes, weights finite);
  // throws std::invalid_argument naming the first violation.
  void validate() const;
};

}  // namespace attnscope
