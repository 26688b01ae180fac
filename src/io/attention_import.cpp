#include "io/attention_import.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "core/parse_number.h"
#include "io/atomic_file.h"
#include "io/attention_file.h"
#include "io/background_writer.h"
#include "io/attention_json.h"
#include "io/json_limits.h"
#include "io/npy.h"
#include "io/safetensors.h"
#include "io/zip_reader.h"

namespace attnscope {

namespace fs = std::filesystem;

namespace {

// Where a block's weights are in a streamed import: layer `layer` of `array`.
struct BlockSource {
  const NamedArray* array = nullptr;
  size_t layer = 0;
};

std::string shape_text(const std::vector<size_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string lower_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

// "<kind>.<layer>" -> (kind, layer); anything else -> nullopt.
std::optional<std::pair<AttentionKind, int>> block_name(const std::string& name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot + 1 == name.size() || name.size() - dot > 7) return std::nullopt;
  const std::string kind = name.substr(0, dot), layer = name.substr(dot + 1);
  if (kind != "encoder-self" && kind != "decoder-self" && kind != "cross") return std::nullopt;
  const std::optional<int> number = parse_number<int>(layer);
  if (!number) return std::nullopt;
  return std::make_pair(kind_from_name(kind), *number);
}

// Natural order: "layer_2" before "layer_10".
bool natural_less(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      std::string x = a.substr(i, ie - i), y = b.substr(j, je - j);
      x.erase(0, std::min(x.find_first_not_of('0'), x.size()));
      y.erase(0, std::min(y.find_first_not_of('0'), y.size()));
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

// Fails on the first non-finite weight, naming where it sits in the array as the file has it.
// `values` are `count` of the array's weights in C order, starting at element `first`.
void check_finite(const NamedArray& a, const float* values, size_t count, size_t first, const std::string& path) {
  for (size_t i = 0; i < count; ++i) {
    if (std::isfinite(values[i])) continue;
    std::vector<size_t> idx(a.shape.size());
    size_t rest = first + i;
    for (size_t d = a.shape.size(); d-- > 0;) {
      idx[d] = rest % a.shape[d];
      rest /= a.shape[d];
    }
    std::ostringstream v;
    v << values[i];
    throw std::runtime_error(path + ": array '" + a.name + "' holds a non-finite weight (" + v.str() + ") at " +
                             shape_text(idx));
  }
}

// Splits an array into blocks of one layer each. `lone`: the file's only unnamed array, which
// may hold every layer. With `sources` (a streamed import) the array is given by its shape only:
// the blocks get no weights, and `sources` gets where each block's weights are.
void add_blocks(const NamedArray& a, AttentionKind kind, int layer, bool lone, std::vector<AttentionBlock>& out,
                std::vector<BlockSource>* sources, const std::string& path) {
  const auto& s = a.shape;
  size_t layers = 1, heads = 1;
  std::vector<size_t> hqk;  // per-layer [H, Q, K]
  if (s.size() == 2) {
    hqk = {1, s[0], s[1]};
  } else if (s.size() == 3) {
    hqk = {s[0], s[1], s[2]};
  } else if (s.size() == 4 && (lone || s[0] == 1)) {
    layers = s[0];
    hqk = {s[1], s[2], s[3]};
  } else if (s.size() == 5 && lone && s[1] == 1) {
    layers = s[0];
    hqk = {s[2], s[3], s[4]};
  } else if ((s.size() == 4 && !lone) || (s.size() == 5 && lone)) {
    throw std::runtime_error(path + ": array '" + a.name + "' has shape " + shape_text(s) + ": the batch axis (size " +
                             std::to_string(s.size() == 4 ? s[0] : s[1]) + ") must be 1; attnscope imports one input at a time");
  } else {
    throw std::runtime_error(path + ": array '" + a.name + "' has shape " + shape_text(s) + "; expected " +
                             (lone ? "[queries, keys], [heads, queries, keys], [layers, heads, queries, keys] or "
                                     "[layers, 1, heads, queries, keys]"
                                   : "[queries, keys], [heads, queries, keys] or [1, heads, queries, keys] (one layer)"));
  }
  heads = hqk[0];
  if (heads == 0 || hqk[1] == 0 || hqk[2] == 0 || layers == 0)
    throw std::runtime_error(path + ": array '" + a.name + "' has shape " + shape_text(s) + " with an empty axis");
  if (!sources) check_finite(a, a.values.data(), a.values.size(), 0, path);
  const size_t per_layer = heads * hqk[1] * hqk[2];
  for (size_t l = 0; l < layers; ++l) {
    AttentionBlock b;
    b.kind = kind;
    b.layer = layer + static_cast<int>(l);
    b.heads = heads;
    b.queries = hqk[1];
    b.keys = hqk[2];
    if (sources) {
      sources->push_back({&a, l});
      out.push_back(std::move(b));
      continue;
    }
    b.weights.assign(a.values.begin() + static_cast<std::ptrdiff_t>(l * per_layer),
                     a.values.begin() + static_cast<std::ptrdiff_t>((l + 1) * per_layer));
    out.push_back(std::move(b));
  }
}

// "<kind>.<layer>.<part>" with part q, k or lse: the block name and the part.
std::optional<std::pair<std::string, std::string>> query_key_part(const std::string& name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string::npos) return std::nullopt;
  const std::string part = name.substr(dot + 1), block = name.substr(0, dot);
  if ((part != "q" && part != "k" && part != "lse") || !block_name(block)) return std::nullopt;
  return std::make_pair(block, part);
}

// An array's shape without a leading batch axis of 1, checked to have `rank` axes.
std::vector<size_t> unbatched(const NamedArray& a, size_t rank, const char* expected, const std::string& path) {
  std::vector<size_t> s = a.shape;
  if (s.size() == rank + 1 && s[0] == 1) s.erase(s.begin());
  if (s.size() != rank)
    throw std::runtime_error(path + ": array '" + a.name + "' has shape " + shape_text(a.shape) + "; expected " + expected);
  return s;
}

AttentionBlock query_key_block(const std::string& name, const NamedArray* q, const NamedArray* k, const NamedArray* lse,
                               const ImportOptions& opt, const std::string& path) {
  if (!q || !k)
    throw std::runtime_error(path + ": block " + name + " has " + (q ? "queries but no '" + name + ".k'" : "keys but no '" + name + ".q'"));
  const auto qs = unbatched(*q, 3, "[heads, queries, head width]", path);
  const auto ks = unbatched(*k, 3, "[key heads, keys, head width]", path);
  if (qs[2] != ks[2])
    throw std::runtime_error(path + ": block " + name + ": keys are " + std::to_string(ks[2]) + " wide but queries " + std::to_string(qs[2]));
  auto qk = std::make_shared<QueryKeyHeads>();
  qk->heads = qs[0];
  qk->queries = qs[1];
  qk->dim = qs[2];
  qk->key_heads = ks[0];
  qk->keys = ks[1];
  qk->scale = opt.scale.value_or(1.0 / std::sqrt(static_cast<double>(qk->dim)));
  qk->mask = opt.mask;
  qk->q = q->values;
  qk->k = k->values;
  if (lse) {
    const auto ls = unbatched(*lse, 2, "[heads, queries]", path);
    if (ls[0] != qk->heads || ls[1] != qk->queries)
      throw std::runtime_error(path + ": block " + name + ": log-sum-exp is " + shape_text(ls) + " but the queries are [" +
                               std::to_string(qk->heads) + ", " + std::to_string(qk->queries) + "]");
    qk->lse.assign(lse->values.begin(), lse->values.end());
  }
  try {
    // Shapes and values first (before the O(T^2) completion), with zeros standing in for
    // log-sum-exps still to compute; then the completed block.
    const bool fill = qk->lse.empty();
    if (fill) qk->lse.assign(qk->heads * qk->queries, 0.0);
    qk->validate();
    if (fill) qk->lse.clear();
    qk->complete(opt.threads);
    qk->validate();
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(path + ": block " + name + ": " + e.what());
  }
  AttentionBlock b;
  const auto kl = block_name(name);
  b.kind = kl->first;
  b.layer = kl->second;
  b.heads = qk->heads;
  b.queries = qk->queries;
  b.keys = qk->keys;
  b.qk = std::move(qk);
  return b;
}

std::vector<AttentionBlock> blocks_from_arrays(const ImportedRun& run, const ImportOptions& opt, AttentionKind default_kind,
                                               std::vector<BlockSource>* sources, const std::string& path) {
  if (run.arrays.empty()) throw std::runtime_error(path + ": holds no attention arrays");
  std::vector<AttentionBlock> blocks;
  std::vector<const NamedArray*> unnamed;
  std::map<std::string, std::map<std::string, const NamedArray*>> parts;  // block -> q, k, lse
  for (const NamedArray& a : run.arrays)
    if (auto p = query_key_part(a.name)) parts[p->first][p->second] = &a;
  for (const auto& [name, p] : parts) {
    // Captures a reference, not the binding: clang before 16 cannot capture structured bindings.
    auto get = [&members = p](const char* part) { auto it = members.find(part); return it == members.end() ? nullptr : it->second; };
    if (sources) throw std::logic_error("a streamed import has no query-key arrays");
    blocks.push_back(query_key_block(name, get("q"), get("k"), get("lse"), opt, path));
  }
  for (const NamedArray& a : run.arrays) {
    if (query_key_part(a.name)) continue;
    if (auto kl = block_name(a.name)) add_blocks(a, kl->first, kl->second, false, blocks, sources, path);
    else unnamed.push_back(&a);
  }
  std::stable_sort(unnamed.begin(), unnamed.end(),
                   [](const NamedArray* x, const NamedArray* y) { return natural_less(x->name, y->name); });
  const bool lone = unnamed.size() == 1;
  for (size_t i = 0; i < unnamed.size(); ++i) {
    const int first_layer = lone ? 0 : static_cast<int>(i);
    add_blocks(*unnamed[i], default_kind, first_layer, lone, blocks, sources, path);
  }
  std::set<std::pair<AttentionKind, int>> seen;  // not a pairwise check: a file may hold 10^5 arrays
  for (const AttentionBlock& b : blocks)
    if (!seen.emplace(b.kind, b.layer).second)
      throw std::runtime_error(path + ": two arrays give block " + b.name() + " (rename one to another <kind>.<layer>)");
  std::vector<size_t> order(blocks.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    return blocks[x].kind != blocks[y].kind ? blocks[x].kind < blocks[y].kind : blocks[x].layer < blocks[y].layer;
  });
  std::vector<AttentionBlock> sorted;
  std::vector<BlockSource> sorted_sources;
  for (size_t i : order) {
    sorted.push_back(std::move(blocks[i]));
    if (sources) sorted_sources.push_back((*sources)[i]);
  }
  if (sources) *sources = std::move(sorted_sources);
  return sorted;
}

// Picks one side's tokens: the user's list for that side, the user's generic list, the file's
// list for that side, the file's generic list, then position numbers if allowed.
std::vector<std::string> side_tokens(bool used, const std::optional<std::vector<std::string>>& user_side,
                                     const ImportOptions& opt, const std::optional<std::vector<std::string>>& file_side,
                                     const TokenLists& file, size_t length, const char* side, const std::string& path) {
  if (user_side) return *user_side;
  if (!used) return file_side.value_or(std::vector<std::string>{});
  if (opt.tokens.tokens) return *opt.tokens.tokens;
  if (file_side) return *file_side;
  if (file.tokens) return *file.tokens;
  if (!opt.index_tokens)
    throw std::runtime_error(path + ": no " + side + " tokens: pass --tokens FILE, --" + side +
                             "-tokens \"a b c\", or --index-tokens to number the positions");
  std::vector<std::string> numbers;
  for (size_t i = 0; i < length; ++i) numbers.push_back(std::to_string(i));
  return numbers;
}

// `sources`: as for add_blocks.
AttentionRun build_run(const ImportedRun& in, const ImportOptions& opt, std::vector<BlockSource>* sources, const std::string& path) {
  const AttentionKind default_kind = opt.kind.value_or(in.kind.value_or(AttentionKind::EncoderSelf));
  AttentionRun run;
  run.name = in.name;
  run.input_text = in.input;
  run.output_text = in.output;
  run.blocks = blocks_from_arrays(in, opt, default_kind, sources, path);

  // Which sides the blocks use, and how long each must be.
  bool uses_source = false, uses_target = false;
  size_t source_len = 0, target_len = 0;
  for (const AttentionBlock& b : run.blocks) {
    if (b.kind != AttentionKind::DecoderSelf) uses_source = true, source_len = b.keys;
    if (b.kind != AttentionKind::EncoderSelf) uses_target = true, target_len = b.queries;
  }
  run.source_tokens = side_tokens(uses_source, opt.tokens.source, opt, in.tokens.source, in.tokens, source_len, "source", path);
  run.target_tokens = side_tokens(uses_target, opt.tokens.target, opt, in.tokens.target, in.tokens, target_len, "target", path);

  for (const AttentionBlock& b : run.blocks) {
    const auto& q = run.query_tokens(b.kind);
    const auto& k = run.key_tokens(b.kind);
    if (b.queries == q.size() && b.keys == k.size()) continue;
    const std::string shape = std::to_string(b.queries) + " queries x " + std::to_string(b.keys) + " keys";
    if (b.kind == AttentionKind::Cross)
      throw std::runtime_error(path + ": block " + b.name() + " is " + shape + ", but there are " + std::to_string(q.size()) +
                               " target tokens (queries) and " + std::to_string(k.size()) + " source tokens (keys)");
    throw std::runtime_error(path + ": block " + b.name() + " is " + shape + ", but there are " + std::to_string(q.size()) +
                             (b.kind == AttentionKind::EncoderSelf ? " source" : " target") + " tokens");
  }
  return run;
}

// --- readers, one per format ------------------------------------------------------------------

ImportedFile read_npy_file(const std::string& path) {
  NpyArray a = read_npy(path);
  if (a.is_text) throw std::runtime_error(path + ": holds text ('" + a.descr + "'), not attention weights");
  std::string name = fs::path(path).filename().string();
  name = name.substr(0, name.size() - 4);  // "cross.0.npy" -> "cross.0"
  ImportedFile f;
  f.runs.push_back({});
  f.runs[0].arrays.push_back({name, std::move(a.shape), std::move(a.values)});
  return f;
}

// Text arrays named like token lists become tokens; any other text array is an error.
void add_npy_member(ImportedRun& run, const std::string& name, NpyArray a, const std::string& where) {
  if (!a.is_text) {
    run.arrays.push_back({name, std::move(a.shape), std::move(a.values)});
    return;
  }
  if (a.shape.size() != 1) throw std::runtime_error(where + ": text array '" + name + "' is not one-dimensional");
  if (name == "tokens") run.tokens.tokens = std::move(a.strings);
  else if (name == "source_tokens") run.tokens.source = std::move(a.strings);
  else if (name == "target_tokens") run.tokens.target = std::move(a.strings);
  else throw std::runtime_error(where + ": text array '" + name + "' is not tokens, source_tokens or target_tokens");
}

// "layer_0.npy" -> "layer_0"; members that are not .npy files are an error.
std::string npz_array_name(const ZipMember& m, const std::string& path) {
  if (m.name.size() < 5 || m.name.substr(m.name.size() - 4) != ".npy")
    throw std::runtime_error(path + ": member '" + m.name + "' is not a .npy array");
  return m.name.substr(0, m.name.size() - 4);
}

// A member's .npy header, read from its first bytes only.
NpyHeader read_member_header(const ZipReader& zip, const ZipMember& m, const std::string& where) {
  constexpr size_t kFirstTry = 4096;  // numpy's headers are 64-256 bytes
  std::string head = zip.head(m, kFirstTry);
  if (head.size() == kFirstTry) {
    if (const size_t need = npy_header_size(head); need > head.size()) head = zip.head(m, need);
  }
  return parse_npy_header(head, m.size, where);
}

// A token list of this many tokens is read whatever its compressed size; past it, a list needs a
// compressed byte per token (real tokens carry that much), so a small file cannot make millions
// of strings (32 bytes each) out of a few deflated zeros.
constexpr size_t kFreeTokens = size_t{1} << 20;

// Token lists are read whole (a string each), so before reading one: it must be no longer than
// the longest axis of the numeric arrays, or it could match no block, and within kFreeTokens.
// `headers` are the members'.
void check_token_members(const ZipReader& zip, const std::vector<NpyHeader>& headers, const std::string& path) {
  size_t longest = 0;
  bool any_text = false;
  for (const NpyHeader& h : headers) {
    any_text |= h.is_text;
    if (!h.is_text)
      for (size_t d : h.shape) longest = std::max(longest, d);
  }
  if (!any_text) return;
  if (longest == 0) throw std::runtime_error(path + ": holds no attention arrays");
  for (size_t i = 0; i < headers.size(); ++i)
    if (headers[i].is_text && headers[i].numel() > longest)
      throw std::runtime_error(path + ": text array '" + zip.members()[i].name + "' holds " + std::to_string(headers[i].numel()) +
                               " tokens, more than the longest attention axis (" + std::to_string(longest) + ")");
  for (size_t i = 0; i < headers.size(); ++i) {
    const ZipMember& m = zip.members()[i];
    if (headers[i].is_text && headers[i].numel() > std::max<uint64_t>(kFreeTokens, m.compressed_size))
      throw std::runtime_error(path + ": text array '" + m.name + "' declares " + std::to_string(headers[i].numel()) +
                               " tokens in " + std::to_string(m.compressed_size) + " compressed bytes; a zip bomb?");
  }
}

ImportedFile read_npz_file(const std::string& path) {
  const ZipReader zip = ZipReader::open(path);
  std::vector<NpyHeader> headers;
  for (const ZipMember& m : zip.members()) headers.push_back(read_member_header(zip, m, path + ": " + m.name));
  check_token_members(zip, headers, path);
  ImportedFile f;
  f.runs.push_back({});
  for (const ZipMember& m : zip.members())
    add_npy_member(f.runs[0], npz_array_name(m, path), parse_npy(zip.extract(m), path + ": " + m.name), path);
  return f;
}

// --- the streamed .npz -> .attn.safetensors import ----------------------------------------------

// Converts one member's numbers to float32, checks them, and hands them to `out` in C order; at
// most one chunk in memory (plus the writer's buffers), or the whole member when it is in Fortran
// order.
void write_member(const ZipReader& zip, const ZipMember& m, const NpyHeader& h, const NamedArray& a, BackgroundWriter& out,
                  const std::string& path) {
  const std::string where = path + ": " + m.name;
  const size_t per_buffer = out.capacity() / sizeof(float);
  size_t done = 0;  // elements written
  // `n` elements as the file has them (or float32 already, when `raw` is null) -> checked float32.
  auto emit = [&](const uint8_t* raw, const float* converted, size_t n) {
    for (size_t i = 0; i < n; i += per_buffer) {
      const size_t k = std::min(per_buffer, n - i);
      BackgroundWriter::Buffer b = out.take();
      float* f = reinterpret_cast<float*>(b.data.get());
      if (raw) npy_to_float(h, raw + i * h.itemsize, k, f);
      else std::memcpy(f, converted + i, k * sizeof(float));
      check_finite(a, f, k, done, path);
      b.size = k * sizeof(float);
      out.put(std::move(b));
      done += k;
    }
  };
  if (h.fortran_order && h.shape.size() > 1) {  // the transpose needs the whole member
    const NpyArray whole = parse_npy(zip.extract(m), where);
    emit(nullptr, whole.values.data(), whole.values.size());
    return;
  }
  std::string carry;  // an element split across chunks
  size_t skip = h.data_offset;
  zip.stream(m, [&](std::string_view c) {
    const size_t drop = std::min(skip, c.size());
    c.remove_prefix(drop);
    skip -= drop;
    if (!carry.empty()) {
      const size_t take = std::min(h.itemsize - carry.size(), c.size());
      carry.append(c.substr(0, take));
      c.remove_prefix(take);
      if (carry.size() < h.itemsize) return;
      emit(reinterpret_cast<const uint8_t*>(carry.data()), nullptr, 1);
      carry.clear();
    }
    const size_t n = c.size() / h.itemsize;
    emit(reinterpret_cast<const uint8_t*>(c.data()), nullptr, n);
    carry.assign(c.substr(n * h.itemsize));
  });
  if (done != h.numel() || !carry.empty()) throw std::runtime_error(where + ": member ends inside its array data");
}

// The dense .npz import, streamed into `out`: headers first (every check that needs no weights),
// then each member converted and checked while it is written. Returns the set without weights,
// or nullopt, having written nothing, for a file that needs import_attention (query-key arrays).
std::optional<AttentionSet> stream_npz(const std::string& path, const ImportOptions& opt, const std::string& out) {
  const ZipReader zip = ZipReader::open(path);
  ImportedFile f;
  f.runs.push_back({});
  ImportedRun& in = f.runs[0];
  std::vector<std::pair<const ZipMember*, NpyHeader>> members;  // parallel to in.arrays
  std::vector<NpyHeader> headers;                                // every member's
  for (const ZipMember& m : zip.members()) {
    const std::string name = npz_array_name(m, path), where = path + ": " + m.name;
    headers.push_back(read_member_header(zip, m, where));
    const NpyHeader& h = headers.back();
    if (h.is_text) continue;  // tokens: read whole below, once their length is checked
    if (query_key_part(name)) return std::nullopt;
    in.arrays.push_back({name, h.shape, {}});
    members.emplace_back(&m, h);
  }
  check_token_members(zip, headers, path);
  for (size_t i = 0; i < headers.size(); ++i) {
    if (!headers[i].is_text) continue;
    const ZipMember& m = zip.members()[i];
    add_npy_member(in, npz_array_name(m, path), parse_npy(zip.extract(m), path + ": " + m.name), path);
  }
  std::vector<BlockSource> sources;
  AttentionSet set;
  set.meta["imported_from"] = fs::path(path).filename().string();
  set.runs.push_back(build_run(in, opt, &sources, path));

  AtomicFile file(out);
  file.write(attention_file_header(set));
  BackgroundWriter writer(file, ZipReader::kChunk);  // destroyed (joined) before `file`
  const NamedArray* last = nullptr;
  for (const BlockSource& s : sources) {
    if (s.array == last) continue;  // written with the member's first block
    if (s.layer != 0) throw std::logic_error("stream_npz: blocks of one array are not consecutive");
    last = s.array;
    const auto& [m, h] = members[static_cast<size_t>(s.array - in.arrays.data())];
    write_member(zip, *m, h, *s.array, writer, path);
  }
  writer.finish();
  file.commit();
  return set;
}

ImportedFile read_safetensors_file(const std::string& path) {
  const SafetensorsFile st = SafetensorsFile::open(path);
  ImportedFile f;
  f.runs.push_back({});
  ImportedRun& run = f.runs[0];
  const auto& md = st.metadata();
  auto list = [&](const char* key) -> std::optional<std::vector<std::string>> {
    auto it = md.find(key);
    if (it == md.end()) return std::nullopt;
    try {
      return parse_json_bounded(it->second, path + ": __metadata__ \"" + key + "\"").get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception&) {
      throw std::runtime_error(path + ": __metadata__ \"" + key + "\" is not a JSON list of strings");
    }
  };
  run.tokens = {list("tokens"), list("source_tokens"), list("target_tokens")};
  if (auto k = md.find("kind"); k != md.end()) {
    try {
      run.kind = kind_from_name(k->second);
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(path + ": __metadata__ \"kind\": " + e.what());
    }
  }
  for (const TensorView& t : st.tensors()) {
    if (t.dtype == DType::BOOL) throw std::runtime_error(path + ": tensor '" + t.name + "' is boolean, not weights");
    run.arrays.push_back({t.name, t.shape, t.to_float()});
  }
  return f;
}

// A folder as `attnscope export --npy` writes it: *.npy plus tokens.json, or one numbered
// subfolder per run.
ImportedRun read_npy_folder_run(const fs::path& dir) {
  ImportedRun run;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".npy") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& p : files) {
    const std::string stem = p.filename().string();
    add_npy_member(run, stem.substr(0, stem.size() - 4), read_npy(p.string()), dir.string());
  }
  const fs::path tokens = dir / "tokens.json";
  if (fs::exists(tokens)) {
    const std::string text = read_file(tokens.string());
    check_json_depth(text, tokens.string());
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(tokens.string() + ": not valid JSON (" + e.what() + ")");
    }
    run.tokens = parse_token_text(j.dump(), tokens.string());
    if (j.is_object()) {
      run.name = j.value("name", "");
      run.input = j.value("input", "");
      run.output = j.value("output", "");
    }
  }
  return run;
}

ImportedFile read_npy_folder(const std::string& path) {
  ImportedFile f;
  bool has_npy = false;
  std::vector<fs::path> runs;
  for (const auto& e : fs::directory_iterator(path)) {
    if (e.is_regular_file() && e.path().extension() == ".npy") has_npy = true;
    const std::string n = e.path().filename().string();
    if (e.is_directory() && !n.empty() && n.find_first_not_of("0123456789") == std::string::npos) runs.push_back(e.path());
  }
  if (has_npy) {
    f.runs.push_back(read_npy_folder_run(path));
    return f;
  }
  if (runs.empty()) throw std::runtime_error(path + ": folder holds no .npy files and no numbered run folders");
  std::sort(runs.begin(), runs.end(),
            [](const fs::path& a, const fs::path& b) { return natural_less(a.filename().string(), b.filename().string()); });
  for (const fs::path& r : runs) f.runs.push_back(read_npy_folder_run(r));
  return f;
}

bool is_attnscope_file(const std::string& path) {
  const SafetensorsFile st = SafetensorsFile::open(path);
  auto it = st.metadata().find("format");
  return it != st.metadata().end() && it->second == kAttentionFormat;
}

}  // namespace

std::vector<std::string> split_tokens(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string t; in >> t;) out.push_back(t);
  return out;
}

TokenLists parse_token_text(const std::string& text, const std::string& name) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  TokenLists lists;
  if (first != std::string::npos && (text[first] == '[' || text[first] == '{')) {
    check_json_depth(text, name);
    try {
      const nlohmann::json j = nlohmann::json::parse(text);
      if (j.is_array()) {
        lists.tokens = j.get<std::vector<std::string>>();
        return lists;
      }
      if (j.contains("tokens")) lists.tokens = j.at("tokens").get<std::vector<std::string>>();
      if (j.contains("source_tokens")) lists.source = j.at("source_tokens").get<std::vector<std::string>>();
      if (j.contains("target_tokens")) lists.target = j.at("target_tokens").get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(name + ": token file is neither a JSON list of strings nor an object of such lists (" +
                               e.what() + ")");
    }
    if (!lists.tokens && !lists.source && !lists.target)
      throw std::runtime_error(name + ": token file has no \"tokens\", \"source_tokens\" or \"target_tokens\"");
    return lists;
  }
  // One token per line; a token may hold spaces, so lines are kept whole (only "\r" is dropped).
  std::vector<std::string> tokens;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    tokens.push_back(line);
  }
  lists.tokens = std::move(tokens);
  return lists;
}

TokenLists read_token_file(const std::string& path) { return parse_token_text(read_file(path), path); }

AttentionSet build_attention_set(const ImportedFile& file, const ImportOptions& opt, const std::string& path) {
  AttentionSet set;
  set.meta = file.meta;
  if (!set.meta.count("imported_from")) set.meta["imported_from"] = fs::path(path).filename().string();
  for (const ImportedRun& run : file.runs) set.runs.push_back(build_run(run, opt, nullptr, path));
  try {
    set.validate();
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  return set;
}

AttentionSet import_attention_to_file(const std::string& path, const ImportOptions& opt, const std::string& out) {
  if (fs::exists(path) && !fs::is_directory(path) && lower_extension(path) == ".npz")
    if (auto set = stream_npz(path, opt, out)) return std::move(*set);
  AttentionSet set = import_attention(path, opt);
  save_attention_set(set, out);
  return set;
}

AttentionSet import_attention(const std::string& path, const ImportOptions& opt) {
  if (!fs::exists(path)) throw std::runtime_error("cannot read " + path + ": no such file");
  if (fs::is_directory(path)) return build_attention_set(read_npy_folder(path), opt, path);
  const std::string ext = lower_extension(path);
  if (ext == ".npy") return build_attention_set(read_npy_file(path), opt, path);
  if (ext == ".npz") return build_attention_set(read_npz_file(path), opt, path);
  if (ext == ".json") return build_attention_set(parse_attention_json(read_file(path), path), opt, path);
  if (ext == ".safetensors") {
    if (is_attnscope_file(path)) return load_attention_set(path);  // already ours: nothing to map
    return build_attention_set(read_safetensors_file(path), opt, path);
  }
  throw std::runtime_error(path + ": unknown extension '" + ext +
                           "' (import reads .npy, .npz, .safetensors, .json or a folder of .npy files)");
}

}  // namespace attnscope
