// steps: decoding step by step (seed 004). One row per decoding step t: the query token, its
// alignment scores (extras "<kind>.<layer>.scores" [H, Q, K], pre-softmax), its attention
// weights as bars over the key tokens, and the context vector they form (extras
// "<kind>.<layer>.context" [Q, D]). Missing extras are said to be missing, never invented.
#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "render/colorbar.h"
#include "render/local_window.h"
#include "render/views.h"

namespace attnscope {

namespace {
constexpr size_t kDefaultMaxSteps = 12;  // shown when no --steps selection is given
constexpr double kKeyExtent = 380;       // width of the scores and weights columns
constexpr double kMaxKeyCell = 26;
constexpr double kRowHeight = 30;
constexpr double kStripHeight = 18;
constexpr double kContextWidth = 170;
constexpr double kColumnGap = 28;

// "0-3,7" -> {0, 1, 2, 3, 7}; every index below `n`.
std::vector<size_t> parse_steps(const std::string& text, size_t n) {
  std::vector<size_t> steps;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(start, end - start);
    const size_t dash = item.find('-');
    auto index = [&](const std::string& s) {
      if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos)
        throw std::invalid_argument("bad steps '" + text + "': '" + item + "' is not STEP or FIRST-LAST");
      const size_t v = std::strtoul(s.c_str(), nullptr, 10);
      if (v >= n)
        throw std::invalid_argument("step " + s + " out of range (valid 0-" + std::to_string(n - 1) + ")");
      return v;
    };
    const size_t a = index(dash == std::string::npos ? item : item.substr(0, dash));
    const size_t b = dash == std::string::npos ? a : index(item.substr(dash + 1));
    if (b < a) throw std::invalid_argument("bad steps '" + text + "': '" + item + "' runs backwards");
    for (size_t s = a; s <= b; ++s) steps.push_back(s);
    start = end + 1;
  }
  return steps;
}

// One row of an extra as a 1 x n matrix: [H, Q, K] at (head or mean, q), or [Q, D] at q.
Matrix extra_row(const Array& a, int head, size_t q) {
  if (a.shape.size() == 3) {
    const size_t heads = a.shape[0], queries = a.shape[1], n = a.shape[2];
    Matrix m(1, n);
    for (size_t h = 0; h < heads; ++h) {
      if (head >= 0 && static_cast<int>(h) != head) continue;
      for (size_t k = 0; k < n; ++k) m.v[k] += a.data[(h * queries + q) * n + k];
    }
    if (head < 0)
      for (float& v : m.v) v /= static_cast<float>(heads);
    return m;
  }
  const size_t n = a.shape[1];
  Matrix m(1, n);
  std::copy(a.data.begin() + static_cast<std::ptrdiff_t>(q * n), a.data.begin() + static_cast<std::ptrdiff_t>((q + 1) * n),
            m.v.begin());
  return m;
}

}  // namespace

Size view_steps(cairo_t* cr, const ViewContext& ctx) {
  const AttentionRun& run = pick_run(ctx, ctx.opt.run);
  const AttentionKind kind = pick_kind(run, ctx.opt.kind);
  const AttentionBlock& block = pick_block(run, kind, ctx.opt.layer);
  check_head(block, ctx.opt.head);
  Notes notes;
  if (ctx.merge_words) notes.add("subwords are not merged in the steps view (scores and context belong to pieces)");
  if (!ctx.opt.spans.empty()) notes.add("spans are drawn on heatmap views only");

  const size_t nq = block.queries, nk = block.keys;
  std::vector<size_t> steps;
  if (!ctx.opt.steps.empty()) {
    steps = parse_steps(ctx.opt.steps, nq);
  } else {
    for (size_t s = 0; s < std::min(nq, kDefaultMaxSteps); ++s) steps.push_back(s);
    if (nq > kDefaultMaxSteps)
      notes.add("showing steps 0-" + std::to_string(kDefaultMaxSteps - 1) + " of " + std::to_string(nq) +
                "; pick others with the steps option (CLI: --steps 12-20)");
  }

  // The weights, scores and context of the chosen steps.
  const std::string prefix = block.name() + ".";
  const auto scores_it = run.extras.find(prefix + "scores");
  const auto context_it = run.extras.find(prefix + "context");
  const bool has_scores = scores_it != run.extras.end() && scores_it->second.shape.size() == 3 &&
                          scores_it->second.shape[0] == block.heads && scores_it->second.shape[1] == nq &&
                          scores_it->second.shape[2] == nk;
  const bool has_context = context_it != run.extras.end() && context_it->second.shape.size() == 2 &&
                           context_it->second.shape[0] == nq && context_it->second.shape[1] > 0;
  if (scores_it != run.extras.end() && !has_scores) notes.add(prefix + "scores has the wrong shape; not drawn");
  if (context_it != run.extras.end() && !has_context) notes.add(prefix + "context has the wrong shape; not drawn");
  if (ctx.opt.head < 0 && block.heads > 1) {
    notes.add("weights averaged over " + std::to_string(block.heads) + " heads");
    if (has_scores) notes.add("scores averaged over " + std::to_string(block.heads) + " heads");
  }
  const std::vector<float> weights_qk =
      ctx.opt.head < 0 ? block.mean_of_heads()
                       : std::vector<float>(block.row(static_cast<size_t>(ctx.opt.head), 0),
                                            block.row(static_cast<size_t>(ctx.opt.head), 0) + nq * nk);

  const double key_w = std::min(kKeyExtent, static_cast<double>(nk) * kMaxKeyCell);
  std::vector<Matrix> w_rows, s_rows, c_rows;
  float wlo = 0, whi = 0, slo = 0, shi = 0, clo = 0, chi = 0;
  for (size_t i = 0; i < steps.size(); ++i) {
    Matrix w(1, nk);
    std::copy(weights_qk.begin() + static_cast<std::ptrdiff_t>(steps[i] * nk),
              weights_qk.begin() + static_cast<std::ptrdiff_t>((steps[i] + 1) * nk), w.v.begin());
    float a, b;
    value_range(w, a, b);
    wlo = i == 0 ? a : std::min(wlo, a), whi = i == 0 ? b : std::max(whi, b);
    w_rows.push_back(fit_budget(ctx, w, key_w, kStripHeight, notes));
    if (has_scores) {
      Matrix s = extra_row(scores_it->second, ctx.opt.head, steps[i]);
      value_range(s, a, b);
      slo = i == 0 ? a : std::min(slo, a), shi = i == 0 ? b : std::max(shi, b);
      s_rows.push_back(fit_budget(ctx, s, key_w, kStripHeight, notes));
    }
    if (has_context) {
      Matrix c = extra_row(context_it->second, -1, steps[i]);
      value_range(c, a, b);
      clo = i == 0 ? a : std::min(clo, a), chi = i == 0 ? b : std::max(chi, b);
      c_rows.push_back(fit_budget(ctx, c, kContextWidth, kStripHeight, notes, "context"));
    }
  }
  // Bars start at 0 so their heights compare; colours follow the colour scale.
  ColorScale wscale = make_scale(ctx, std::min(0.0f, wlo), whi, notes);
  ColorScale sscale{&ctx.cmap, slo, shi > slo ? shi : slo + 1};
  const ColorScale cscale = diverging_scale(clo, chi);
  notes.add("bar height = weight (full row height = " + short_number(wscale.vmax) + ")");

  double width = 0;
  note_numbering(notes, block);
  const std::string title = "decoding step by step · " + kind_name(kind) + " · " + layer_phrase(block) + " · " +
                            head_phrase(block, ctx.opt.head);
  double y = draw_header(cr, ctx, title, run_caption(run), kMargin, width);

  // Columns: step label | scores | weights | context.
  const std::vector<std::string>& qt = run.query_tokens(kind);
  set_font(cr, kLabelFont);
  double label_w = text_width(cr, "step · query");
  std::vector<std::string> row_labels;
  for (size_t s : steps) {
    row_labels.push_back(std::to_string(s) + "  " + fit_text(cr, display_token(qt[s]), 140));
    label_w = std::max(label_w, text_width(cr, row_labels.back()));
  }
  // A column whose extra is missing shrinks to its header, which then reads "not recorded".
  set_font(cr, kLabelFont, true);
  const double scores_w = has_scores ? key_w : text_width(cr, "scores (pre-softmax)");
  const double x_label = kMargin + label_w;
  const double x_scores = x_label + 14;
  const double x_weights = x_scores + scores_w + kColumnGap;
  const double x_context = x_weights + key_w + kColumnGap;

  set_font(cr, kLabelFont, true);
  set_color(cr, ctx.theme.muted);
  draw_text(cr, "step · query", x_label, y, HAlign::Right, VAlign::Top);
  draw_text(cr, "scores (pre-softmax)", x_scores, y, HAlign::Left, VAlign::Top);
  draw_text(cr, "weights (softmax)", x_weights, y, HAlign::Left, VAlign::Top);
  const std::string ctitle =
      has_context ? "context vector (" + std::to_string(context_it->second.shape[1]) + " dims)" : "context vector";
  draw_text(cr, ctitle, x_context, y, HAlign::Left, VAlign::Top);
  width = std::max(width, x_context + text_width(cr, ctitle));
  y += font_height(cr) + 8;

  // Local attention: each step's window [p_t - D, p_t + D] on its scores and weights, p_t a dot.
  const std::optional<LocalWindowMarks> window = local_window_marks(ctx.set, run, block);
  if (window) notes.add(window->note());

  const double rows_top = y;
  for (size_t i = 0; i < steps.size(); ++i) {
    const double ry = rows_top + static_cast<double>(i) * kRowHeight;
    const double strip_y = ry + (kRowHeight - kStripHeight) / 2;
    set_font(cr, kLabelFont);
    set_color(cr, ctx.theme.text);
    draw_text(cr, row_labels[i], x_label, ry + kRowHeight / 2, HAlign::Right, VAlign::Middle);
    if (has_scores) {
      const Rect r{x_scores, strip_y, key_w, kStripHeight};
      draw_cells(cr, s_rows[i], sscale, r);
      stroke_rect(cr, r, ctx.theme.frame, 0.6);
    }
    // Bars, one per (pooled) key, on a baseline.
    const Matrix& w = w_rows[i];
    const double bw = key_w / static_cast<double>(w.cols);
    for (size_t k = 0; k < w.cols; ++k) {
      const double t = std::clamp(wscale.t(w.v[k]), 0.0, 1.0);
      const double h = t * (kRowHeight - 4);
      fill_rect(cr, {x_weights + k * bw + (bw > 4 ? 1 : 0), ry + kRowHeight - 2 - h, bw > 4 ? bw - 2 : bw, h},
                wscale.color(w.v[k]));
    }
    set_color(cr, ctx.theme.frame);
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, x_weights, ry + kRowHeight - 1.5);
    cairo_line_to(cr, x_weights + key_w, ry + kRowHeight - 1.5);
    cairo_stroke(cr);
    if (window) {
      if (has_scores)
        draw_local_window_row(cr, *window, steps[i], {x_scores, strip_y, key_w, kStripHeight}, {1, 1, 1}, strip_y + kStripHeight / 2);
      draw_local_window_row(cr, *window, steps[i], {x_weights, ry + 1, key_w, kRowHeight - 2}, ctx.theme.text, ry + kRowHeight - 1.5);
    }
    if (has_context) {
      const Rect r{x_context, strip_y, kContextWidth, kStripHeight};
      draw_cells(cr, c_rows[i], cscale, r);
      stroke_rect(cr, r, ctx.theme.frame, 0.6);
    }
  }
  const double rows_bottom = rows_top + static_cast<double>(steps.size()) * kRowHeight;
  set_font(cr, kLabelFont);
  set_color(cr, ctx.theme.muted);
  if (!has_scores) draw_text(cr, "scores not recorded", x_scores, rows_top, HAlign::Left, VAlign::Top);
  if (!has_context) draw_text(cr, "context not recorded", x_context, rows_top, HAlign::Left, VAlign::Top);
  width = std::max(width, x_context + (has_context ? kContextWidth : text_width(cr, "context not recorded")));

  // Key tokens under the scores and weights columns.
  const std::vector<std::string>& kt = run.key_tokens(kind);
  const double slot = key_w / static_cast<double>(nk);
  const AxisLabels keys = layout_x_labels(cr, kt, slot);
  if (const std::string s = thinning_note(keys, "key"); !s.empty()) notes.add(s);
  if (has_scores) draw_x_labels(cr, keys, x_scores, slot, rows_bottom + 2, ctx.theme.text);
  draw_x_labels(cr, keys, x_weights, slot, rows_bottom + 2, ctx.theme.text);
  set_font(cr, kLabelFont);
  set_color(cr, ctx.theme.muted);
  const double keys_bottom = rows_bottom + 2 + keys.depth + 4;
  draw_text(cr, axis_title(kind, false), x_weights + key_w / 2, keys_bottom, HAlign::Center, VAlign::Top);
  if (has_scores) draw_text(cr, axis_title(kind, false), x_scores + key_w / 2, keys_bottom, HAlign::Center, VAlign::Top);
  y = keys_bottom + font_height(cr) + 26;

  // Colour legends under each column.
  const double legend_w = std::min(key_w, 220.0);
  if (has_scores) draw_colorbar_h(cr, sscale, "score", {x_scores, y, legend_w, 10}, ctx.theme);
  draw_colorbar_h(cr, wscale, ctx.opt.colorbar_title, {x_weights, y, legend_w, 10}, ctx.theme);
  if (has_context) draw_colorbar_h(cr, cscale, "context value", {x_context, y, kContextWidth, 10}, ctx.theme);
  y += 10 + 22;

  y = draw_notes(cr, ctx, notes, y, width);
  return {width + kMargin, y + kMargin};
}

}  // namespace attnscope
