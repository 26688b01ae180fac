#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

#include "io/atomic_file.h"
#include "io/attention_file.h"
#include "io/safetensors.h"

using namespace attnscope;

namespace {

AttentionSet sample_set(size_t runs = 1) {
  AttentionSet set;
  set.meta["model"] = "test";
  set.meta["subword"] = "none";
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (size_t r = 0; r < runs; ++r) {
    AttentionRun run;
    run.name = "run" + std::to_string(r);
    run.input_text = "abc";
    run.output_text = "cba";
    run.source_tokens = {"a", "b", "c", "</s>"};
    run.target_tokens = {"c", "b", "a", "</s>"};
    run.info["decoding"] = "greedy";
    for (int layer = 0; layer < 2; ++layer) {
      AttentionBlock b;
      b.kind = layer == 0 ? AttentionKind::Cross : AttentionKind::EncoderSelf;
      b.layer = layer;
      b.heads = 3;
      b.queries = 4;
      b.keys = 4;
      for (size_t i = 0; i < 48; ++i) b.weights.push_back(u(rng));
      run.blocks.push_back(b);
    }
    run.extras["cross.0.scores"] = Array{{1, 4, 4}, std::vector<float>(16, -1.5f)};
    set.runs.push_back(run);
  }
  return set;
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("attnscope-test-" + name)).string();
}

}  // namespace

TEST(AttentionFile, RoundTripIsBitExact) {
  for (size_t runs : {1u, 3u}) {
    AttentionSet set = sample_set(runs);
    const std::string path = temp_path("roundtrip.attn.safetensors");
    save_attention_set(set, path);
    AttentionSet back = load_attention_set(path);
    ASSERT_EQ(back.runs.size(), runs);
    EXPECT_EQ(back.meta, set.meta);
    for (size_t r = 0; r < runs; ++r) {
      const auto& a = set.runs[r];
      const auto& b = back.runs[r];
      EXPECT_EQ(a.name, b.name);
      EXPECT_EQ(a.source_tokens, b.source_tokens);
      EXPECT_EQ(a.target_tokens, b.target_tokens);
      EXPECT_EQ(a.info, b.info);
      ASSERT_EQ(a.blocks.size(), b.blocks.size());
      for (size_t i = 0; i < a.blocks.size(); ++i) {
        EXPECT_EQ(a.blocks[i].kind, b.blocks[i].kind);
        EXPECT_EQ(a.blocks[i].layer, b.blocks[i].layer);
        ASSERT_EQ(a.blocks[i].weights.size(), b.blocks[i].weights.size());
        EXPECT_EQ(0, std::memcmp(a.blocks[i].weights.data(), b.blocks[i].weights.data(), a.blocks[i].weights.size() * 4));
      }
      EXPECT_EQ(a.extras.at("cross.0.scores").data, b.extras.at("cross.0.scores").data);
    }
    std::filesystem::remove(path);
  }
}

TEST(AttentionFile, HeaderFollowsSafetensorsLayout) {
  const std::string bytes = attention_set_bytes(sample_set(1));
  ASSERT_GE(bytes.size(), 8u);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<uint8_t>(bytes[i]);
  ASSERT_LE(8 + n, bytes.size());
  EXPECT_EQ((8 + n) % 8, 0u) << "data buffer should start 8-byte aligned";
  auto header = nlohmann::json::parse(bytes.substr(8, n));
  ASSERT_TRUE(header.contains("__metadata__"));
  for (auto& [k, v] : header["__metadata__"].items()) EXPECT_TRUE(v.is_string()) << k;
  EXPECT_EQ(header["__metadata__"]["format"], "attnscope/1");
  // Tensor names follow <kind>.<layer>; offsets tile the data buffer exactly.
  std::vector<std::pair<size_t, size_t>> ranges;
  for (auto& [name, t] : header.items()) {
    if (name == "__metadata__") continue;
    EXPECT_EQ(t["dtype"], "F32");
    size_t numel = 1;
    for (auto d : t["shape"]) numel *= d.get<size_t>();
    size_t b = t["data_offsets"][0], e = t["data_offsets"][1];
    EXPECT_EQ(e - b, numel * 4) << name;
    ranges.emplace_back(b, e);
  }
  EXPECT_TRUE(header.contains("cross.0"));
  EXPECT_TRUE(header.contains("encoder-self.1"));
  EXPECT_EQ(header["cross.0"]["shape"], nlohmann::json({3, 4, 4}));
  std::sort(ranges.begin(), ranges.end());
  size_t expect = 0;
  for (auto [b, e] : ranges) {
    EXPECT_EQ(b, expect);
    expect = e;
  }
  EXPECT_EQ(expect, bytes.size() - 8 - n);
}

TEST(AttentionFile, RejectsCorruptFiles) {
  const std::string good = attention_set_bytes(sample_set(1));
  const std::string path = temp_path("corrupt.attn.safetensors");
  auto expect_error = [&](const std::string& bytes, const std::string& needle) {
    write_file_atomic(path, bytes);
    try {
      load_attention_set(path);
      FAIL() << "no error for: " << needle;
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_error("", "shorter than");
  expect_error(good.substr(0, 20), "runs past the end");
  expect_error(good.substr(0, good.size() - 4), "outside");
  expect_error(good + "xxxx", "trailing");
  std::string bad_len = good;
  bad_len[7] = '\x7f';
  expect_error(bad_len, "exceeds");
  std::string not_json = good;
  not_json[8] = '!';
  expect_error(not_json, "not JSON");
  std::filesystem::remove(path);
  EXPECT_THROW(load_attention_set(temp_path("does-not-exist")), std::runtime_error);
}

TEST(AtomicFile, LeavesNothingBehindWhenNotCommitted) {
  const std::string path = temp_path("atomic.txt");
  std::filesystem::remove(path);
  {
    AtomicFile f(path);
    f.write("partial");
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  for (auto& e : std::filesystem::directory_iterator(std::filesystem::temp_directory_path()))
    EXPECT_EQ(e.path().string().find("attnscope-test-atomic.txt.tmp"), std::string::npos);
  write_file_atomic(path, "whole");
  EXPECT_EQ(read_file(path), "whole");
  std::filesystem::remove(path);
}
