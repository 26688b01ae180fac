// What the viewer reads, computed from an AttentionSet: one versioned JSON description of a set,
// and binary matrices (one head, the mean of heads, subword-merged, pooled thumbnails).
// Shared by the HTTP server and the self-contained HTML export, so both send the same bytes and
// every number the viewer shows is computed here, in C++ (merging reuses analysis/subwords).
//
// Binary envelope (little-endian), used by every binary response:
//   u32 header_length | header JSON (UTF-8, space-padded to a multiple of 4) | payload
// header: {"dtype": "f32"|"f16"|"u8", "shape": [...], ...}; u8 payloads carry "scales" (one per
// leading index: value = byte / 255 * scale).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/attention_set.h"

namespace attnscope {

inline constexpr int kViewerDataVersion = 1;     // bump when the JSON or binary shapes change
inline constexpr size_t kThumbSize = 64;         // overview thumbnails: at most 64 x 64 per head
inline constexpr size_t kMaxThumbRequest = 512;  // the largest thumbnail size a request may ask for
inline constexpr size_t kExactCells = 256 * 256; // heads up to this many cells travel as float32, larger as float16

// {"version", "meta", "subword", "runs": [{"name", "input", "output", "source_tokens",
//  "target_tokens", "source_words", "target_words", "info", "blocks": [{"name", "kind", "layer",
//  "heads", "queries", "keys"}]}], "kinds": [...], "layers": {kind: n}}
nlohmann::json set_description(const AttentionSet& set);

struct Matrix {
  size_t rows = 0, cols = 0;
  std::vector<float> data;  // [rows, cols]
};

// One head (head >= 0) or the mean of heads (head == -1) of block `block` ("cross.0") of run
// `run`, optionally merged into words. Throws std::out_of_range naming the bad index or name.
Matrix block_matrix(const AttentionSet& set, size_t run, const std::string& block, int head, bool merge);

// Max-pools to at most `size` x `size` cells (unchanged when already that small): the overview
// must show a head's strongest links, which mean pooling would wash out at 2,048 tokens.
Matrix max_pool(const Matrix& m, size_t size);

// "f32" for heads up to kExactCells cells (exact read-out), else "f16".
std::string default_dtype(size_t rows, size_t cols);

// The envelope of one matrix, in dtype "f32" or "f16".
std::string encode_matrix(const Matrix& m, const std::string& dtype);

// Thumbnails of every (layer, head) of one kind in one run, as u8 [layers*heads, t_rows, t_cols]
// with one scale per head (its maximum); header adds "layers", "heads", "rows", "cols". Pools
// on up to `threads` threads (serve --threads). Throws std::invalid_argument for a `size` outside
// 1-kMaxThumbRequest.
std::string encode_thumbnails(const AttentionSet& set, size_t run, const std::string& kind, size_t size, size_t threads = 1);

// --- long inputs: every block form, exact tiles, pooled ranges --------------------------------

inline constexpr size_t kMaxTileCells = 1024 * 1024;       // one exact tile: 4 MB of float32
inline constexpr size_t kMaxWholeHeadCells = 2048 * 2048;  // block_matrix of a query-key head beyond this: 413
inline constexpr size_t kMaxSearchCells = 4096 * 4096;     // head_search: span A x span B per head
inline constexpr size_t kMaxExactPoolCells = 4096 * 4096;  // /pooled computes ranges up to this; larger use thumbnails

// The pool p for showing rows x cols in at most size x size cells (whole thumbnail cells of a
// query-key block for ranges over kMaxExactPoolCells).
size_t pool_for(const AttentionBlock& b, size_t rows, size_t cols, size_t size);

// The block named `block` ("decoder-self.3") of run `run`; throws std::out_of_range naming it.
const AttentionBlock& find_block(const AttentionSet& set, size_t run, const std::string& block);

// Rows q0..q1-1, columns k0..k1-1 of one head, exact, in either block form. Throws
// std::out_of_range for a head or range outside the block, std::length_error beyond kMaxTileCells.
Matrix block_tile(const AttentionSet& set, size_t run, const std::string& block, size_t head, size_t q0, size_t q1,
                  size_t k0, size_t k1);

// The same range pooled over p x p cells (max or mean) to at most `size` x `size`; `pool` is p.
// Query-key blocks answer from their recorded thumbnails when the cells line up.
struct PooledMatrix {
  Matrix matrix;
  size_t pool = 1;
};
PooledMatrix block_pooled(const AttentionSet& set, size_t run, const std::string& block, size_t head, size_t q0,
                          size_t q1, size_t k0, size_t k1, size_t size, PoolMode mode);

// The envelope of one matrix with extra header fields (pool, range, ...).
std::string encode_matrix(const Matrix& m, const std::string& dtype, const nlohmann::json& extra);

// A query's `k` strongest keys over every head of every layer of `kind`, best first:
// {"query", "token", "keys": [{"layer", "head", "key", "token", "weight"}]}.
nlohmann::json top_keys(const AttentionSet& set, size_t run, const std::string& kind, size_t query, size_t k);

// Which heads send the most weight from query span A (a0..a1-1) to key span B (b0..b1-1): every
// (layer, head) of `kind` with its share, the mean over A's queries of their weight on B, best
// first, at most `top`: {"a": [a0, a1], "b": [b0, b1], "heads": [{"layer", "head", "share"}]}.
nlohmann::json head_search(const AttentionSet& set, size_t run, const std::string& kind, size_t a0, size_t a1,
                           size_t b0, size_t b1, size_t top);

// {"viridis": [[r, g, b], ...], ...}: the control points of render/colormap, so the viewer
// draws with exactly the figures' colours.
nlohmann::json colormaps_json();

}  // namespace attnscope
