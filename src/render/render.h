// Static figures of attention: one AttentionSet in, one PNG, SVG or PDF out (chosen by the output
// path's extension). Torch-free; used by `attnscope render` and `attnscope run --png`.
// Every display transform (mean of heads, subword merging, pooling) is stated on the figure.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/attention_set.h"

namespace attnscope {

struct RenderOptions {
  std::string view = "heatmap";             // heatmap|heads|lines|grid|compare|steps|gallery
  std::string kind;                         // "" = cross if the run has it, else its first block's kind
  // Indices from 0 here, as stored ("cross.0" is layer 0) and as in Python; figures and the
  // command line count layers and heads from 1 for people (layer 0 is drawn "layer 1").
  int layer = -1;                           // 0-based as stored ("cross.0"); -1 = last layer
  int head = -1;                            // 0-based; -1 = mean of heads
  std::vector<int> heads;                   // lines: several heads overlaid, a colour each (0-based); empty = `head`
  int run = 0;                              // which run (heatmap, heads, lines, grid, steps)
  std::pair<int, int> highlight{-1, -1};    // grid: (layer, head), 1-based as the grid's axes (seed 002)
  std::string spans;                        // "0-6:<ENV>,7-12:<LAN>": bracketed token ranges, inclusive
  std::string steps;                        // steps view: "0-3,7" decoding steps to show; "" = all (up to 12)
  std::string colormap = "viridis";         // viridis|magma|Blues|Greys|RdBu|RdBu_r
  std::optional<float> vmin, vmax;          // colour-bar range; default: the data's range
  std::string colorbar_title = "attention weight";
  std::string theme = "light";              // light|dark
  double dpi = 96;                          // PNG pixels per inch; 96 = one pixel per figure unit
  bool values = false;                      // print values in cells (when the cells can hold them)
  std::string merge = "none";               // none|words: merge subword pieces into words
  std::string pool = "max";                 // max|mean, when cells exceed the pixel budget
  std::string title;                        // replaces the automatic title when not empty
};

// Draws the figure and writes it atomically (temp file beside `out_path`, then rename).
// Throws std::invalid_argument for bad options (one line naming the bad value) and
// std::runtime_error when the file cannot be written; no file is left behind on error.
void render_figure(const AttentionSet& set, const RenderOptions& opt, const std::string& out_path);

// The notes the figure for `out_path` would carry: every display transform it states (mean of
// heads, merged subwords, pooling, clipped colours, ...). Lays the figure out without writing it.
std::vector<std::string> figure_notes(const AttentionSet& set, const RenderOptions& opt, const std::string& out_path);

// Every piece of text the figure for `out_path` draws, in drawing order: title, subtitle, panel
// titles, legends, axis and token labels, ticks, notes. Lays the figure out without writing it;
// lets tests check what a figure says ("layer 1, head 1") through strings, not pixels.
std::vector<std::string> figure_text(const AttentionSet& set, const RenderOptions& opt, const std::string& out_path);

// Checks options that need no data (view, colormap, theme, merge, pool, spans, dpi, range).
void check_render_options(const RenderOptions& opt);

struct ViewInfo {
  const char* name;
  const char* summary;  // one line, for --help
};
const std::vector<ViewInfo>& render_views();

}  // namespace attnscope
