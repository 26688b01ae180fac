#include "io/attention_file.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "io/atomic_file.h"
#include "io/safetensors.h"

namespace attnscope {

namespace {

std::string run_prefix(const AttentionSet& set, size_t r) {
  return set.runs.size() == 1 ? std::string() : std::to_string(r) + "/";
}

SafetensorsWriter to_writer(const AttentionSet& set) {
  set.validate();
  SafetensorsWriter w;
  nlohmann::json runs = nlohmann::json::array();
  for (size_t r = 0; r < set.runs.size(); ++r) {
    const AttentionRun& run = set.runs[r];
    const std::string prefix = run_prefix(set, r);
    nlohmann::json blocks = nlohmann::json::array();
    for (const AttentionBlock& b : run.blocks) {
      w.add_f32(prefix + b.name(), {b.heads, b.queries, b.keys}, b.data(), b.size());
      blocks.push_back(b.name());
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
                    {"extras", extras},
                    {"info", run.info}});
  }
  w.set_metadata("format", kAttentionFormat);
  w.set_metadata("meta", nlohmann::json(set.meta).dump());
  w.set_metadata("runs", runs.dump());
  return w;
}

}  // namespace

std::string attention_set_bytes(const AttentionSet& set) { return to_writer(set).serialize(); }

void save_attention_set(const AttentionSet& set, const std::string& path) { to_writer(set).save(path); }

AttentionSet load_attention_set(const std::string& path) {
  SafetensorsFile file = SafetensorsFile::open(path);
  auto fail = [&](const std::string& why) { return std::runtime_error(path + ": not an attnscope attention file: " + why); };
  const auto& md = file.metadata();
  auto format = md.find("format");
  if (format == md.end()) throw fail("__metadata__ has no \"format\"");
  if (format->second != kAttentionFormat) throw fail("format is '" + format->second + "', expected " + kAttentionFormat);
  AttentionSet set;
  try {
    if (auto m = md.find("meta"); m != md.end()) set.meta = nlohmann::json::parse(m->second).get<std::map<std::string, std::string>>();
    auto runs_it = md.find("runs");
    if (runs_it == md.end()) throw fail("__metadata__ has no \"runs\"");
    nlohmann::json runs = nlohmann::json::parse(runs_it->second);
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
      for (const std::string& name : j.value("blocks", std::vector<std::string>{})) {
        const TensorView& t = file.at(prefix + name);
        if (t.shape.size() != 3) throw fail("tensor '" + t.name + "' is not [heads, queries, keys]");
        AttentionBlock b;
        const size_t dot = name.rfind('.');
        if (dot == std::string::npos) throw fail("block name '" + name + "' is not <kind>.<layer>");
        b.kind = kind_from_name(name.substr(0, dot));
        b.layer = std::stoi(name.substr(dot + 1));
        b.heads = t.shape[0];
        b.queries = t.shape[1];
        b.keys = t.shape[2];
        b.weights = t.to_float();
        run.blocks.push_back(std::move(b));
      }
      for (const std::string& name : j.value("extras", std::vector<std::string>{})) {
        const TensorView& t = file.at(prefix + name);
        run.extras[name] = Array{t.shape, t.to_float()};
      }
    }
  } catch (const nlohmann::json::exception& e) {
    throw fail(std::string("bad metadata JSON (") + e.what() + ")");
  } catch (const std::invalid_argument& e) {
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
