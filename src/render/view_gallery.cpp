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

  // Lay out every panel first: rows of `per_row` panels, each row as tall as its tallest.
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
  // Captions, then fixed column positions so panels line up down the grid.
  set_font(cr, kSubtitleFont, true);
  const double caption_h = font_height(cr) + 6;
  std::vector<std::string> captions;
  std::vector<double> col_w(per_row, 0);
  for (size_t r = 0; r < n; ++r) {
    const AttentionRun& run = ctx.set.runs[r];
    const HeatmapLayout& l = layouts[r];
    // Runs named apart from their input (training snapshots "step 400", "original"/"masked") are
    // captioned by name and output: their inputs are all the same.
    const bool named = !run.name.empty() && run.name != run.input_text;
    const std::string caption = named ? run.name + " · " + run.output_text : run.input_text.empty() ? run_caption(run) : run.input_text;
    captions.push_back(fit_text(cr, caption,
                                std::max(kCaptionWidth, l.size.w - l.cells.x)));
    col_w[r % per_row] = std::max({col_w[r % per_row], l.size.w, l.cells.x + text_width(cr, captions.back())});
  }
  std::vector<double> col_x(per_row, kMargin);
  for (size_t c = 1; c < per_row; ++c) col_x[c] = col_x[c - 1] + col_w[c - 1] + kPanelGap;

  double row_top = y, first_cells_h = 0;
  const double right = col_x.back() + col_w.back();
  for (size_t start = 0; start < n; start += per_row) {
    double row_h = 0;
    for (size_t r = start; r < std::min(n, start + per_row); ++r) {
      const HeatmapLayout& l = layouts[r];
      const double x = col_x[r % per_row];
      set_font(cr, kSubtitleFont, true);
      set_color(cr, ctx.theme.text);
      draw_text(cr, captions[r], x + l.cells.x, row_top, HAlign::Left, VAlign::Top);
      draw_heatmap(cr, specs[r], l, x, row_top + caption_h, ctx.theme);
      if (r == 0) first_cells_h = l.cells.h;
      row_h = std::max(row_h, l.size.h);
    }
    row_top += caption_h + row_h + kPanelGap;
  }
  const Rect bar{right + kColorbarGap, y + caption_h, kColorbarWidth, std::max(first_cells_h, 120.0)};
  draw_colorbar(cr, scale, ctx.opt.colorbar_title, bar, ctx.theme);
  width = std::max(width, bar.x + colorbar_width(cr, scale, ctx.opt.colorbar_title));
  y = std::max(row_top - kPanelGap, bar.bottom());

  y = draw_notes(cr, ctx, notes, y, width);
  return {width + kMargin, y + kMargin};
}

}  // namespace attnscope
