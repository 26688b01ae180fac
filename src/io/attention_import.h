// Importing attention dumped by other tools into an AttentionSet (docs/interop.md).
//
// Formats, picked by extension: .npy, .npz, .safetensors (from Python or an .attn.safetensors),
// .json (bertviz-like: {"attention": [layers][batch][heads][q][k], "tokens": [...]}) and a
// directory of .npy files as `attnscope export --npy` writes it.
//
// Queries and keys instead of weights (long inputs): arrays "<kind>.<layer>.q" [H, Q, d] and
// "<kind>.<layer>.k" [G, K, d] (a leading batch axis of 1 is dropped), as the scores used them
// (after RoPE), optionally "<kind>.<layer>.lse" [H, Q]; they become a query-key block
// (core/query_key.h) with ImportOptions' scale and mask rule. A missing log-sum-exp, and the
// thumbnails, are computed exactly (float64) on import.
//
// Array names decide blocks: "<kind>.<layer>" (e.g. "cross.0") maps directly; other names
// ("attentions.3", "layer_3") become layers 0, 1, ... of the default kind in natural name order.
// Array shapes, with L layers, H heads, Q queries, K keys:
//   a lone array:            [Q, K], [H, Q, K], [L, H, Q, K] or [L, 1, H, Q, K]
//   one of several arrays:   [Q, K], [H, Q, K] or [1, H, Q, K] (one layer each)
// Everything is checked on entry (shapes against token counts, finite weights); errors are one
// line naming the file and the problem.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/attention_set.h"

namespace attnscope {

// Token lists from flags, a side file, or the imported file itself.
struct TokenLists {
  std::optional<std::vector<std::string>> tokens;  // one list for whichever sides the blocks use
  std::optional<std::vector<std::string>> source;  // source side: encoder-self axes, cross keys
  std::optional<std::vector<std::string>> target;  // target side: decoder-self axes, cross queries
};

struct ImportOptions {
  // Kind of the arrays whose names do not say; unset: the file's "kind" if it has one, else
  // encoder-self.
  std::optional<AttentionKind> kind;
  // Tokens given by the user; each list given here wins over the same list found in the file.
  TokenLists tokens;
  // Number positions ("0", "1", ...) on a side that has no tokens, instead of failing.
  bool index_tokens = false;
  // Query-key arrays: score = scale * q . k (default 1 / sqrt(d)); which keys each query sees.
  std::optional<double> scale;
  MaskRule mask = MaskRule::Causal;
  size_t threads = 1;  // for computing log-sum-exps and thumbnails
};

AttentionSet import_attention(const std::string& path, const ImportOptions& opt);

// Imports `path` and saves it as an .attn.safetensors file at `out` (temp file, renamed when
// complete; nothing is left at `out` on an error). A .npz of dense arrays streams: the output's
// header comes from the members' .npy headers, then each member is converted, checked and written
// in turn in 4 MB chunks (a second thread writes), so memory holds a few chunks (a whole member
// when it is in Fortran order), not the set; the set returned then has every block's shape and the tokens but no weights. Any other
// input (and a .npz with query-key arrays) goes through import_attention and comes back whole.
// The file written and every check and error are the same either way.
AttentionSet import_attention_to_file(const std::string& path, const ImportOptions& opt, const std::string& out);

// A token side file: a JSON list, a JSON object with "tokens" / "source_tokens" /
// "target_tokens" lists, or plain text with one token per line.
TokenLists read_token_file(const std::string& path);
TokenLists parse_token_text(const std::string& text, const std::string& name);
std::vector<std::string> split_tokens(const std::string& text);  // on whitespace

// --- the common middle of every importer ---------------------------------------------------

struct NamedArray {
  std::string name;
  std::vector<size_t> shape;
  std::vector<float> values;  // row-major
};

// What one run of a foreign file holds before it becomes an AttentionRun.
struct ImportedRun {
  std::vector<NamedArray> arrays;     // in file order
  TokenLists tokens;                  // found in the file
  std::optional<AttentionKind> kind;  // the file's "kind", if it says
  std::string name, input, output;    // run facts, when the file has them
};

struct ImportedFile {
  std::map<std::string, std::string> meta;
  std::vector<ImportedRun> runs;
};

// Turns arrays and tokens into a checked AttentionSet; `path` names the file in errors.
AttentionSet build_attention_set(const ImportedFile& file, const ImportOptions& opt, const std::string& path);

}  // namespace attnscope
