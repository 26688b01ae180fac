// BERT, GPT-2 and Hugging Face Llama against independent references: the tiny random models in
// tests/fixtures/tiny-{bert,gpt2,llama} and their attentions, hidden states and logits, computed
// by tools/reference_models.py (float64, HF's formulas, no transformers; see its docstring).
// Tolerances: attention 1e-5, hidden states and logits 1e-4.
#include <gtest/gtest.h>

#include <cstdio>

#include "hf_fixtures.h"
#include "models/recording/attention_recorder.h"
#include "models/architectures/bert.h"
#include "models/loading/hf_folder.h"
#include "models/pretrained.h"

using namespace attnscope;
using namespace attnscope::testing;

namespace {

constexpr double kAttentionTolerance = 1e-5;
constexpr double kValueTolerance = 1e-4;

// Every layer's block of `run` against the reference case's attention.<l>, all heads.
void expect_attention_matches(const AttentionRun& run, AttentionKind kind, const Reference& ref, const std::string& c,
                              int layers) {
  ASSERT_EQ(run.blocks.size(), static_cast<size_t>(layers));
  double worst = 0;
  for (int l = 0; l < layers; ++l) {
    const AttentionBlock* b = run.find(kind, l);
    ASSERT_NE(b, nullptr) << "layer " << l;
    worst = std::max(worst, max_abs_diff(b->weights, ref.floats(c + ".attention." + std::to_string(l))));
  }
  std::printf("%s: max |attention - reference| %.3g\n", c.c_str(), worst);
  EXPECT_LT(worst, kAttentionTolerance);
}

void expect_values_match(const std::vector<float>& got, const std::vector<float>& want, const std::string& what) {
  const double d = max_abs_diff(got, want);
  std::printf("%s: max |diff| %.3g\n", what.c_str(), d);
  EXPECT_LT(d, kValueTolerance) << what;
}

}  // namespace

// --- BERT ------------------------------------------------------------------------------------

TEST(Bert, MatchesReferenceThroughTheFacade) {
  const std::string dir = fixture("tiny-bert");
  const PretrainedModel model = PretrainedModel::load(dir);
  EXPECT_EQ(model.architecture(), "bert");
  EXPECT_TRUE(model.is_encoder());
  const Reference ref(dir);
  const std::vector<int> ids = ref.ints("plain.ids");
  const AttentionRun run = model.record(ids);
  EXPECT_EQ(run.source_tokens.size(), ids.size());
  EXPECT_TRUE(run.target_tokens.empty());
  expect_attention_matches(run, AttentionKind::EncoderSelf, ref, "plain", 2);
  expect_values_match(model.hidden_states(ids), ref.floats("plain.hidden"), "bert plain hidden");
  expect_values_match(model.logits(ids), ref.floats("plain.logits"), "bert plain logits");
}

TEST(Bert, PaddingAndTokenTypesMatchReference) {
  const std::string dir = fixture("tiny-bert");
  const BertWeights w = read_bert(HfFolder::open(dir));
  const Reference ref(dir);
  auto longs = [&](const std::string& name) {
    std::vector<int64_t> v;
    for (int i : ref.ints(name)) v.push_back(i);
    return torch::tensor(v, torch::kLong);
  };
  AttentionRecorder rec;
  torch::NoGradGuard no_grad;
  const BertOutput out = bert_forward(w, longs("padded.ids"), longs("padded.token_types"),
                                      longs("padded.attention_mask").to(torch::kBool), &rec);
  auto as_vector = [](const torch::Tensor& t) {
    torch::Tensor c = t.contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  };
  const std::vector<AttentionBlock> blocks = rec.blocks();
  ASSERT_EQ(blocks.size(), 2u);
  for (int l = 0; l < 2; ++l) {
    const AttentionBlock& a = blocks[static_cast<size_t>(l)];  // [H, T, T]
    EXPECT_EQ(a.kind, AttentionKind::EncoderSelf);
    EXPECT_LT(max_abs_diff(a.weights, ref.floats("padded.attention." + std::to_string(l))), kAttentionTolerance);
    float padded = 0;
    for (size_t h = 0; h < a.heads; ++h)
      for (size_t q = 0; q < a.queries; ++q)
        for (size_t k = 9; k < a.keys; ++k) padded = std::max(padded, std::abs(a.at(h, q, k)));
    EXPECT_EQ(padded, 0.0f) << "padding keys must get exactly zero weight";
  }
  expect_values_match(as_vector(out.hidden), ref.floats("padded.hidden"), "bert padded hidden");
  expect_values_match(as_vector(out.logits), ref.floats("padded.logits"), "bert padded logits");
}

TEST(Bert, FillMasksPredictsFromTheMaskedLmHead) {
  const std::string dir = fixture("tiny-bert");
  const PretrainedModel model = PretrainedModel::load(dir);
  const Reference ref(dir);
  const std::vector<int> ids = ref.ints("plain.ids");
  ASSERT_EQ(model.mask_id(), 4);  // [MASK] in the fixture's vocab.txt
  EXPECT_FALSE(model.mask_is_substitute());
  const Encoding e = model.fill_masks(ids, "the laws of physics [MASK] the universe .", 3);
  ASSERT_EQ(e.predictions.size(), 1u);
  const MaskPrediction& p = e.predictions[0];
  EXPECT_EQ(p.position, 5u);
  ASSERT_EQ(p.ids.size(), 3u);
  // The best guess is the argmax of the reference logits at the mask position.
  const std::vector<float> logits = ref.floats("plain.logits");
  const size_t V = 100;
  const auto row = logits.begin() + static_cast<long>(5 * V);
  EXPECT_EQ(p.ids[0], static_cast<int>(std::max_element(row, row + V) - row));
  EXPECT_GE(p.probabilities[0], p.probabilities[1]);
  EXPECT_GT(p.probabilities[0], 0.0f);
  EXPECT_EQ(e.run.info.count("mask_predictions"), 1u);
}

// --- GPT-2 -----------------------------------------------------------------------------------

TEST(Gpt2, MatchesReference) {
  const std::string dir = fixture("tiny-gpt2");
  const PretrainedModel model = PretrainedModel::load(dir);  // F16 weights
  EXPECT_EQ(model.architecture(), "gpt2");
  EXPECT_FALSE(model.is_encoder());
  const Reference ref(dir);
  for (const std::string c : {"prompt", "bos"}) {
    const std::vector<int> ids = ref.ints(c + ".ids");
    const AttentionRun run = model.record(ids);
    expect_attention_matches(run, AttentionKind::DecoderSelf, ref, c, 2);
    expect_values_match(model.hidden_states(ids), ref.floats(c + ".hidden"), "gpt2 " + c + " hidden");
    expect_values_match(model.logits(ids), ref.floats(c + ".logits"), "gpt2 " + c + " logits");
  }
}

TEST(Gpt2, GreedyGenerationMatchesReferenceTokenForToken) {
  const std::string dir = fixture("tiny-gpt2");
  const PretrainedModel model = PretrainedModel::load(dir);
  const Reference ref(dir);
  GenerateOptions opts;
  opts.max_new_tokens = 8;
  for (const std::string c : {"prompt", "bos"}) {
    const Generation g = model.generate_from(ref.ints(c + ".ids"), "", opts);
    EXPECT_EQ(g.ids, ref.ints(c + ".greedy")) << c;
    EXPECT_EQ(g.run.blocks.size(), 2u);
    EXPECT_EQ(g.run.target_tokens.size(), g.ids.size());
  }
}

// --- Hugging Face Llama ----------------------------------------------------------------------

TEST(HfLlama, MatchesReference) {
  const std::string dir = fixture("tiny-llama");
  const PretrainedModel model = PretrainedModel::load(dir);  // BF16 weights, GQA 4 heads / 2 kv heads
  EXPECT_EQ(model.architecture(), "llama");
  const Reference ref(dir);
  for (const std::string c : {"prompt", "bos"}) {
    const std::vector<int> ids = ref.ints(c + ".ids");
    const AttentionRun run = model.record(ids);
    ASSERT_FALSE(run.blocks.empty());
    EXPECT_EQ(run.blocks[0].heads, 4u) << "grouped-query heads are recorded per query head";
    expect_attention_matches(run, AttentionKind::DecoderSelf, ref, c, 2);
    expect_values_match(model.hidden_states(ids), ref.floats(c + ".hidden"), "llama " + c + " hidden");
    expect_values_match(model.logits(ids), ref.floats(c + ".logits"), "llama " + c + " logits");
  }
}

TEST(HfLlama, GreedyGenerationMatchesReferenceTokenForToken) {
  const std::string dir = fixture("tiny-llama");
  const PretrainedModel model = PretrainedModel::load(dir);
  const Reference ref(dir);
  GenerateOptions opts;
  opts.max_new_tokens = 8;
  opts.record = false;
  for (const std::string c : {"prompt", "bos"})
    EXPECT_EQ(model.generate_from(ref.ints(c + ".ids"), "", opts).ids, ref.ints(c + ".greedy")) << c;
}

// --- recording only some layers and heads ------------------------------------------------------

TEST(PretrainedRecord, KeepsOnlyTheChosenLayersAndHeads) {
  const std::string dir = fixture("tiny-gpt2");
  const PretrainedModel model = PretrainedModel::load(dir);
  const Reference ref(dir);
  const std::vector<int> ids = ref.ints("prompt.ids");
  RecordOptions keep;
  keep.layers = {1};
  keep.heads = {3, 0};
  const AttentionRun run = model.record(ids, keep);
  ASSERT_EQ(run.blocks.size(), 1u);
  const AttentionBlock& b = run.blocks[0];
  EXPECT_EQ(b.layer, 1);
  ASSERT_EQ(b.heads, 2u);
  const std::vector<float> all = ref.floats("prompt.attention.1");
  const size_t T = ids.size();
  for (size_t q = 0; q < T; ++q)
    for (size_t k = 0; k < T; ++k) {
      EXPECT_NEAR(b.at(0, q, k), all[(3 * T + q) * T + k], kAttentionTolerance);
      EXPECT_NEAR(b.at(1, q, k), all[(0 * T + q) * T + k], kAttentionTolerance);
    }
  EXPECT_EQ(run.info.at("heads"), "3,0");
  keep.layers = {2};
  EXPECT_NE(error_of([&] { model.record(ids, keep); }).find("layer 2 does not exist"), std::string::npos);
  keep.layers = {};
  keep.heads = {4};
  EXPECT_NE(error_of([&] { model.record(ids, keep); }).find("head 4 does not exist"), std::string::npos);
}
