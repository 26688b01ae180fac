// grid: a thumbnail of every layer x head of one kind (rows = layers, columns = heads, counted
// from 1 as in seed 002), one outlined, and that head drawn in detail with its labels, spans and
// the colour bar. One colour scale for thumbnails and detail alike. The grid goes beside the
// detail, as tall as it, or above it, as wide as it: whichever leaves less of the page empty.
#include <algorithm>
#include <stdexcept>

#include "render/colorbar.h"
#include "render/views.h"

namespace attnscope {

namespace {
constexpr double kMaxThumb = 120, kMinThumb = 14;
constexpr double kThumbGap = 3;
constexpr double kMaxGridSide = 640;  // the grid's cells never grow past this on either side
constexpr double kDetailExtent = 420;
constexpr double kDetailMaxCell = 32;
constexpr double kSectionGap = 44;
constexpr double kMinBarHeight = 120;

// The share of a w x h page that two boxes (placed without overlap) leave empty.
double empty_share(Size page, Size a, Size b) { return 1.0 - (a.w * a.h + b.w * b.h) / (page.w * page.h); }
}  // namespace

Size view_grid(cairo_t* cr, const ViewContext& ctx) {
  const AttentionRun& run = pick_run(ctx, ctx.opt.run);
  const AttentionKind kind = pick_kind(run, ctx.opt.kind);
  const std::vector<int> layers = layers_of(run, kind);
  const size_t nl = layers.size();
  size_t nh = 0;
  for (int l : layers) nh = std::max(nh, run.find(kind, l)->heads);

  // The detail: --highlight L,H (counted from 1, as the grid's axes), else the --layer/--head
  // block (the whole layer row outlined when the head is the mean).
  const AttentionBlock* detail_block = nullptr;
  int detail_head = -1;
  if (ctx.opt.highlight.first == -1 && ctx.opt.highlight.second == -1) {
    detail_block = &pick_block(run, kind, ctx.opt.layer);
    detail_head = ctx.opt.head;
  } else {
    const auto [hl, hh] = ctx.opt.highlight;
    detail_block = hl >= 1 ? run.find(kind, hl - 1) : nullptr;
    if (!detail_block || hh < 1 || hh > static_cast<int>(detail_block->heads))
      throw std::invalid_argument("highlight " + std::to_string(hl) + "," + std::to_string(hh) + " out of range (layers " +
                                  layer_numbers(layers) + ", heads 1-" + std::to_string(nh) + ", counted from 1)");
    detail_head = hh - 1;
  }
  check_head(*detail_block, detail_head);
  const bool whole_row = detail_head < 0;
  const size_t detail_row = static_cast<size_t>(std::find(layers.begin(), layers.end(), detail_block->layer) - layers.begin());

  Notes notes;
  // The detail's layout needs only its labels; its size decides the grid's.
  const Panel p = panel_axes(ctx, run, kind, notes);
  const double cell = cell_size(p.rows.size(), p.cols.size(), kDetailExtent, kDetailMaxCell);
  const double cw = axis_extent(p.cols.size(), cell), ch = axis_extent(p.rows.size(), cell);
  HeatmapSpec spec{nullptr, {}, p.rows, p.cols, p.row_spans, p.col_spans, ctx.opt.values, "", ""};
  const HeatmapLayout l = layout_heatmap(cr, spec, cw, ch);
  for (const std::string& s : label_notes(l)) notes.add(s);  // thinned labels are stated
  set_font(cr, kSubtitleFont, true);
  const double detail_title_h = font_height(cr) + 8;
  const double bar_h = std::max(ch, kMinBarHeight);
  const double bar_w_guess = kColorbarGap + kColorbarWidth + 70;  // ticks and title; measured once the scale is known
  const Size detail{l.size.w + bar_w_guess, detail_title_h + std::max(l.size.h, l.cells.y + bar_h)};

  // Space around the grid: "head" and its numbers on top, "layer" and its numbers on the left.
  set_font(cr, kTickFont);
  const double num_w = text_width(cr, std::to_string(layers.back() + 1)) + 6;
  set_font(cr, kLabelFont);
  const double title_h = font_height(cr);
  const double axis_w = title_h + 6 + num_w, axis_h = title_h + 4 + font_height(cr) + 4;
  auto thumb_for = [&](double w, double h) {
    const double t = std::min(std::min(w, kMaxGridSide) / static_cast<double>(nh),
                              std::min(h, kMaxGridSide) / static_cast<double>(nl));
    return std::clamp(t - kThumbGap, kMinThumb, kMaxThumb);
  };
  auto grid_size = [&](double t) {
    return Size{axis_w + static_cast<double>(nh) * (t + kThumbGap), axis_h + static_cast<double>(nl) * (t + kThumbGap)};
  };
  // Beside: the grid's rows span the detail's height. Above: its columns span the detail's width.
  const double t_beside = thumb_for(kMaxGridSide, detail.h - axis_h);
  const double t_above = thumb_for(detail.w - axis_w, kMaxGridSide);
  const Size gb = grid_size(t_beside), ga = grid_size(t_above);
  const double empty_beside = empty_share({gb.w + kSectionGap + detail.w, std::max(gb.h, detail.h)}, gb, detail);
  const double empty_above = empty_share({std::max(ga.w, detail.w), ga.h + kSectionGap + detail.h}, ga, detail);
  const bool above = empty_above < empty_beside;
  const double thumb = above ? t_above : t_beside;
  const Size grid = above ? ga : gb;

  // Every thumbnail, and the shared range.
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
  note_numbering(notes, *detail_block);

  double width = 0;
  const std::string title = kind_name(kind) + " attention · " + std::to_string(nl) + (nl == 1 ? " layer × " : " layers × ") +
                            std::to_string(nh) + (nh == 1 ? " head" : " heads");
  double y = draw_header(cr, ctx, title, run_caption(run), kMargin, width);

  // The grid, its numbers and axis titles.
  const double gx = kMargin + axis_w, gy = y + axis_h;
  const double pitch = thumb + kThumbGap;
  set_font(cr, kLabelFont);
  set_color(cr, ctx.theme.muted);
  draw_text(cr, "head", gx + nh * pitch / 2, y, HAlign::Center, VAlign::Top);
  draw_text(cr, "layer", kMargin, gy + nl * pitch / 2, HAlign::Center, VAlign::Top, 90);
  set_font(cr, kTickFont);
  set_color(cr, ctx.theme.text);
  const size_t hstride = label_stride(nh, pitch, text_width(cr, std::to_string(nh)));
  for (size_t h = 0; h < nh; h += hstride)
    draw_text(cr, std::to_string(h + 1), gx + h * pitch + thumb / 2, gy - 4, HAlign::Center, VAlign::Bottom);
  const size_t lstride = label_stride(nl, pitch, font_height(cr));
  for (size_t li = 0; li < nl; li += lstride)
    draw_text(cr, std::to_string(layers[li] + 1), gx - 6, gy + li * pitch + thumb / 2, HAlign::Right, VAlign::Middle);
  for (size_t li = 0; li < nl; ++li)
    for (size_t h = 0; h < thumbs[li].size(); ++h) draw_cells(cr, thumbs[li][h], scale, {gx + h * pitch, gy + li * pitch, thumb, thumb});
  // The outline sits in the gap around the cell (or the layer's row) so it hides no cell.
  const double oy = gy + static_cast<double>(detail_row) * pitch - 2;
  const Rect outline = whole_row ? Rect{gx - 2, oy, nh * pitch - kThumbGap + 4, thumb + 4}
                                 : Rect{gx + detail_head * pitch - 2, oy, thumb + 4, thumb + 4};
  stroke_rect(cr, outline, ctx.theme.highlight, 2.5);

  // The detail heatmap, on the grid's scale.
  float dlo, dhi;
  const Matrix shown = pooled_head(ctx, run, *detail_block, detail_head, cw, ch, notes, dlo, dhi);
  spec.cells = &shown;
  spec.scale = scale;
  if (ctx.opt.values && !l.values_fit) notes.add("values not printed: cells too small");
  const double dx = above ? kMargin : kMargin + grid.w + kSectionGap;
  const double dt = above ? y + grid.h + kSectionGap : y;
  set_font(cr, kSubtitleFont, true);
  set_color(cr, ctx.theme.text);
  const std::string detail_title = layer_phrase(*detail_block) + " · " + head_phrase(*detail_block, detail_head);
  draw_text(cr, detail_title, dx + l.cells.x + cw / 2, dt, HAlign::Center, VAlign::Top);
  width = std::max(width, dx + l.cells.x + cw / 2 + text_width(cr, detail_title) / 2);
  const double dy = dt + detail_title_h;
  draw_heatmap(cr, spec, l, dx, dy, ctx.theme);

  const Rect bar{dx + l.cells.right() + kColorbarGap, dy + l.cells.y, kColorbarWidth, bar_h};
  draw_colorbar(cr, scale, ctx.opt.colorbar_title, bar, ctx.theme);
  width = std::max({width, kMargin + grid.w, bar.x + colorbar_width(cr, scale, ctx.opt.colorbar_title)});
  y = std::max({y + grid.h, dy + l.size.h, bar.bottom()});

  y = draw_notes(cr, ctx, notes, y, width);
  return {width + kMargin, y + kMargin};
}

}  // namespace attnscope
