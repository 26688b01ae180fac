// The streamed .npz -> .attn.safetensors import (import_attention_to_file) against the in-memory
// path (import_attention + save_attention_set): the same bytes for stored and deflated members,
// float16, float64 and Fortran order, elements split across read chunks; the same one-line
// errors, and no output file (nor temp file) left behind when one is raised.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/atomic_file.h"
#include "io/attention_file.h"
#include "io/attention_import.h"
#include "io/zip_reader.h"
#include "zip_fixture.h"

using namespace attnscope;
using namespace attnscope::testing;
namespace fs = std::filesystem;

namespace {

class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("attnscope-npz-" + std::to_string(::getpid()) + "-" +
                                                  ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  size_t count() const { return static_cast<size_t>(std::distance(fs::directory_iterator(path_), fs::directory_iterator())); }

 private:
  fs::path path_;
};


// A .npy file; `pad` spaces before the header's closing '\n' (numpy pads to 64 bytes; an odd
// pad puts the data at an odd offset, so elements straddle read chunks).
std::string npy(const std::string& descr, bool fortran, const std::vector<size_t>& shape, const std::string& data, size_t pad = 0) {
  std::string dims = "(";
  for (size_t i = 0; i < shape.size(); ++i) dims += (i ? ", " : "") + std::to_string(shape[i]);
  dims += shape.size() == 1 ? ",)" : ")";
  std::string header = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + dims + ", }";
  header.append(pad, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  put(out, header.size(), 2);
  return out + header + data;
}

size_t numel(const std::vector<size_t>& shape) {
  size_t n = 1;
  for (size_t d : shape) n *= d;
  return n;
}

// Softmaxed-looking random weights as float32, float16 or float64 bytes.
std::string weights(const std::string& descr, size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    const float x = u(rng);
    if (descr == "<f4") out.append(reinterpret_cast<const char*>(&x), 4);
    else if (descr == "<f8") { const double d = x; out.append(reinterpret_cast<const char*>(&d), 8); }
    else put(out, static_cast<uint16_t>(rng() % 0x3C00), 2);  // a float16 in [0, 1)
  }
  return out;
}

std::string tokens_npy(size_t n) {
  std::string data;
  for (size_t i = 0; i < n; ++i) {
    const std::string t = "t" + std::to_string(i % 10);
    for (char c : t) put(data, static_cast<unsigned char>(c), 4);
  }
  return npy("<U2", false, {n}, data);
}

// Imports `zip_bytes` both ways; returns the two output files' bytes (in-memory path, streamed).
std::pair<std::string, std::string> both_ways(const TempDir& dir, const std::string& zip_bytes, const ImportOptions& opt = {}) {
  const std::string in = dir / "in.npz";
  write_file_atomic(in, zip_bytes);
  const AttentionSet in_memory = import_attention(in, opt);
  save_attention_set(in_memory, dir / "old.attn.safetensors");
  const AttentionSet streamed = import_attention_to_file(in, opt, dir / "new.attn.safetensors");
  EXPECT_EQ(streamed.runs.size(), in_memory.runs.size());
  if (!streamed.runs.empty() && !in_memory.runs.empty())
    EXPECT_EQ(streamed.runs[0].blocks.size(), in_memory.runs[0].blocks.size());
  return {read_file(dir / "old.attn.safetensors"), read_file(dir / "new.attn.safetensors")};
}

void expect_same_sets(const std::string& a_path, const std::string& b_path) {
  const AttentionSet a = load_attention_set(a_path), b = load_attention_set(b_path);
  ASSERT_EQ(a.runs.size(), b.runs.size());
  EXPECT_EQ(a.meta, b.meta);
  for (size_t r = 0; r < a.runs.size(); ++r) {
    EXPECT_EQ(a.runs[r].source_tokens, b.runs[r].source_tokens);
    ASSERT_EQ(a.runs[r].blocks.size(), b.runs[r].blocks.size());
    for (size_t i = 0; i < a.runs[r].blocks.size(); ++i) {
      const AttentionBlock &x = a.runs[r].blocks[i], &y = b.runs[r].blocks[i];
      EXPECT_EQ(x.name(), y.name());
      ASSERT_EQ(x.weights.size(), y.weights.size());
      EXPECT_EQ(0, std::memcmp(x.weights.data(), y.weights.data(), x.weights.size() * sizeof(float))) << x.name();
    }
  }
}

// Both paths' error on `zip_bytes`; checks the streamed one left no file behind.
std::pair<std::string, std::string> errors_both_ways(const std::string& zip_bytes, const ImportOptions& opt = {}) {
  TempDir dir;
  const std::string in = dir / "in.npz";
  write_file_atomic(in, zip_bytes);
  std::string old_error, new_error;
  try {
    import_attention(in, opt);
  } catch (const std::runtime_error& e) {
    old_error = e.what();
  }
  try {
    import_attention_to_file(in, opt, dir / "out.attn.safetensors");
  } catch (const std::runtime_error& e) {
    new_error = e.what();
  }
  EXPECT_EQ(dir.count(), 1u) << "the failed import left a file beside in.npz";
  EXPECT_EQ(new_error.find('\n'), std::string::npos);
  return {old_error.substr(old_error.find(": ") + 2), new_error.substr(new_error.find(": ") + 2)};
}

std::vector<Member> layers(size_t count, size_t heads, size_t t, bool deflate, const std::string& descr = "<f4") {
  std::vector<Member> m;
  for (size_t l = 0; l < count; ++l)
    m.push_back({"encoder-self." + std::to_string(l) + ".npy",
                 npy(descr, false, {heads, t, t}, weights(descr, heads * t * t, static_cast<unsigned>(l + 1))), deflate});
  m.push_back({"tokens.npy", tokens_npy(t), deflate});
  return m;
}

}  // namespace

TEST(StreamedNpzImport, SameBytesAsInMemoryForEveryMemberKind) {
  const std::vector<size_t> s = {2, 5, 5};
  for (bool deflate : {false, true}) {
    TempDir dir;
    std::vector<Member> m = {
        {"encoder-self.0.npy", npy("<f4", false, s, weights("<f4", numel(s), 1)), deflate},
        {"encoder-self.1.npy", npy("<f2", false, s, weights("<f2", numel(s), 2)), deflate},
        {"encoder-self.2.npy", npy("<f4", true, s, weights("<f4", numel(s), 3)), deflate},  // Fortran order
        {"encoder-self.3.npy", npy("<f8", false, s, weights("<f8", numel(s), 4)), deflate},
        {"tokens.npy", tokens_npy(5), deflate},
        {"cross.0.npy", npy("<f2", true, {1, 2, 5, 5}, weights("<f2", 50, 5)), deflate},  // [1, H, Q, K], Fortran
    };
    const auto [old_bytes, new_bytes] = both_ways(dir, make_zip(m));
    EXPECT_EQ(old_bytes, new_bytes) << (deflate ? "deflated" : "stored");
    expect_same_sets(dir / "old.attn.safetensors", dir / "new.attn.safetensors");
  }
}

TEST(StreamedNpzImport, LoneArrayOfEveryLayerAndNaturalNameOrder) {
  TempDir dir;
  ImportOptions opt;
  opt.index_tokens = true;
  const std::vector<size_t> s = {3, 2, 4, 4};
  const auto [a, b] = both_ways(dir, make_zip({{"attn.npy", npy("<f2", false, s, weights("<f2", numel(s), 7)), true}}), opt);
  EXPECT_EQ(a, b);
  TempDir dir2;
  std::vector<Member> m;
  for (int l : {10, 2, 0, 1})  // layer_2 before layer_10, whatever the archive order
    m.push_back({"layer_" + std::to_string(l) + ".npy", npy("<f4", false, {2, 3, 3}, weights("<f4", 18, static_cast<unsigned>(l))), false});
  const auto [c, d] = both_ways(dir2, make_zip(m), opt);
  EXPECT_EQ(c, d);
}

TEST(StreamedNpzImport, ElementsSplitAcrossReadChunks) {
  // 1.2M float32 (4.8 MB, more than one ZipReader::kChunk) at an odd data offset.
  const size_t t = 1100, heads = 1;
  for (const char* descr : {"<f4", "<f2", "<f8"})
    for (bool deflate : {false, true}) {
      TempDir dir;
      const std::vector<Member> m = {
          {"encoder-self.0.npy", npy(descr, false, {heads, t, t}, weights(descr, heads * t * t, 9), 3), deflate},
          {"tokens.npy", tokens_npy(t), false}};
      const auto [a, b] = both_ways(dir, make_zip(m));
      EXPECT_TRUE(a == b) << descr << (deflate ? " deflated" : " stored");
    }
}

TEST(StreamedNpzImport, SameOneLineErrorsAndNoFileLeft) {
  // Shape mismatch between layers.
  std::vector<Member> m = layers(2, 2, 4, false);
  m[1].data = npy("<f4", false, {2, 3, 3}, weights("<f4", 18, 2));
  auto [old_e, new_e] = errors_both_ways(make_zip(m));
  EXPECT_EQ(new_e, old_e);
  EXPECT_NE(new_e.find("block encoder-self.1 is 3 queries x 3 keys, but there are 4 source tokens"), std::string::npos) << new_e;

  // A non-finite weight in the second layer, found while writing: named by its place in the array.
  for (bool deflate : {false, true}) {
    m = layers(2, 2, 4, deflate);
    std::string data = weights("<f4", 32, 2);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::memcpy(data.data() + 4 * 21, &nan, 4);
    m[1].data = npy("<f4", false, {2, 4, 4}, data);
    std::tie(old_e, new_e) = errors_both_ways(make_zip(m));
    EXPECT_EQ(new_e, old_e);
    EXPECT_EQ(new_e, "array 'encoder-self.1' holds a non-finite weight (nan) at [1, 1, 1]");
  }

  // A member whose .npy header claims more data than it holds, or less.
  m = layers(2, 2, 4, false);
  m[1].data = npy("<f4", false, {2, 4, 5}, weights("<f4", 32, 2));
  std::tie(old_e, new_e) = errors_both_ways(make_zip(m));
  EXPECT_EQ(new_e, old_e);
  EXPECT_NE(new_e.find("truncated: shape needs 160 data bytes, file has 128"), std::string::npos) << new_e;
  m[1].data = npy("<f4", false, {2, 4, 3}, weights("<f4", 32, 2));
  std::tie(old_e, new_e) = errors_both_ways(make_zip(m));
  EXPECT_EQ(new_e, old_e);
  EXPECT_NE(new_e.find("32 bytes after the array data"), std::string::npos) << new_e;

  // A damaged member, found after its weights were written: CRC-32 (stored), bad deflate data.
  m = layers(2, 2, 4, false);
  std::string zip = make_zip(m);
  zip[zip.find(m[1].data) + 200] ^= 0x40;
  std::tie(old_e, new_e) = errors_both_ways(zip);
  EXPECT_EQ(new_e, old_e);
  EXPECT_NE(new_e.find("CRC-32 mismatch"), std::string::npos) << new_e;
  m = layers(2, 2, 4, true);
  zip = make_zip(m);
  const std::string body = raw_deflate(m[1].data);
  zip[zip.find(body) + body.size() / 2] ^= 0x5a;
  std::tie(old_e, new_e) = errors_both_ways(zip);
  EXPECT_EQ(new_e, old_e);
  EXPECT_FALSE(new_e.empty());

  // A truncated archive.
  zip = make_zip(layers(2, 2, 4, false));
  std::tie(old_e, new_e) = errors_both_ways(zip.substr(0, zip.size() - 40));
  EXPECT_EQ(new_e, old_e);
  EXPECT_NE(new_e.find("not a valid zip/.npz archive"), std::string::npos) << new_e;
}

TEST(StreamedNpzImport, AFailedImportKeepsTheOldOutputFile) {
  TempDir dir;
  const std::string in = dir / "in.npz", out = dir / "out.attn.safetensors";
  std::vector<Member> m = layers(2, 2, 4, false);
  write_file_atomic(in, make_zip(m));
  import_attention_to_file(in, {}, out);
  const std::string before = read_file(out);
  std::string zip = make_zip(m);
  zip[zip.find(m[1].data) + 200] ^= 0x40;
  write_file_atomic(in, zip);
  EXPECT_THROW(import_attention_to_file(in, {}, out), std::runtime_error);
  EXPECT_EQ(read_file(out), before);
  EXPECT_EQ(dir.count(), 2u);
}
