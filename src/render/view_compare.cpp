// compare: every run of the set (e.g. run 0 = original input, run 1 = [MASK]ed input, seed 001)
// stacked on one shared colour scale, then the difference run 1 - run 0 on a diverging scale
// centred on 0 when their shapes match (the figure says why not otherwise).
#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "render/colorbar.h"
#include "render/views.h"

namespace attnscope {

namespace {
constexpr double kPanelExtent = 420;
constexpr double kMaxCell = 30;
constexpr double kStackGap = 26;
constexpr double kMaxCaptionWidth = 760;

// Labels of the difference panel: shared tokens as they are, differing ones as "a / b".
std::vector<std::string> joined_labels(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::string> out;
  for (size_t i = 0; i < a.size(); ++i) out.push_back(a[i] == b[i] ? a[i] : display_token(a[i]) + " / " + display_token(b[i]));
  return out;
}

// A run's caption in at most two lines of kMaxCaptionWidth, broken at the last space that fits
// (a masked input with its output rarely fits one); the second is shortened with … if need be.
std::vector<std::string> caption_lines(cairo_t* cr, const std::string& text) {
  if (text_width(cr, text) <= kMaxCaptionWidth) return {text};
  size_t cut = std::string::npos;
  for (size_t at = text.find(' '); at != std::string::npos; at = text.find(' ', at + 1)) {
    if (text_width(cr, text.substr(0, at)) > kMaxCaptionWidth) break;
    cut = at;
  }
  if (cut == std::string::npos) return {text};
  return {text.substr(0, cut), text.substr(cut + 1)};
}

// The input a masked run read, from its own recorded tokens: pieces joined into words by the
// set's subword convention, each masked piece as the token fed in its place ("<unk>" where the
// model has no mask token), special tokens that were not masked (</s>, [CLS]) left out.
// Empty when the run records no mask.
std::string masked_input(const AttentionSet& set, const AttentionRun& run) {
  if (!run.info.count("mask") || run.source_tokens.empty()) return "";
  const auto it = set.meta.find("subword");
  const SubwordStyle style = it != set.meta.end() && !it->second.empty() ? subword_style(it->second)
                                                                          : detect_subword_style(run.source_tokens);
  std::vector<size_t> positions;
  if (const auto p = run.info.find("mask_positions"); p != run.info.end()) {
    const auto j = nlohmann::json::parse(p->second, nullptr, /*allow_exceptions=*/false);
    if (j.is_array())
      for (const auto& v : j)
        if (v.is_number_unsigned()) positions.push_back(v.get<size_t>());
  }
  const WordGroups g = group_words(run.source_tokens, style);
  std::vector<bool> masked(g.words.size(), false);
  for (size_t p : positions)
    if (p < g.word_of_piece.size()) masked[g.word_of_piece[p]] = true;
  // A character model's tokens are characters: they join without spaces (spaces are tokens).
  bool characters = style == SubwordStyle::None;
  for (size_t w = 0; w < g.words.size() && characters; ++w)
    characters = is_special_token(g.words[w]) || masked[w] || g.words[w].size() <= 4;  // one UTF-8 character
  std::string text;
  for (size_t w = 0; w < g.words.size(); ++w) {
    if (is_special_token(g.words[w]) && !masked[w]) continue;
    if (!text.empty() && !characters) text += ' ';
    text += g.words[w];
  }
  return text;
}

// What a masked run was fed and how its output was chosen, from the experiment the set records
// (run --mask/--mask-words), else the run's own "mask" fact.
void note_mask(const AttentionSet& set, size_t r, Notes& notes) {
  const AttentionRun& run = set.runs[r];
  const auto info = run.info.find("mask");
  if (info == run.info.end()) return;
  const std::string who = "run " + std::to_string(r) + (run.name.empty() ? "" : " (" + run.name + ")");
  nlohmann::json e;
  if (const auto m = set.meta.find("experiment"); m != set.meta.end())
    e = nlohmann::json::parse(m->second, nullptr, /*allow_exceptions=*/false);
  if (e.is_object() && e.value("kind", "") == "mask" && e.contains("mask_token") && e["mask_token"].is_string()) {
    const std::string token = e["mask_token"].get<std::string>();
    const std::string what = e.value("selection", "the masked tokens");
    notes.add(who + ": " + what + (e.value("substitute", false)
                                       ? " fed as " + token + " (the model has no [MASK] token)"
                                       : " replaced by " + token));
  } else {
    notes.add(who + ": " + info->second);
  }
  if (const auto t = run.info.find("target"); t != run.info.end()) notes.add(who + ": output " + t->second);
}
}  // namespace

Size view_compare(cairo_t* cr, const ViewContext& ctx) {
  const size_t n = ctx.set.runs.size();
  if (n < 2)
    throw std::invalid_argument("compare view needs at least 2 runs (the file has " + std::to_string(n) +
                                "); record e.g. the original and a masked input");
  Notes notes;
  std::vector<Panel> panels;
  std::vector<const AttentionBlock*> blocks;
  const AttentionKind kind = pick_kind(ctx.set.runs[0], ctx.opt.kind);
  for (size_t r = 0; r < n; ++r) {
    const AttentionRun& run = ctx.set.runs[r];
    pick_kind(run, kind_name(kind));  // every run must have it
    const AttentionBlock& b = pick_block(run, kind, ctx.opt.layer);
    blocks.push_back(&b);
    panels.push_back(make_panel(ctx, run, b, ctx.opt.head, notes));
  }

  double width = 0;
  note_numbering(notes, *blocks[0]);
  const std::string title = kind_name(kind) + " · " + layer_phrase(*blocks[0]) + " · " +
                            head_phrase(*blocks[0], ctx.opt.head) + " · " + std::to_string(n) + " runs";
  double y = draw_header(cr, ctx, title, "", kMargin, width);

  size_t max_rows = 0, max_cols = 0;
  float lo = 0, hi = 0;
  for (size_t r = 0; r < n; ++r) {
    max_rows = std::max(max_rows, panels[r].m.rows);
    max_cols = std::max(max_cols, panels[r].m.cols);
    float a, b;
    value_range(panels[r].m, a, b);
    lo = r == 0 ? a : std::min(lo, a);
    hi = r == 0 ? b : std::max(hi, b);
  }
  const double cell = cell_size(max_rows, max_cols, kPanelExtent, kMaxCell);
  const ColorScale scale = make_scale(ctx, lo, hi, notes);
  notes.add("all runs share one colour scale");

  // The difference, when the first two runs line up cell for cell.
  const Panel &p0 = panels[0], &p1 = panels[1];
  const bool same_shape = p0.m.rows == p1.m.rows && p0.m.cols == p1.m.cols;
  Panel diff;
  if (same_shape) {
    diff = p1;
    for (size_t i = 0; i < diff.m.v.size(); ++i) diff.m.v[i] = p1.m.v[i] - p0.m.v[i];
    diff.rows = joined_labels(p0.rows, p1.rows);
    diff.cols = joined_labels(p0.cols, p1.cols);
    diff.row_spans = p0.row_spans;
    diff.col_spans = p0.col_spans;
  } else {
    notes.add("difference not drawn: run 0 is " + std::to_string(p0.m.rows) + "x" + std::to_string(p0.m.cols) +
              " and run 1 is " + std::to_string(p1.m.rows) + "x" + std::to_string(p1.m.cols));
  }

  // Draws one stacked panel under a bold caption and a muted line of text; returns its cells.
  auto draw_panel = [&](const Panel& p, const ColorScale& s, const std::string& caption, const std::string& text,
                        double top, double& bottom) {
    const double cw = axis_extent(p.m.cols, cell), ch = axis_extent(p.m.rows, cell);
    const Matrix shown = fit_budget(ctx, p.m, cw, ch, notes);
    const HeatmapSpec spec{&shown, s, p.rows, p.cols, p.row_spans, p.col_spans, ctx.opt.values,
                           axis_title(kind, true), axis_title(kind, false)};
    const HeatmapLayout l = layout_heatmap(cr, spec, cw, ch);
    for (const std::string& line : label_notes(l)) notes.add(line);
    if (ctx.opt.values && !l.values_fit) notes.add("values not printed: cells too small");
    set_font(cr, kSubtitleFont, true);
    set_color(cr, ctx.theme.text);
    draw_text(cr, caption, kMargin, top, HAlign::Left, VAlign::Top);
    width = std::max(width, kMargin + text_width(cr, caption));
    top += font_height(cr) + 2;
    if (!text.empty()) {
      set_font(cr, kSubtitleFont);
      set_color(cr, ctx.theme.muted);
      for (const std::string& line : caption_lines(cr, text)) {
        const std::string t = fit_text(cr, line, kMaxCaptionWidth);
        draw_text(cr, t, kMargin, top, HAlign::Left, VAlign::Top);
        width = std::max(width, kMargin + text_width(cr, t));
        top += font_height(cr) + 2;
      }
    }
    const double cells_top = top + 6;
    draw_heatmap(cr, spec, l, kMargin, cells_top, ctx.theme);
    bottom = cells_top + l.size.h;
    width = std::max(width, kMargin + l.size.w);
    return Rect{kMargin + l.cells.x, cells_top, cw, ch};
  };

  // The runs; the shared colour bar stands beside the first, clear of later captions. A masked
  // run is captioned with the input it read, not the input typed.
  for (size_t r = 0; r < n; ++r) {
    const AttentionRun& run = ctx.set.runs[r];
    AttentionRun read;  // captions only: the input as read, the output as produced
    read.input_text = masked_input(ctx.set, run);
    read.output_text = run.output_text;
    const std::string text = run_caption(read.input_text.empty() ? run : read);
    note_mask(ctx.set, r, notes);
    double bottom = 0;
    const Rect cells = draw_panel(panels[r], scale, "run " + std::to_string(r) + (run.name.empty() ? "" : " · " + run.name),
                                  text, y, bottom);
    if (r == 0) {
      const Rect bar{cells.right() + kColorbarGap, cells.y, kColorbarWidth, std::max(120.0, cells.h)};
      draw_colorbar(cr, scale, ctx.opt.colorbar_title, bar, ctx.theme);
      width = std::max(width, bar.x + colorbar_width(cr, scale, ctx.opt.colorbar_title));
      bottom = std::max(bottom, bar.bottom());
    }
    y = bottom + kStackGap;
  }

  if (same_shape) {
    float a, b;
    value_range(diff.m, a, b);
    const ColorScale dscale = diverging_scale(a, b);
    double bottom = 0;
    const Rect cells = draw_panel(diff, dscale, "difference: run 1 − run 0", "", y, bottom);
    const std::string dtitle = "difference (run 1 − run 0)";
    const Rect dbar{cells.right() + kColorbarGap, cells.y, kColorbarWidth, std::max(120.0, cells.h)};
    draw_colorbar(cr, dscale, dtitle, dbar, ctx.theme);
    width = std::max(width, dbar.x + colorbar_width(cr, dscale, dtitle));
    notes.add("difference drawn on a diverging scale centred on 0 (" + std::string(kDivergingColormap) + ")");
    y = std::max(bottom, dbar.bottom()) + kStackGap;
  }
  y -= kStackGap;

  y = draw_notes(cr, ctx, notes, y, width);
  return {width + kMargin, y + kMargin};
}

}  // namespace attnscope
