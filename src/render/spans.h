// Token spans ("0-6:<ENV>,7-12:<LAN>"): labelled brackets beside a heatmap axis, as in seed 002.
// Syntax: comma-separated FIRST-LAST:LABEL, token indices inclusive and 0-based; a "q:" or "k:"
// prefix puts a span on the query (row) or key (column) axis only; no prefix means both axes.
#pragma once

#include <cairo.h>

#include <string>
#include <vector>

#include "render/canvas.h"

namespace attnscope {

struct Span {
  size_t first = 0, last = 0;  // token indices, inclusive
  std::string label;
  bool rows = true, cols = true;  // which axes it belongs to
};

// Throws std::invalid_argument naming the bad entry.
std::vector<Span> parse_spans(const std::string& text);

// The spans of one axis with `n` tokens; throws std::invalid_argument when a span runs past it.
// `word_of_piece` (empty = identity) maps token indices to merged words.
std::vector<Span> spans_for_axis(const std::vector<Span>& spans, bool rows, size_t n,
                                 const std::vector<size_t>& word_of_piece);

// Space a bracket row takes perpendicular to its axis (0 when there are no spans).
double spans_depth(cairo_t* cr, const std::vector<Span>& spans, bool vertical_axis);

// Brackets under columns: `x0` left edge of the cells, `slot` per token, `y` top of the bracket row.
void draw_col_spans(cairo_t* cr, const std::vector<Span>& spans, double x0, double slot, double y, const Rgb& c);
// Brackets left of rows: `x` right edge of the bracket column, `y0` top of the cells.
void draw_row_spans(cairo_t* cr, const std::vector<Span>& spans, double x, double y0, double slot, const Rgb& c);

}  // namespace attnscope
