// The views. Each draws a whole figure at the origin in figure units and returns its size
// (output.h calls it twice: to measure, then to draw). All are built from the heatmap primitive.
#pragma once

#include <cairo.h>

#include "render/canvas.h"
#include "render/view_common.h"

namespace attnscope {

Size view_heatmap(cairo_t* cr, const ViewContext& ctx);  // one block, one head or the mean
Size view_heads(cairo_t* cr, const ViewContext& ctx);    // one panel per head, shared scale (seed 000)
Size view_lines(cairo_t* cr, const ViewContext& ctx);    // token columns joined by weighted lines (seed 000)
Size view_grid(cairo_t* cr, const ViewContext& ctx);     // layer x head thumbnails + detail (seed 002)
Size view_compare(cairo_t* cr, const ViewContext& ctx);  // runs stacked + difference (seed 001)
Size view_steps(cairo_t* cr, const ViewContext& ctx);    // decoding step by step (seed 004)
Size view_gallery(cairo_t* cr, const ViewContext& ctx);  // one small heatmap per run (seed 003)

// Matrix-area extent for n cells of `cell` units, never thinner than a readable strip.
double axis_extent(size_t n, double cell);

}  // namespace attnscope
