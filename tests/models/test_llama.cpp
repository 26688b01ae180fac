// The Llama architecture on the real stories260K checkpoint against llama2.c's run.c: first-step
// logits, greedy text token for token, attention invariants, one-line errors for bad files.
// Fixtures: tests/fixtures/stories260K (see its README for how run.c produced them).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "models/loading/llama2c_reader.h"
#include "models/pretrained.h"
#include "../test_util.h"

using attnscope::testing::error_of;
using attnscope::testing::ScratchDir;

using namespace attnscope;
namespace fs = std::filesystem;

namespace {

const std::string kSource = ATTNSCOPE_SOURCE_DIR;
const std::string kModelDir = kSource + "/../shared/models/stories260K";
const std::string kCheckpoint = kModelDir + "/stories260K.bin";
const std::string kFixtures = kSource + "/tests/fixtures/stories260K";

#define SKIP_WITHOUT_SHARED()                      \
  if (!fs::exists(kCheckpoint)) {                  \
    std::printf("skipped: ../shared not found\n"); \
    GTEST_SKIP() << "skipped: ../shared not found"; \
  }

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  return nlohmann::json::parse(in);
}

const PretrainedModel& stories() {
  static PretrainedModel model = PretrainedModel::load(kModelDir);
  return model;
}

}  // namespace

TEST(Llama, FirstStepLogitsMatchRunC) {
  SKIP_WITHOUT_SHARED();
  const std::vector<float> expected = read_json(kFixtures + "/logits_bos.json")["logits"];
  const std::vector<float> got = stories().logits({1});
  ASSERT_EQ(got.size(), expected.size());
  double max_diff = 0;
  for (size_t i = 0; i < got.size(); ++i) max_diff = std::max(max_diff, std::abs(double(got[i]) - expected[i]));
  std::printf("max |logit - run.c| at BOS: %.3g\n", max_diff);
  EXPECT_LT(max_diff, 1e-4);
}

TEST(Llama, GreedyTextFromBosMatchesRunCTokenForToken) {
  SKIP_WITHOUT_SHARED();
  const auto c = read_json(kFixtures + "/greedy.json")["cases"]["bos"];
  const std::vector<int> expected = c["ids"];
  GenerateOptions opts;
  opts.max_new_tokens = static_cast<int>(expected.size()) - 1;
  opts.record = false;
  const Generation g = stories().generate("", opts);
  EXPECT_EQ(g.ids, expected);
  EXPECT_EQ(g.text, c["text"].get<std::string>());
  EXPECT_EQ(g.prompt_length, 1u);
}

TEST(Llama, GreedyTextFromPromptMatchesRunC) {
  SKIP_WITHOUT_SHARED();
  const auto c = read_json(kFixtures + "/greedy.json")["cases"]["prompt"];
  const std::vector<int> expected = c["ids"];
  GenerateOptions opts;
  opts.max_new_tokens = c["new_tokens"];
  opts.record = false;
  const Generation g = stories().generate(c["prompt"], opts);
  EXPECT_EQ(stories().tokenizer().encode(c["prompt"], true),
            std::vector<int>(expected.begin(), expected.begin() + static_cast<long>(g.prompt_length)));
  EXPECT_EQ(g.ids, expected);
  EXPECT_EQ(g.text, c["text"].get<std::string>());
  EXPECT_EQ(g.text.rfind(c["prompt"].get<std::string>(), 0), 0u);
  EXPECT_EQ(g.prompt + g.continuation, g.text);
}

TEST(Llama, RecordsEveryHeadOfEveryLayerCausally) {
  SKIP_WITHOUT_SHARED();
  GenerateOptions opts;
  opts.max_new_tokens = 12;
  const Generation g = stories().generate("Once upon a time", opts);
  const AttentionRun& run = g.run;
  const size_t T = g.ids.size();
  ASSERT_EQ(T, 5u + 12u);
  ASSERT_EQ(run.target_tokens.size(), T);
  EXPECT_EQ(run.target_tokens[0], "<s>");
  EXPECT_EQ(run.target_tokens[1], " Once");
  EXPECT_TRUE(run.source_tokens.empty());
  ASSERT_EQ(run.blocks.size(), 5u);
  for (int l = 0; l < 5; ++l) {
    const AttentionBlock* b = run.find(AttentionKind::DecoderSelf, l);
    ASSERT_NE(b, nullptr) << "decoder-self." << l;
    ASSERT_EQ(b->heads, 8u);
    ASSERT_EQ(b->queries, T);
    ASSERT_EQ(b->keys, T);
    for (size_t h = 0; h < b->heads; ++h)
      for (size_t q = 0; q < T; ++q) {
        double sum = 0;
        for (size_t k = 0; k < T; ++k) {
          sum += b->at(h, q, k);
          if (k > q) ASSERT_EQ(b->at(h, q, k), 0.0f) << "layer " << l << " head " << h << " q " << q << " k " << k;
        }
        ASSERT_NEAR(sum, 1.0, 1e-5) << "layer " << l << " head " << h << " query " << q;
      }
  }
  EXPECT_FLOAT_EQ(run.find(AttentionKind::DecoderSelf, 0)->at(3, 0, 0), 1.0f);  // the first token sees itself only
  const AttentionSet set = stories().to_attention_set({g});
  set.validate();
  EXPECT_EQ(set.meta.at("architecture"), "llama");
  EXPECT_EQ(set.meta.at("subword"), "none");
  EXPECT_EQ(run.info.at("prompt_tokens"), "5");
}

TEST(Llama, GroupedQueryHeadsDiffer) {
  SKIP_WITHOUT_SHARED();
  // Heads 0 and 1 share a key/value head but have their own queries: their weights must differ
  // (a reader that recorded kv heads, or averaged, would make them equal or drop half).
  const AttentionRun run = stories().record(stories().tokenizer().encode("Once upon a time there was", true));
  const AttentionBlock* b = run.find(AttentionKind::DecoderSelf, 2);
  ASSERT_NE(b, nullptr);
  double diff = 0;
  for (size_t q = 0; q < b->queries; ++q)
    for (size_t k = 0; k < b->keys; ++k) diff += std::abs(b->at(0, q, k) - b->at(1, q, k));
  EXPECT_GT(diff, 1e-3);
}

TEST(Llama, BadCheckpointsGiveOneLineErrorsNamingTheFile) {
  SKIP_WITHOUT_SHARED();
  ScratchDir dir("llama_bad");
  const fs::path truncated = dir.path / "truncated.bin";
  fs::copy_file(kCheckpoint, truncated);
  fs::resize_file(truncated, fs::file_size(truncated) - 4096);
  std::string msg = error_of([&] { read_llama2c_checkpoint(truncated.string()); });
  EXPECT_NE(msg.find(truncated.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("1052444 bytes"), std::string::npos) << msg;
  EXPECT_NE(msg.find("needs exactly 1056540"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;

  // Wrong header: 7 query heads do not divide dim 64.
  const fs::path bad_heads = dir.path / "bad_heads.bin";
  fs::copy_file(kCheckpoint, bad_heads);
  {
    std::fstream f(bad_heads, std::ios::in | std::ios::out | std::ios::binary);
    const int32_t seven = 7;
    f.seekp(3 * 4);
    f.write(reinterpret_cast<const char*>(&seven), 4);
  }
  msg = error_of([&] { read_llama2c_checkpoint(bad_heads.string()); });
  EXPECT_NE(msg.find(bad_heads.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("n_heads 7 does not divide dim 64"), std::string::npos) << msg;

  // Garbage header: sizes so large the weight count overflows 64 bits must still fail cleanly.
  const fs::path garbage = dir.path / "garbage.bin";
  {
    std::ofstream f(garbage, std::ios::binary);
    const int32_t h[7] = {1 << 30, 1 << 30, 1 << 30, 1 << 20, 1 << 20, 1 << 30, 1 << 30};
    f.write(reinterpret_cast<const char*>(h), sizeof h);
  }
  msg = error_of([&] { read_llama2c_checkpoint(garbage.string()); });
  EXPECT_NE(msg.find("28 bytes, but its header"), std::string::npos) << msg;

  const fs::path tiny = dir.path / "tiny.bin";
  std::ofstream(tiny) << "abc";
  EXPECT_NE(error_of([&] { read_llama2c_checkpoint(tiny.string()); }).find("too short"), std::string::npos);

  // A folder with two checkpoints, or none beside a tokenizer, is ambiguous: say what was found.
  fs::copy_file(kModelDir + "/tok512.bin", dir.path / "tok512.bin");
  msg = error_of([&] { PretrainedModel::load(dir.path.string()); });
  EXPECT_NE(msg.find("expected exactly one llama2.c checkpoint"), std::string::npos) << msg;
  EXPECT_NE(msg.find("found 4"), std::string::npos) << msg;
  msg = error_of([&] { PretrainedModel::load(truncated.string()); });
  EXPECT_NE(msg.find("needs exactly"), std::string::npos) << msg;
}

TEST(Llama, RecognisesCheckpointsByTheirFiles) {
  SKIP_WITHOUT_SHARED();
  EXPECT_TRUE(PretrainedModel::recognizes(kModelDir));
  EXPECT_TRUE(PretrainedModel::recognizes(kCheckpoint));
  EXPECT_FALSE(PretrainedModel::recognizes(kModelDir + "/tok512.bin"));
  EXPECT_FALSE(PretrainedModel::recognizes(kSource + "/tests"));
  EXPECT_EQ(stories().name(), "stories260K");
  EXPECT_EQ(stories().trained_seq_len(), 512);
  EXPECT_GT(stories().max_seq_len(), 512);  // RoPE runs beyond its training length (test_query_keys)
}
