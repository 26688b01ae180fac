#include "render/stat_figure.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "render/colorbar.h"
#include "render/heatmap.h"
#include "render/output.h"

namespace attnscope {

namespace {
constexpr double kTargetExtent = 420;
constexpr double kMaxCell = 44;
constexpr double kMinBarHeight = 120;
}  // namespace

void render_stat_figure(const StatFigure& fig, const std::string& out_path, double dpi) {
  output_format(out_path);
  const Colormap& cmap = colormap(fig.colormap);
  const Theme& th = theme("light");
  if (fig.values.rows == 0 || fig.values.cols == 0) throw std::invalid_argument("empty statistic matrix");

  // NaN (a statistic that does not apply) is shown at the low end and said so below.
  float lo = INFINITY, hi = -INFINITY;
  bool missing = false;
  Matrix shown = fig.values;
  for (float v : fig.values.v)
    if (std::isnan(v)) missing = true;
    else lo = std::min(lo, v), hi = std::max(hi, v);
  if (!(lo <= hi)) lo = 0, hi = 1;
  for (float& v : shown.v)
    if (std::isnan(v)) v = lo;
  std::vector<std::string> notes = fig.notes;
  if (missing) notes.push_back("cells without a value (statistic does not apply) are drawn at the low end");

  write_figure(out_path, dpi, th.background, [&](cairo_t* cr) {
    double y = kMargin, width = 0;
    set_font(cr, kTitleFont, true);
    set_color(cr, th.text);
    draw_text(cr, fig.title, kMargin, y, HAlign::Left, VAlign::Top);
    width = std::max(width, kMargin + text_width(cr, fig.title));
    y += font_height(cr) + 4;
    if (!fig.subtitle.empty()) {
      set_font(cr, kSubtitleFont);
      set_color(cr, th.muted);
      draw_text(cr, fig.subtitle, kMargin, y, HAlign::Left, VAlign::Top);
      width = std::max(width, kMargin + text_width(cr, fig.subtitle));
      y += font_height(cr) + 6;
    }
    y += 6;
    const double cell = cell_size(shown.rows, shown.cols, kTargetExtent, kMaxCell);
    const double cw = shown.cols * cell, ch = shown.rows * cell;
    const ColorScale scale{&cmap, lo, hi};
    const HeatmapSpec spec{&shown, scale, fig.row_labels, fig.col_labels, {}, {}, fig.values_in_cells,
                           fig.row_title, fig.col_title};
    const HeatmapLayout l = layout_heatmap(cr, spec, cw, ch);
    draw_heatmap(cr, spec, l, kMargin, y, th);
    const Rect bar{kMargin + l.cells.right() + kColorbarGap, y, kColorbarWidth, std::max(ch, kMinBarHeight)};
    draw_colorbar(cr, scale, fig.colorbar_title, bar, th);
    width = std::max(width, bar.x + colorbar_width(cr, scale, fig.colorbar_title));
    y += std::max(l.size.h, bar.h) + 8;
    set_font(cr, kNoteFont);
    set_color(cr, th.muted);
    for (const std::string& n : notes) {
      draw_text(cr, n, kMargin, y, HAlign::Left, VAlign::Top);
      width = std::max(width, kMargin + text_width(cr, n));
      y += font_height(cr) + 2;
    }
    return Size{width + kMargin, y + kMargin};
  });
}

}  // namespace attnscope
