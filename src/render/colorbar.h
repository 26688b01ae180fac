// The colour bar: a gradient strip whose two ends are labelled with the range's values, with
// round ticks between them and a title, drawn beside a heatmap (or under a strip: draw_colorbar_h).
#pragma once

#include <cairo.h>

#include <string>
#include <vector>

#include "render/canvas.h"
#include "render/heatmap.h"

namespace attnscope {

inline constexpr double kColorbarWidth = 14;
inline constexpr double kColorbarGap = 16;  // between the heatmap and the bar

// Round tick values inside [lo, hi], about `target` of them (steps 1, 2, 2.5 or 5 x 10^k).
std::vector<double> nice_ticks(double lo, double hi, int target = 5);
std::string tick_text(double v, double step);
// An end of a bar's range as text: 3 significant digits, no trailing zeros ("0.2", "0.0013",
// "0.873", "1235"); values below range x 1e-4 (float noise at a zero end) read "0".
std::string end_text(double v, double range);

struct ColorbarTick {
  double value;
  std::string text;
  bool end;  // one of the range's two ends (vmin, vmax), labelled with its own value
};
// The labelled ticks of a bar over [lo, hi]: both ends, then at least two round values between
// them (when the gaps allow), none closer than `end_gap` to an end or `tick_gap` to each other
// (both as shares of the range, so their labels do not overlap). Ordered by value, ends included.
inline constexpr double kDefaultTickGap = 0.12;
std::vector<ColorbarTick> colorbar_ticks(double lo, double hi, double end_gap = kDefaultTickGap,
                                         double tick_gap = kDefaultTickGap);

// Total width of bar, ticks and title.
double colorbar_width(cairo_t* cr, const ColorScale& scale, const std::string& title);
// `bar` is the gradient strip itself; ticks and title go to its right.
void draw_colorbar(cairo_t* cr, const ColorScale& scale, const std::string& title, const Rect& bar, const Theme& theme);

// A horizontal bar (for strips in the steps view): title above, ticks below.
inline constexpr double kColorbarHDepth = 46;  // total height used below bar.y - title
void draw_colorbar_h(cairo_t* cr, const ColorScale& scale, const std::string& title, const Rect& bar,
                     const Theme& theme);

}  // namespace attnscope
