#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "fixtures.h"
#include "io/attention_file.h"
#include "render/demo_set.h"
#include "render/heatmap.h"
#include "render/labels.h"
#include "render/render.h"

using namespace attnscope;
using namespace attnscope::fixtures;

namespace {

[[maybe_unused]] ::testing::Environment* const kCleanup = ::testing::AddGlobalTestEnvironment(new TempDirCleanup);

RenderOptions view(const std::string& name) {
  RenderOptions o;
  o.view = name;
  return o;
}

void expect_plausible_png(const std::string& path, int min_side = 200, int max_side = 4000) {
  const PngInfo info = png_info(path);
  EXPECT_GE(info.width, min_side) << path;
  EXPECT_GE(info.height, min_side / 2) << path;
  EXPECT_LE(info.width, max_side) << path;
  EXPECT_LE(info.height, max_side) << path;
  EXPECT_GT(info.distinct_colours, 8u) << path << " looks blank";
}

// Pixels of exactly this colour in a PNG (cells are drawn nearest-neighbour, so a cell's colour
// appears exactly).
size_t count_colour(const std::string& path, uint32_t argb) {
  cairo_surface_t* s = cairo_image_surface_create_from_png(path.c_str());
  size_t n = 0;
  const int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
  const int stride = cairo_image_surface_get_stride(s);
  const unsigned char* data = cairo_image_surface_get_data(s);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) n += reinterpret_cast<const uint32_t*>(data + y * stride)[x] == argb;
  cairo_surface_destroy(s);
  return n;
}

}  // namespace

TEST(RenderViews, HeatmapDefaultsDrawALabelledPng) {
  const std::string path = temp_dir() + "/heatmap.png";
  render_figure(translation_set(), RenderOptions{}, path);
  expect_plausible_png(path, 300, 2000);
}

TEST(RenderViews, EveryViewDrawsAPlausiblePng) {
  const std::string dir = temp_dir();
  render_figure(translation_set(), view("heads"), dir + "/heads.png");
  expect_plausible_png(dir + "/heads.png", 600);
  render_figure(translation_set(), view("lines"), dir + "/lines.png");
  expect_plausible_png(dir + "/lines.png");
  RenderOptions grid = view("grid");
  grid.highlight = {8, 8};
  grid.spans = "0-6:<ENV>,7-12:<LAN>";
  render_figure(bert_set(), grid, dir + "/grid.png");
  expect_plausible_png(dir + "/grid.png", 600);
  render_figure(translation_set(), view("compare"), dir + "/compare.png");
  expect_plausible_png(dir + "/compare.png");
  render_figure(translation_set(), view("steps"), dir + "/steps.png");
  expect_plausible_png(dir + "/steps.png");
  render_figure(dates_set(), view("gallery"), dir + "/gallery.png");
  expect_plausible_png(dir + "/gallery.png", 600);
}

TEST(RenderViews, SvgAndPdfHaveTheirMagic) {
  const std::string dir = temp_dir();
  for (const std::string v : {"heatmap", "grid", "steps"}) {
    render_figure(translation_set(), view(v), dir + "/" + v + ".svg");
    const std::string svg = file_head(dir + "/" + v + ".svg", 200);
    EXPECT_TRUE(svg.rfind("<?xml", 0) == 0 || svg.rfind("<svg", 0) == 0) << svg.substr(0, 20);
    render_figure(translation_set(), view(v), dir + "/" + v + ".PDF");  // extensions in any case
    EXPECT_EQ(file_head(dir + "/" + v + ".PDF", 4), "%PDF");
  }
}

TEST(RenderViews, DemoSetRoundTripsThroughTheFileAndDrawsEveryView) {
  const std::string dir = temp_dir();
  save_attention_set(demo_attention_set(), dir + "/demo.attn.safetensors");
  const AttentionSet set = load_attention_set(dir + "/demo.attn.safetensors");
  for (const ViewInfo& v : render_views()) {
    const std::string path = dir + "/demo-" + v.name + ".png";
    render_figure(set, view(v.name), path);
    expect_plausible_png(path);
  }
}

TEST(RenderViews, FixedRangeChangesTheColourOfAKnownCell) {
  // Primitive: one cell of value 0.3 on [0, 1] and on [0.2, 0.8].
  const Colormap& map = colormap("viridis");
  Matrix m(1, 1, 0.3f);
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 8, 8);
  cairo_t* cr = cairo_create(s);
  draw_cells(cr, m, {&map, 0.0f, 1.0f}, {0, 0, 8, 8});
  cairo_surface_flush(s);
  const uint32_t wide = reinterpret_cast<uint32_t*>(cairo_image_surface_get_data(s))[4 * 8 + 4];
  draw_cells(cr, m, {&map, 0.2f, 0.8f}, {0, 0, 8, 8});
  cairo_surface_flush(s);
  const uint32_t narrow = reinterpret_cast<uint32_t*>(cairo_image_surface_get_data(s))[4 * 8 + 4];
  cairo_destroy(cr);
  cairo_surface_destroy(s);
  EXPECT_EQ(wide, map.argb(0.3));
  EXPECT_EQ(narrow, map.argb((0.3 - 0.2) / 0.6));
  EXPECT_NE(wide, narrow);

  // Whole figure: uniform weights of 0.25 are the bottom of the data range by default, the
  // middle of a fixed 0 - 0.5 range.
  AttentionSet set = long_set(6);
  std::fill(set.runs[0].blocks[0].weights.begin(), set.runs[0].blocks[0].weights.end(), 0.25f);
  const std::string dir = temp_dir();
  render_figure(set, RenderOptions{}, dir + "/auto.png");
  RenderOptions fixed;
  fixed.vmin = 0.0f;
  fixed.vmax = 0.5f;
  render_figure(set, fixed, dir + "/fixed.png");
  const uint32_t middle = map.argb(0.5), bottom = map.argb(0.0);
  EXPECT_GT(count_colour(dir + "/auto.png", bottom), 10000u);
  EXPECT_LT(count_colour(dir + "/auto.png", middle), 50u);  // at most the colour bar's band
  EXPECT_GT(count_colour(dir + "/fixed.png", middle), 10000u);
}

TEST(RenderViews, LongInputIsPooledNotDrawnCellByCell) {
  const AttentionSet set = long_set(4096);
  const std::string path = temp_dir() + "/long.png";
  const auto start = std::chrono::steady_clock::now();
  render_figure(set, RenderOptions{}, path);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const PngInfo info = png_info(path);
  EXPECT_GT(info.width, 500);
  EXPECT_LT(info.width, 1500);  // the matrix shrank to the budget, it did not grow to 4096 px
  EXPECT_LT(info.height, 1500);
  EXPECT_LT(seconds, 20.0);
  // The footnote states the pooling; SVG keeps the text as glyphs, so check via the options path:
  // a vector output is pooled to at most 1500 cells and stays small.
  render_figure(set, RenderOptions{}, temp_dir() + "/long.svg");
  EXPECT_LT(std::filesystem::file_size(temp_dir() + "/long.svg"), 30u * 1024 * 1024);
}

TEST(RenderViews, DpiScalesThePng) {
  const std::string dir = temp_dir();
  RenderOptions o;
  render_figure(translation_set(), o, dir + "/96.png");
  o.dpi = 192;
  render_figure(translation_set(), o, dir + "/192.png");
  const PngInfo a = png_info(dir + "/96.png"), b = png_info(dir + "/192.png");
  EXPECT_NEAR(b.width, 2 * a.width, 2);
  EXPECT_NEAR(b.height, 2 * a.height, 2);
}

TEST(RenderViews, ThemesMergingAndValuesDraw) {
  const std::string dir = temp_dir();
  RenderOptions o;
  o.theme = "dark";
  o.merge = "words";
  o.values = true;
  o.colormap = "magma";
  o.spans = "0-4:<A>,k:5-10:<B>";
  render_figure(translation_set(), o, dir + "/dark.png");
  expect_plausible_png(dir + "/dark.png");
  cairo_surface_t* s = cairo_image_surface_create_from_png((dir + "/dark.png").c_str());
  const uint32_t corner = *reinterpret_cast<uint32_t*>(cairo_image_surface_get_data(s));
  cairo_surface_destroy(s);
  EXPECT_LT(corner & 0xff, 0x60u);  // dark background
}

TEST(RenderViews, TinyAndSkewedMatricesDraw) {
  const std::string dir = temp_dir();
  for (auto [q, k] : {std::pair<size_t, size_t>{1, 1}, {1, 60}, {60, 1}}) {
    AttentionSet set;
    AttentionRun run;
    for (size_t i = 0; i < q; ++i) run.target_tokens.push_back("q" + std::to_string(i));
    for (size_t i = 0; i < k; ++i) run.source_tokens.push_back("k" + std::to_string(i));
    AttentionBlock b;
    b.heads = 1;
    b.queries = q;
    b.keys = k;
    b.weights.assign(q * k, 1.0f / static_cast<float>(k));
    run.blocks.push_back(b);
    set.runs.push_back(run);
    const std::string path = dir + "/tiny-" + std::to_string(q) + "x" + std::to_string(k) + ".png";
    for (const std::string v : {"heatmap", "heads", "lines", "grid", "steps", "gallery"}) {
      RenderOptions o = view(v);
      o.values = true;
      EXPECT_NO_THROW(render_figure(set, o, path)) << v << " " << q << "x" << k;
      const PngInfo info = png_info(path);
      EXPECT_GT(info.width, 100) << v;
      EXPECT_LT(info.width, 3000) << v;
      EXPECT_LT(info.height, 3000) << v;
    }
  }
}

namespace {
bool has_note(const std::vector<std::string>& notes, const std::string& needle) {
  for (const auto& n : notes)
    if (n.find(needle) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST(RenderTruth, EveryDisplayTransformIsStated) {
  const AttentionSet set = translation_set();
  EXPECT_TRUE(has_note(figure_notes(set, RenderOptions{}, "f.png"), "averaged over 4 heads"));
  RenderOptions one_head;
  one_head.head = 1;
  EXPECT_FALSE(has_note(figure_notes(set, one_head, "f.png"), "averaged"));
  RenderOptions merged;
  merged.merge = "words";
  EXPECT_TRUE(has_note(figure_notes(set, merged, "f.png"), "subwords merged into words (sum over keys, mean over queries)"));
  RenderOptions fixed;
  fixed.vmin = 0.2f;
  fixed.vmax = 0.8f;
  EXPECT_TRUE(has_note(figure_notes(set, fixed, "f.png"), "colours clipped to 0.2–0.8"));

  const AttentionSet long_input = long_set(4096);
  EXPECT_TRUE(has_note(figure_notes(long_input, RenderOptions{}, "f.png"), "cells into one (max)"));
  RenderOptions mean_pool;
  mean_pool.pool = "mean";
  EXPECT_TRUE(has_note(figure_notes(long_input, mean_pool, "f.svg"), "cells into one (mean)"));
  EXPECT_FALSE(has_note(figure_notes(set, RenderOptions{}, "f.png"), "pooled"));

  AttentionSet marked = set;
  marked.meta["transforms"] = "renormalised rows";
  EXPECT_TRUE(has_note(figure_notes(marked, RenderOptions{}, "f.pdf"), "renormalised rows"));
}

TEST(RenderTruth, CompareSaysWhyThereIsNoDifference) {
  AttentionSet set = translation_set();
  RenderOptions o = view("compare");
  EXPECT_TRUE(has_note(figure_notes(set, o, "f.png"), "centred on 0"));
  set.runs[1] = translation_run("shorter", {"What", "are", "laws", "?", "</s>"});
  const auto notes = figure_notes(set, o, "f.png");
  EXPECT_TRUE(has_note(notes, "difference not drawn: run 0 is 13x11 and run 1 is 13x5")) << notes.size();
  render_figure(set, o, temp_dir() + "/mismatch.png");  // still draws both runs
  expect_plausible_png(temp_dir() + "/mismatch.png");
}

// Seed 001 on a model without a mask token: the masked run's caption is the input it read (<unk>
// in place of the masked pieces, joined into words), not the input typed, and the notes say how
// the words were fed and that its output was forced.
TEST(RenderTruth, CompareCaptionsTheMaskedInputAsRead) {
  AttentionSet set = translation_set();  // 11 source tokens a run
  set.runs[0].source_tokens = {"What", "are", "the", "ba@@", "sic", "laws", "of", "the", "univer@@", "se", "</s>"};
  set.runs[1].source_tokens = {"What", "are", "the", "<unk>", "<unk>", "laws", "of", "the", "univer@@", "se", "</s>"};
  for (AttentionRun& run : set.runs) run.input_text = "What are the basic laws of the universe";
  set.runs[1].info["mask"] = "source tokens 3,4 replaced by <unk>";
  set.runs[1].info["mask_positions"] = "[3,4]";
  set.runs[1].info["target"] = "forced onto the original run's output";
  set.meta["experiment"] =
      R"({"kind":"mask","mask_token":"<unk>","substitute":true,"selection":"words basic","positions":[3,4]})";
  RenderOptions o = view("compare");
  const auto text = figure_text(set, o, "f.png");
  EXPECT_TRUE(has_note(text, "What are the <unk> <unk> laws of the universe → ")) << text.size();
  EXPECT_TRUE(has_note(text, "What are the basic laws of the universe → "));  // run 0 as typed
  const auto notes = figure_notes(set, o, "f.png");
  EXPECT_TRUE(has_note(notes, "run 1 (masked): words basic fed as <unk> (the model has no [MASK] token)"));
  EXPECT_TRUE(has_note(notes, "run 1 (masked): output forced onto the original run's output"));
  set.meta.erase("experiment");  // no experiment recorded: the run's own fact is repeated
  EXPECT_TRUE(has_note(figure_notes(set, o, "f.png"), "run 1 (masked): source tokens 3,4 replaced by <unk>"));
}

namespace {
bool has_text(const std::vector<std::string>& text, const std::string& needle) {
  for (const auto& t : text)
    if (t.find(needle) != std::string::npos) return true;
  return false;
}
// Text of the figure naming a layer or head counted from 0 ("layer 0", "head 0"): none may.
std::string zero_based(const std::vector<std::string>& text) {
  for (const auto& t : text)
    for (const std::string bad : {"layer 0", "head 0", "heads 0", "layers 0"})
      if (const size_t at = t.find(bad); at != std::string::npos &&
          (at + bad.size() == t.size() || !std::isdigit(static_cast<unsigned char>(t[at + bad.size()]))))
        return t;
  return "";
}
}  // namespace

// One numbering for people: every view names layers and heads counted from 1 (stored index + 1),
// read through the text the figure draws.
TEST(RenderNumbering, EveryViewCountsLayersAndHeadsFromOne) {
  const AttentionSet set = demo_attention_set();
  for (const ViewInfo& v : render_views()) {
    RenderOptions o = view(v.name);
    o.layer = 0;  // stored cross.0: "layer 1"
    o.head = 0;   // "head 1"
    const auto text = figure_text(set, o, "f.png");
    ASSERT_FALSE(text.empty()) << v.name;
    EXPECT_TRUE(has_text(text, "layer 1")) << v.name << ": " << text.front();
    EXPECT_TRUE(has_text(text, "head 1")) << v.name << ": " << text.front();
    EXPECT_EQ(zero_based(text), "") << v.name;
    EXPECT_TRUE(has_text(text, "layers and heads are counted from 1 (layer 1 is the stored block cross.0)")) << v.name;
  }
  // The last layer by default: the demo's cross.1 is "layer 2"; the heads view titles its panels.
  const auto heads = figure_text(set, view("heads"), "f.png");
  EXPECT_TRUE(has_text(heads, "cross · layer 2 · all 4 heads"));
  for (const char* h : {"head 1", "head 2", "head 3", "head 4"}) EXPECT_TRUE(has_text(heads, h)) << h;
  EXPECT_EQ(zero_based(heads), "");
  // The grid's detail says the highlighted cell in the grid's own numbers.
  RenderOptions grid = view("grid");
  grid.highlight = {2, 3};
  const auto g = figure_text(set, grid, "f.png");
  EXPECT_TRUE(has_text(g, "layer 2 · head 3"));
  EXPECT_TRUE(has_text(g, "layer 2 is the stored block cross.1"));
  EXPECT_EQ(zero_based(g), "");
}

TEST(RenderNumbering, OneHeadIsSaidInTheSingular) {
  AttentionSet set = translation_set();
  for (AttentionRun& run : set.runs)
    for (AttentionBlock& b : run.blocks) {
      b.heads = 1;
      b.weights.resize(b.queries * b.keys);
    }
  for (const std::string v : {"heads", "grid", "heatmap", "lines", "gallery"}) {
    const auto text = figure_text(set, view(v), "f.png");
    EXPECT_FALSE(has_text(text, "1 heads")) << v << ": " << text.front();
    EXPECT_FALSE(has_text(text, "all 1 head")) << v << ": " << text.front();
  }
  EXPECT_TRUE(has_text(figure_text(set, view("heads"), "f.png"), "cross · layer 2 · 1 head"));
}

TEST(RenderNumbering, CaptionsHaveOneSpaceAroundTheArrow) {
  AttentionSet set = translation_set();
  set.runs[0].input_text = "Once upon a time";
  set.runs[0].output_text = " there was a cat\n";  // LM continuations start with a space
  const auto text = figure_text(set, RenderOptions{}, "f.png");
  EXPECT_TRUE(has_text(text, "Once upon a time → there was a cat"));
  EXPECT_FALSE(has_text(text, "→  "));
  EXPECT_FALSE(has_text(text, "  →"));
}

// The lines view draws one head by default (the mean of heads, as every view's default), not
// every head overlaid; --head picks one, RenderOptions::heads overlays a few.
TEST(RenderLines, DefaultIsOneHeadWithALegend) {
  const AttentionSet set = translation_set();  // 4 heads
  auto legend = [](const std::vector<std::string>& text) {
    std::vector<std::string> heads;
    for (const auto& t : text)
      if (t.rfind("head ", 0) == 0 || t.rfind("mean of", 0) == 0) heads.push_back(t);
    return heads;
  };
  const auto def = figure_text(set, view("lines"), "f.png");
  EXPECT_EQ(legend(def), std::vector<std::string>{"mean of 4 heads"});
  EXPECT_EQ(def.front(), "cross · layer 2 · mean of 4 heads");
  RenderOptions one = view("lines");
  one.head = 2;
  EXPECT_EQ(legend(figure_text(set, one, "f.png")), std::vector<std::string>{"head 3"});
  RenderOptions some = view("lines");
  some.heads = {0, 2};
  const auto two = figure_text(set, some, "f.png");
  EXPECT_EQ(legend(two), (std::vector<std::string>{"head 1", "head 3"}));
  EXPECT_EQ(two.front(), "cross · layer 2 · heads 1 and 3");
}

// Whitespace tokens carry the same visible glyph in the lines view as on heatmap axes.
TEST(RenderLines, WhitespaceTokensAreLabelledAsOnOtherViews) {
  AttentionSet set = translation_set();
  set.runs[0].source_tokens[1] = " ";
  const auto lines = figure_text(set, view("lines"), "f.png");
  const auto heatmap = figure_text(set, RenderOptions{}, "f.png");
  const std::string glyph = display_token(" ");
  ASSERT_NE(glyph, " ");
  EXPECT_TRUE(has_text(heatmap, glyph));
  EXPECT_NE(std::find(lines.begin(), lines.end(), glyph), lines.end());
  EXPECT_EQ(std::find(lines.begin(), lines.end(), " "), lines.end());
}

// The gallery packs any number of runs on one grid with one colour bar (its title drawn once).
TEST(RenderGallery, OneColourBarForManyRuns) {
  AttentionSet set = dates_set();
  const AttentionSet four = set;
  while (set.runs.size() < 9) set.runs.push_back(four.runs[set.runs.size() % four.runs.size()]);
  RenderOptions o = view("gallery");
  o.colorbar_title = "weight of the gallery";
  const auto text = figure_text(set, o, "f.png");
  EXPECT_EQ(std::count(text.begin(), text.end(), "weight of the gallery"), 1);
  EXPECT_TRUE(has_text(text, "9 inputs"));
}

// A run that recorded some heads only (run --heads 1,3) says which model heads its heads 1-2 are.
TEST(RenderNumbering, RecordedHeadSelectionIsStated) {
  AttentionSet set = translation_set();
  set.runs[0].info["heads"] = "0,2";
  const auto notes = figure_notes(set, RenderOptions{}, "f.png");
  EXPECT_TRUE(has_note(notes, "recorded the model's heads 1, 3 only, drawn as heads 1-2")) << notes.size();
  EXPECT_FALSE(has_note(figure_notes(translation_set(), RenderOptions{}, "f.png"), "recorded the model's heads"));
}
