// Models trained with default settings (tests/train_and_check.sh trains them) solve their task
// and their attention is right, not only their outputs. Skipped when no trained models are given.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "models/decoding/mask_experiment.h"
#include "models/model.h"
#include "models/seq2seq_model.h"
#include "tasks/dates.h"
#include "tasks/task.h"
#include "train/trainer.h"

using namespace attnscope;

namespace {

std::string model_dir(const std::string& name) {
  const char* root = std::getenv("ATTNSCOPE_TRAINED_MODELS");
  if (!root) return "";
  return std::string(root) + "/" + name;
}

#define REQUIRE_MODEL(dir)                                                                     \
  if ((dir).empty() || !std::filesystem::exists((dir) + "/model.safetensors"))                \
    GTEST_SKIP() << "skipped: no trained model (set ATTNSCOPE_TRAINED_MODELS; see tests/train_and_check.sh)";

size_t argmax_row(const AttentionBlock& b, size_t q, size_t head = 0) {
  size_t best = 0;
  for (size_t k = 1; k < b.keys; ++k)
    if (b.at(head, q, k) > b.at(head, q, best)) best = k;
  return best;
}

// Share of output positions (excluding </s>) whose largest weight falls on expected(i, n).
template <typename Expected>
double share_on_expected(const Seq2SeqModel& model, const std::vector<Example>& examples, Expected expected) {
  size_t hits = 0, total = 0;
  for (const auto& e : examples) {
    Translation t = model.translate(e.input);
    const AttentionBlock* b = t.run.find(AttentionKind::Cross, 0);
    EXPECT_NE(b, nullptr);
    const size_t n = e.input.size();
    for (size_t i = 0; i < std::min(n, b->queries); ++i) {
      hits += argmax_row(*b, i) == expected(i, n);
      ++total;
    }
  }
  return static_cast<double>(hits) / total;
}

std::vector<Example> heldout_sample(const std::string& task_spec, size_t n) {
  auto task = make_task(task_spec);
  TaskData data(*task, 12345, n);
  return data.heldout();
}

}  // namespace

class TrainedTask : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(TrainedTask, ReachesNinetyNinePercentOnHeldOut) {
  const std::string dir = model_dir(GetParam().second);
  REQUIRE_MODEL(dir);
  const double acc = evaluate_seq2seq(dir);
  std::printf("%s: held-out exact match %.1f%%\n", GetParam().first, 100 * acc);
  EXPECT_GE(acc, 0.99);
}

INSTANTIATE_TEST_SUITE_P(Tasks, TrainedTask,
                         ::testing::Values(std::make_pair("reverse", "reverse"), std::make_pair("shift-left:4", "shift-left-4"),
                                           std::make_pair("shift-right:3", "shift-right-3"), std::make_pair("sort", "sort"),
                                           std::make_pair("dates", "dates")));

TEST(TrainedAttention, ReverseLooksAtTheMirroredPosition) {
  const std::string dir = model_dir("reverse");
  REQUIRE_MODEL(dir);
  Seq2SeqModel model = Seq2SeqModel::load(dir);
  const double share = share_on_expected(model, heldout_sample("reverse", 200), [](size_t i, size_t n) { return n - 1 - i; });
  std::printf("reverse: %.1f%% of output positions attend most to the mirrored input\n", 100 * share);
  EXPECT_GE(share, 0.90);
}

TEST(TrainedAttention, ShiftLeftLooksAtTheShiftedPosition) {
  const std::string dir = model_dir("shift-left-4");
  REQUIRE_MODEL(dir);
  Seq2SeqModel model = Seq2SeqModel::load(dir);
  const double share = share_on_expected(model, heldout_sample("shift-left:4", 200), [](size_t i, size_t n) { return (i + 4) % n; });
  std::printf("shift-left:4: %.1f%% of output positions attend most to input (i + 4) mod n\n", 100 * share);
  EXPECT_GE(share, 0.90);
}

TEST(TrainedAttention, ShiftRightLooksAtTheShiftedPosition) {
  const std::string dir = model_dir("shift-right-3");
  REQUIRE_MODEL(dir);
  Seq2SeqModel model = Seq2SeqModel::load(dir);
  const double share = share_on_expected(model, heldout_sample("shift-right:3", 200), [](size_t i, size_t n) { return (i + n - 3) % n; });
  std::printf("shift-right:3: %.1f%% of output positions attend most to input (i - 3) mod n\n", 100 * share);
  EXPECT_GE(share, 0.90);
}

// For each of the nine formats: a range of dates in that format reads correctly, and the month
// digits of the output (DD-MM-YYYY positions 3 and 4) attend mostly to the month in the input.
class TrainedDates : public ::testing::TestWithParam<int> {};

TEST_P(TrainedDates, ReadsTheFormatAndAttendsToTheMonth) {
  const std::string dir = model_dir("dates");
  REQUIRE_MODEL(dir);
  Seq2SeqModel model = Seq2SeqModel::load(dir);
  const int format = GetParam();
  int correct = 0, total = 0;
  double month_mass = 0;
  int month_rows = 0;
  for (int i = 0; i < 40; ++i) {
    const int y = 2000 + (i * 7) % 24, m = 1 + (i * 5) % 12, d = 1 + (i * 11) % 28;
    const std::string input = format_date(y, m, d, format);
    const std::string expected = machine_date(y, m, d);
    Translation t = model.translate(input);
    correct += t.output == expected;
    ++total;
    // Locate the month in the input: the word that names it, or its number.
    const std::string norm = model.prepare_input(input);
    std::vector<std::pair<size_t, size_t>> words;  // [begin, end) of each space-separated word
    for (size_t p = 0; p < norm.size();) {
      size_t q = norm.find(' ', p);
      if (q == std::string::npos) q = norm.size();
      words.emplace_back(p, q);
      p = q + 1;
    }
    size_t month_word = words.size();
    std::string month_lower = month_name(m);
    for (char& c : month_lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (size_t w = 0; w < words.size(); ++w) {
      std::string word = norm.substr(words[w].first, words[w].second - words[w].first);
      if (!word.empty() && word.back() == ',') word.pop_back();
      if (month_lower.rfind(word, 0) == 0 && word.size() >= 3) month_word = w;
    }
    if (month_word == words.size()) month_word = (format == 0) ? 0 : 1;  // "7 30 21": first; "30 07 2021": second
    const AttentionBlock* b = t.run.find(AttentionKind::Cross, 0);
    ASSERT_NE(b, nullptr);
    for (size_t row : {3u, 4u}) {
      double mass = 0;
      for (size_t k = words[month_word].first; k < words[month_word].second; ++k) mass += b->at(0, row, k);
      month_mass += mass;
      ++month_rows;
    }
  }
  const double mean_mass = month_mass / month_rows;
  std::printf("format %d (%s): %d/%d correct, month digits put %.0f%% of their attention on the month\n", format,
              format_date(2021, 7, 30, format).c_str(), correct, total, 100 * mean_mass);
  EXPECT_GE(correct, total - 1);  // the model is trained to 99.5% held-out, not 100%
  EXPECT_GE(mean_mass, 0.5);
}

INSTANTIATE_TEST_SUITE_P(NineFormats, TrainedDates, ::testing::Range(0, kDateFormats));

TEST(TrainedDates, SeedExamples) {
  const std::string dir = model_dir("dates");
  REQUIRE_MODEL(dir);
  Seq2SeqModel model = Seq2SeqModel::load(dir);
  EXPECT_EQ(model.translate("Thrusday, October 13 2011").output, "13-10-2011");
  EXPECT_EQ(model.translate("28 March 2005").output, "28-03-2005");
  EXPECT_EQ(model.translate("FRIDAY 30 JULY 2021").output, "30-07-2021");
}

// Seed 001 on a character model: the masked run is forced onto the original's output, so both
// runs have the same rows and their difference is defined; a placeholder stands in for [MASK].
TEST(TrainedDates, MaskedComparisonSharesTheTarget) {
  const std::string dir = model_dir("dates");
  REQUIRE_MODEL(dir);
  const auto model = Model::load(dir);
  Request req;
  req.input = "Friday 30 July 2021";
  const MaskExperiment e = run_mask_experiment(*model, req, {0, 1, 2, 3, 4, 5});  // "friday"
  e.set.validate();
  EXPECT_EQ(e.original.output, "30-07-2021");
  EXPECT_EQ(e.masked.output_ids, e.original.output_ids);
  const AttentionBlock* a = e.set.runs[0].find(AttentionKind::Cross, 0);
  const AttentionBlock* b = e.set.runs[1].find(AttentionKind::Cross, 0);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->queries, b->queries);
  EXPECT_EQ(a->keys, b->keys);
  EXPECT_NE(a->weights, b->weights);  // the input changed, so the attention did
  EXPECT_EQ(e.set.runs[1].source_tokens[0], model->info().mask_token);
  EXPECT_NE(e.set.runs[1].info.at("mask").find("placeholder"), std::string::npos);
}

// The same on the En->De model when bench/translate has trained one into models/en-de: seed
// 001's sentence with "laws" and "universe" masked by <unk>.
TEST(TrainedTranslation, MaskedComparisonSharesTheTarget) {
  const std::string dir = std::string(ATTNSCOPE_SOURCE_DIR) + "/models/en-de";
  if (!std::filesystem::exists(dir + "/model.safetensors")) GTEST_SKIP() << "skipped: no models/en-de (bench/translate trains it)";
  const auto model = Model::load(dir);
  Request req;
  req.input = "What are the basic physical laws of the universe?";
  const auto positions = mask_positions(model->tokenize(req.input), model->info().subword, MaskSpec::parse_words("laws,universe"));
  const MaskExperiment e = run_mask_experiment(*model, req, positions, "words laws, universe");
  e.set.validate();
  EXPECT_EQ(e.masked.output_ids, e.original.output_ids);
  for (const auto& block : e.set.runs[0].blocks) {
    const AttentionBlock* other = e.set.runs[1].find(block.kind, block.layer);
    ASSERT_NE(other, nullptr);
    EXPECT_EQ(block.queries, other->queries) << block.name();
  }
  for (size_t p : positions) EXPECT_EQ(e.set.runs[1].source_tokens[p], "<unk>");
}

// The 2-layer, 4-head Transformer trained on reverse (tests/train_and_check.sh): solves it, and at
// least one cross-attention head reads the mirrored input position for >= 90% of the outputs.
TEST(TrainedTransformer, ReverseSolvedWithAMirrorHead) {
  const std::string dir = model_dir("reverse-transformer");
  REQUIRE_MODEL(dir);
  const double acc = evaluate_seq2seq(dir);
  std::printf("transformer reverse: held-out exact match %.1f%%\n", 100 * acc);
  EXPECT_GE(acc, 0.99);
  Seq2SeqModel model = Seq2SeqModel::load(dir);
  ASSERT_EQ(model.config().arch, "transformer");
  ASSERT_EQ(model.config().layers, 2);
  ASSERT_EQ(model.config().heads, 4);
  std::map<std::pair<int, size_t>, std::pair<size_t, size_t>> hits;  // (layer, head) -> (hits, total)
  for (const auto& e : heldout_sample("reverse", 200)) {
    Translation t = model.translate(e.input);
    const size_t n = e.input.size();
    for (int layer = 0; layer < 2; ++layer) {
      const AttentionBlock* b = t.run.find(AttentionKind::Cross, layer);
      ASSERT_NE(b, nullptr);
      ASSERT_EQ(b->heads, 4u);
      for (size_t h = 0; h < b->heads; ++h)
        for (size_t i = 0; i < std::min(n, b->queries); ++i) {
          auto& [hit, total] = hits[{layer, h}];
          hit += argmax_row(*b, i, h) == n - 1 - i;
          ++total;
        }
    }
  }
  double best = 0;
  for (const auto& [key, v] : hits) {
    const double share = static_cast<double>(v.first) / v.second;
    std::printf("  cross layer %d head %zu: %.1f%% of outputs attend most to the mirrored input\n", key.first, key.second, 100 * share);
    best = std::max(best, share);
  }
  EXPECT_GE(best, 0.90);
}
