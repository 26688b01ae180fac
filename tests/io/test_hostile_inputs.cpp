// Hostile inputs at the library level (the CLI side is tests/cli/hostile_files.sh; both in
// docs/robustness.md): nesting is bounded before anything recurses, declared sizes are checked
// before anything is allocated, and every refusal names what is wrong.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "../test_util.h"
#include "io/attention_file.h"
#include "io/attention_json.h"
#include "io/json_limits.h"
#include "io/npy.h"
#include "io/safetensors.h"
#include "io/zip_reader.h"
#include "zip_fixture.h"

namespace attnscope {
namespace {

std::string nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// The error `f` throws (a std::runtime_error), or "" when it throws none.
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(JsonLimits, DepthIsBoundedAndStringsDoNotCount) {
  EXPECT_NO_THROW(check_json_depth(nested(kMaxJsonDepth), "ok.json"));
  EXPECT_EQ(error_of([] { check_json_depth(nested(kMaxJsonDepth + 1), "x.json"); }),
            "x.json: JSON nests deeper than 512 levels (at byte 512); refusing it");
  EXPECT_NO_THROW(check_json_depth("[\"" + std::string(10000, '[') + "\\\"{\"]", "s.json"));
  // A 100,000-deep value is refused before the parser, and the walkers after it, see it.
  EXPECT_NE(error_of([] { parse_json_bounded(nested(100000), "deep.json"); }).find("deep.json: JSON nests deeper"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_attention_json(nested(100000), "deep.json"); }).find("deep.json: JSON nests deeper"),
            std::string::npos);
  EXPECT_EQ(parse_json_bounded("{\"a\": [1, 2]}", "ok.json")["a"][1], 2);
}

TEST(JsonLimits, TopLevelItemsAreCountedWithoutParsing) {
  EXPECT_EQ(json_top_level_items("[]"), 0u);
  EXPECT_EQ(json_top_level_items(" [ ] "), 0u);
  EXPECT_EQ(json_top_level_items("[1]"), 1u);
  EXPECT_EQ(json_top_level_items("[{}]"), 1u);
  EXPECT_EQ(json_top_level_items("[{}, {}, {}]"), 3u);
  EXPECT_EQ(json_top_level_items("[[1, 2], [3], \"a,b\"]"), 3u);
  EXPECT_EQ(json_top_level_items("{\"a\": 1, \"b\": [1, 2]}"), 2u);
  EXPECT_EQ(json_top_level_items("\"a, b\""), 0u);
}

// An .npy file with `dict` as its header (a version 2 header: its length may pass 64 KB).
std::string npy_with_header(const std::string& dict) {
  std::string header = dict + "\n";
  std::string out = "\x93NUMPY\x02";
  out += '\0';
  for (int i = 0; i < 4; ++i) out += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return out + header;
}

TEST(NpyLimits, DeepHeadersAndTextItemSizesAreRefused) {
  const std::string deep = "{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': " + nested(50000) + "}";
  EXPECT_NE(error_of([&] { parse_npy(npy_with_header(deep), "deep.npy"); }).find("deep.npy: bad .npy header at character"),
            std::string::npos);
  EXPECT_NE(error_of([&] { parse_npy(npy_with_header(deep), "deep.npy"); }).find("nests deeper than 32 levels"),
            std::string::npos);
  // 4 * 4611686018427387904 wraps to 0; 99999999999999999999 is past any integer; 0 is nothing.
  auto text = [](const std::string& descr, const std::string& shape) {
    return npy_with_header("{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }");
  };
  EXPECT_EQ(error_of([&] { parse_npy(text("<U4611686018427387904", "(1000000000000,)"), "w.npy"); }),
            "w.npy: dtype '<U4611686018427387904' declares an item size over 1073741824 bytes");
  EXPECT_EQ(error_of([&] { parse_npy(text("<U99999999999999999999", "(1,)"), "h.npy"); }),
            "h.npy: dtype '<U99999999999999999999' declares an item size over 1073741824 bytes");
  EXPECT_EQ(error_of([&] { parse_npy(text("|S0", "(1000000000000,)"), "z.npy"); }), "z.npy: dtype '|S0' has items of zero bytes");
  // A sane text array still reads.
  const NpyArray ok = parse_npy(text("|S2", "(2,)") + "abcd", "ok.npy");
  ASSERT_EQ(ok.strings.size(), 2u);
  EXPECT_EQ(ok.strings[1], "cd");
}

TEST(ZipLimits, ExtractRefusesAMemberFarLargerThanTheArchiveBeforeInflatingIt) {
  // 80 MiB of zeros deflate to ~80 KB: past 64 times the archive and past the 64 MiB floor.
  const std::string zeros(80u << 20, '\0');
  const ZipReader zip = ZipReader::from_bytes(testing::make_zip({{"big.npy", zeros, true}}), "bomb.npz");
  const std::string error = error_of([&] { zip.extract(zip.members()[0]); });
  EXPECT_NE(error.find("bomb.npz: member 'big.npy' inflates to 83886080 bytes"), std::string::npos) << error;
  EXPECT_NE(error.find("a zip bomb?"), std::string::npos) << error;
  // Under the floor, a highly compressible member is fine.
  const std::string some(1u << 20, '\0');
  const ZipReader small = ZipReader::from_bytes(testing::make_zip({{"zeros.npy", some, true}}), "ok.npz");
  EXPECT_EQ(small.extract(small.members()[0]).size(), some.size());
}

// An attnscope attention file with one [1, 1, 1] block "cross.0" and an extra "e", whose
// metadata "runs" is `runs`.
std::string attention_file_with_runs(const testing::ScratchDir& dir, const std::string& runs) {
  SafetensorsWriter w;
  w.add_f32("cross.0", {1, 1, 1}, std::vector<float>{1.0f});
  w.add_f32("e", {1}, std::vector<float>{0.0f});
  w.set_metadata("format", kAttentionFormat);
  w.set_metadata("runs", runs);
  const std::string path = dir.str() + "/x.attn.safetensors";
  w.save(path);
  return path;
}

TEST(AttentionFileLimits, RunsPastTheTensorsAndNamesListedTwiceAreRefused) {
  const testing::ScratchDir dir("hostile_runs");
  const std::string run = R"({"source_tokens": ["a"], "target_tokens": ["a"], "blocks": ["cross.0"], "extras": ["e"]})";
  EXPECT_NO_THROW(load_attention_set(attention_file_with_runs(dir, "[" + run + "]")));
  const std::string many = attention_file_with_runs(dir, "[" + run + ", {}, {}]");
  EXPECT_NE(testing::error_of([&] { load_attention_set(many); }).find("\"runs\" lists 3 runs but the file holds only 2 tensor(s)"),
            std::string::npos);
  const std::string twice = attention_file_with_runs(
      dir, R"([{"source_tokens": ["a"], "target_tokens": ["a"], "blocks": ["cross.0", "cross.0"]}])");
  EXPECT_NE(testing::error_of([&] { load_attention_set(twice); }).find("run 0 lists block cross.0 twice"), std::string::npos);
  const std::string extra_twice = attention_file_with_runs(
      dir, R"([{"source_tokens": ["a"], "target_tokens": ["a"], "blocks": ["cross.0"], "extras": ["e", "e"]}])");
  EXPECT_NE(testing::error_of([&] { load_attention_set(extra_twice); }).find("run 0 lists extra e twice"), std::string::npos);
}

}  // namespace
}  // namespace attnscope
