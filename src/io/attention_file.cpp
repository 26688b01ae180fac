#include "io/attention_file.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "core/parse_number.h"
#include "io/atomic_file.h"
#include "io/json_limits.h"
#include "io/safetensors.h"

namespace attnscope {

namespace {

std::string run_prefix(const AttentionSet& set, size_t r) {
  return set.runs.size() == 1 ? std::string() : std::to_string(r) + "/";
}

// `shapes_only`: the dense blocks' weights are not held; their tensors are declared, for the
// caller to write after the header.
SafetensorsWriter to_writer(const AttentionSet& set, bool shapes_only = false) {
  if (shapes_only) {
    for (const AttentionRun& run : set.runs) {
      if (!run.extras.empty()) throw std::invalid_argument("attention_file_header: a set with extras");
      for (const AttentionBlock& b : run.blocks)
        if (b.qk || b.size()) throw std::invalid_argument("attention_file_header: block " + b.name() + " is not given by shape only");
    }
  } else {
    set.validate();
  }
  SafetensorsWriter w;
  bool any_query_key = false;
  nlohmann::json runs = nlohmann::json::array();
  for (size_t r = 0; r < set.runs.size(); ++r) {
    const AttentionRun& run = set.runs[r];
    const std::string prefix = run_prefix(set, r);
    nlohmann::json blocks = nlohmann::json::array(), query_key = nlohmann::json::object();
    for (const AttentionBlock& b : run.blocks) {
      blocks.push_back(b.name());
      if (!b.qk && shapes_only) {
        w.declare(prefix + b.name(), DType::F32, {b.heads, b.queries, b.keys});
        continue;
      }
      if (!b.qk) {
        w.add_f32(prefix + b.name(), {b.heads, b.queries, b.keys}, b.data(), b.size());
        continue;
      }
      const QueryKeyHeads& qk = *b.qk;
      const std::string base = prefix + b.name();
      w.add_f32(base + ".q", {qk.heads, qk.queries, qk.dim}, qk.q);
      w.add_f32(base + ".k", {qk.key_heads, qk.keys, qk.dim}, qk.k);
      w.add(base + ".lse", DType::F64, {qk.heads, qk.queries}, qk.lse.data(), qk.lse.size() * sizeof(double));
      if (qk.pool) {
        w.add_f32(base + ".thumb_max", {qk.heads, qk.thumb_rows(), qk.thumb_cols()}, qk.thumb_max);
        w.add_f32(base + ".thumb_mean", {qk.heads, qk.thumb_rows(), qk.thumb_cols()}, qk.thumb_mean);
      }
      query_key[b.name()] = {{"scale", qk.scale}, {"mask", mask_rule_name(qk.mask)}, {"pool", qk.pool}};
      if (qk.window) query_key[b.name()]["window"] = qk.window;
      any_query_key = true;
    }
    nlohmann::json extras = nlohmann::json::array();
    for (const auto& [name, a] : run.extras) {
      w.add_f32(prefix + name, a.shape, a.data);
      extras.push_back(name);
    }
    runs.push_back({{"name", run.name},
                    {"input", run.input_text},
                    {"output", run.output_text},
                    {"source_tokens", run.source_tokens},
                    {"target_tokens", run.target_tokens},
                    {"blocks", blocks},
                    {"query_key", query_key},
                    {"extras", extras},
                    {"info", run.info}});
  }
  // Readers of version 1 know only dense blocks; a file with query-key blocks says version 2.
  w.set_metadata("format", any_query_key ? kAttentionFormatQueryKey : kAttentionFormat);
  w.set_metadata("meta", nlohmann::json(set.meta).dump());
  w.set_metadata("runs", runs.dump());
  return w;
}

int parse_layer(const std::string& text, const std::string& block) {
  // At most six digits, as import names blocks: figures count layers from 1, so layer + 1 must fit.
  const std::optional<int> layer = text.size() <= 6 ? parse_number<int>(text) : std::nullopt;
  if (!layer) throw std::invalid_argument("block name '" + block + "' does not end in a layer number (0 to 999999)");
  return *layer;
}

std::vector<double> to_double(const TensorView& t) {
  if (t.dtype == DType::F64) {
    std::vector<double> out(t.numel());
    std::memcpy(out.data(), t.data, out.size() * sizeof(double));
    return out;
  }
  const std::vector<float> f = t.to_float();
  return std::vector<double>(f.begin(), f.end());
}

// A query-key block: "<name>.q" [H, Q, d], "<name>.k" [G, K, d], "<name>.lse" [H, Q] (F64 or
// F32), optional "<name>.thumb_max" / ".thumb_mean" [H, ceil(Q / pool), ceil(K / pool)], and
// its facts (scale, mask rule, pool) from the run's "query_key" object.
std::shared_ptr<QueryKeyHeads> read_query_key(const SafetensorsFile& file, const std::string& name, const nlohmann::json& facts) {
  auto qk = std::make_shared<QueryKeyHeads>();
  const TensorView& q = file.at(name + ".q");
  const TensorView& k = file.at(name + ".k");
  const TensorView& lse = file.at(name + ".lse");
  if (q.shape.size() != 3) throw std::invalid_argument("tensor '" + q.name + "' is not [heads, queries, head width]");
  if (k.shape.size() != 3) throw std::invalid_argument("tensor '" + k.name + "' is not [key heads, keys, head width]");
  if (lse.shape.size() != 2) throw std::invalid_argument("tensor '" + lse.name + "' is not [heads, queries]");
  if (k.shape[2] != q.shape[2])
    throw std::invalid_argument("block " + name + ": keys are " + std::to_string(k.shape[2]) + " wide but queries " +
                                std::to_string(q.shape[2]));
  if (lse.shape[0] != q.shape[0] || lse.shape[1] != q.shape[1])
    throw std::invalid_argument("block " + name + ": log-sum-exp shape does not match the queries' heads and length");
  if (!facts.is_object()) throw std::invalid_argument("block " + name + ": query_key entry is not an object");
  qk->heads = q.shape[0];
  qk->queries = q.shape[1];
  qk->dim = q.shape[2];
  qk->key_heads = k.shape[0];
  qk->keys = k.shape[1];
  qk->scale = facts.at("scale").get<double>();
  qk->mask = mask_rule_from_name(facts.at("mask").get<std::string>());
  qk->pool = facts.value("pool", size_t{0});
  qk->window = facts.value("window", size_t{0});
  qk->q = q.to_float();
  qk->k = k.to_float();
  qk->lse = to_double(lse);
  if (qk->pool) {
    qk->thumb_max = file.at(name + ".thumb_max").to_float();
    qk->thumb_mean = file.at(name + ".thumb_mean").to_float();
  }
  qk->validate();
  return qk;
}

}  // namespace

std::string attention_set_bytes(const AttentionSet& set) { return to_writer(set).serialize(); }

void save_attention_set(const AttentionSet& set, const std::string& path) { to_writer(set).save(path); }

std::string attention_file_header(const AttentionSet& shapes) { return to_writer(shapes, true).header(); }

AttentionSet load_attention_set(const std::string& path) {
  SafetensorsFile file = SafetensorsFile::open(path);
  auto fail = [&](const std::string& why) { return std::runtime_error(path + ": not an attnscope attention file: " + why); };
  const auto& md = file.metadata();
  auto format = md.find("format");
  if (format == md.end()) throw fail("__metadata__ has no \"format\"");
  if (format->second != kAttentionFormat && format->second != kAttentionFormatQueryKey)
    throw fail("format is '" + format->second + "', expected " + kAttentionFormat + " or " + kAttentionFormatQueryKey);
  AttentionSet set;
  try {
    if (auto m = md.find("meta"); m != md.end())
      set.meta = parse_json_bounded(m->second, path + ": __metadata__ \"meta\"").get<std::map<std::string, std::string>>();
    auto runs_it = md.find("runs");
    if (runs_it == md.end()) throw fail("__metadata__ has no \"runs\"");
    // A run draws its blocks and every block is a tensor: more runs than tensors (one empty run
    // aside) is a damaged or hostile file, refused before millions of empty runs are built.
    const size_t declared_runs = json_top_level_items(runs_it->second);
    if (declared_runs > std::max<size_t>(1, file.tensors().size()))
      throw fail("\"runs\" lists " + std::to_string(declared_runs) + " runs but the file holds only " +
                 std::to_string(file.tensors().size()) + " tensor(s), and each run needs one");
    nlohmann::json runs = parse_json_bounded(runs_it->second, path + ": __metadata__ \"runs\"");
    if (!runs.is_array()) throw fail("\"runs\" is not a JSON array");
    set.runs.resize(runs.size());
    for (size_t r = 0; r < runs.size(); ++r) {
      const nlohmann::json& j = runs[r];
      AttentionRun& run = set.runs[r];
      run.name = j.value("name", "");
      run.input_text = j.value("input", "");
      run.output_text = j.value("output", "");
      run.source_tokens = j.value("source_tokens", std::vector<std::string>{});
      run.target_tokens = j.value("target_tokens", std::vector<std::string>{});
      run.info = j.value("info", std::map<std::string, std::string>{});
      const std::string prefix = run_prefix(set, r);
      const nlohmann::json query_key = j.value("query_key", nlohmann::json::object());
      std::set<std::string> seen;  // a name listed twice would read (and hold) its tensor twice
      for (const std::string& name : j.value("blocks", std::vector<std::string>{})) {
        if (!seen.insert(name).second) throw fail("run " + std::to_string(r) + " lists block " + name + " twice");
        AttentionBlock b;
        const size_t dot = name.rfind('.');
        if (dot == std::string::npos) throw fail("block name '" + name + "' is not <kind>.<layer>");
        b.kind = kind_from_name(name.substr(0, dot));
        b.layer = parse_layer(name.substr(dot + 1), name);
        if (query_key.contains(name)) {
          b.qk = read_query_key(file, prefix + name, query_key.at(name));
          b.heads = b.qk->heads;
          b.queries = b.qk->queries;
          b.keys = b.qk->keys;
        } else {
          const TensorView& t = file.at(prefix + name);
          if (t.shape.size() != 3) throw fail("tensor '" + t.name + "' is not [heads, queries, keys]");
          b.heads = t.shape[0];
          b.queries = t.shape[1];
          b.keys = t.shape[2];
          b.weights = t.to_float();
        }
        run.blocks.push_back(std::move(b));
      }
      for (const std::string& name : j.value("extras", std::vector<std::string>{})) {
        if (run.extras.count(name)) throw fail("run " + std::to_string(r) + " lists extra " + name + " twice");
        const TensorView& t = file.at(prefix + name);
        run.extras[name] = Array{t.shape, t.to_float()};
      }
    }
  } catch (const nlohmann::json::exception& e) {
    throw fail(std::string("bad metadata JSON (") + e.what() + ")");
  } catch (const std::invalid_argument& e) {
    throw fail(e.what());
  } catch (const std::out_of_range& e) {
    throw fail(e.what());
  }
  try {
    set.validate();
  } catch (const std::invalid_argument& e) {
    throw fail(e.what());
  }
  return set;
}

}  // namespace attnscope
