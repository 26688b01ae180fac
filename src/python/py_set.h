// The AttentionSet as Python holds it: shared, so NumPy views and blocks borrowed from Python
// arrays keep what they point at alive. Shared by attnscope._core (which registers the type) and
// attnscope._models (which returns sets from model runs).
#pragma once

#include <pybind11/numpy.h>
#include <tuple>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/attention_set.h"

namespace attnscope {

struct PySet {
  std::shared_ptr<AttentionSet> set = std::make_shared<AttentionSet>();

  void add_run(const std::string& name, const std::string& input, const std::string& output,
               std::vector<std::string> source_tokens, std::vector<std::string> target_tokens,
               std::map<std::string, std::string> info) {
    AttentionRun r;
    r.name = name;
    r.input_text = input;
    r.output_text = output;
    r.source_tokens = std::move(source_tokens);
    r.target_tokens = std::move(target_tokens);
    r.info = std::move(info);
    set->runs.push_back(std::move(r));
  }

  AttentionRun& run_at(size_t run) const {
    if (run >= set->runs.size())
      throw pybind11::index_error("run " + std::to_string(run) + " does not exist (the set has " +
                                  std::to_string(set->runs.size()) + ")");
    return set->runs[run];
  }

  // Borrows `weights` (float32, C-contiguous, [heads, queries, keys]): no copy. The block keeps
  // a reference to the array; dropping it takes the GIL.
  void add_block(size_t run, const std::string& kind, int layer, const pybind11::array& weights) {
    namespace py = pybind11;
    if (!py::isinstance<py::array_t<float>>(weights) || !(weights.flags() & py::array::c_style))
      throw py::type_error("weights must be a float32, C-contiguous array (attnscope.from_attentions converts others)");
    if (weights.ndim() != 3)
      throw py::value_error("weights must be [heads, queries, keys], got " + std::to_string(weights.ndim()) + " dimensions");
    AttentionBlock b;
    b.kind = kind_from_name(kind);
    b.layer = layer;
    b.heads = static_cast<size_t>(weights.shape(0));
    b.queries = static_cast<size_t>(weights.shape(1));
    b.keys = static_cast<size_t>(weights.shape(2));
    b.borrowed = static_cast<const float*>(weights.data());
    auto* held = new py::object(weights);
    b.owner = std::shared_ptr<const void>(held, [](const void* p) {
      py::gil_scoped_acquire gil;
      delete static_cast<const py::object*>(p);
    });
    run_at(run).blocks.push_back(std::move(b));
  }

  const AttentionBlock& block(const std::string& kind, int layer, size_t run) const {
    const AttentionBlock* b = run_at(run).find(kind_from_name(kind), layer);
    if (!b) throw pybind11::index_error("run " + std::to_string(run) + " has no block " + kind + "." + std::to_string(layer));
    return *b;
  }

  // A read-only NumPy view of one block's weights; it keeps the whole set alive.
  pybind11::array weights(const std::string& kind, int layer, size_t run) const {
    namespace py = pybind11;
    const AttentionBlock& b = block(kind, layer, run);
    if (!b.dense())
      throw py::value_error("block " + b.name() + " holds queries and keys (" + std::to_string(b.queries) +
                            " tokens): ask set.tile(kind, layer, head, q0, q1, k0, k1) for exact weights");
    auto* keep = new std::shared_ptr<AttentionSet>(set);
    py::capsule base(keep, [](void* p) { delete static_cast<std::shared_ptr<AttentionSet>*>(p); });
    const auto f = static_cast<py::ssize_t>(sizeof(float));
    const auto Q = static_cast<py::ssize_t>(b.queries), K = static_cast<py::ssize_t>(b.keys);
    py::array a(py::dtype::of<float>(), {static_cast<py::ssize_t>(b.heads), Q, K}, {Q * K * f, K * f, f}, b.data(), base);
    py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
    return a;
  }

  // Exact weights of rows q0..q1-1, columns k0..k1-1 of one head, in either block form.
  pybind11::array_t<float> tile(const std::string& kind, int layer, size_t head, size_t q0, size_t q1, size_t k0, size_t k1,
                                size_t run) const {
    namespace py = pybind11;
    const AttentionBlock& b = block(kind, layer, run);
    check_tile(b.heads, b.queries, b.keys, head, q0, q1, k0, k1);
    if ((q1 - q0) * (k1 - k0) > (size_t{1} << 28)) throw py::value_error("a tile of more than 268 million weights");
    py::array_t<float> out({static_cast<py::ssize_t>(q1 - q0), static_cast<py::ssize_t>(k1 - k0)});
    float* dst = out.mutable_data();
    {
      py::gil_scoped_release unlocked;
      b.tile(head, q0, q1, k0, k1, dst);
    }
    return out;
  }

  // (heads, queries, keys) of one block, in either form.
  std::tuple<size_t, size_t, size_t> shape(const std::string& kind, int layer, size_t run) const {
    const AttentionBlock& b = block(kind, layer, run);
    return {b.heads, b.queries, b.keys};
  }

  bool borrowed(const std::string& kind, int layer, size_t run) const { return block(kind, layer, run).borrowed != nullptr; }

  std::vector<std::string> kinds() const {
    std::set<std::string> seen;
    for (const auto& r : set->runs)
      for (const auto& b : r.blocks) seen.insert(kind_name(b.kind));
    std::vector<std::string> out;
    for (const char* k : {"encoder-self", "decoder-self", "cross"})
      if (seen.count(k)) out.push_back(k);
    return out;
  }
  std::map<std::string, int> layers() const {
    std::map<std::string, int> out;
    for (const auto& r : set->runs)
      for (const auto& b : r.blocks) out[kind_name(b.kind)] = std::max(out[kind_name(b.kind)], b.layer + 1);
    return out;
  }
  std::map<std::string, size_t> heads() const {
    std::map<std::string, size_t> out;
    for (const auto& r : set->runs)
      for (const auto& b : r.blocks) out[kind_name(b.kind)] = std::max(out[kind_name(b.kind)], b.heads);
    return out;
  }
  // Run 0's tokens: {"source": [...], "target": [...]} (empty dict for an empty set).
  std::map<std::string, std::vector<std::string>> tokens() const {
    if (set->runs.empty()) return {};
    return {{"source", set->runs[0].source_tokens}, {"target", set->runs[0].target_tokens}};
  }
  pybind11::list runs() const {
    namespace py = pybind11;
    py::list out;
    for (const auto& r : set->runs) {
      py::dict d;
      d["name"] = r.name;
      d["input"] = r.input_text;
      d["output"] = r.output_text;
      d["source_tokens"] = r.source_tokens;
      d["target_tokens"] = r.target_tokens;
      d["info"] = r.info;
      py::list blocks;
      for (const auto& b : r.blocks) blocks.append(b.name());
      d["blocks"] = blocks;
      out.append(d);
    }
    return out;
  }
};

}  // namespace attnscope
