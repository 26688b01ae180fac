// Output surfaces: PNG, SVG or PDF by the path's extension, written atomically.
// A figure is drawn twice by the same function: once on a scratch context to learn its size,
// then on the real surface of that size. Views stay simple imperative code with no size pass.
#pragma once

#include <functional>
#include <string>

#include "render/canvas.h"

namespace attnscope {

enum class OutputFormat { Png, Svg, Pdf };

// From the extension (.png, .svg, .pdf, any case); throws std::invalid_argument naming it.
OutputFormat output_format(const std::string& path);

// Draws on `cr` in figure units and returns the figure's size.
using DrawFigure = std::function<Size(cairo_t* cr)>;

// PNG: dpi/96 pixels per unit. SVG: one px per unit. PDF: 0.75 pt per unit (same physical size
// as the PNG at 96 dpi). Writes "<path>.tmp-<pid>", renames it onto `path`; removes it on error.
void write_figure(const std::string& path, double dpi, const Rgb& background, const DrawFigure& draw);

// Largest PNG side cairo can make.
inline constexpr int kMaxPngSide = 32767;

}  // namespace attnscope
