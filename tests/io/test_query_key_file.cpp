// Query-key blocks in .attn.safetensors (format attnscope/2): saved and reopened they give the same
// weights and thumbnails; a dense-only set still says attnscope/1; a file whose query-key tensors
// disagree (head width, length, log-sum-exp, mask rule) is refused in one line naming the problem.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "io/attention_file.h"
#include "io/attention_import.h"
#include "io/safetensors.h"
#include "../query_key_fixture.h"
#include "../test_util.h"

using namespace attnscope;
using attnscope::testing::query_key_set;
using attnscope::testing::ScratchDir;
using attnscope::testing::synthetic_query_keys;

TEST(QueryKeyFile, RoundTripKeepsEveryWeightAndThumbnail) {
  ScratchDir dir("qkfile");
  AttentionSet set = query_key_set(synthetic_query_keys(4, 2, 64, 8, 8), 3);
  const std::string path = dir.str() + "/long.attn.safetensors";
  save_attention_set(set, path);
  EXPECT_EQ(SafetensorsFile::open(path).metadata().at("format"), kAttentionFormatQueryKey);
  const AttentionSet back = load_attention_set(path);
  const AttentionBlock& a = set.runs[0].blocks[0];
  const AttentionBlock& b = back.runs[0].blocks[0];
  ASSERT_FALSE(b.dense());
  EXPECT_EQ(b.name(), "decoder-self.3");
  EXPECT_EQ(b.qk->key_heads, 2u);
  EXPECT_EQ(b.qk->mask, MaskRule::Causal);
  EXPECT_EQ(b.qk->lse, a.qk->lse);  // float64 on disk: bit for bit
  EXPECT_EQ(b.qk->thumb_mean, a.qk->thumb_mean);
  std::vector<float> x(64 * 64), y(64 * 64);
  for (size_t h = 0; h < 4; ++h) {
    a.tile(h, 0, 64, 0, 64, x.data());
    b.tile(h, 0, 64, 0, 64, y.data());
    EXPECT_EQ(x, y);
  }
  // Dense again: version 1, readable by older attnscope.
  set.require_dense(1 << 20, "test");
  save_attention_set(set, path);
  EXPECT_EQ(SafetensorsFile::open(path).metadata().at("format"), kAttentionFormat);
  EXPECT_TRUE(load_attention_set(path).runs[0].blocks[0].dense());
}

namespace {

// Saves a query-key set, rewrites one tensor or fact with `edit`, and returns load's error.
template <class Edit>
std::string load_error_after(Edit edit) {
  ScratchDir dir("qkbad");
  const AttentionSet set = query_key_set(synthetic_query_keys(2, 2, 16, 4, 0));
  const QueryKeyHeads& qk = *set.runs[0].blocks[0].qk;
  SafetensorsWriter w;
  std::vector<float> q = qk.q, k = qk.k;
  std::vector<double> lse = qk.lse;
  nlohmann::json facts = {{"scale", qk.scale}, {"mask", "causal"}, {"pool", 0}};
  std::vector<size_t> q_shape = {2, 16, 4}, k_shape = {2, 16, 4}, lse_shape = {2, 16};
  edit(q, q_shape, k, k_shape, lse, lse_shape, facts);
  w.add_f32("decoder-self.0.q", q_shape, q);
  w.add_f32("decoder-self.0.k", k_shape, k);
  w.add("decoder-self.0.lse", DType::F64, lse_shape, lse.data(), lse.size() * sizeof(double));
  std::vector<std::string> tokens;
  for (int i = 0; i < 16; ++i) tokens.push_back("t" + std::to_string(i));
  nlohmann::json run = {{"name", ""}, {"target_tokens", tokens}, {"blocks", {"decoder-self.0"}},
                        {"query_key", {{"decoder-self.0", facts}}}};
  w.set_metadata("format", kAttentionFormatQueryKey);
  w.set_metadata("runs", nlohmann::json::array({run}).dump());
  const std::string path = dir.str() + "/bad.attn.safetensors";
  w.save(path);
  try {
    load_attention_set(path);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "loaded";
}

}  // namespace

TEST(QueryKeyFile, InconsistentFilesAreRefusedInOneLine) {
  using V = std::vector<float>;
  using D = std::vector<double>;
  using S = std::vector<size_t>;
  using J = nlohmann::json;
  EXPECT_EQ(load_error_after([](V&, S&, V&, S&, D&, S&, J&) {}), "loaded");
  const std::string width = load_error_after([](V&, S&, V& k, S& ks, D&, S&, J&) { ks = {2, 8, 8}; k.resize(128); });
  EXPECT_NE(width.find("keys are 8 wide but queries 4"), std::string::npos) << width;
  const std::string length = load_error_after([](V&, S&, V& k, S& ks, D&, S&, J&) { ks = {2, 15, 4}; k.resize(120); });
  EXPECT_NE(length.find("keys"), std::string::npos) << length;
  const std::string nan = load_error_after([](V&, S&, V&, S&, D& l, S&, J&) { l[7] = std::nan(""); });
  EXPECT_NE(nan.find("log-sum-exp is missing or not finite"), std::string::npos) << nan;
  const std::string lse_shape = load_error_after([](V&, S&, V&, S&, D& l, S& ls, J&) { ls = {2, 15}; l.resize(30); });
  EXPECT_NE(lse_shape.find("log-sum-exp shape"), std::string::npos) << lse_shape;
  const std::string rule = load_error_after([](V&, S&, V&, S&, D&, S&, J& f) { f["mask"] = "sliding-window"; });
  EXPECT_NE(rule.find("unknown mask rule 'sliding-window'"), std::string::npos) << rule;
  const std::string scale = load_error_after([](V&, S&, V&, S&, D&, S&, J& f) { f.erase("scale"); });
  EXPECT_NE(scale.find("bad metadata JSON"), std::string::npos) << scale;
  for (const std::string& e : {width, length, nan, lse_shape, rule, scale}) EXPECT_EQ(e.find('\n'), std::string::npos) << e;
}

// Queries and keys dumped from Python (docs/python.md): import computes the log-sum-exps and the
// thumbnails exactly, drops a batch axis of 1, and refuses parts that do not fit in one line.
namespace {

std::string write_dump(const ScratchDir& dir, const QueryKeyHeads& qk, bool batch_axis, bool with_k = true,
                       size_t k_width = 0) {
  SafetensorsWriter w;
  std::vector<size_t> qs = {qk.heads, qk.queries, qk.dim}, ks = {qk.key_heads, qk.keys, k_width ? k_width : qk.dim};
  if (batch_axis) qs.insert(qs.begin(), 1), ks.insert(ks.begin(), 1);
  w.add_f32("decoder-self.2.q", qs, qk.q);
  std::vector<float> k = qk.k;
  k.resize(qk.key_heads * qk.keys * (k_width ? k_width : qk.dim));
  if (with_k) w.add_f32("decoder-self.2.k", ks, k);
  const std::string path = dir.str() + "/dump.safetensors";
  w.save(path);
  return path;
}

}  // namespace

TEST(QueryKeyFile, ImportComputesLogSumExpsAndThumbnails) {
  ScratchDir dir("qkimport");
  const auto ref = synthetic_query_keys(4, 2, 600, 8);
  ImportOptions opt;
  opt.index_tokens = true;
  opt.threads = 2;
  const AttentionSet set = import_attention(write_dump(dir, *ref, /*batch_axis=*/true), opt);
  const AttentionBlock& b = set.runs[0].blocks[0];
  ASSERT_FALSE(b.dense());
  EXPECT_EQ(b.name(), "decoder-self.2");
  EXPECT_EQ(b.qk->key_heads, 2u);
  EXPECT_DOUBLE_EQ(b.qk->scale, ref->scale);  // default 1 / sqrt(d)
  double worst = 0;
  for (size_t i = 0; i < ref->lse.size(); ++i) worst = std::max(worst, std::abs(b.qk->lse[i] - ref->lse[i]));
  EXPECT_LT(worst, 1e-9);
  ASSERT_EQ(b.qk->pool, 4u);  // 600 tokens: thumbnails of 4 x 4 cells
  AttentionBlock dense = b;
  dense.make_dense();
  for (PoolMode mode : {PoolMode::Max, PoolMode::Mean}) {
    const Pooled a = b.pooled(3, 0, 600, 0, 600, 8, mode), e = dense.pooled(3, 0, 600, 0, 600, 8, mode);
    for (size_t i = 0; i < a.values.size(); ++i) ASSERT_NEAR(a.values[i], e.values[i], 1e-6) << pool_name(mode);
  }
  // Saved and reopened: the same weights, without recomputing.
  save_attention_set(set, dir.str() + "/long.attn.safetensors");
  EXPECT_EQ(load_attention_set(dir.str() + "/long.attn.safetensors").runs[0].blocks[0].qk->lse, b.qk->lse);
}

TEST(QueryKeyFile, ImportRefusesPartsThatDoNotFit) {
  ScratchDir dir("qkimportbad");
  const auto ref = synthetic_query_keys(2, 2, 16, 4);
  ImportOptions opt;
  opt.index_tokens = true;
  auto error = [&](const std::string& path) { return attnscope::testing::error_of([&] { import_attention(path, opt); }); };
  EXPECT_NE(error(write_dump(dir, *ref, false, /*with_k=*/false)).find("has queries but no 'decoder-self.2.k'"), std::string::npos);
  EXPECT_NE(error(write_dump(dir, *ref, false, true, /*k_width=*/6)).find("keys are 6 wide but queries 4"), std::string::npos);
  auto bad = *ref;
  bad.q[5] = INFINITY;
  EXPECT_NE(error(write_dump(dir, bad, false)).find("not finite"), std::string::npos);
}
