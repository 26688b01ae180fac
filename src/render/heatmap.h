// The one heatmap primitive every view composes: a [rows, cols] matrix drawn into a rectangle as
// ONE image (one pixel per cell, scaled with nearest-neighbour filtering; never a shape per cell),
// with token labels on both axes, optional span brackets, optional values in cells.
#pragma once

#include <cairo.h>

#include <string>
#include <vector>

#include "render/canvas.h"
#include "render/colormap.h"
#include "render/labels.h"
#include "render/matrix.h"
#include "render/spans.h"

namespace attnscope {

// Value -> colour: the map and the range its ends stand for.
struct ColorScale {
  const Colormap* map = nullptr;
  float vmin = 0, vmax = 1;

  double t(float v) const { return vmax > vmin ? (static_cast<double>(v) - vmin) / (vmax - vmin) : 0.5; }
  Rgb color(float v) const { return map->at(t(v)); }
};

// Paints m into r as one rows x cols image, nearest-neighbour scaled.
void draw_cells(cairo_t* cr, const Matrix& m, const ColorScale& scale, const Rect& r);

struct HeatmapSpec {
  const Matrix* cells = nullptr;            // [rows, cols] as drawn (pooled if the input was long)
  ColorScale scale;
  std::vector<std::string> row_labels;      // one per row token (before pooling); empty = none
  std::vector<std::string> col_labels;      // one per column token
  std::vector<Span> row_spans, col_spans;   // in token indices of the labels above
  bool values = false;                      // print values in cells, if every cell can hold one
  std::string row_title, col_title;         // axis titles ("output (queries)"), may be empty
};

// Where everything goes once label sizes are known. Positions are relative to the panel's
// top-left corner; `cells` is the matrix area.
struct HeatmapLayout {
  Rect cells;
  AxisLabels x, y;
  double row_spans_depth = 0, col_spans_depth = 0;
  bool values_fit = false;  // values requested and every cell is large enough
  Size size;                // the whole panel, labels and titles included
};

// cells_w x cells_h is the matrix area in figure units.
HeatmapLayout layout_heatmap(cairo_t* cr, const HeatmapSpec& spec, double cells_w, double cells_h);
// Draws the panel with its top-left corner at (x, y).
void draw_heatmap(cairo_t* cr, const HeatmapSpec& spec, const HeatmapLayout& layout, double x, double y,
                  const Theme& theme);

// The first and last token of every span: labels an axis never thins away.
std::vector<size_t> span_edges(const std::vector<Span>& spans);
// What the figure must state about the layout's labels: one line per thinned axis
// ("column labels: every 4th of 120 tokens shown ..."); empty when every token is labelled.
std::vector<std::string> label_notes(const HeatmapLayout& layout);

// Side of a square cell so the larger axis spans about `target` units, within [min_cell, max_cell].
double cell_size(size_t rows, size_t cols, double target, double max_cell);

}  // namespace attnscope
