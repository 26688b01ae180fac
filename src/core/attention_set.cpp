#include "core/attention_set.h"

#include <cmath>
#include <stdexcept>

namespace attnscope {

std::string kind_name(AttentionKind kind) {
  switch (kind) {
    case AttentionKind::EncoderSelf: return "encoder-self";
    case AttentionKind::DecoderSelf: return "decoder-self";
    case AttentionKind::Cross: return "cross";
  }
  return "cross";
}

AttentionKind kind_from_name(const std::string& name) {
  if (name == "encoder-self") return AttentionKind::EncoderSelf;
  if (name == "decoder-self") return AttentionKind::DecoderSelf;
  if (name == "cross") return AttentionKind::Cross;
  throw std::invalid_argument("unknown attention kind '" + name +
                              "' (expected encoder-self, decoder-self or cross)");
}

void AttentionBlock::own() {
  if (!borrowed) return;
  weights.assign(borrowed, borrowed + heads * queries * keys);
  borrowed = nullptr;
  owner.reset();
}

size_t Array::size() const {
  size_t n = 1;
  for (size_t d : shape) n *= d;
  return n;
}

std::vector<float> AttentionBlock::mean_of_heads() const {
  std::vector<float> mean(queries * keys, 0.0f);
  if (heads == 0) return mean;
  for (size_t h = 0; h < heads; ++h)
    for (size_t i = 0; i < queries * keys; ++i) mean[i] += data()[h * queries * keys + i];
  for (float& v : mean) v /= static_cast<float>(heads);
  return mean;
}

std::string AttentionBlock::name() const { return kind_name(kind) + "." + std::to_string(layer); }

const AttentionBlock* AttentionRun::find(AttentionKind kind, int layer) const {
  for (const auto& b : blocks)
    if (b.kind == kind && b.layer == layer) return &b;
  return nullptr;
}

const std::vector<std::string>& AttentionRun::query_tokens(AttentionKind kind) const {
  return kind == AttentionKind::EncoderSelf ? source_tokens : target_tokens;
}

const std::vector<std::string>& AttentionRun::key_tokens(AttentionKind kind) const {
  return kind == AttentionKind::DecoderSelf ? target_tokens : source_tokens;
}

void AttentionSet::validate() const {
  for (size_t r = 0; r < runs.size(); ++r) {
    const AttentionRun& run = runs[r];
    for (const AttentionBlock& b : run.blocks) {
      const std::string where = "run " + std::to_string(r) + " block " + b.name();
      if (b.size() != b.heads * b.queries * b.keys || (b.borrowed && !b.weights.empty()))
        throw std::invalid_argument(where + ": " + std::to_string(b.size()) +
                                    " weights for shape [" + std::to_string(b.heads) + ", " +
                                    std::to_string(b.queries) + ", " + std::to_string(b.keys) + "]");
      if (b.queries != run.query_tokens(b.kind).size())
        throw std::invalid_argument(where + ": " + std::to_string(b.queries) + " queries but " +
                                    std::to_string(run.query_tokens(b.kind).size()) + " query tokens");
      if (b.keys != run.key_tokens(b.kind).size())
        throw std::invalid_argument(where + ": " + std::to_string(b.keys) + " keys but " +
                                    std::to_string(run.key_tokens(b.kind).size()) + " key tokens");
      const float* w = b.data();
      for (size_t i = 0; i < b.size(); ++i)
        if (!std::isfinite(w[i])) throw std::invalid_argument(where + ": weight is not finite");
    }
    for (const auto& [name, a] : run.extras)
      if (a.data.size() != a.size())
        throw std::invalid_argument("run " + std::to_string(r) + " extra " + name +
                                    ": data size does not match its shape");
  }
}

}  // namespace attnscope
