// Local attention's marks on the heatmap: each row's window [p_t - D, p_t + D] and p_t, read from
// the extra "cross.<layer>.position" and the set's meta "window", and stated in the notes.
#include <gtest/gtest.h>

#include <algorithm>

#include "../test_util.h"
#include "fixtures.h"
#include "render/local_window.h"
#include "render/render.h"

using namespace attnscope;
using attnscope::testing::error_of;
using attnscope::testing::ScratchDir;

namespace {

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

AttentionSet local_set(std::vector<float> position, const std::string& window = "2") {
  AttentionSet set;
  set.meta["scope"] = "local-p";
  set.meta["window"] = window;
  AttentionRun run;
  run.source_tokens = {"a", "b", "c", "d", "e", "f", "</s>"};
  run.target_tokens = {"f", "e", "d", "c", "</s>"};
  run.blocks.push_back(fixtures::make_block(AttentionKind::Cross, 0, 1, 5, 7));
  run.extras["cross.0.position"] = Array{{position.size(), 1}, position};
  set.runs.push_back(run);
  return set;
}

}  // namespace

TEST(LocalWindow, MarksAreReadFromTheExtraAndTheMeta) {
  const AttentionSet set = local_set({5.6f, 4.2f, 3.0f, 0.4f, 6.0f});
  const auto marks = local_window_marks(set, set.runs[0], set.runs[0].blocks[0]);
  ASSERT_TRUE(marks.has_value());
  EXPECT_EQ(marks->window, 2);
  EXPECT_EQ(marks->span(0), (std::pair<size_t, size_t>{4, 6}));  // ceil(3.6)..floor(7.6) clipped to 6
  EXPECT_EQ(marks->span(1), (std::pair<size_t, size_t>{3, 6}));
  EXPECT_EQ(marks->span(2), (std::pair<size_t, size_t>{1, 5}));
  EXPECT_EQ(marks->span(3), (std::pair<size_t, size_t>{0, 2}));
  EXPECT_EQ(marks->note(), "outline: window p_t ± D (D = 2); dot: p_t, predicted by the model (local-p)");

  AttentionSet no_meta = set;
  no_meta.meta.erase("window");
  EXPECT_FALSE(local_window_marks(no_meta, no_meta.runs[0], no_meta.runs[0].blocks[0]).has_value());
  const AttentionSet short_extra = local_set({1, 2, 3});
  EXPECT_EQ(error_of([&] { local_window_marks(short_extra, short_extra.runs[0], short_extra.runs[0].blocks[0]); }),
            "extra cross.0.position holds 3 positions for 5 queries");
  const AttentionSet bad_window = local_set({1, 2, 3, 4, 5}, "x");
  EXPECT_EQ(error_of([&] { local_window_marks(bad_window, bad_window.runs[0], bad_window.runs[0].blocks[0]); }),
            "meta window 'x' is not a positive number of positions");
}

TEST(LocalWindow, HeatmapStatesTheMarksOnlyWhenRecorded) {
  ScratchDir dir("local_window");
  const AttentionSet set = local_set({5.6f, 4.2f, 3.0f, 0.4f, 6.0f});
  const std::string out = dir.str() + "/lp.png";
  auto notes = figure_notes(set, RenderOptions{}, out);
  EXPECT_TRUE(has(notes, "outline: window p_t ± D (D = 2); dot: p_t, predicted by the model (local-p)"));
  render_figure(set, RenderOptions{}, out);
  const fixtures::PngInfo info = fixtures::png_info(out);
  EXPECT_GE(info.width, 200);
  EXPECT_GT(info.distinct_colours, 4u);

  RenderOptions steps;
  steps.view = "steps";
  EXPECT_TRUE(has(figure_notes(set, steps, out), "outline: window p_t ± D (D = 2); dot: p_t, predicted by the model (local-p)"));
  render_figure(set, steps, dir.str() + "/steps.png");
  EXPECT_GT(fixtures::png_info(dir.str() + "/steps.png").distinct_colours, 4u);

  AttentionSet global = set;
  global.meta.erase("window");
  global.runs[0].extras.clear();
  for (const RenderOptions& opt : {RenderOptions{}, steps})
    for (const std::string& n : figure_notes(global, opt, out)) EXPECT_EQ(n.find("window"), std::string::npos) << n;
}
