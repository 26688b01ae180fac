// A labelled matrix that is not attention (a statistic per layer x head, ...), drawn with the same
// heatmap primitive, colour bar and notes as the attention views, to PNG, SVG or PDF.
#pragma once

#include <string>
#include <vector>

#include "render/matrix.h"

namespace attnscope {

struct StatFigure {
  Matrix values;                              // [rows, cols]; NaN cells are drawn as missing
  std::vector<std::string> row_labels, col_labels;
  std::string row_title, col_title;           // "layer", "head"
  std::string title, subtitle;
  std::string colorbar_title;
  std::string colormap = "viridis";
  bool values_in_cells = true;                // print each value when the cells can hold it
  std::vector<std::string> notes;             // stated under the figure
};

// Written atomically; the format comes from the extension. Throws std::invalid_argument for a
// bad extension or colour map, std::runtime_error when the file cannot be written.
void render_stat_figure(const StatFigure& fig, const std::string& out_path, double dpi = 96);

}  // namespace attnscope
