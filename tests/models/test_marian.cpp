// MarianMT against the independent reference (tests/fixtures/tiny-marian, F16 weights, made by
// tools/reference_models.py): encoder-self, decoder-self and cross attention of every layer and
// head within 1e-5, decoder states and logits within 1e-4, greedy translation token for token.
#include <gtest/gtest.h>

#include <limits>

#include "hf_fixtures.h"
#include "models/recording/attention_recorder.h"
#include "models/loading/hf_folder.h"
#include "models/architectures/marian.h"
#include "models/pretrained.h"

using namespace attnscope;
using namespace attnscope::testing;

namespace {

std::vector<float> values(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

torch::Tensor longs(const std::vector<int>& v) { return torch::tensor(std::vector<int64_t>(v.begin(), v.end()), torch::kLong); }

}  // namespace

TEST(Marian, SinusoidalPositionsPutSinesThenCosines) {
  const torch::Tensor p = marian_positions(3, 4, torch::kCPU);  // [3, 4]
  EXPECT_FLOAT_EQ(p[0][0].item<float>(), 0.0f);                 // sin(0)
  EXPECT_FLOAT_EQ(p[0][2].item<float>(), 1.0f);                 // cos(0)
  EXPECT_NEAR(p[2][0].item<float>(), std::sin(2.0), 1e-6);      // i = 0: angle = pos
  EXPECT_NEAR(p[2][3].item<float>(), std::cos(2.0 / 100.0), 1e-6);  // i = 1: pos / 10000^(2/4)
}

TEST(Marian, EveryKindOfAttentionMatchesReference) {
  const std::string dir = fixture("tiny-marian");
  const MarianWeights w = read_marian(HfFolder::open(dir));
  const Reference ref(dir);
  torch::NoGradGuard no_grad;
  AttentionRecorder rec;
  const torch::Tensor memory = marian_encode(w, longs(ref.ints("source")), &rec);
  torch::Tensor hidden;
  const torch::Tensor logits = marian_decode(w, memory, longs(ref.ints("target_inputs")), &rec, &hidden);
  AttentionRun run;
  rec.into(run);
  ASSERT_EQ(run.blocks.size(), 6u);
  double worst = 0;
  for (const std::string kind : {"encoder-self", "decoder-self", "cross"})
    for (int l = 0; l < 2; ++l) {
      const AttentionBlock* b = run.find(kind_from_name(kind), l);
      ASSERT_NE(b, nullptr) << kind << l;
      worst = std::max(worst, max_abs_diff(b->weights, ref.floats(kind + "." + std::to_string(l))));
    }
  const double dh = max_abs_diff(values(hidden), ref.floats("hidden")), dl = max_abs_diff(values(logits), ref.floats("logits"));
  std::printf("marian: max |attention diff| %.3g, hidden %.3g, logits %.3g\n", worst, dh, dl);
  EXPECT_LT(worst, 1e-5);
  EXPECT_LT(dh, 1e-4);
  EXPECT_LT(dl, 1e-4);
  const AttentionBlock* c0 = run.find(AttentionKind::Cross, 0);  // [H, T, S]
  EXPECT_EQ(c0->heads, 4u);
  EXPECT_EQ(c0->queries, 5u);
  EXPECT_EQ(c0->keys, 7u);
}

TEST(Marian, GreedyTranslationThroughTheFacade) {
  const std::string dir = fixture("tiny-marian");
  const PretrainedModel model = PretrainedModel::load(dir);
  EXPECT_TRUE(model.is_seq2seq());
  EXPECT_EQ(model.architecture(), "marian");
  const Reference ref(dir);
  TranslateOptions opts;
  opts.max_new_tokens = 12;
  const PretrainedTranslation t = model.translate_ids(ref.ints("source"), "", opts);
  EXPECT_EQ(t.target_ids, ref.ints("greedy"));
  const AttentionRun& run = t.run;
  EXPECT_EQ(run.source_tokens.size(), 7u);
  EXPECT_EQ(run.target_tokens.size(), t.target_ids.size());
  ASSERT_EQ(run.blocks.size(), 6u);  // encoder-self, decoder-self, cross x 2 layers
  const AttentionBlock* c = run.find(AttentionKind::Cross, 1);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->queries, t.target_ids.size());
  EXPECT_EQ(c->keys, 7u);
  AttentionSet set = model.to_attention_set({run});
  set.validate();
  // Teacher-forced logits through the facade match the reference too.
  EXPECT_LT(max_abs_diff(model.decoder_logits(ref.ints("source"), ref.ints("target_inputs")), ref.floats("logits")), 1e-4);
}

namespace {

// sum log p(target) / length under the model, <pad> banned as decoding bans it. A target that
// reached `limit` tokens ends in the </s> the search forced (forced_eos_token_id): log p 0 there,
// as the search scored it.
double normalized_log_prob(const PretrainedModel& m, const std::vector<int>& source, const std::vector<int>& target,
                           int start, int pad, size_t limit, int eos) {
  std::vector<int> inputs = {start};
  inputs.insert(inputs.end(), target.begin(), target.end() - 1);
  const std::vector<float> logits = m.decoder_logits(source, inputs);
  const int64_t V = m.vocab_size();
  torch::Tensor l = torch::tensor(logits).view({static_cast<int64_t>(inputs.size()), V});
  l.select(1, pad).fill_(-std::numeric_limits<float>::infinity());
  const torch::Tensor lp = torch::log_softmax(l, -1);
  double sum = 0;
  const bool forced_last = target.size() == limit && target.back() == eos;
  for (size_t i = 0; i + (forced_last ? 1 : 0) < target.size(); ++i) sum += lp[static_cast<int64_t>(i)][target[i]].item<double>();
  return sum / static_cast<double>(target.size());
}

}  // namespace

TEST(Marian, BeamSearchFindsAtLeastAsLikelyATranslation) {
  const std::string dir = fixture("tiny-marian");
  const PretrainedModel model = PretrainedModel::load(dir);
  const Reference ref(dir);
  const std::vector<int> source = ref.ints("source");
  TranslateOptions opts;
  opts.max_new_tokens = 12;
  opts.record = false;
  const PretrainedTranslation greedy = model.translate_ids(source, "", opts);
  opts.beam = 1;
  EXPECT_EQ(model.translate_ids(source, "", opts).target_ids, greedy.target_ids) << "beam 1 is greedy";
  opts.beam = 4;
  opts.record = true;
  const PretrainedTranslation beam = model.translate_ids(source, "", opts);
  ASSERT_FALSE(beam.target_ids.empty());
  EXPECT_EQ(beam.run.info.at("decoding"), "beam 4");
  EXPECT_EQ(beam.run.find(AttentionKind::Cross, 1)->queries, beam.target_ids.size());
  const double g = normalized_log_prob(model, source, greedy.target_ids, 99, 99, 12, 0);
  const double b = normalized_log_prob(model, source, beam.target_ids, 99, 99, 12, 0);
  std::printf("greedy %zu tokens %.4f, beam 4: %zu tokens %.4f (mean log p)\n", greedy.target_ids.size(), g,
              beam.target_ids.size(), b);
  EXPECT_GE(b, g - 1e-6);
}
