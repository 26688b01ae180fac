// gallery: one small heatmap per run (seed 003's date formats: many inputs, one model), laid out
// in a grid, each captioned with its input -> output, all on one colour scale with one colour bar.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "render/colorbar.h"
#include "render/views.h"

namespace attnscope {

namespace {
constexpr double kPanelExtent = 300;
constexpr double kMaxCell = 22;
constexpr double kPanelGap = 28;
constexpr double kCaptionWidth = 300;  // captions are shortened past this
}  // namespace

Size view_gallery(cairo_t* cr, const ViewContext& ctx) {
  const size_t n = ctx.set.runs.size();
  if (n == 0) throw std::invalid_argument("the attention set has no runs");
  Notes notes;
  const AttentionKind kind = pick_kind(ctx.set.runs[0], ctx.opt.kind);
  std::vector<Panel> panels;  // axes only; the cells are pooled per run below
  std::vector<const AttentionBlock*> blocks;
  size_t max_rows = 0, max_cols = 0;
  for (size_t r = 0; r < n; ++r) {
    const AttentionRun& run = ctx.set.runs[r];
    pick_kind(run, kind_name(kind));
    blocks.push_back(&pick_block(run, kind, ctx.opt.layer));
    check_head(*blocks.back(), ctx.opt.head);
    panels.push_back(panel_axes(ctx, run, kind, notes));
    max_rows = std::max(max_rows, panels.back().rows.size());
    max_cols = std::max(max_cols, panels.back().cols.size());
  }
  // One cell size for all, so panels compare token for token.
  const double cell = cell_size(max_rows, max_cols, kPanelExtent, kMaxCell);
  std::vector<Matrix> shown;
  float lo = 0, hi = 0;
  for (size_t r = 0; r < n; ++r) {
    const Panel& p = panels[r];
    float a, c;
    shown.push_back(pooled_head(ctx, ctx.set.runs[r], *blocks[r], ctx.opt.head, axis_extent(p.cols.size(), cell),
                                axis_extent(p.rows.size(), cell), notes, a, c));
    lo = r == 0 ? a : std::min(lo, a);
    hi = r == 0 ? c : std::max(hi, c);
  }
  const ColorScale scale = make_scale(ctx, lo, hi, notes);
  notes.add("all runs share one colour scale");

  double width = 0;
  note_numbering(notes, *blocks[0]);
  const std::string title = kind_name(kind) + " · " + layer_phrase(*blocks[0]) + " · " +
                            head_phrase(*blocks[0], ctx.opt.head) + " · " + std::to_string(n) + (n == 1 ? " input" : " inputs");
  double y = draw_header(cr, ctx, title, ctx.set.meta.count("model") ? ctx.set.meta.at("model") : "", kMargin, width);

  // Lay out every panel first: `per_row` panels a row.
  const size_t per_row = n <= 4 ? n : n <= 9 ? 3 : 4;
  std::vector<HeatmapSpec> specs;
  std::vector<HeatmapLayout> layouts;
  for (size_t r = 0; r < n; ++r) {
    const Panel& p = panels[r];
    const double cw = axis_extent(p.cols.size(), cell), ch = axis_extent(p.rows.size(), cell);
    specs.push_back({&shown[r], scale, p.rows, p.cols, p.row_spans, p.col_spans, ctx.opt.values, "", ""});
    layouts.push_back(layout_heatmap(cr, specs.back(), cw, ch));
    for (const std::string& s : label_notes(layouts.back())) notes.add(s);
    if (ctx.opt.values && !layouts.back().values_fit) notes.add("values not printed: cells too small");
  }
  // Captions, then one even grid: every slot as wide and as tall as the largest panel, the same
  // gap between slots, each panel's cells left-aligned at the same offset in its slot.
  set_font(cr, kSubtitleFont, true);
  const double caption_h = font_height(cr) + 6;
  std::vector<std::string> captions;
  double gutter = 0, body_w = 0, top = 0, body_h = 0;  // row labels, cells and right of them; above, below
  for (size_t r = 0; r < n; ++r) {
    const HeatmapLayout& l = layouts[r];
    gutter = std::max(gutter, l.cells.x);
    body_w = std::max(body_w, l.size.w - l.cells.x);
    top = std::max(top, l.cells.y);
    body_h = std::max(body_h, l.size.h - l.cells.y);
  }
  for (size_t r = 0; r < n; ++r) {
    const AttentionRun& run = ctx.set.runs[r];
    // Runs named apart from their input (training snapshots "step 400", "original"/"masked") are
    // captioned by name and output: their inputs are all the same.
    const bool named = !run.name.empty() && run.name != run.input_text;
    const std::string caption = named ? run.name + " · " + run.output_text : run.input_text.empty() ? run_caption(run) : run.input_text;
    captions.push_back(fit_text(cr, caption, std::max(kCaptionWidth, body_w)));
    body_w = std::max(body_w, text_width(cr, captions.back()));
  }
  const double slot_w = gutter + body_w, slot_h = caption_h + top + body_h;
  const size_t grid_rows = (n + per_row - 1) / per_row;
  const double cells_top = y + caption_h + top;  // of the first row's cells
  double cells_bottom = cells_top;               // of the last row's tallest cells
  double right = 0;                              // of the widest panel in the last column
  for (size_t r = 0; r < n; ++r) {
    const HeatmapLayout& l = layouts[r];
    const double sx = kMargin + static_cast<double>(r % per_row) * (slot_w + kPanelGap);
    const double sy = y + static_cast<double>(r / per_row) * (slot_h + kPanelGap);
    set_font(cr, kSubtitleFont, true);
    set_color(cr, ctx.theme.text);
    draw_text(cr, captions[r], sx + gutter, sy, HAlign::Left, VAlign::Top);
    draw_heatmap(cr, specs[r], l, sx + gutter - l.cells.x, sy + caption_h + top - l.cells.y, ctx.theme);
    cells_bottom = std::max(cells_bottom, sy + caption_h + top + l.cells.h);
    right = std::max(right, sx + gutter - l.cells.x + l.size.w);
  }
  // One colour bar beside the grid, spanning its rows of cells.
  const Rect bar{right + kColorbarGap, cells_top, kColorbarWidth, std::max(cells_bottom - cells_top, 120.0)};
  draw_colorbar(cr, scale, ctx.opt.colorbar_title, bar, ctx.theme);
  width = std::max(width, bar.x + colorbar_width(cr, scale, ctx.opt.colorbar_title));
  y = std::max(y + static_cast<double>(grid_rows) * (slot_h + kPanelGap) - kPanelGap, bar.bottom());

  y = draw_notes(cr, ctx, notes, y, width);
  return {width + kMargin, y + kMargin};
}

}  // namespace attnscope
