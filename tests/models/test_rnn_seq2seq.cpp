// Behaviour of the RNN encoder-decoder: every option builds, trains a step, records attention
// whose rows sum to 1, keeps local attention inside its window, and survives save/load.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "models/seq2seq_impl.h"
#include "tasks/task.h"

using namespace attnscope;

namespace {

Seq2SeqConfig config_for(const std::string& attention, const std::string& scope, const std::string& cell = "gru",
                         bool input_feeding = false, bool bidirectional = true, int layers = 1) {
  auto task = make_task("reverse");
  Seq2SeqConfig c;
  c.task = task->name();
  c.input_alphabet = task->input_alphabet();
  c.output_alphabet = task->output_alphabet();
  c.max_input_length = static_cast<int>(task->max_input_length());
  c.max_output_length = static_cast<int>(task->max_output_length());
  c.attention = attention;
  c.scope = scope;
  c.cell = cell;
  c.input_feeding = input_feeding;
  c.bidirectional = bidirectional;
  c.layers = layers;
  c.hidden = 32;
  c.embedding = 16;
  c.window = 2;
  return c;
}

// A few training steps on reverse so weights are not at their initial values.
void train_steps(Seq2SeqModel& model, int steps) {
  auto& m = model.impl();
  auto task = make_task("reverse");
  TaskData data(*task, 3, 10);
  torch::optim::Adam opt(m.rnn->parameters(), 0.01);
  m.rnn->train();
  for (int s = 0; s < steps; ++s) {
    std::vector<std::string> in, out;
    for (int i = 0; i < 8; ++i) {
      Example e = data.next_train();
      in.push_back(e.input);
      out.push_back(e.output);
    }
    auto src = m.source_batch(in);
    auto [tin, tout] = m.target_batch(out);
    auto logits = m.rnn->forward_train(m.rnn->encode(src.ids, src.lengths), tin.ids, s % 2 ? 1.0 : 0.5);
    auto loss = torch::nn::functional::cross_entropy(logits.reshape({-1, logits.size(-1)}), tout.ids.reshape({-1}),
                                                     torch::nn::functional::CrossEntropyFuncOptions().ignore_index(0));
    opt.zero_grad();
    loss.backward();
    opt.step();
    ASSERT_TRUE(std::isfinite(loss.item<double>()));
  }
}

void expect_rows_sum_to_one(const AttentionBlock& b) {
  for (size_t h = 0; h < b.heads; ++h)
    for (size_t q = 0; q < b.queries; ++q) {
      double sum = 0;
      for (size_t k = 0; k < b.keys; ++k) sum += b.at(h, q, k);
      EXPECT_NEAR(sum, 1.0, 1e-5) << "row " << q;
    }
}

}  // namespace

class EveryVariant : public ::testing::TestWithParam<std::tuple<std::string, std::string, std::string, bool>> {};

TEST_P(EveryVariant, RecordsNormalisedAttentionInsideItsWindow) {
  auto [attention, scope, cell, feeding] = GetParam();
  Seq2SeqModel model = Seq2SeqModel::create(config_for(attention, scope, cell, feeding), "cpu", 5);
  train_steps(model, 3);
  for (int beam : {1, 3}) {
    DecodeOptions opts;
    opts.beam = beam;
    Translation t = model.translate("abcdefghij", opts);
    ASSERT_EQ(t.run.source_tokens.size(), 11u);  // 10 characters + </s>
    const AttentionBlock* b = t.run.find(AttentionKind::Cross, 0);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->heads, 1u);
    EXPECT_EQ(b->queries, t.run.target_tokens.size());
    EXPECT_EQ(b->keys, t.run.source_tokens.size());
    expect_rows_sum_to_one(*b);
    if (scope == "local-m") {  // step t looks at [t - D, t + D] only
      const int D = model.config().window;
      for (size_t q = 0; q < b->queries; ++q) {
        const int p = std::min<int>(static_cast<int>(q), static_cast<int>(b->keys) - 1);
        for (size_t k = 0; k < b->keys; ++k)
          if (std::abs(static_cast<int>(k) - p) > D) EXPECT_EQ(b->at(0, q, k), 0.0f) << q << "," << k;
      }
    }
    if (scope == "local-p") {  // at most 2D + 1 non-zero weights per row, contiguous
      for (size_t q = 0; q < b->queries; ++q) {
        int nonzero = 0, first = -1, last = -1;
        for (size_t k = 0; k < b->keys; ++k)
          if (b->at(0, q, k) > 0) {
            ++nonzero;
            if (first < 0) first = static_cast<int>(k);
            last = static_cast<int>(k);
          }
        EXPECT_LE(nonzero, 2 * model.config().window + 1);
        EXPECT_EQ(last - first + 1, nonzero);
      }
    }
    EXPECT_EQ(t.run.extras.at("cross.0.scores").shape, (std::vector<size_t>{1, b->queries, b->keys}));
    EXPECT_EQ(t.run.extras.at("cross.0.context").shape, (std::vector<size_t>{b->queries, 32u}));
    // Local attention records each step's window centre p_t, and the set says D; every weight the
    // step gives lies within [p_t - D, p_t + D] of the recorded p_t.
    const AttentionSet set = model.to_attention_set(std::vector<Translation>{t});
    if (scope == "global") {
      EXPECT_EQ(t.run.extras.count("cross.0.position"), 0u);
      EXPECT_EQ(set.meta.count("window"), 0u);
      continue;
    }
    ASSERT_EQ(t.run.extras.count("cross.0.position"), 1u);
    const Array& position = t.run.extras.at("cross.0.position");
    EXPECT_EQ(position.shape, (std::vector<size_t>{b->queries, 1u}));
    EXPECT_EQ(set.meta.at("window"), "2");
    EXPECT_EQ(set.meta.at("scope"), scope);
    const double D = model.config().window;
    for (size_t q = 0; q < b->queries; ++q) {
      const double p = position.data[q];
      EXPECT_GE(p, 0.0) << "step " << q;
      EXPECT_LT(p, static_cast<double>(b->keys)) << "step " << q;
      if (scope == "local-m") EXPECT_EQ(p, std::min<double>(static_cast<double>(q), static_cast<double>(b->keys) - 1));
      for (size_t k = 0; k < b->keys; ++k)
        if (b->at(0, q, k) > 0) EXPECT_LE(std::abs(static_cast<double>(k) - p), D + 1e-4) << q << "," << k;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rnn, EveryVariant,
    ::testing::Values(std::make_tuple("bahdanau", "global", "gru", false), std::make_tuple("luong-dot", "global", "gru", false),
                      std::make_tuple("luong-general", "global", "lstm", false),
                      std::make_tuple("luong-concat", "global", "gru", true),
                      std::make_tuple("luong-general", "local-m", "gru", false),
                      std::make_tuple("luong-general", "local-p", "lstm", true),
                      std::make_tuple("bahdanau", "local-p", "gru", false)));

TEST(RnnSeq2Seq, NoAttentionRecordsNothingAndSaysSo) {
  Seq2SeqModel model = Seq2SeqModel::create(config_for("none", "global"), "cpu", 1);
  Translation t = model.translate("hello");
  EXPECT_TRUE(t.run.blocks.empty());
  EXPECT_NE(t.run.info.at("attention").find("no attention"), std::string::npos);
}

TEST(RnnSeq2Seq, ParallelAndStepwiseDecodersAgree) {
  // Luong without input feeding runs the teacher-forced decoder in one RNN call; the stepwise
  // path must compute the same logits.
  for (const char* cell : {"gru", "lstm"}) {
    Seq2SeqModel model = Seq2SeqModel::create(config_for("luong-general", "local-p", cell, false, true, 2), "cpu", 2);
    auto& m = model.impl();
    m.rnn->eval();
    torch::NoGradGuard ng;
    auto src = m.source_batch({"abcdef", "xyz"});
    auto [tin, tout] = m.target_batch({"fedcba", "zyx"});
    auto enc = m.rnn->encode(src.ids, src.lengths);
    ASSERT_TRUE(m.rnn->parallel_decoder());
    torch::Tensor fast = m.rnn->forward_train(enc, tin.ids, 1.0);
    RnnState state = enc.state;
    std::vector<torch::Tensor> steps;
    for (int64_t t = 0; t < tin.ids.size(1); ++t) steps.push_back(m.rnn->step(tin.ids.select(1, t), state, enc, t));
    EXPECT_TRUE(torch::allclose(fast, torch::stack(steps, 1), 1e-4, 1e-5)) << cell;
  }
}

TEST(RnnSeq2Seq, BatchedGreedyMatchesSingleGreedy) {
  Seq2SeqModel model = Seq2SeqModel::create(config_for("bahdanau", "global", "lstm", true, true, 2), "cpu", 4);
  train_steps(model, 5);
  std::vector<std::string> inputs = {"abcdefg", "hello", "zzzzzzzzzzzz"};
  auto batch = model.translate_batch(inputs);
  for (size_t i = 0; i < inputs.size(); ++i) EXPECT_EQ(batch[i], model.translate(inputs[i]).output);
}

TEST(RnnSeq2Seq, SaveAndLoadGiveTheSameOutputAndWeights) {
  const std::string dir = (std::filesystem::temp_directory_path() / "attnscope-test-rnn").string();
  std::filesystem::remove_all(dir);
  Seq2SeqModel model = Seq2SeqModel::create(config_for("luong-concat", "global", "lstm", true), "cpu", 9);
  train_steps(model, 4);
  model.save(dir);
  Seq2SeqModel back = Seq2SeqModel::load(dir);
  Translation a = model.translate("attention"), b = back.translate("attention");
  EXPECT_EQ(a.output, b.output);
  EXPECT_EQ(a.run.blocks[0].weights, b.run.blocks[0].weights);
  std::filesystem::remove_all(dir);
}

TEST(RnnSeq2Seq, RejectsBadInputWithOneLine) {
  Seq2SeqModel model = Seq2SeqModel::create(config_for("luong-dot", "global"), "cpu", 1);
  auto message = [&](const std::string& in) {
    try {
      model.prepare_input(in);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(message("").find("empty"), std::string::npos);
  EXPECT_NE(message("abcDef").find("'D' at position 3"), std::string::npos);
  EXPECT_NE(message(std::string(200, 'a')).find("at most"), std::string::npos);
  EXPECT_EQ(message("abc").find('\n'), std::string::npos);
}
