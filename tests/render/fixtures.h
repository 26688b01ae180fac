// Small attention sets for the render tests, built in code so every test states its data.
#pragma once

#include <cairo.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "core/attention_set.h"

namespace attnscope::fixtures {

// Row-wise softmax of a peaked pattern: query q attends mostly to key (q * keys / queries),
// each head shifted by its index so heads differ.
inline std::vector<float> peaked_weights(size_t heads, size_t queries, size_t keys, float sharpness = 2.5f) {
  std::vector<float> w(heads * queries * keys);
  for (size_t h = 0; h < heads; ++h)
    for (size_t q = 0; q < queries; ++q) {
      const double centre = static_cast<double>((q * keys / std::max<size_t>(queries, 1) + h) % keys);
      double sum = 0;
      for (size_t k = 0; k < keys; ++k) {
        const double d = static_cast<double>(k) - centre;
        sum += w[(h * queries + q) * keys + k] = static_cast<float>(std::exp(-sharpness * d * d / 4.0));
      }
      for (size_t k = 0; k < keys; ++k) w[(h * queries + q) * keys + k] /= static_cast<float>(sum);
    }
  return w;
}

inline AttentionBlock make_block(AttentionKind kind, int layer, size_t heads, size_t q, size_t k) {
  AttentionBlock b;
  b.kind = kind;
  b.layer = layer;
  b.heads = heads;
  b.queries = q;
  b.keys = k;
  b.weights = peaked_weights(heads, q, k, 1.5f + static_cast<float>(layer));
  return b;
}

// A translation run in the spirit of seed 001: BPE pieces on the target side.
inline AttentionRun translation_run(const std::string& name, std::vector<std::string> source) {
  AttentionRun run;
  run.name = name;
  run.source_tokens = std::move(source);
  run.target_tokens = {"Was", "sind", "die", "grundlegenden", "physi@@", "kalischen", "Gesetze", "des", "Uni@@",
                       "versu@@", "ms", "?", "[EOS]"};
  for (const auto& t : run.source_tokens) run.input_text += (run.input_text.empty() ? "" : " ") + t;
  run.output_text = "Was sind die grundlegenden physikalischen Gesetze des Universums ?";
  const size_t s = run.source_tokens.size(), t = run.target_tokens.size();
  for (int layer = 0; layer < 2; ++layer) {
    run.blocks.push_back(make_block(AttentionKind::Cross, layer, 4, t, s));
    // Masked source words lose attention to the </s> token, as masking moves attention away.
    if (name == "masked") {
      AttentionBlock& b = run.blocks.back();
      for (size_t row = 0; row < b.heads * t; ++row) {
        float* w = b.weights.data() + row * s;
        double sum = 0;
        for (size_t k = 0; k < s; ++k) sum += w[k] = run.source_tokens[k] == "[MASK]" ? w[k] * 0.3f : w[k];
        w[s - 1] += static_cast<float>(1.0 - sum);  // keep each row a distribution
      }
    }
    run.blocks.push_back(make_block(AttentionKind::EncoderSelf, layer, 4, s, s));
    run.blocks.push_back(make_block(AttentionKind::DecoderSelf, layer, 4, t, t));
  }
  // Pre-softmax scores and context vectors of the last cross layer, for the steps view.
  Array scores{{4, t, s}, {}};
  for (size_t i = 0; i < scores.size(); ++i) scores.data.push_back(std::sin(0.37f * static_cast<float>(i)) * 3.0f);
  run.extras["cross.1.scores"] = scores;
  Array context{{t, 16}, {}};
  for (size_t i = 0; i < context.size(); ++i) context.data.push_back(std::cos(0.21f * static_cast<float>(i)));
  run.extras["cross.1.context"] = context;
  return run;
}

inline AttentionSet translation_set() {
  AttentionSet set;
  set.meta["model"] = "test-transformer";
  set.meta["subword"] = "bpe@@";
  set.runs.push_back(translation_run(
      "original", {"What", "are", "the", "basic", "physical", "laws", "of", "the", "universe", "?", "</s>"}));
  set.runs.push_back(translation_run(
      "masked", {"What", "are", "the", "basic", "physical", "[MASK]", "[MASK]", "[MASK]", "[MASK]", "[MASK]", "</s>"}));
  return set;
}

// seed 002: 12 layers x 12 heads of encoder self-attention (BERT-base size).
inline AttentionSet bert_set() {
  AttentionSet set;
  set.meta["subword"] = "wordpiece";
  AttentionRun run;
  run.source_tokens = {"<CHI>", "painted", "a", "picture", "of", "a", "horse", "<CHI>", "my", "favorite", "animal", "is", "the"};
  const size_t n = run.source_tokens.size();
  for (int layer = 0; layer < 12; ++layer) run.blocks.push_back(make_block(AttentionKind::EncoderSelf, layer, 12, n, n));
  set.runs.push_back(run);
  return set;
}

// seed 003: a gallery of date inputs, character level, one head, one layer.
inline AttentionSet dates_set() {
  AttentionSet set;
  set.meta["subword"] = "none";
  for (std::string input : {"7 30 21", "July 30, 2021", "Fri 30 Jul 2021", "30 07 2021"}) {
    AttentionRun run;
    run.name = input;
    run.input_text = input;
    run.output_text = "30-07-2021";
    for (char c : input) run.source_tokens.push_back(std::string(1, c));
    for (char c : run.output_text) run.target_tokens.push_back(std::string(1, c));
    run.blocks.push_back(make_block(AttentionKind::Cross, 0, 1, run.target_tokens.size(), run.source_tokens.size()));
    set.runs.push_back(run);
  }
  return set;
}

// A single-run self-attention set of n tokens and one head, for long-input tests.
inline AttentionSet long_set(size_t n) {
  AttentionSet set;
  AttentionRun run;
  for (size_t i = 0; i < n; ++i) run.source_tokens.push_back("t" + std::to_string(i));
  AttentionBlock b;
  b.kind = AttentionKind::EncoderSelf;
  b.heads = 1;
  b.queries = b.keys = n;
  b.weights.assign(n * n, 0.0f);
  for (size_t q = 0; q < n; ++q) {  // a band: each token attends to itself and its two neighbours
    for (size_t k = q > 0 ? q - 1 : 0; k <= std::min(n - 1, q + 1); ++k) b.weights[q * n + k] = 1.0f / 3.0f;
  }
  run.blocks.push_back(std::move(b));
  set.runs.push_back(std::move(run));
  return set;
}

inline std::string temp_dir() {
  const auto dir = std::filesystem::temp_directory_path() / ("attnscope-render-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

// Removes this process's temp directory once every test has run.
class TempDirCleanup : public ::testing::Environment {
 public:
  void TearDown() override { std::filesystem::remove_all(temp_dir()); }
};

// PNG facts for "did it draw something plausible" checks.
struct PngInfo {
  int width = 0, height = 0;
  size_t distinct_colours = 0;
};

inline PngInfo png_info(const std::string& path) {
  PngInfo info;
  cairo_surface_t* s = cairo_image_surface_create_from_png(path.c_str());
  if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS) {
    info.width = cairo_image_surface_get_width(s);
    info.height = cairo_image_surface_get_height(s);
    const unsigned char* data = cairo_image_surface_get_data(s);
    const int stride = cairo_image_surface_get_stride(s);
    std::vector<uint32_t> seen;
    for (int y = 0; y < info.height && seen.size() < 64; y += 3)
      for (int x = 0; x < info.width && seen.size() < 64; x += 3) {
        const uint32_t px = reinterpret_cast<const uint32_t*>(data + y * stride)[x];
        if (std::find(seen.begin(), seen.end(), px) == seen.end()) seen.push_back(px);
      }
    info.distinct_colours = seen.size();
  }
  cairo_surface_destroy(s);
  return info;
}

inline std::string file_head(const std::string& path, size_t n) {
  std::string s(n, '\0');
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return "";
  s.resize(std::fread(s.data(), 1, n, f));
  std::fclose(f);
  return s;
}

}  // namespace attnscope::fixtures
