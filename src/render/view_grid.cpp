// grid: a thumbnail of every layer x head of one kind (rows = layers, columns = heads, numbered
// from 1 as in seed 002), one outlined, and that head drawn in detail beside the grid with its
// labels, spans and the colour bar. One colour scale for thumbnails and detail alike.
#include <algorithm>
#include <stdexcept>

#include "render/colorbar.h"
#include "render/views.h"

namespace attnscope {

namespace {
constexpr double kGridExtent = 560;  // the grid's larger side
constexpr double kMaxThumb = 56, kMinThumb = 14;
constexpr double kThumbGap = 3;
constexpr double kDetailExtent = 420;
constexpr double kDetailMaxCell = 32;
constexpr double kSectionGap = 44;
}  // namespace

Size view_grid(cairo_t* cr, const ViewContext& ctx) {
  const AttentionRun& run = pick_run(ctx, ctx.opt.run);
  const AttentionKind kind = pick_kind(run, ctx.opt.kind);
  const std::vector<int> layers = layers_of(run, kind);
  const size_t nl = layers.size();
  size_t nh = 0;
  for (int l : layers) nh = std::max(nh, run.find(kind, l)->heads);

  // The highlighted cell, 1-based; by default the --layer/--head block (the whole layer row
  // when the head is the mean).
  int hl = ctx.opt.highlight.first, hh = ctx.opt.highlight.second;
  bool whole_row = false;
  if (hl == -1 && hh == -1) {
    const AttentionBlock& b = pick_block(run, kind, ctx.opt.layer);
    check_head(b, ctx.opt.head);
    hl = static_cast<int>(std::find(layers.begin(), layers.end(), b.layer) - layers.begin()) + 1;
    hh = ctx.opt.head + 1;
    whole_row = ctx.opt.head < 0;
  } else if (hl < 1 || hl > static_cast<int>(nl) || hh < 1 || hh > static_cast<int>(nh)) {
    throw std::invalid_argument("highlight " + std::to_string(hl) + "," + std::to_string(hh) +
                                " out of range (layers 1-" + std::to_string(nl) + ", heads 1-" + std::to_string(nh) +
                                ", counted from 1)");
  }
  const AttentionBlock& detail_block = *run.find(kind, layers[static_cast<size_t>(hl - 1)]);
  const int detail_head = whole_row ? -1 : hh - 1;
  check_head(detail_block, detail_head);

  Notes notes;
  // Every thumbnail, and the shared range.
  const double thumb = std::clamp(kGridExtent / static_cast<double>(std::max(nl, nh)) - kThumbGap, kMinThumb, kMaxThumb);
  std::vector<std::vector<Matrix>> thumbs(nl);
  float lo = 0, hi = 0;
  bool first = true;
  for (size_t li = 0; li < nl; ++li) {
    const AttentionBlock& b = *run.find(kind, layers[li]);
    for (size_t h = 0; h < b.heads; ++h) {
      float a, c;
      thumbs[li].push_back(pooled_head(ctx, run, b, static_cast<int>(h), thumb, thumb, notes, a, c, "thumbnails"));
      lo = first ? a : std::min(lo, a);
      hi = first ? c : std::max(hi, c);
      first = false;
    }
  }
  const ColorScale scale = make_scale(ctx, lo, hi, notes);
  notes.add("thumbnails and detail share one colour scale");
  notes.add("layers and heads are numbered from 1 here (layer " + std::to_string(hl) + " = block " +
            detail_block.name() + ")");

  double width = 0;
  const std::string title = kind_name(kind) + " attention · " + std::to_string(nl) + " layers × " +
                            std::to_string(nh) + " heads";
  double y = draw_header(cr, ctx, title, run_caption(run), kMargin, width);

  // Axis numbers and titles around the grid: "head" on top, "layer" on the left.
  set_font(cr, kTickFont);
  const double num_w = text_width(cr, std::to_string(nl)) + 6;
  set_font(cr, kLabelFont);
  const double title_h = font_height(cr);
  const double gx = kMargin + title_h + 6 + num_w, gy = y + title_h + 4 + font_height(cr) + 4;
  const double pitch = thumb + kThumbGap;
  set_color(cr, ctx.theme.muted);
  draw_text(cr, "head", gx + nh * pitch / 2, y, HAlign::Center, VAlign::Top);
  draw_text(cr, "layer", kMargin, gy + nl * pitch / 2, HAlign::Center, VAlign::Top, 90);
  set_font(cr, kTickFont);
  set_color(cr, ctx.theme.text);
  const size_t hstride = label_stride(nh, pitch, text_width(cr, std::to_string(nh)));
  for (size_t h = 0; h < nh; h += hstride)
    draw_text(cr, std::to_string(h + 1), gx + h * pitch + thumb / 2, gy - 4, HAlign::Center, VAlign::Bottom);
  const size_t lstride = label_stride(nl, pitch, font_height(cr));
  for (size_t l = 0; l < nl; l += lstride)
    draw_text(cr, std::to_string(l + 1), gx - 6, gy + l * pitch + thumb / 2, HAlign::Right, VAlign::Middle);

  for (size_t li = 0; li < nl; ++li)
    for (size_t h = 0; h < thumbs[li].size(); ++h) {
      const Rect r{gx + h * pitch, gy + li * pitch, thumb, thumb};
      draw_cells(cr, thumbs[li][h], scale, r);
    }
  // The outline sits in the gap around the cell (or the layer's row) so it hides no cell.
  const Rect outline = whole_row ? Rect{gx - 2, gy + (hl - 1) * pitch - 2, nh * pitch - kThumbGap + 4, thumb + 4}
                                 : Rect{gx + (hh - 1) * pitch - 2, gy + (hl - 1) * pitch - 2, thumb + 4, thumb + 4};
  stroke_rect(cr, outline, ctx.theme.highlight, 2.5);
  const double grid_bottom = gy + nl * pitch;
  const double grid_right = gx + nh * pitch;

  // The detail heatmap.
  const Panel p = panel_axes(ctx, run, kind, notes);
  const double cell = cell_size(p.rows.size(), p.cols.size(), kDetailExtent, kDetailMaxCell);
  const double cw = axis_extent(p.cols.size(), cell), ch = axis_extent(p.rows.size(), cell);
  float dlo, dhi;  // the detail shares the grid's scale
  const Matrix shown = pooled_head(ctx, run, detail_block, detail_head, cw, ch, notes, dlo, dhi);
  const HeatmapSpec spec{&shown, scale, p.rows, p.cols, p.row_spans, p.col_spans, ctx.opt.values, "", ""};
  const HeatmapLayout l = layout_heatmap(cr, spec, cw, ch);
  for (const std::string& s : label_notes(l)) notes.add(s);  // thinned labels are stated
  if (ctx.opt.values && !l.values_fit) notes.add("values not printed: cells too small");
  const double dx = grid_right + kSectionGap;
  set_font(cr, kSubtitleFont, true);
  set_color(cr, ctx.theme.text);
  const std::string detail_title = "layer " + std::to_string(hl) + " · " +
                                   (whole_row ? head_phrase(detail_block, -1) : "head " + std::to_string(hh));
  draw_text(cr, detail_title, dx + l.cells.x + cw / 2, y, HAlign::Center, VAlign::Top);
  const double dy = y + font_height(cr) + 8;
  draw_heatmap(cr, spec, l, dx, dy, ctx.theme);

  const Rect bar{dx + l.cells.right() + kColorbarGap, dy, kColorbarWidth, std::max(ch, 120.0)};
  draw_colorbar(cr, scale, ctx.opt.colorbar_title, bar, ctx.theme);
  width = std::max(width, bar.x + colorbar_width(cr, scale, ctx.opt.colorbar_title));
  y = std::max({grid_bottom, dy + l.size.h, bar.bottom()});

  y = draw_notes(cr, ctx, notes, y, width);
  return {width + kMargin, y + kMargin};
}

}  // namespace attnscope
