// Local attention's window on a heatmap (Luong et al. 2015, seed 004): an RNN trained with
// --scope local-m or local-p attends at step t only to source positions s with |s − p_t| ≤ D.
// The model records p_t as the extra "<kind>.<layer>.position" ([Q, 1], one per decoding step)
// and D in the set's meta ("window", with "scope"); views draw each row's window as an outline
// and p_t as a dot, over the cells, and say so in the notes.
#pragma once

#include <cairo.h>

#include <optional>
#include <string>
#include <vector>

#include "core/attention_set.h"
#include "render/canvas.h"
#include "render/view_common.h"

namespace attnscope {

struct LocalWindowMarks {
  std::string scope;            // "local-p" (predicted p_t) or "local-m" (p_t = t)
  int window = 0;               // D
  std::vector<float> position;  // p_t per query row, a source position (fractional for local-p)
  size_t keys = 0;              // source length the window is clipped to

  // Keys [first, last] a row may attend to: |s − p_t| ≤ D, inside the source.
  std::pair<size_t, size_t> span(size_t row) const;
  std::string note() const;  // "outline: window p_t ± D (D = 3); dot: p_t, predicted (local-p)"
};

// The marks of `block` when its run recorded "<kind>.<layer>.position" and the set's meta holds
// "window"; nullopt otherwise. Throws std::invalid_argument when the extra's size does not match
// the block's queries or the window is not a positive number.
std::optional<LocalWindowMarks> local_window_marks(const AttentionSet& set, const AttentionRun& run,
                                                   const AttentionBlock& block);

// Draws the marks over a heatmap whose cells (rows = queries, columns = keys, unmerged, pooled or
// not) fill `cells`: a white outline with a dark halo per row around its window, a red dot at p_t.
void draw_local_window(cairo_t* cr, const LocalWindowMarks& marks, const Rect& cells);

// One row's marks over a strip whose keys lie side by side across `strip` (the steps view's
// weight bars and score strip): the window as an outline in `outline`, p_t as a red dot at
// height `dot_y`.
void draw_local_window_row(cairo_t* cr, const LocalWindowMarks& marks, size_t row, const Rect& strip, const Rgb& outline,
                           double dot_y);

// What a view calls after drawing a block's cells into `cells` (figure units, at their place):
// draws the marks when the block has them and notes what they mean; when the panel's axes were
// merged into words the marks would not line up, so it notes that they are left out.
void overlay_local_window(cairo_t* cr, const ViewContext& ctx, const AttentionRun& run, const AttentionBlock& block,
                          const Panel& panel, const Rect& cells, Notes& notes);

}  // namespace attnscope
