#include "render/demo_set.h"

#include <cmath>
#include <string>
#include <vector>

namespace attnscope {
namespace {

// Softmax rows peaked near the diagonal, shifted per head so heads differ.
AttentionBlock peaked_block(AttentionKind kind, int layer, size_t heads, size_t q, size_t k,
                            const std::vector<bool>& masked_keys) {
  AttentionBlock b;
  b.kind = kind;
  b.layer = layer;
  b.heads = heads;
  b.queries = q;
  b.keys = k;
  b.weights.resize(heads * q * k);
  const double sharpness = 0.4 + 0.3 * layer;
  for (size_t h = 0; h < heads; ++h)
    for (size_t i = 0; i < q; ++i) {
      const double centre = static_cast<double>((i * k / q + h) % k);
      float* row = b.weights.data() + (h * q + i) * k;
      double sum = 0;
      for (size_t j = 0; j < k; ++j) {
        const double d = static_cast<double>(j) - centre;
        double w = std::exp(-sharpness * d * d);
        if (!masked_keys.empty() && masked_keys[j]) w *= 0.3;  // masked words draw less attention
        sum += row[j] = static_cast<float>(w);
      }
      for (size_t j = 0; j < k; ++j) row[j] = static_cast<float>(row[j] / sum);
    }
  return b;
}

AttentionRun translation(const std::string& name, const std::vector<std::string>& source) {
  AttentionRun run;
  run.name = name;
  run.source_tokens = source;
  run.target_tokens = {"Was", "sind", "die", "grundlegenden", "physi@@", "kalischen", "Gesetze",
                       "des", "Uni@@", "versu@@", "ms", "?", "[EOS]"};
  for (size_t i = 0; i + 1 < source.size(); ++i) run.input_text += (i ? " " : "") + source[i];
  run.output_text = "Was sind die grundlegenden physikalischen Gesetze des Universums ?";
  run.info["decoding"] = "greedy";
  std::vector<bool> masked;
  for (const auto& t : source) masked.push_back(t == "[MASK]");
  const size_t s = source.size(), t = run.target_tokens.size();
  for (int layer = 0; layer < 2; ++layer) {
    run.blocks.push_back(peaked_block(AttentionKind::EncoderSelf, layer, 4, s, s, masked));
    run.blocks.push_back(peaked_block(AttentionKind::DecoderSelf, layer, 4, t, t, {}));
    run.blocks.push_back(peaked_block(AttentionKind::Cross, layer, 4, t, s, masked));
  }
  // Scores consistent with the last cross layer's weights (log of the weights: softmax of these
  // gives them back), and a 16-dimensional context vector per step.
  const AttentionBlock& cross = run.blocks.back();
  Array scores{{4, t, s}, {}};
  for (float w : cross.weights) scores.data.push_back(std::log(w) + 2.0f);
  run.extras["cross.1.scores"] = scores;
  Array context{{t, 16}, {}};
  for (size_t i = 0; i < t; ++i)
    for (size_t d = 0; d < 16; ++d) context.data.push_back(std::tanh(std::sin(0.7f * i + 0.45f * d) * 1.5f));
  run.extras["cross.1.context"] = context;
  return run;
}

}  // namespace

AttentionSet demo_attention_set() {
  AttentionSet set;
  set.meta["model"] = "demo (synthetic weights)";
  set.meta["architecture"] = "transformer";
  set.meta["subword"] = "bpe@@";
  set.runs.push_back(translation(
      "original", {"What", "are", "the", "basic", "physical", "laws", "of", "the", "universe", "?", "</s>"}));
  set.runs.push_back(translation(
      "masked", {"What", "are", "the", "basic", "physical", "[MASK]", "[MASK]", "[MASK]", "[MASK]", "[MASK]", "</s>"}));
  return set;
}

}  // namespace attnscope
