// Token labels along a heatmap axis: their font, orientation and which ones to show.
// Every token is labelled while a readable font fits its cell (the font shrinks to
// kMinLabelFont and x labels turn vertical first); only past that are labels thinned, and then
// the first, last, special ([CLS], </s>, ...) and span-boundary tokens are always kept.
#pragma once

#include <cairo.h>

#include <string>
#include <vector>

#include "render/canvas.h"

namespace attnscope {

inline constexpr double kLabelGap = 3;          // free space between neighbouring labels
inline constexpr double kLineGap = 1.5;         // between labels stacked one per cell (leading)
inline constexpr double kMaxLabelWidth = 150;   // longer tokens are shortened with an ellipsis
inline constexpr double kTickLength = 3;
inline constexpr double kMinLabelFont = 7;      // labels shrink to this before any is dropped
inline constexpr double kThinnedLabelFont = 8;  // font of an axis whose labels are thinned
// A whitespace-only token (character-level models) is shown as one middle dot per character.
inline constexpr const char* kWhitespaceGlyph = "\u00b7";

// The text a token is labelled with: whitespace-only tokens become kWhitespaceGlyph (one per
// character) so their place on an axis is visible; every other token is returned unchanged.
std::string display_token(const std::string& token);

// Smallest k >= 1 such that showing every k-th of `n` labels spaced `slot` apart leaves room for
// labels `extent` long plus kLabelGap between them.
size_t label_stride(size_t n, double slot, double extent);

// Largest font for labels whose slots are `slot` units apart: at most kLabelFont, at least
// kMinLabelFont.
double label_font(double slot);

// Which of `tokens` to label when only every `stride`-th fits: first, last, special tokens
// (<s>, </s>, [CLS], [SEP], [MASK], ...) and the indices in `keep` (span boundaries) first, then
// every stride-th token, skipping any closer than `stride` to one already kept. Ascending.
std::vector<size_t> thin_labels(const std::vector<std::string>& tokens, size_t stride, const std::vector<size_t>& keep);

struct AxisLabels {
  std::vector<std::string> text;  // one per token, already shortened; empty = no labels
  std::vector<size_t> shown;      // indices of the labels drawn, ascending (all when stride is 1)
  double font = kLabelFont;
  size_t stride = 1;              // > 1: thinned to about every stride-th label (see thin_labels)
  bool vertical = false;          // x axis only: rotated 90 degrees
  double depth = 0;               // space taken perpendicular to the axis, ticks included
};

// Columns: horizontal when every label fits its slot (font shrunk if need be), else vertical;
// thinned only when even kMinLabelFont does not fit. `keep`: indices never thinned away.
AxisLabels layout_x_labels(cairo_t* cr, const std::vector<std::string>& tokens, double slot,
                           const std::vector<size_t>& keep = {});
// Rows: horizontal, right-aligned; font shrunk to the slot, thinned only below kMinLabelFont.
AxisLabels layout_y_labels(cairo_t* cr, const std::vector<std::string>& tokens, double slot,
                           const std::vector<size_t>& keep = {});

// The note a figure states for a thinned axis ("column labels: every 4th of 120 tokens, ..."),
// or "" when every label is shown. `axis` names the axis ("column", "row", "key").
std::string thinning_note(const AxisLabels& l, const std::string& axis);

// Labels below a row of cells: `x0` is the left edge of the cells, `slot` the width per token,
// `y` the bottom edge of the cells.
void draw_x_labels(cairo_t* cr, const AxisLabels& l, double x0, double slot, double y, const Rgb& color);
// Labels left of a column of cells: `x` is the cells' left edge, `y0` their top.
void draw_y_labels(cairo_t* cr, const AxisLabels& l, double x, double y0, double slot, const Rgb& color);

}  // namespace attnscope
