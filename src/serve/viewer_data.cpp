#include "serve/viewer_data.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <utility>

#include "analysis/subwords.h"
#include "io/half.h"
#include "render/colormap.h"

namespace attnscope {
namespace {

SubwordStyle style_of(const AttentionSet& set, const AttentionRun& run) {
  auto it = set.meta.find("subword");
  if (it != set.meta.end() && !it->second.empty()) return subword_style(it->second);
  std::vector<std::string> all = run.source_tokens;
  all.insert(all.end(), run.target_tokens.begin(), run.target_tokens.end());
  return detect_subword_style(all);
}

const AttentionRun& run_at(const AttentionSet& set, size_t run) {
  if (run >= set.runs.size())
    throw std::out_of_range("run " + std::to_string(run) + " out of range (the set has " +
                            std::to_string(set.runs.size()) + ")");
  return set.runs[run];
}

// The blocks of one kind in a run, by layer; throws std::out_of_range when there are none.
std::vector<const AttentionBlock*> blocks_of_kind(const AttentionSet& set, size_t run_index, const std::string& kind_text) {
  const AttentionRun& run = run_at(set, run_index);
  const AttentionKind kind = kind_from_name(kind_text);
  std::vector<const AttentionBlock*> out;
  for (const auto& b : run.blocks)
    if (b.kind == kind) out.push_back(&b);
  if (out.empty()) throw std::out_of_range("run " + std::to_string(run_index) + " has no " + kind_text + " blocks");
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->layer < b->layer; });
  return out;
}

// The envelope's length prefix and header, with room reserved for `payload_bytes` more.
std::string envelope_head(const nlohmann::json& header, size_t payload_bytes) {
  std::string h = header.dump();
  while (h.size() % 4) h.push_back(' ');
  std::string out;
  out.reserve(4 + h.size() + payload_bytes);
  const uint32_t n = static_cast<uint32_t>(h.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  return out += h;
}

std::string envelope(const nlohmann::json& header, const void* payload, size_t bytes) {
  std::string out = envelope_head(header, bytes);
  out.append(static_cast<const char*>(payload), bytes);
  return out;
}

// Max-pools [rows, cols] at `in` into [tr, tc] at `out`: input row r goes to r * tr / rows, so
// every output cell covers a contiguous run of columns (the inner loop reads memory in order).
void max_pool_into(const float* in, size_t rows, size_t cols, size_t tr, size_t tc, float* out) {
  std::vector<size_t> edge(tc + 1);
  for (size_t j = 0; j <= tc; ++j) edge[j] = (j * cols + tc - 1) / tc;  // first c with c * tc / cols >= j
  std::fill(out, out + tr * tc, 0.f);
  for (size_t r = 0; r < rows; ++r) {
    const float* src = in + r * cols;
    float* dst = out + (r * tr / rows) * tc;
    for (size_t j = 0; j < tc; ++j) {
      float mx = dst[j];
      for (size_t c = edge[j]; c < edge[j + 1]; ++c) mx = src[c] > mx ? src[c] : mx;
      dst[j] = mx;
    }
  }
}

}  // namespace

nlohmann::json set_description(const AttentionSet& set) {
  nlohmann::json d;
  d["version"] = kViewerDataVersion;
  d["meta"] = set.meta;
  d["runs"] = nlohmann::json::array();
  std::vector<std::string> kinds;
  nlohmann::json layers = nlohmann::json::object();
  for (const auto& run : set.runs) {
    const SubwordStyle style = style_of(set, run);
    d["subword"] = subword_style_name(style);
    nlohmann::json r = {{"name", run.name},
                        {"input", run.input_text},
                        {"output", run.output_text},
                        {"source_tokens", run.source_tokens},
                        {"target_tokens", run.target_tokens},
                        {"source_words", group_words(run.source_tokens, style).words},
                        {"target_words", group_words(run.target_tokens, style).words},
                        {"info", run.info},
                        {"blocks", nlohmann::json::array()}};
    for (const auto& b : run.blocks) {
      nlohmann::json jb = {{"name", b.name()}, {"kind", kind_name(b.kind)}, {"layer", b.layer},
                           {"heads", b.heads}, {"queries", b.queries},      {"keys", b.keys},
                           {"form", b.dense() ? "dense" : "query-key"}};
      if (b.qk) {
        jb["dim"] = b.qk->dim;
        jb["mask"] = mask_rule_name(b.qk->mask);
        if (b.qk->window) jb["window"] = b.qk->window;
        jb["pool"] = b.qk->pool;  // cell of the recorded thumbnails (0: none)
      }
      r["blocks"].push_back(std::move(jb));
      const std::string k = kind_name(b.kind);
      if (std::find(kinds.begin(), kinds.end(), k) == kinds.end()) kinds.push_back(k);
      layers[k] = std::max(layers.value(k, 0), b.layer + 1);
    }
    d["runs"].push_back(std::move(r));
  }
  if (set.runs.empty()) d["subword"] = "none";
  d["kinds"] = kinds;
  d["layers"] = layers;
  return d;
}

Matrix block_matrix(const AttentionSet& set, size_t run_index, const std::string& block, int head, bool merge) {
  const AttentionRun& run = run_at(set, run_index);
  const AttentionBlock* b = &find_block(set, run_index, block);
  if (head < -1 || head >= static_cast<int>(b->heads))
    throw std::out_of_range("head " + std::to_string(head) + " out of range (block " + block + " has " +
                            std::to_string(b->heads) + " heads; -1 = mean)");
  if (!b->dense() && b->queries * b->keys > kMaxWholeHeadCells)
    throw std::length_error("block " + block + " is " + std::to_string(b->queries) + " x " + std::to_string(b->keys) +
                            " per head; ask /tile for exact cells or /pooled for an overview");
  Matrix m{b->queries, b->keys, head < 0 ? b->mean_of_heads() : b->head_weights(static_cast<size_t>(head))};
  if (!merge) return m;
  const SubwordStyle style = style_of(set, run);
  const WordGroups rows = group_words(run.query_tokens(b->kind), style);
  const WordGroups cols = group_words(run.key_tokens(b->kind), style);
  return Matrix{rows.words.size(), cols.words.size(), merge_pieces(m.data.data(), rows, cols)};
}

Matrix max_pool(const Matrix& m, size_t size) {
  if (size < 1) throw std::invalid_argument("pooled size must be at least 1");
  if (m.rows <= size && m.cols <= size) return m;
  Matrix out{std::min(m.rows, size), std::min(m.cols, size), {}};
  out.data.resize(out.rows * out.cols);
  max_pool_into(m.data.data(), m.rows, m.cols, out.rows, out.cols, out.data.data());
  return out;
}

std::string default_dtype(size_t rows, size_t cols) { return rows * cols <= kExactCells ? "f32" : "f16"; }

std::string encode_matrix(const Matrix& m, const std::string& dtype) { return encode_matrix(m, dtype, nlohmann::json::object()); }

std::string encode_matrix(const Matrix& m, const std::string& dtype, const nlohmann::json& extra) {
  nlohmann::json h = {{"dtype", dtype}, {"shape", {m.rows, m.cols}}};
  h.update(extra);
  if (dtype == "f32") return envelope(h, m.data.data(), m.data.size() * sizeof(float));
  if (dtype != "f16") throw std::invalid_argument("dtype must be f32 or f16, not '" + dtype + "'");
  // Converted straight into the response: a 2,048-token head is 8 MB, no copy to spare.
  std::string out = envelope_head(h, m.data.size() * sizeof(uint16_t));
  const size_t at = out.size();
  out.resize(at + m.data.size() * sizeof(uint16_t));
  for (size_t i = 0; i < m.data.size(); ++i) {
    const uint16_t v = float_to_f16(m.data[i]);
    std::memcpy(out.data() + at + 2 * i, &v, 2);  // little-endian hosts, as the envelope says
  }
  return out;
}

std::string encode_thumbnails(const AttentionSet& set, size_t run_index, const std::string& kind_text, size_t size,
                              size_t threads) {
  // As `attnscope serve` bounds it; the Python kernel's data server passes the request's value here.
  if (size < 1 || size > kMaxThumbRequest)
    throw std::invalid_argument("size must be 1-" + std::to_string(kMaxThumbRequest) + ", not " + std::to_string(size));
  const std::vector<const AttentionBlock*> blocks = blocks_of_kind(set, run_index, kind_text);
  size_t heads = 0;
  for (auto* b : blocks) heads = std::max(heads, b->heads);
  // Query-key blocks pool over whole cells (from their recorded thumbnails when they line up);
  // dense ones spread the rows and columns over exactly `size` cells.
  const size_t qk_pool =
      blocks[0]->dense() ? 0
                         : blocks[0]->thumbnail_aligned(std::max<size_t>(1, (std::max(blocks[0]->queries, blocks[0]->keys) + size - 1) / size));
  const size_t tr = qk_pool ? (blocks[0]->queries + qk_pool - 1) / qk_pool : std::min(blocks[0]->queries, size);
  const size_t tc = qk_pool ? (blocks[0]->keys + qk_pool - 1) / qk_pool : std::min(blocks[0]->keys, size);
  const size_t layers = static_cast<size_t>(blocks.back()->layer + 1);
  std::vector<uint8_t> bytes(layers * heads * tr * tc, 0);
  std::vector<float> scales(layers * heads, 0.f);
  // One task per (layer, head), spread over `threads`: at 2,048 tokens this reads 2.4 GB.
  std::vector<std::pair<const AttentionBlock*, size_t>> tasks;
  for (auto* b : blocks)
    for (size_t h = 0; h < b->heads; ++h) tasks.emplace_back(b, h);
  std::atomic<size_t> next{0};
  auto work = [&] {
    std::vector<float> pooled(tr * tc);
    for (size_t i; (i = next++) < tasks.size();) {
      const auto [b, h] = tasks[i];
      if (b->queries != blocks[0]->queries || b->keys != blocks[0]->keys)
        continue;  // blocks of one kind share their token counts; skip (leave black) if not
      if (b->dense()) {
        max_pool_into(b->row(h, 0), b->queries, b->keys, tr, tc, pooled.data());
      } else {
        const Pooled p = b->pooled(h, 0, b->queries, 0, b->keys, qk_pool ? qk_pool : 1, PoolMode::Max);
        if (p.rows != tr || p.cols != tc) continue;
        pooled = p.values;
      }
      const size_t cell = static_cast<size_t>(b->layer) * heads + h;
      float mx = 0.f;
      for (float v : pooled) mx = std::max(mx, v);
      scales[cell] = mx;
      uint8_t* dst = bytes.data() + cell * tr * tc;
      for (size_t k = 0; k < pooled.size(); ++k)
        dst[k] = mx > 0 ? static_cast<uint8_t>(std::lround(std::clamp(pooled[k] / mx, 0.f, 1.f) * 255.f)) : 0;
    }
  };
  const size_t n_threads = std::max<size_t>(1, std::min<size_t>({threads, tasks.size(), 256}));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < n_threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  nlohmann::json h = {{"dtype", "u8"}, {"shape", {layers * heads, tr, tc}}, {"layers", layers}, {"heads", heads},
                      {"rows", tr},    {"cols", tc},                        {"scales", scales}};
  if (qk_pool) h["pool"] = qk_pool;  // max over pool x pool cells
  return envelope(h, bytes.data(), bytes.size());
}

const AttentionBlock& find_block(const AttentionSet& set, size_t run_index, const std::string& block) {
  const AttentionRun& run = run_at(set, run_index);
  for (const auto& x : run.blocks)
    if (x.name() == block) return x;
  throw std::out_of_range("run " + std::to_string(run_index) + " has no block '" + block + "'");
}

namespace {

void check_range(const AttentionBlock& b, size_t head, size_t q0, size_t q1, size_t k0, size_t k1) {
  try {
    check_tile(b.heads, b.queries, b.keys, head, q0, q1, k0, k1);
  } catch (const std::out_of_range& e) {
    throw std::out_of_range("block " + b.name() + ": " + e.what());
  }
}

}  // namespace

size_t pool_for(const AttentionBlock& b, size_t rows, size_t cols, size_t size) {
  const size_t p = std::max<size_t>(1, (std::max(rows, cols) + size - 1) / size);
  // Large ranges take whole thumbnail cells (every weight of an 8,192-token head is 67 million
  // dot products); up to 4,096 x 4,096 cells they are computed at the pool asked for.
  return rows * cols > kMaxExactPoolCells ? b.thumbnail_aligned(p) : p;
}

Matrix block_tile(const AttentionSet& set, size_t run, const std::string& block, size_t head, size_t q0, size_t q1,
                  size_t k0, size_t k1) {
  const AttentionBlock& b = find_block(set, run, block);
  check_range(b, head, q0, q1, k0, k1);
  if ((q1 - q0) * (k1 - k0) > kMaxTileCells)
    throw std::length_error("a tile of " + std::to_string(q1 - q0) + " x " + std::to_string(k1 - k0) + " cells; at most " +
                            std::to_string(kMaxTileCells) + " per request (ask /pooled for larger ranges)");
  Matrix m{q1 - q0, k1 - k0, std::vector<float>((q1 - q0) * (k1 - k0))};
  b.tile(head, q0, q1, k0, k1, m.data.data());
  return m;
}

PooledMatrix block_pooled(const AttentionSet& set, size_t run, const std::string& block, size_t head, size_t q0,
                          size_t q1, size_t k0, size_t k1, size_t size, PoolMode mode) {
  const AttentionBlock& b = find_block(set, run, block);
  check_range(b, head, q0, q1, k0, k1);
  if (size < 1 || size > 2048) throw std::invalid_argument("size must be 1-2048, not " + std::to_string(size));
  const size_t p = pool_for(b, q1 - q0, k1 - k0, size);
  Pooled pl = b.pooled(head, q0, q1, k0, k1, p, mode);
  return {Matrix{pl.rows, pl.cols, std::move(pl.values)}, p};
}

nlohmann::json top_keys(const AttentionSet& set, size_t run_index, const std::string& kind, size_t query, size_t k) {
  const auto blocks = blocks_of_kind(set, run_index, kind);
  const AttentionRun& run = set.runs[run_index];
  const auto& qtokens = run.query_tokens(blocks[0]->kind);
  const auto& ktokens = run.key_tokens(blocks[0]->kind);
  if (query >= blocks[0]->queries)
    throw std::out_of_range("query " + std::to_string(query) + " out of range (" + std::to_string(blocks[0]->queries) + " queries)");
  if (k < 1 || k > 1000) throw std::invalid_argument("k must be 1-1000, not " + std::to_string(k));
  struct Hit {
    float weight;
    int layer;
    size_t head, key;
  };
  std::vector<Hit> hits;
  std::vector<float> row;
  for (const AttentionBlock* b : blocks) {
    row.resize(b->keys);
    for (size_t h = 0; h < b->heads; ++h) {
      b->tile(h, query, query + 1, 0, b->keys, row.data());
      for (size_t j = 0; j < b->keys; ++j) hits.push_back({row[j], b->layer, h, j});
      // Keep memory at a few rows: trim to the best k after each head.
      if (hits.size() > 4 * k + b->keys) {
        std::nth_element(hits.begin(), hits.begin() + static_cast<long>(k), hits.end(),
                         [](const Hit& a, const Hit& b) { return a.weight > b.weight; });
        hits.resize(k);
      }
    }
  }
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return a.weight > b.weight; });
  if (hits.size() > k) hits.resize(k);
  nlohmann::json keys = nlohmann::json::array();
  for (const Hit& h : hits)
    keys.push_back({{"layer", h.layer}, {"head", h.head}, {"key", h.key}, {"token", h.key < ktokens.size() ? ktokens[h.key] : ""},
                    {"weight", h.weight}});
  return {{"query", query}, {"token", query < qtokens.size() ? qtokens[query] : ""}, {"keys", keys}};
}

nlohmann::json head_search(const AttentionSet& set, size_t run_index, const std::string& kind, size_t a0, size_t a1,
                           size_t b0, size_t b1, size_t top) {
  const auto blocks = blocks_of_kind(set, run_index, kind);
  const AttentionBlock& first = *blocks[0];
  if (a0 >= a1 || a1 > first.queries)
    throw std::out_of_range("span A " + std::to_string(a0) + ".." + std::to_string(a1) + " is not inside the " +
                            std::to_string(first.queries) + " queries");
  if (b0 >= b1 || b1 > first.keys)
    throw std::out_of_range("span B " + std::to_string(b0) + ".." + std::to_string(b1) + " is not inside the " +
                            std::to_string(first.keys) + " keys");
  if ((a1 - a0) * (b1 - b0) > kMaxSearchCells)
    throw std::length_error("spans of " + std::to_string(a1 - a0) + " x " + std::to_string(b1 - b0) + " cells; at most " +
                            std::to_string(kMaxSearchCells) + " per head");
  struct Share {
    double share;
    int layer;
    size_t head;
  };
  std::vector<Share> shares;
  std::vector<float> band;
  for (const AttentionBlock* b : blocks)
    for (size_t h = 0; h < b->heads; ++h) {
      double total = 0;
      for (size_t r0 = a0; r0 < a1; r0 += 256) {  // bands of rows: memory bounded by 256 x |B|
        const size_t r1 = std::min(a1, r0 + 256);
        band.resize((r1 - r0) * (b1 - b0));
        b->tile(h, r0, r1, b0, b1, band.data());
        for (float v : band) total += v;
      }
      shares.push_back({total / static_cast<double>(a1 - a0), b->layer, h});
    }
  std::sort(shares.begin(), shares.end(), [](const Share& x, const Share& y) { return x.share > y.share; });
  if (shares.size() > top) shares.resize(top);
  nlohmann::json heads = nlohmann::json::array();
  for (const Share& s : shares) heads.push_back({{"layer", s.layer}, {"head", s.head}, {"share", s.share}});
  return {{"a", {a0, a1}}, {"b", {b0, b1}}, {"heads", heads}};
}

nlohmann::json colormaps_json() {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& name : colormap_names()) {
    nlohmann::json pts = nlohmann::json::array();
    for (const Rgb& c : colormap(name).points) pts.push_back({c.r, c.g, c.b});
    out[name] = {{"points", pts}, {"diverging", colormap(name).diverging}};
  }
  return out;
}

}  // namespace attnscope
