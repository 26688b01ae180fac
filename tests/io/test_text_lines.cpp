// Corpus reading: line ends, gzip (written here with zlib), damage, UTF-8 checks, Multi30k speed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "io/text_lines.h"
#include "zip_fixture.h"

using attnscope::testing::gzip;
#include "../test_util.h"

using attnscope::testing::error_of;

using namespace attnscope;
using Lines = std::vector<std::string>;

namespace {

struct TempDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("attnscope-test-text-lines-" + std::to_string(::getpid()));
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name, const std::string& bytes) const {
    const std::string p = (path / name).string();
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
};

}  // namespace

TEST(TextLines, LineEnds) {
  EXPECT_EQ(split_text_lines("a\nb\r\n\nc", "t"), (Lines{"a", "b", "", "c"}));
  EXPECT_EQ(split_text_lines("a\n", "t"), (Lines{"a"}));
  EXPECT_EQ(split_text_lines("a\n\n", "t"), (Lines{"a", ""}));
  EXPECT_EQ(split_text_lines("", "t"), Lines{});
  EXPECT_EQ(split_text_lines("\r\n", "t"), (Lines{""}));
  EXPECT_EQ(split_text_lines("a\rb\n", "t"), (Lines{"a\rb"}));  // only a \r before \n is a line end
}

TEST(TextLines, PlainAndGzipFiles) {
  const TempDir dir;
  const std::string text = "Zwei junge weiße Männer\r\nsind im Freien.\n";
  EXPECT_EQ(read_text_lines(dir.file("a.txt", text)), (Lines{"Zwei junge weiße Männer", "sind im Freien."}));
  EXPECT_EQ(read_text_lines(dir.file("a.txt.gz", gzip(text))), (Lines{"Zwei junge weiße Männer", "sind im Freien."}));
  // Concatenated gzip members read as one stream, as zcat does.
  EXPECT_EQ(read_text_lines(dir.file("two.gz", gzip("x\n") + gzip("y\n"))), (Lines{"x", "y"}));
  // Larger than one inflate chunk.
  std::string big;
  for (int i = 0; i < 100000; ++i) big += "line " + std::to_string(i) + "\n";
  const Lines lines = read_text_lines(dir.file("big.gz", gzip(big)));
  ASSERT_EQ(lines.size(), 100000u);
  EXPECT_EQ(lines.back(), "line 99999");
}

TEST(TextLines, ErrorsNameTheFile) {
  const TempDir dir;
  EXPECT_EQ(error_of([] { read_text_lines("/nonexistent/train.de"); }),
            "cannot read /nonexistent/train.de: No such file or directory");
  EXPECT_EQ(error_of([] { read_text_lines("/nonexistent/train.de.gz"); }),
            "cannot read /nonexistent/train.de.gz: No such file or directory");
  const std::string plain = dir.file("plain.gz", "not gzip\n");
  EXPECT_EQ(error_of([&] { read_text_lines(plain); }), plain + ": not a gzip file (the name ends in .gz)");
  std::string gz = gzip(std::string(5000, 'a'));
  const std::string cut = dir.file("cut.gz", gz.substr(0, gz.size() / 2));
  EXPECT_NE(error_of([&] { read_text_lines(cut); }).find(cut + ": corrupt or cut-off gzip data"), std::string::npos);
  gz[gz.size() / 2] ^= 0x55;
  const std::string bad = dir.file("bad.gz", gz);
  EXPECT_NE(error_of([&] { read_text_lines(bad); }).find(bad + ": corrupt or cut-off gzip data"), std::string::npos);
  const std::string latin1 = dir.file("latin1.txt", "ok\nM\xe4nner\n");
  EXPECT_EQ(error_of([&] { read_text_lines(latin1); }), latin1 + ":2: not valid UTF-8 (byte 0xE4 at column 2)");
  EXPECT_NE(error_of([&] { read_text_lines(dir.path.string()); }).find("is a directory"), std::string::npos);
}

TEST(TextLines, ReadsMulti30kQuickly) {
  const std::string path = std::string(ATTNSCOPE_SOURCE_DIR) + "/../shared/data/multi30k/train.de.gz";
  if (!std::filesystem::exists(path)) {
    std::printf("skipped: ../shared not found\n");
    GTEST_SKIP() << "skipped: ../shared not found";
  }
  const auto start = std::chrono::steady_clock::now();
  const Lines lines = read_text_lines(path);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(lines.size(), 29000u);
  EXPECT_EQ(lines[0], "Zwei junge weiße Männer sind im Freien in der Nähe vieler Büsche.");
  EXPECT_LT(seconds, 2.0);  // about 0.05 s: one inflate pass and one scan
}
