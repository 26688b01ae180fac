// heads: every head of one block side by side on one shared colour scale (seed 000), so heads
// can be compared cell for cell. Row labels on the first panel of each row of panels only.
#include <algorithm>

#include "render/colorbar.h"
#include "render/views.h"

namespace attnscope {

namespace {
constexpr double kPanelExtent = 250;  // the larger matrix axis of one panel
constexpr double kMaxCell = 24;
constexpr double kRowWidth = 1300;    // panels wrap onto a new row past this width
constexpr double kPanelGap = 18;
}  // namespace

Size view_heads(cairo_t* cr, const ViewContext& ctx) {
  const AttentionRun& run = pick_run(ctx, ctx.opt.run);
  const AttentionKind kind = pick_kind(run, ctx.opt.kind);
  const AttentionBlock& block = pick_block(run, kind, ctx.opt.layer);
  Notes notes;
  const Panel axes = panel_axes(ctx, run, kind, notes);  // the same tokens for every head

  double width = 0;
  const std::string title = kind_name(kind) + " · " + layer_phrase(block) + " · " + all_heads_phrase(block.heads);
  note_numbering(notes, block);
  double y = draw_header(cr, ctx, title, run_caption(run), kMargin, width);

  const double cell = cell_size(axes.rows.size(), axes.cols.size(), kPanelExtent, kMaxCell);
  const double cw = axis_extent(axes.cols.size(), cell), ch = axis_extent(axes.rows.size(), cell);
  float lo = 0, hi = 0;
  std::vector<Matrix> shown;  // pooled panels only: 12 heads of 4096 x 4096 would be 768 MB
  for (size_t h = 0; h < block.heads; ++h) {
    float a, b;
    shown.push_back(pooled_head(ctx, run, block, static_cast<int>(h), cw, ch, notes, a, b));
    lo = h == 0 ? a : std::min(lo, a);
    hi = h == 0 ? b : std::max(hi, b);
  }
  const ColorScale scale = make_scale(ctx, lo, hi, notes);
  notes.add("all heads share one colour scale");

  // Lay out: a spec per head; only a row's first panel keeps its row labels and row title.
  std::vector<HeatmapSpec> specs;
  std::vector<HeatmapLayout> layouts;
  HeatmapSpec with_rows{nullptr,        scale, axes.rows, axes.cols, axes.row_spans, axes.col_spans,
                        ctx.opt.values, axis_title(kind, true), axis_title(kind, false)};
  const HeatmapLayout first_layout = layout_heatmap(cr, with_rows, cw, ch);
  for (const std::string& s : label_notes(first_layout)) notes.add(s);  // thinned labels are stated
  const size_t per_row = std::max<size_t>(
      1, std::min<size_t>(block.heads, static_cast<size_t>((kRowWidth - first_layout.size.w) / (cw + kPanelGap)) + 1));
  for (size_t h = 0; h < shown.size(); ++h) {
    HeatmapSpec s = with_rows;
    s.cells = &shown[h];
    if (h % per_row != 0) s.row_labels.clear(), s.row_spans.clear(), s.row_title.clear();
    specs.push_back(s);
    layouts.push_back(layout_heatmap(cr, s, cw, ch));
  }

  set_font(cr, kSubtitleFont, true);
  const double panel_title_h = font_height(cr) + 6;
  double row_top = y, right = 0;
  for (size_t h = 0; h < shown.size(); h += per_row) {
    double x = kMargin, row_h = 0;
    for (size_t i = h; i < std::min(shown.size(), h + per_row); ++i) {
      const HeatmapLayout& l = layouts[i];
      set_font(cr, kSubtitleFont, true);
      set_color(cr, ctx.theme.text);
      draw_text(cr, head_phrase(block, static_cast<int>(i)), x + l.cells.x + cw / 2, row_top, HAlign::Center, VAlign::Top);
      draw_heatmap(cr, specs[i], l, x, row_top + panel_title_h, ctx.theme);
      if (ctx.opt.values && !l.values_fit) notes.add("values not printed: cells too small");
      right = std::max(right, x + l.size.w);
      x += l.size.w + kPanelGap;
      row_h = std::max(row_h, l.size.h);
    }
    row_top += panel_title_h + row_h + kPanelGap;
  }
  const Rect bar{right + kColorbarGap, y + panel_title_h, kColorbarWidth, std::max(ch, 120.0)};
  draw_colorbar(cr, scale, ctx.opt.colorbar_title, bar, ctx.theme);
  width = std::max(width, bar.x + colorbar_width(cr, scale, ctx.opt.colorbar_title));
  y = std::max(row_top - kPanelGap, bar.bottom());

  y = draw_notes(cr, ctx, notes, y, width);
  return {width + kMargin, y + kMargin};
}

}  // namespace attnscope
