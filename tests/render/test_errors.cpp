#include <gtest/gtest.h>

#include <filesystem>

#include "fixtures.h"
#include "render/render.h"

using namespace attnscope;
using namespace attnscope::fixtures;

namespace {

// Renders into an empty directory, expects std::invalid_argument whose message holds `needle`
// and is one line, and checks that nothing (not even a temp file) was left behind.
void expect_bad(const AttentionSet& set, const RenderOptions& opt, const std::string& needle,
                const std::string& file = "out.png") {
  const std::filesystem::path dir = std::filesystem::path(temp_dir()) / "errors";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  try {
    render_figure(set, opt, (dir / file).string());
    ADD_FAILURE() << "no error for " << needle;
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(needle), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir)) << "left a file behind for " << needle;
}

RenderOptions with(const std::function<void(RenderOptions&)>& f) {
  RenderOptions o;
  f(o);
  return o;
}

}  // namespace

TEST(RenderErrors, BadOptionsNameTheBadValue) {
  const AttentionSet set = translation_set();
  expect_bad(set, with([](RenderOptions& o) { o.view = "pie"; }), "'pie'");
  expect_bad(set, with([](RenderOptions& o) { o.colormap = "jet"; }), "'jet'");
  expect_bad(set, with([](RenderOptions& o) { o.theme = "sepia"; }), "'sepia'");
  expect_bad(set, with([](RenderOptions& o) { o.merge = "chars"; }), "'chars'");
  expect_bad(set, with([](RenderOptions& o) { o.pool = "median"; }), "'median'");
  expect_bad(set, with([](RenderOptions& o) { o.spans = "0-6"; }), "'0-6'");
  expect_bad(set, with([](RenderOptions& o) { o.spans = "0-40:<X>"; }), "0-40");
  expect_bad(set, with([](RenderOptions& o) { o.vmin = 0.8f, o.vmax = 0.2f; }), "vmin");
  expect_bad(set, with([](RenderOptions& o) { o.dpi = 5; }), "dpi");
  expect_bad(set, RenderOptions{}, "'.jpg'", "out.jpg");
  expect_bad(set, RenderOptions{}, "extension", "out");
}

TEST(RenderErrors, OutOfRangeSelectionsNameTheValidRange) {
  const AttentionSet set = translation_set();
  // Layers and heads are named counted from 1, as the figures count them, with the stored name.
  expect_bad(set, with([](RenderOptions& o) { o.layer = 7; }), "layer 8 (block cross.7) out of range for cross (valid layers 1-2, counted from 1)");
  expect_bad(set, with([](RenderOptions& o) { o.head = 4; }), "head 5 (index 4) out of range for cross.1 (valid heads 1-4");
  expect_bad(set, with([](RenderOptions& o) { o.view = "heads", o.layer = 2; }), "layer 3 (block cross.2)");
  expect_bad(set, with([](RenderOptions& o) { o.view = "lines", o.heads = {0, 4}; }), "valid heads 1-4");
  expect_bad(set, with([](RenderOptions& o) { o.view = "heads", o.heads = {0, 1}; }), "lines view only");
  expect_bad(set, with([](RenderOptions& o) { o.run = 5; }), "valid 0-1");
  expect_bad(set, with([](RenderOptions& o) { o.view = "steps", o.steps = "0-40"; }), "valid 0-12");
  expect_bad(set, with([](RenderOptions& o) { o.view = "grid", o.highlight = {13, 8}; }), "layers 1-2, heads 1-4");
  expect_bad(dates_set(), with([](RenderOptions& o) { o.kind = "encoder-self"; }), "not in the file");
  expect_bad(set, with([](RenderOptions& o) { o.kind = "self"; }), "'self'");
  AttentionSet one = dates_set();
  one.runs.resize(1);
  expect_bad(one, with([](RenderOptions& o) { o.view = "compare"; }), "at least 2 runs");
  expect_bad(long_set(300), with([](RenderOptions& o) { o.view = "lines"; }), "at most 256");
}

TEST(RenderErrors, UnwritablePathIsARuntimeErrorAndLeavesNothing) {
  const std::string path = temp_dir() + "/no/such/dir/out.png";
  EXPECT_THROW(render_figure(translation_set(), RenderOptions{}, path), std::runtime_error);
  EXPECT_FALSE(std::filesystem::exists(temp_dir() + "/no"));
}

TEST(RenderErrors, AnExistingFileIsKeptWhenRenderingFails) {
  const std::string path = temp_dir() + "/keep.png";
  render_figure(translation_set(), RenderOptions{}, path);
  const auto size = std::filesystem::file_size(path);
  RenderOptions bad;
  bad.layer = 9;
  EXPECT_THROW(render_figure(translation_set(), bad, path), std::invalid_argument);
  EXPECT_EQ(std::filesystem::file_size(path), size);
}

TEST(RenderErrors, AFailedRenameRemovesTheTemporaryFile) {
  // The target is a directory: drawing and the temp file succeed, the final rename fails.
  const std::filesystem::path dir = std::filesystem::path(temp_dir()) / "rename";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "fig.png");
  std::filesystem::create_directories(dir / "fig.svg");
  EXPECT_THROW(render_figure(translation_set(), RenderOptions{}, (dir / "fig.png").string()), std::runtime_error);
  EXPECT_THROW(render_figure(translation_set(), RenderOptions{}, (dir / "fig.svg").string()), std::runtime_error);
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 2u) << "a temporary file was left behind";
}

// The colour range and spans: each bad value is named, with what it was checked against.
TEST(RenderErrors, EmptyColourRangesAndSpansPastTheTokensNameTheirValues) {
  const AttentionSet set = translation_set();  // cross: 13 query (target) x 11 key (source) tokens
  expect_bad(set, with([](RenderOptions& o) { o.vmin = 0.8f, o.vmax = 0.2f; }), "vmin 0.8 must be below vmax 0.2");
  expect_bad(set, with([](RenderOptions& o) { o.vmin = 0.3f, o.vmax = 0.3f; }), "vmin 0.3 must be below vmax 0.3");
  expect_bad(set, with([](RenderOptions& o) { o.vmin = 0.0013f, o.vmax = 0.0012f; }), "vmin 0.0013");
  EXPECT_THROW(check_render_options(with([](RenderOptions& o) { o.vmin = 1, o.vmax = 1; })), std::invalid_argument);
  // Both axes by default: the keys (11 source tokens) are checked and named.
  expect_bad(set, with([](RenderOptions& o) { o.spans = "0-3:<A>,8-11:<B>"; }), "span 8-11:<B> runs past the 11 key tokens");
  expect_bad(set, with([](RenderOptions& o) { o.spans = "q:13:<EOS>"; }), "span 13-13:<EOS> runs past the 13 query tokens");
  expect_bad(set, with([](RenderOptions& o) { o.view = "grid", o.spans = "k:11:<X>"; }), "11 key tokens (valid indices 0-10)");
  RenderOptions fine;
  fine.spans = "0-3:<A>,k:10:</s>,q:12:<EOS>";
  fine.vmin = 0.2f;
  fine.vmax = 0.8f;
  EXPECT_NO_THROW(figure_notes(set, fine, "f.png"));
}
