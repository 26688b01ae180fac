#include "analysis/rollout.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <stdexcept>

namespace attnscope {

namespace {

using Square = std::vector<double>;  // [T, T] row-major: [query][key]

// 0.5 * mean over heads + 0.5 * identity.
Square residual_mean(const AttentionBlock& b) {
  const size_t t = b.queries;
  Square a(t * t, 0.0);
  for (size_t h = 0; h < b.heads; ++h)
    for (size_t i = 0; i < t * t; ++i) a[i] += b.data()[h * t * t + i];
  for (size_t i = 0; i < t * t; ++i) a[i] = 0.5 * a[i] / static_cast<double>(b.heads);
  for (size_t q = 0; q < t; ++q) a[q * t + q] += 0.5;
  return a;
}

Square multiply(const Square& x, const Square& y, size_t t) {
  Square z(t * t, 0.0);
  for (size_t i = 0; i < t; ++i)
    for (size_t k = 0; k < t; ++k) {
      const double xik = x[i * t + k];
      if (xik == 0) continue;
      for (size_t j = 0; j < t; ++j) z[i * t + j] += xik * y[k * t + j];
    }
  return z;
}

// Max flow in the layered graph: node (m, p) for layer boundary m = 0..L and position p; an edge
// (m-1, k) -> (m, q) with capacity layers[m-1][q][k]. Edmonds-Karp: shortest augmenting paths,
// residual edges both ways.
class LayeredFlow {
 public:
  LayeredFlow(const std::vector<Square>& layers, size_t t) : cap_(layers), t_(t) {}

  double max_flow(size_t source, size_t sink_layer, size_t sink) {
    flow_.assign(sink_layer, Square(t_ * t_, 0.0));
    double total = 0;
    const size_t nodes = (sink_layer + 1) * t_;
    std::vector<long> parent(nodes);
    constexpr double kEps = 1e-12;
    for (;;) {
      std::fill(parent.begin(), parent.end(), -1);
      std::deque<size_t> queue{source};
      parent[source] = static_cast<long>(source);
      const size_t target = sink_layer * t_ + sink;
      while (!queue.empty() && parent[target] < 0) {
        const size_t u = queue.front();
        queue.pop_front();
        const size_t m = u / t_, p = u % t_;
        if (m < sink_layer)  // forward: (m, p) -> (m+1, q)
          for (size_t q = 0; q < t_; ++q) {
            const size_t v = (m + 1) * t_ + q;
            if (parent[v] < 0 && residual(m, q, p) > kEps) parent[v] = static_cast<long>(u), queue.push_back(v);
          }
        if (m > 0)  // backward along used edges: (m, p) -> (m-1, k)
          for (size_t k = 0; k < t_; ++k) {
            const size_t v = (m - 1) * t_ + k;
            if (parent[v] < 0 && flow_[m - 1][p * t_ + k] > kEps) parent[v] = static_cast<long>(u), queue.push_back(v);
          }
      }
      if (parent[target] < 0) return total;
      double push = std::numeric_limits<double>::infinity();
      for (size_t v = target; v != source; v = static_cast<size_t>(parent[v])) push = std::min(push, edge_room(parent[v], v));
      for (size_t v = target; v != source; v = static_cast<size_t>(parent[v])) add(static_cast<size_t>(parent[v]), v, push);
      total += push;
    }
  }

 private:
  // Remaining capacity of (m, k) -> (m+1, q).
  double residual(size_t m, size_t q, size_t k) const { return cap_[m][q * t_ + k] - flow_[m][q * t_ + k]; }
  double edge_room(long from, size_t to) const {
    const size_t u = static_cast<size_t>(from), mu = u / t_, mv = to / t_;
    if (mv == mu + 1) return residual(mu, to % t_, u % t_);
    return flow_[mv][(u % t_) * t_ + to % t_];  // backward: undo flow on (mv, to) -> (mu, u)
  }
  void add(size_t u, size_t v, double amount) {
    const size_t mu = u / t_, mv = v / t_;
    if (mv == mu + 1)
      flow_[mu][(v % t_) * t_ + u % t_] += amount;
    else
      flow_[mv][(u % t_) * t_ + v % t_] -= amount;
  }

  const std::vector<Square>& cap_;
  size_t t_;
  std::vector<Square> flow_;
};

AttentionKind self_kind(const AttentionRun& run, const std::string& kind) {
  if (!kind.empty()) {
    const AttentionKind k = kind_from_name(kind);
    if (k == AttentionKind::Cross)
      throw std::invalid_argument("rollout and flow need self-attention (encoder-self or decoder-self), not cross");
    return k;
  }
  for (AttentionKind k : {AttentionKind::EncoderSelf, AttentionKind::DecoderSelf})
    for (const AttentionBlock& b : run.blocks)
      if (b.kind == k) return k;
  throw std::invalid_argument("run '" + run.name + "' has no self-attention to roll out");
}

}  // namespace

DerivedAttention derived_attention_from_name(const std::string& name) {
  if (name == "rollout") return DerivedAttention::Rollout;
  if (name == "flow") return DerivedAttention::Flow;
  throw std::invalid_argument("unknown method '" + name + "' (expected rollout or flow)");
}

AttentionSet derive_attention(const AttentionSet& set, DerivedAttention method, const std::string& kind) {
  AttentionSet out;
  out.meta = set.meta;
  const std::string what = method == DerivedAttention::Rollout
                               ? "attention rollout (Abnar & Zuidema 2020): per layer 0.5 x mean of heads + 0.5 x "
                                 "identity, multiplied through the layers below"
                               : "attention flow (Abnar & Zuidema 2020): max flow through per-layer 0.5 x mean of "
                                 "heads + 0.5 x identity, rows divided by their sum";
  out.meta["transforms"] = set.meta.count("transforms") && !set.meta.at("transforms").empty()
                               ? set.meta.at("transforms") + "; " + what
                               : what;
  for (const AttentionRun& run : set.runs) {
    const AttentionKind k = self_kind(run, kind);
    std::vector<const AttentionBlock*> blocks;
    for (const AttentionBlock& b : run.blocks)
      if (b.kind == k) blocks.push_back(&b);
    std::sort(blocks.begin(), blocks.end(), [](auto* a, auto* b) { return a->layer < b->layer; });
    if (blocks.empty()) throw std::invalid_argument("run '" + run.name + "' has no " + kind_name(k) + " blocks");
    const size_t t = blocks.front()->queries;
    if (method == DerivedAttention::Flow && t > kMaxFlowTokens)
      throw std::invalid_argument("attention flow over " + std::to_string(t) + " tokens: at most " +
                                  std::to_string(kMaxFlowTokens) + " (max flow is cubic in length; rollout has no limit)");
    std::vector<Square> layers;
    for (const AttentionBlock* b : blocks) {
      if (b->queries != t || b->keys != t)
        throw std::invalid_argument("block " + b->name() + " is not square over " + std::to_string(t) + " tokens");
      layers.push_back(residual_mean(*b));
    }

    AttentionRun derived;
    derived.name = run.name;
    derived.input_text = run.input_text;
    derived.output_text = run.output_text;
    derived.source_tokens = run.source_tokens;
    derived.target_tokens = run.target_tokens;
    derived.info = run.info;
    derived.info["derived"] = method == DerivedAttention::Rollout ? "rollout" : "flow";
    Square rolled;
    LayeredFlow flow(layers, t);
    for (size_t l = 0; l < layers.size(); ++l) {
      Square m(t * t, 0.0);
      if (method == DerivedAttention::Rollout) {
        rolled = l == 0 ? layers[0] : multiply(layers[l], rolled, t);
        m = rolled;
      } else {
        for (size_t j = 0; j < t; ++j) {
          double sum = 0;
          for (size_t i = 0; i < t; ++i) sum += m[j * t + i] = flow.max_flow(i, l + 1, j);
          if (sum > 0)
            for (size_t i = 0; i < t; ++i) m[j * t + i] /= sum;
        }
      }
      AttentionBlock b;
      b.kind = k;
      b.layer = blocks[l]->layer;
      b.heads = 1;
      b.queries = b.keys = t;
      b.weights.assign(m.begin(), m.end());
      derived.blocks.push_back(std::move(b));
    }
    out.runs.push_back(std::move(derived));
  }
  return out;
}

}  // namespace attnscope
