// The colour bar: a gradient strip with ticks at round values and a title, drawn beside a heatmap.
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

// Total width of bar, ticks and title.
double colorbar_width(cairo_t* cr, const ColorScale& scale, const std::string& title);
// `bar` is the gradient strip itself; ticks and title go to its right.
void draw_colorbar(cairo_t* cr, const ColorScale& scale, const std::string& title, const Rect& bar, const Theme& theme);

// A horizontal bar (for strips in the steps view): title above, ticks below.
inline constexpr double kColorbarHDepth = 46;  // total height used below bar.y - title
void draw_colorbar_h(cairo_t* cr, const ColorScale& scale, const std::string& title, const Rect& bar,
                     const Theme& theme);

}  // namespace attnscope
