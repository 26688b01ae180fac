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

#include "core/query_key.h"

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
// It comes in two forms. Dense: the weights [H, Q, K] themselves, owned (`weights`) or borrowed
// from memory someone else holds (a NumPy array or a torch tensor handed in from Python, used
// without a copy: `borrowed` points at them and `owner` keeps that memory alive). Query-key
// (`qk` set, core/query_key.h): the queries, keys and row log-sum-exps the weights are computed
// from on demand, for inputs too long to hold [H, Q, K].
//
// Readers that must work at any length ask weight() / tile() / pooled(), which do not care about
// the form. data() / at() / row() are the dense buffer itself, for views of short inputs; on a
// query-key block they throw (make_dense() converts one that fits).
struct AttentionBlock {
  AttentionKind kind = AttentionKind::Cross;
  int layer = 0;
  size_t heads = 0, queries = 0, keys = 0;
  std::vector<float> weights;               // [heads, queries, keys] when owned
  const float* borrowed = nullptr;          // [heads, queries, keys] when borrowed
  std::shared_ptr<const void> owner;        // keeps borrowed memory alive
  std::shared_ptr<const QueryKeyHeads> qk;  // set: a query-key block, no weights stored

  bool dense() const { return !qk; }
  const float* data() const {
    if (qk) throw_not_dense();
    return borrowed ? borrowed : weights.data();
  }
  size_t size() const { return qk ? 0 : borrowed ? heads * queries * keys : weights.size(); }
  size_t weight_count() const { return heads * queries * keys; }
  float at(size_t h, size_t q, size_t k) const { return data()[(h * queries + q) * keys + k]; }
  const float* row(size_t h, size_t q) const { return data() + (h * queries + q) * keys; }

  // Either form: one weight, a tile (rows q0..q1-1, columns k0..k1-1 of head h, row-major into
  // out), or a pooled view of a range (p x p cells, max or mean; from the recorded thumbnails
  // when they line up, computed exactly otherwise). Ranges outside the matrix throw
  // std::out_of_range naming them.
  float weight(size_t h, size_t q, size_t k) const;
  void tile(size_t h, size_t q0, size_t q1, size_t k0, size_t k1, float* out) const;
  Pooled pooled(size_t h, size_t q0, size_t q1, size_t k0, size_t k1, size_t p, PoolMode mode) const;
  // p rounded up to whole thumbnail cells of a query-key block (p itself otherwise, or when 1),
  // so pooled() answers from the recorded thumbnails instead of computing every weight.
  size_t thumbnail_aligned(size_t p) const {
    return qk && qk->pool > 1 && p > 1 ? (p + qk->pool - 1) / qk->pool * qk->pool : p;
  }

  // Copies borrowed weights into `weights` (before changing them, or outliving the owner).
  void own();
  // Computes every weight of a query-key block into `weights` (dense afterwards).
  void make_dense();
  // One head's weights, [queries, keys], as a copy (computed for a query-key block).
  std::vector<float> head_weights(size_t h) const;
  // Mean over heads, [queries, keys]. A display transform: callers must say so on the figure.
  std::vector<float> mean_of_heads() const;
  std::string name() const;  // "<kind>.<layer>", the tensor name in .attn.safetensors

 private:
  [[noreturn]] void throw_not_dense() const;
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
  // Makes every query-key block dense when all of them together hold at most `max_weights`
  // weights; otherwise throws std::invalid_argument saying how many weights `what` would need
  // (views that only work on dense weights call this first).
  void require_dense(size_t max_weights, const std::string& what);
  size_t weight_count() const;  // every weight of every block, in either form
};

}  // namespace attnscope
