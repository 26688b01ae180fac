// heatmap: one block (kind, layer) of one run, one head or the mean of heads, with labelled
// axes, span brackets and a colour bar: the figure `attnscope run --png` draws by default.
#include <algorithm>

#include "render/colorbar.h"
#include "render/local_window.h"
#include "render/views.h"

namespace attnscope {

namespace {
constexpr double kTargetExtent = 560;  // the larger matrix axis, in units
constexpr double kMaxCell = 36;
constexpr double kMinBarHeight = 120;
}  // namespace

double axis_extent(size_t n, double cell) {
  return std::max(static_cast<double>(n) * cell, std::min(static_cast<double>(n) * kMaxCell, 60.0));
}

Size view_heatmap(cairo_t* cr, const ViewContext& ctx) {
  const AttentionRun& run = pick_run(ctx, ctx.opt.run);
  const AttentionKind kind = pick_kind(run, ctx.opt.kind);
  const AttentionBlock& block = pick_block(run, kind, ctx.opt.layer);
  Notes notes;
  const Panel p = panel_axes(ctx, run, kind, notes);

  double width = 0;
  const std::string title =
      kind_name(kind) + " · " + layer_phrase(block) + " · " + head_phrase(block, ctx.opt.head);
  note_numbering(notes, block);
  double y = draw_header(cr, ctx, title, run_caption(run), kMargin, width);

  const double cell = cell_size(p.rows.size(), p.cols.size(), kTargetExtent, kMaxCell);
  const double cw = axis_extent(p.cols.size(), cell), ch = axis_extent(p.rows.size(), cell);
  float lo, hi;
  const Matrix shown = pooled_head(ctx, run, block, ctx.opt.head, cw, ch, notes, lo, hi);
  const ColorScale scale = make_scale(ctx, lo, hi, notes);

  const HeatmapSpec spec{&shown,      scale,       p.rows, p.cols, p.row_spans, p.col_spans, ctx.opt.values,
                         axis_title(kind, true), axis_title(kind, false)};
  const HeatmapLayout l = layout_heatmap(cr, spec, cw, ch);
  for (const std::string& s : label_notes(l)) notes.add(s);  // thinned labels are stated
  if (ctx.opt.values && !l.values_fit) notes.add("values not printed: cells too small");
  draw_heatmap(cr, spec, l, kMargin, y, ctx.theme);
  overlay_local_window(cr, ctx, run, block, p, Rect{kMargin + l.cells.x, y + l.cells.y, l.cells.w, l.cells.h}, notes);

  const Rect bar{kMargin + l.cells.right() + kColorbarGap, y, kColorbarWidth, std::max(ch, kMinBarHeight)};
  draw_colorbar(cr, scale, ctx.opt.colorbar_title, bar, ctx.theme);
  width = std::max(width, bar.x + colorbar_width(cr, scale, ctx.opt.colorbar_title));
  y += std::max(l.size.h, bar.h);

  y = draw_notes(cr, ctx, notes, y, width);
  return {width + kMargin, y + kMargin};
}

}  // namespace attnscope
