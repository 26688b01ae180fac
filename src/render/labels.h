// Token labels along a heatmap axis: which ones to show (every k-th, so none overlap) and
// how to orient them (x labels turn vertical when they would collide).
#pragma once

#include <cairo.h>

#include <string>
#include <vector>

#include "render/canvas.h"

namespace attnscope {

inline constexpr double kLabelGap = 3;          // free space between neighbouring labels
inline constexpr double kMaxLabelWidth = 150;   // longer tokens are shortened with an ellipsis
inline constexpr double kTickLength = 3;

// Smallest k >= 1 such that showing every k-th of `n` labels spaced `slot` apart leaves room for
// labels `extent` long plus kLabelGap between them.
size_t label_stride(size_t n, double slot, double extent);

// Font size for labels whose slots are `slot` units apart: readable, never below 8.
double label_font(double slot);

struct AxisLabels {
  std::vector<std::string> text;  // one per token, already shortened; empty = no labels
  double font = kLabelFont;
  size_t stride = 1;              // every stride-th label is drawn
  bool vertical = false;          // x axis only: rotated 90 degrees
  double depth = 0;               // space taken perpendicular to the axis, ticks included
};

// Columns: horizontal when every label fits its slot, else vertical and thinned.
AxisLabels layout_x_labels(cairo_t* cr, const std::vector<std::string>& tokens, double slot);
// Rows: horizontal, right-aligned, thinned to the font height.
AxisLabels layout_y_labels(cairo_t* cr, const std::vector<std::string>& tokens, double slot);

// Labels below a row of cells: `x0` is the left edge of the cells, `slot` the width per token,
// `y` the bottom edge of the cells.
void draw_x_labels(cairo_t* cr, const AxisLabels& l, double x0, double slot, double y, const Rgb& color);
// Labels left of a column of cells: `x` is the cells' left edge, `y0` their top.
void draw_y_labels(cairo_t* cr, const AxisLabels& l, double x, double y0, double slot, const Rgb& color);

}  // namespace attnscope
