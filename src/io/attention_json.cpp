#include "io/attention_json.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "io/json_limits.h"

namespace attnscope {

namespace {

// JSON whose floating-point numbers are parsed straight to float32 (strtof), so a number written
// as the shortest float text reads back bit-exact with no double rounding on the way.
using FloatJson = nlohmann::basic_json<std::map, std::vector, std::string, bool, std::int64_t, std::uint64_t, float>;

void append_float(std::string& out, float v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  out.append(buf, end);
}

// Writes values[offset ...] with `shape` as nested lists; one innermost row per line.
void append_nested(std::string& out, const float* values, const std::vector<size_t>& shape, size_t dim, int indent) {
  out += '[';
  if (dim + 1 == shape.size()) {
    for (size_t i = 0; i < shape[dim]; ++i) {
      if (i) out += ", ";
      append_float(out, values[i]);
    }
  } else {
    size_t stride = 1;
    for (size_t d = dim + 1; d < shape.size(); ++d) stride *= shape[d];
    for (size_t i = 0; i < shape[dim]; ++i) {
      out += i ? ",\n" : "\n";
      out.append(static_cast<size_t>(indent + 2), ' ');
      append_nested(out, values + i * stride, shape, dim + 1, indent + 2);
    }
  }
  out += ']';
}

std::string quoted(const std::string& s) { return nlohmann::json(s).dump(); }

// True when the run's blocks are layers 0..L-1 of one kind with one shape: the bertviz form.
bool is_layer_stack(const AttentionRun& run) {
  if (run.blocks.empty()) return false;
  const AttentionBlock& first = run.blocks[0];
  for (size_t i = 0; i < run.blocks.size(); ++i) {
    const AttentionBlock& b = run.blocks[i];
    if (b.kind != first.kind || b.layer != static_cast<int>(i) || b.heads != first.heads) return false;
  }
  return true;
}

// `meta`: the set's meta as JSON text, written at the top of a single-run file; empty: none.
void append_run(std::string& out, const AttentionRun& run, int indent, const std::string& meta) {
  const std::string pad(static_cast<size_t>(indent + 2), ' ');
  out += "{\n";
  auto field = [&](const std::string& key, const std::string& json_value) {
    out += pad + quoted(key) + ": " + json_value + ",\n";
  };
  if (!meta.empty()) field("meta", meta);
  if (!run.name.empty()) field("name", quoted(run.name));
  if (!run.input_text.empty()) field("input", quoted(run.input_text));
  if (!run.output_text.empty()) field("output", quoted(run.output_text));
  field("source_tokens", json_string_list(run.source_tokens));
  field("target_tokens", json_string_list(run.target_tokens));
  if (is_layer_stack(run)) {
    const AttentionBlock& first = run.blocks[0];
    field("kind", quoted(kind_name(first.kind)));
    std::vector<float> all;
    for (const AttentionBlock& b : run.blocks) all.insert(all.end(), b.data(), b.data() + b.size());
    out += pad + "\"attention\": ";
    append_nested(out, all.data(), {run.blocks.size(), first.heads, first.queries, first.keys}, 0, indent + 2);
  } else {
    out += pad + "\"attention\": {";
    for (size_t i = 0; i < run.blocks.size(); ++i) {
      const AttentionBlock& b = run.blocks[i];
      out += i ? ",\n" : "\n";
      out += pad;
      out += "  " + quoted(b.name()) + ": ";
      append_nested(out, b.data(), {b.heads, b.queries, b.keys}, 0, indent + 4);
    }
    out += '\n';
    out += pad;
    out += '}';
  }
  out += '\n';
  out.append(static_cast<size_t>(indent), ' ');
  out += '}';
}

// A nested list of numbers as a flat array with its shape; checks that it is rectangular.
NamedArray nested_to_array(const FloatJson& j, const std::string& array_name, const std::string& name) {
  NamedArray a;
  a.name = array_name;
  auto fail = [&](const std::string& why) { return std::runtime_error(name + ": attention '" + array_name + "': " + why); };
  for (const FloatJson* p = &j; p->is_array(); p = &(*p)[0]) {
    a.shape.push_back(p->size());
    if (p->empty()) break;
  }
  if (a.shape.empty()) throw fail("is not a list of lists of numbers");
  std::vector<size_t> idx;
  auto walk = [&](auto&& self, const FloatJson& v, size_t dim) -> void {
    if (dim == a.shape.size()) {
      if (!v.is_number()) throw fail("holds a " + std::string(v.type_name()) + " where a number belongs");
      a.values.push_back(v.get<float>());
      return;
    }
    if (!v.is_array() || v.size() != a.shape[dim]) {
      std::string at;
      for (size_t i : idx) {
        at += '[';
        at += std::to_string(i);
        at += ']';
      }
      throw fail("is not rectangular: element " + at + " should be a list of " + std::to_string(a.shape[dim]));
    }
    for (size_t i = 0; i < v.size(); ++i) {
      idx.push_back(i);
      self(self, v[i], dim + 1);
      idx.pop_back();
    }
  };
  walk(walk, j, 0);
  return a;
}

std::optional<std::vector<std::string>> string_list(const FloatJson& obj, const char* key, const std::string& name) {
  auto it = obj.find(key);
  if (it == obj.end()) return std::nullopt;
  if (!it->is_array()) throw std::runtime_error(name + ": \"" + key + "\" is not a list of strings");
  std::vector<std::string> out;
  for (const auto& t : *it) {
    if (!t.is_string()) throw std::runtime_error(name + ": \"" + key + "\" holds a " + t.type_name() + ", expected strings");
    out.push_back(t.get<std::string>());
  }
  return out;
}

std::string string_field(const FloatJson& obj, const char* key, const std::string& name) {
  auto it = obj.find(key);
  if (it == obj.end()) return "";
  if (!it->is_string()) throw std::runtime_error(name + ": \"" + key + "\" is not a string");
  return it->get<std::string>();
}

ImportedRun parse_run(const FloatJson& j, const std::string& name) {
  if (!j.is_object()) throw std::runtime_error(name + ": a run is not a JSON object");
  ImportedRun run;
  run.tokens.tokens = string_list(j, "tokens", name);
  run.tokens.source = string_list(j, "source_tokens", name);
  run.tokens.target = string_list(j, "target_tokens", name);
  run.name = string_field(j, "name", name);
  run.input = string_field(j, "input", name);
  run.output = string_field(j, "output", name);
  if (auto k = string_field(j, "kind", name); !k.empty()) {
    try {
      run.kind = kind_from_name(k);
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(name + ": \"kind\": " + e.what());
    }
  }
  auto att = j.find("attention");
  if (att == j.end()) throw std::runtime_error(name + ": no \"attention\" key");
  if (att->is_object()) {
    for (auto it = att->begin(); it != att->end(); ++it) run.arrays.push_back(nested_to_array(it.value(), it.key(), name));
  } else if (att->is_array()) {
    run.arrays.push_back(nested_to_array(*att, "attention", name));
  } else {
    throw std::runtime_error(name + ": \"attention\" is neither a nested list nor an object of them");
  }
  return run;
}

}  // namespace

std::string json_string_list(const std::vector<std::string>& items) { return nlohmann::json(items).dump(); }

std::string attention_json(const AttentionSet& set) {
  std::string out;
  const std::string meta = nlohmann::json(set.meta).dump();
  if (set.runs.size() == 1) {
    append_run(out, set.runs[0], 0, set.meta.empty() ? "" : meta);
  } else {
    out = "{\n  \"meta\": " + meta + ",\n  \"runs\": [";
    for (size_t r = 0; r < set.runs.size(); ++r) {
      out += r ? ",\n    " : "\n    ";
      append_run(out, set.runs[r], 4, "");
    }
    out += "\n  ]\n}";
  }
  return out + "\n";
}

ImportedFile parse_attention_json(std::string_view text, const std::string& name) {
  check_json_depth(text, name);
  FloatJson j;
  try {
    j = FloatJson::parse(text);
  } catch (const FloatJson::exception& e) {
    throw std::runtime_error(name + ": not valid JSON (" + e.what() + ")");
  }
  ImportedFile file;
  if (j.is_array()) {
    FloatJson wrapped = FloatJson::object();
    wrapped["attention"] = std::move(j);
    file.runs.push_back(parse_run(wrapped, name));
    return file;
  }
  if (!j.is_object()) throw std::runtime_error(name + ": expected a JSON object with \"attention\"");
  if (auto m = j.find("meta"); m != j.end()) {
    if (!m->is_object()) throw std::runtime_error(name + ": \"meta\" is not an object");
    for (auto it = m->begin(); it != m->end(); ++it) {
      if (!it.value().is_string()) throw std::runtime_error(name + ": meta \"" + it.key() + "\" is not a string");
      file.meta[it.key()] = it.value().get<std::string>();
    }
  }
  if (auto runs = j.find("runs"); runs != j.end()) {
    if (!runs->is_array() || runs->empty()) throw std::runtime_error(name + ": \"runs\" is not a non-empty list");
    for (const auto& r : *runs) file.runs.push_back(parse_run(r, name));
  } else {
    file.runs.push_back(parse_run(j, name));
  }
  return file;
}

}  // namespace attnscope
