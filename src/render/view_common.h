// What every view shares: the checked options (ViewContext), picking runs/blocks/heads with
// errors that name the valid range, turning a block into a labelled matrix (with subword
// merging), pooling to the pixel budget, the colour range, and the figure's title and notes.
#pragma once

#include <cairo.h>

#include <string>
#include <vector>

#include "analysis/subwords.h"
#include "core/attention_set.h"
#include "render/canvas.h"
#include "render/heatmap.h"
#include "render/matrix.h"
#include "render/render.h"
#include "render/spans.h"

namespace attnscope {

// At most this many cells per axis are drawn, whatever the output; raster outputs also stop at
// one cell per output pixel, so no cell is silently dropped by resampling.
inline constexpr size_t kMaxCellsPerAxis = 1500;
// A query-key head up to this many cells may be computed whole (one large panel, merging,
// averaging); beyond it, views pool from the recorded thumbnails.
inline constexpr size_t kMaxComputedHeadCells = size_t{1} << 27;  // 134 million: 11,585 tokens square
// Said on every figure drawn from a query-key block.
inline constexpr const char* kComputedStatement = "weights computed exactly from the recorded queries, keys and row log-sum-exps";

struct ViewContext {
  const AttentionSet& set;
  const RenderOptions& opt;
  const Theme& theme;
  const Colormap& cmap;
  PoolMode pool;
  bool merge_words;
  std::vector<Span> spans;
  double px_per_unit;  // output pixels per figure unit (raster); 0 for vector outputs
  std::vector<std::string>* notes_out = nullptr;  // when set, draw_notes hands its lines here
};

// The transforms a figure states, in order of first mention, without repeats.
struct Notes {
  std::vector<std::string> lines;
  void add(const std::string& line);
};

const AttentionRun& pick_run(const ViewContext& ctx, int index);
AttentionKind pick_kind(const AttentionRun& run, const std::string& kind);  // "" = cross if present
std::vector<int> layers_of(const AttentionRun& run, AttentionKind kind);     // sorted
std::string layer_numbers(const std::vector<int>& layers);  // stored 0..11 -> "1-12"; 0, 3 -> "1, 4"
const AttentionBlock& pick_block(const AttentionRun& run, AttentionKind kind, int layer);  // -1 = last
void check_head(const AttentionBlock& block, int head);  // -1 (mean) or 0..heads-1
// Both throw std::invalid_argument naming the valid layers or heads counted from 1.

// One block as a labelled matrix, ready for the heatmap primitive.
struct Panel {
  Matrix m;                                // [queries, keys], or [query words, key words]
  std::vector<std::string> rows, cols;     // labels
  std::vector<Span> row_spans, col_spans;  // spans in the labels' indices
};
// head -1 = mean of heads. Merges pieces into words when asked (noting it).
Panel make_panel(const ViewContext& ctx, const AttentionRun& run, const AttentionBlock& block, int head, Notes& notes);
// Any [Q, K] matrix of a run's kind (e.g. a difference), with the same merging and labels.
Panel make_panel(const ViewContext& ctx, const AttentionRun& run, AttentionKind kind, std::vector<float> qk,
                 Notes& notes);

// Only the axes of a kind: labels and spans (merged into words when asked); m stays empty.
Panel panel_axes(const ViewContext& ctx, const AttentionRun& run, AttentionKind kind, Notes& notes);

// One head (or the mean, head -1) of a block pooled for a w x h area, and its value range before
// pooling. Reads the block in place when no merging or averaging is needed, so views with many
// panels of long inputs never hold full-size copies.
Matrix pooled_head(const ViewContext& ctx, const AttentionRun& run, const AttentionBlock& block, int head, double w,
                   double h, Notes& notes, float& lo, float& hi, const std::string& what = "");

// Pools m to what a w x h area can show (per ctx.pool), noting the factor when it pools;
// `what` names the pooled things in the note ("thumbnails").
Matrix fit_budget(const ViewContext& ctx, const Matrix& m, double w, double h, Notes& notes,
                  const std::string& what = "");
// The same over borrowed data [rows, cols] (a head of a block), without a full-size copy.
Matrix fit_budget(const ViewContext& ctx, const float* v, size_t rows, size_t cols, double w, double h, Notes& notes,
                  const std::string& what = "");

// The colour scale: opt.vmin/vmax, else [lo, hi] of the data; notes clipping when fixed.
ColorScale make_scale(const ViewContext& ctx, float lo, float hi, Notes& notes);
// A diverging scale centred on 0 for differences, covering +-max|value|.
ColorScale diverging_scale(float lo, float hi);

std::string axis_title(AttentionKind kind, bool rows);  // "output (queries)", "input (keys)", ...
// Layers and heads on figures are counted from 1 for people; stored names count from 0.
std::string layer_phrase(const AttentionBlock& block);           // "layer 5" for block cross.4
std::string head_phrase(const AttentionBlock& block, int head);  // "head 3" for index 2, or "mean of 4 heads"
std::string all_heads_phrase(size_t heads);                      // "all 4 heads", "1 head"
// The note that says so, naming the stored block: "... (layer 5 is the stored block cross.4)".
void note_numbering(Notes& notes, const AttentionBlock& block);
std::string run_caption(const AttentionRun& run);       // "input → output", or the run's name
std::string short_number(double v);                     // 3 significant digits: "0.25", "-1.3e+03"

// Title (opt.title overrides `automatic`) and an optional subtitle at (kMargin, y).
// Returns the y below them and widens `width` to the right edge used.
double draw_header(cairo_t* cr, const ViewContext& ctx, const std::string& automatic, const std::string& subtitle,
                   double y, double& width);
// The notes (transforms) under the figure; same return convention.
double draw_notes(cairo_t* cr, const ViewContext& ctx, const Notes& notes, double y, double& width);

}  // namespace attnscope
