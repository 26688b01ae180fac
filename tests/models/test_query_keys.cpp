// Query-key capture (core/query_key.h, models/architectures/attention.cpp): every weight computed
// from the recorded queries, keys and log-sum-exps equals the dense path's, on the real
// stories260K and on a random 12 x 12 Llama-style model; rows sum to 1; the thumbnails recorded
// during the pass equal the pooled weights; the Llama runs past the length it was trained on.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>

#include "models/architectures/llama.h"
#include "models/loading/random_llama.h"
#include "models/pretrained.h"
#include "models/recording/attention_recorder.h"
#include "../test_util.h"

using namespace attnscope;
namespace fs = std::filesystem;

namespace {

const std::string kModelDir = std::string(ATTNSCOPE_SOURCE_DIR) + "/../shared/models/stories260K";

std::vector<int> random_ids(size_t n, int vocab, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> pick(3, vocab - 1);
  std::vector<int> ids = {1};
  while (ids.size() < n) ids.push_back(pick(rng));
  return ids;
}

LlamaWeights random_llama(int layers, int heads, int dim, int vocab) {
  return attnscope::random_llama(layers, heads, dim, vocab, 8192, 7);
}

AttentionRun record_llama(const LlamaWeights& w, const std::vector<int>& ids, WeightForm form) {
  torch::InferenceMode no_grad;
  AttentionRecorder rec;
  rec.set_form(form);
  llama_forward(w, torch::tensor(std::vector<int64_t>(ids.begin(), ids.end()), torch::kLong), &rec);
  AttentionRun run;
  for (size_t i = 0; i < ids.size(); ++i) run.target_tokens.push_back(std::to_string(ids[i]));
  rec.into(run);
  return run;
}

// Float32 dense attention is itself off from exact arithmetic by its rounding (scores of peaked
// heads are tens of units, and a float32 matmul of 64 terms rounds them by ~1e-5). So each tile is
// compared with two references: the exact softmax of the recorded queries and keys (float64,
// computed here with torch, independently of the accessor), and the float32 dense weights the
// model recorded on the dense path.
struct Diff {
  double vs_exact = 0;      // |query-key - float64 softmax|
  double vs_dense = 0;      // |query-key - float32 dense|
  double dense_error = 0;   // |float32 dense - float64 softmax|: the dense path's own rounding
  double row_sum = 0;       // |row sum - 1|
  size_t cells = 0;
};

Diff compare(const AttentionRun& dense, const AttentionRun& qk, size_t tiles) {
  Diff d;
  std::mt19937 rng(11);
  EXPECT_EQ(dense.blocks.size(), qk.blocks.size());
  for (size_t b = 0; b < dense.blocks.size(); ++b) {
    const AttentionBlock& D = dense.blocks[b];
    const AttentionBlock& Q = qk.blocks[b];
    EXPECT_TRUE(D.dense());
    EXPECT_FALSE(Q.dense());
    EXPECT_EQ(D.name(), Q.name());
    EXPECT_EQ(Q.queries, D.queries);
    const QueryKeyHeads& qh = *Q.qk;
    const int64_t T = static_cast<int64_t>(D.queries), dim = static_cast<int64_t>(qh.dim);
    const torch::Tensor q_all = torch::from_blob(const_cast<float*>(qh.q.data()), {int64_t(qh.heads), T, dim}).to(torch::kDouble);
    const torch::Tensor k_all = torch::from_blob(const_cast<float*>(qh.k.data()), {int64_t(qh.key_heads), T, dim}).to(torch::kDouble);
    const torch::Tensor causal = torch::ones({T, T}, torch::kBool).tril();
    for (size_t h = 0; h < D.heads; ++h) {
      std::vector<std::array<size_t, 4>> ranges;
      if (tiles == 0) ranges.push_back({0, size_t(T), 0, size_t(T)});
      std::uniform_int_distribution<size_t> at(0, T - 64);
      for (size_t t = 0; t < tiles; ++t) {
        const size_t q0 = at(rng), k0 = t == 0 ? 0 : std::min(q0, at(rng));  // tile 0 holds the first keys (sinks)
        ranges.push_back({q0, q0 + 64, k0, k0 + 64});
      }
      const int64_t kh = int64_t(h / (qh.heads / qh.key_heads));
      std::vector<float> got;
      for (const auto& r : ranges) {
        const int64_t q0 = int64_t(r[0]), q1 = int64_t(r[1]);
        torch::Tensor s = torch::matmul(q_all[int64_t(h)].slice(0, q0, q1), k_all[kh].transpose(0, 1)) * qh.scale;
        s = s.masked_fill(causal.slice(0, q0, q1).logical_not(), -INFINITY);
        const torch::Tensor exact = torch::softmax(s, -1).contiguous();  // [rows, T] float64
        const double* ex = exact.data_ptr<double>();
        got.resize((r[1] - r[0]) * (r[3] - r[2]));
        Q.tile(h, r[0], r[1], r[2], r[3], got.data());
        for (size_t i = r[0]; i < r[1]; ++i)
          for (size_t j = r[2]; j < r[3]; ++j) {
            const double g = got[(i - r[0]) * (r[3] - r[2]) + j - r[2]], x = ex[(int64_t(i) - q0) * T + int64_t(j)];
            d.vs_exact = std::max(d.vs_exact, std::abs(g - x));
            d.vs_dense = std::max(d.vs_dense, std::abs(g - D.at(h, i, j)));
            d.dense_error = std::max(d.dense_error, std::abs(double(D.at(h, i, j)) - x));
            ++d.cells;
          }
        std::vector<float> row(static_cast<size_t>(T));
        Q.tile(h, r[0], r[0] + 1, 0, size_t(T), row.data());
        double sum = 0;
        for (float v : row) sum += v;
        d.row_sum = std::max(d.row_sum, std::abs(sum - 1.0));
      }
    }
  }
  return d;
}

void report_and_check(const char* model, size_t T, const Diff& d) {
  std::printf("%s, %zu tokens, %zu cells: max |qk - exact| %.3g, max |qk - dense float32| %.3g, "
              "max |dense float32 - exact| %.3g, max |row sum - 1| %.3g\n",
              model, T, d.cells, d.vs_exact, d.vs_dense, d.dense_error, d.row_sum);
  EXPECT_LE(d.vs_exact, 1e-6);
  // The query-key path is never further from the float32 dense weights than their own rounding.
  EXPECT_LE(d.vs_dense, d.dense_error + 1e-6);
  EXPECT_LE(d.row_sum, 1e-5);
}

}  // namespace

TEST(QueryKeys, RandomLlamaEqualsDenseEveryCellAt512AndTilesAt2048) {
  const LlamaWeights w = random_llama(12, 12, 768, 512);
  for (size_t T : {512u, 2048u}) {
    const std::vector<int> ids = random_ids(T, 512, 3);
    const AttentionRun dense = record_llama(w, ids, WeightForm::Dense);
    const AttentionRun qk = record_llama(w, ids, WeightForm::QueryKey);
    report_and_check("random 12 x 12 Llama", T, compare(dense, qk, T == 512 ? 0 : 24));
  }
}

TEST(QueryKeys, Stories260KEqualsDenseAndRunsPastItsTrainingLength) {
  if (!fs::exists(kModelDir)) GTEST_SKIP() << "skipped: ../shared not found";
  const PretrainedModel model = PretrainedModel::load(kModelDir);
  EXPECT_EQ(model.trained_seq_len(), 512);
  for (size_t T : {512u, 2048u}) {
    const std::vector<int> ids = random_ids(T, model.vocab_size(), 5);
    const AttentionRun dense = model.record(ids, {{}, {}, WeightForm::Dense});
    const AttentionRun qk = model.record(ids, {{}, {}, WeightForm::QueryKey});
    ASSERT_EQ(qk.blocks.size(), 5u);
    EXPECT_EQ(qk.blocks[0].qk->key_heads, 4u);  // grouped-query attention: 8 query heads read 4 key heads
    report_and_check("stories260K", T, compare(dense, qk, T == 512 ? 0 : 24));
    EXPECT_EQ(qk.info.count("beyond_training"), T > 512 ? 1u : 0u);
  }
}

TEST(QueryKeys, ThumbnailsEqualThePooledWeights) {
  const LlamaWeights w = random_llama(2, 4, 128, 64);
  const AttentionRun qk = record_llama(w, random_ids(1000, 64, 9), WeightForm::QueryKey);
  const AttentionBlock& b = qk.blocks[1];
  ASSERT_EQ(b.qk->pool, 4u);  // 1,000 tokens: 4 x 4 cells, 250 x 250 per head
  AttentionBlock dense = b;
  dense.make_dense();
  ASSERT_TRUE(dense.dense());
  for (PoolMode mode : {PoolMode::Max, PoolMode::Mean})
    for (size_t p : {4u, 8u}) {
      const Pooled from_thumbs = b.pooled(3, 0, 1000, 0, 1000, p, mode);
      const Pooled exact = dense.pooled(3, 0, 1000, 0, 1000, p, mode);
      ASSERT_EQ(from_thumbs.rows, exact.rows);
      ASSERT_EQ(from_thumbs.cols, (1000 + p - 1) / p);
      double worst = 0;
      for (size_t i = 0; i < exact.values.size(); ++i)
        worst = std::max(worst, std::abs(double(from_thumbs.values[i]) - exact.values[i]));
      EXPECT_LE(worst, 1e-6) << pool_name(mode) << " pool " << p;
    }
  // A range that does not line up with the thumbnails is computed, and agrees with the dense one.
  const Pooled odd = b.pooled(0, 3, 203, 1, 150, 5, PoolMode::Mean);
  const Pooled odd_dense = dense.pooled(0, 3, 203, 1, 150, 5, PoolMode::Mean);
  for (size_t i = 0; i < odd.values.size(); ++i) EXPECT_NEAR(odd.values[i], odd_dense.values[i], 1e-6);
}

TEST(QueryKeys, BadRequestsAndBadBlocksSayWhat) {
  const LlamaWeights w = random_llama(1, 2, 64, 32);
  AttentionRun run = record_llama(w, random_ids(40, 32, 1), WeightForm::QueryKey);
  const AttentionBlock& b = run.blocks[0];
  std::vector<float> out(100);
  EXPECT_THROW(b.tile(2, 0, 1, 0, 1, out.data()), std::out_of_range);
  EXPECT_THROW(b.tile(0, 0, 41, 0, 1, out.data()), std::out_of_range);
  EXPECT_THROW(b.tile(0, 5, 5, 0, 1, out.data()), std::out_of_range);
  EXPECT_THROW(b.data(), std::logic_error);
  auto broken = [&](auto change) {
    QueryKeyHeads q = *b.qk;
    change(q);
    try {
      q.validate();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(broken([](QueryKeyHeads& q) { q.dim = 63; }).find("query values"), std::string::npos);
  EXPECT_NE(broken([](QueryKeyHeads& q) { q.keys = 39; }).find("key values"), std::string::npos);
  EXPECT_NE(broken([](QueryKeyHeads& q) { q.lse.pop_back(); }).find("log-sum-exps"), std::string::npos);
  EXPECT_NE(broken([](QueryKeyHeads& q) { q.lse[3] = NAN; }).find("not finite"), std::string::npos);
  EXPECT_NE(broken([](QueryKeyHeads& q) { q.key_heads = 3; }).find("do not divide"), std::string::npos);
  EXPECT_THROW(mask_rule_from_name("sliding"), std::invalid_argument);
}

// Mistral's sliding window in both paths: a query sees only the `window` keys ending at its own,
// in the dense weights, in every cell a query-key block computes, in its thumbnails, and the
// blocked pass gives the same logits as the dense one.
TEST(QueryKeys, SlidingWindowHoldsInEveryPath) {
  LlamaWeights w = attnscope::random_llama(2, 4, 128, 64, 8192, 5);
  w.config.sliding_window = 50;
  const std::vector<int> ids = random_ids(600, 64, 4);
  const AttentionRun dense = record_llama(w, ids, WeightForm::Dense);
  const AttentionRun qk = record_llama(w, ids, WeightForm::QueryKey);
  ASSERT_EQ(dense.blocks.size(), qk.blocks.size());
  double worst = 0, worst_thumb = 0;
  for (size_t b = 0; b < dense.blocks.size(); ++b) {
    const AttentionBlock& D = dense.blocks[b];
    const AttentionBlock& Q = qk.blocks[b];
    ASSERT_FALSE(Q.dense());
    EXPECT_EQ(Q.qk->window, 50u);
    const size_t T = D.queries, P = Q.qk->pool;
    std::vector<float> got(T * T);
    for (size_t h = 0; h < D.heads; ++h) {
      Q.tile(h, 0, T, 0, T, got.data());
      for (size_t i = 0; i < T; ++i)
        for (size_t j = 0; j < T; ++j) {
          const bool inside = j <= i && j + 50 > i;
          if (!inside) {
            ASSERT_EQ(D.at(h, i, j), 0.0f) << "dense " << i << "," << j;
            ASSERT_EQ(got[i * T + j], 0.0f) << "query-key " << i << "," << j;
          }
          worst = std::max(worst, std::abs(double(got[i * T + j]) - D.at(h, i, j)));
        }
      ASSERT_GT(P, 0u);
      const size_t rows = Q.qk->thumb_rows();
      for (size_t r = 0; r < rows; ++r)
        for (size_t c = 0; c < rows; ++c) {
          float mx = 0;
          for (size_t i = r * P; i < std::min(T, r * P + P); ++i)
            for (size_t j = c * P; j < std::min(T, c * P + P); ++j) mx = std::max(mx, D.at(h, i, j));
          worst_thumb = std::max(worst_thumb, std::abs(double(Q.qk->thumb_max[(h * rows + r) * rows + c]) - mx));
        }
    }
  }
  // The blocked pass (query-key capture) and the dense pass compute the same model.
  torch::InferenceMode no_grad;
  const torch::Tensor t = torch::tensor(std::vector<int64_t>(ids.begin(), ids.end()), torch::kLong);
  AttentionRecorder dense_rec, qk_rec;
  dense_rec.set_form(WeightForm::Dense);
  qk_rec.set_form(WeightForm::QueryKey);
  const double logits = (llama_forward(w, t, &dense_rec) - llama_forward(w, t, &qk_rec)).abs().max().item<double>();
  std::printf("sliding window 50, 600 tokens: max |query-key - dense| %.3g, thumbnails %.3g, logits %.3g\n", worst,
              worst_thumb, logits);
  EXPECT_LE(logits, 1e-4);
  EXPECT_LE(worst, 2e-5);
  EXPECT_LE(worst_thumb, 2e-5);
}
