#include "render/local_window.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <tuple>

namespace attnscope {

namespace {

// p_t: a red dot with a white rim, visible on every colormap and both themes.
void dot(cairo_t* cr, double x, double y, double radius) {
  cairo_new_sub_path(cr);
  cairo_arc(cr, x, y, radius, 0, 2 * std::numbers::pi);
  set_color(cr, Rgb{0.9, 0.1, 0.1});
  cairo_fill_preserve(cr);
  set_color(cr, Rgb{1, 1, 1});
  cairo_set_line_width(cr, std::min(1.0, radius * 0.4));
  cairo_stroke(cr);
}

}  // namespace

std::pair<size_t, size_t> LocalWindowMarks::span(size_t row) const {
  const double p = position.at(row), last = keys ? static_cast<double>(keys - 1) : 0.0;
  const double lo = std::clamp(std::ceil(p - window), 0.0, last), hi = std::clamp(std::floor(p + window), 0.0, last);
  return {static_cast<size_t>(lo), static_cast<size_t>(std::max(lo, hi))};
}

std::string LocalWindowMarks::note() const {
  return "outline: window p_t ± D (D = " + std::to_string(window) + "); dot: p_t, " +
         (scope == "local-m" ? "monotonic p_t = t (local-m)" : "predicted by the model (" + (scope.empty() ? "local" : scope) + ")");
}

std::optional<LocalWindowMarks> local_window_marks(const AttentionSet& set, const AttentionRun& run, const AttentionBlock& block) {
  const std::string name = kind_name(block.kind) + "." + std::to_string(block.layer) + ".position";
  const auto extra = run.extras.find(name);
  const auto window = set.meta.find("window");
  if (extra == run.extras.end() || window == set.meta.end()) return std::nullopt;
  LocalWindowMarks m;
  try {
    m.window = std::stoi(window->second);
  } catch (const std::exception&) {
    m.window = 0;
  }
  if (m.window <= 0) throw std::invalid_argument("meta window '" + window->second + "' is not a positive number of positions");
  if (extra->second.data.size() != block.queries)
    throw std::invalid_argument("extra " + name + " holds " + std::to_string(extra->second.data.size()) +
                                " positions for " + std::to_string(block.queries) + " queries");
  const auto scope = set.meta.find("scope");
  if (scope != set.meta.end()) m.scope = scope->second;
  m.position = extra->second.data;
  m.keys = block.keys;
  return m;
}

void draw_local_window(cairo_t* cr, const LocalWindowMarks& marks, const Rect& cells) {
  const size_t rows = marks.position.size();
  if (!rows || !marks.keys) return;
  const double ch = cells.h / static_cast<double>(rows), cw = cells.w / static_cast<double>(marks.keys);
  cairo_save(cr);
  cairo_rectangle(cr, cells.x - 2, cells.y - 2, cells.w + 4, cells.h + 4);
  cairo_clip(cr);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
  // Outlines first (a dark halo under a white line reads on every colormap), then the dots.
  for (const auto& [width, color, alpha] : {std::tuple{3.0, Rgb{0, 0, 0}, 0.55}, std::tuple{1.3, Rgb{1, 1, 1}, 1.0}}) {
    cairo_set_line_width(cr, std::min(width, std::max(0.6, ch * 0.3)));
    set_color(cr, color, alpha);
    for (size_t q = 0; q < rows; ++q) {
      const auto [lo, hi] = marks.span(q);
      const double inset = std::min(0.75, ch * 0.1);
      cairo_rectangle(cr, cells.x + static_cast<double>(lo) * cw + inset, cells.y + static_cast<double>(q) * ch + inset,
                      static_cast<double>(hi - lo + 1) * cw - 2 * inset, ch - 2 * inset);
    }
    cairo_stroke(cr);
  }
  const double radius = std::clamp(std::min(ch, cw) * 0.2, 1.0, 4.5);
  for (size_t q = 0; q < rows; ++q)
    dot(cr, cells.x + (static_cast<double>(marks.position[q]) + 0.5) * cw, cells.y + (static_cast<double>(q) + 0.5) * ch, radius);
  cairo_restore(cr);
}

void draw_local_window_row(cairo_t* cr, const LocalWindowMarks& marks, size_t row, const Rect& strip, const Rgb& outline,
                           double dot_y) {
  if (row >= marks.position.size() || !marks.keys) return;
  const double cw = strip.w / static_cast<double>(marks.keys);
  const auto [lo, hi] = marks.span(row);
  cairo_save(cr);
  cairo_set_line_width(cr, 1.2);
  set_color(cr, outline, 0.85);
  cairo_rectangle(cr, strip.x + static_cast<double>(lo) * cw + 0.6, strip.y + 0.6, static_cast<double>(hi - lo + 1) * cw - 1.2,
                  strip.h - 1.2);
  cairo_stroke(cr);
  dot(cr, strip.x + (static_cast<double>(marks.position[row]) + 0.5) * cw, dot_y, std::clamp(cw * 0.2, 1.5, 3.5));
  cairo_restore(cr);
}

void overlay_local_window(cairo_t* cr, const ViewContext& ctx, const AttentionRun& run, const AttentionBlock& block,
                          const Panel& panel, const Rect& cells, Notes& notes) {
  const std::optional<LocalWindowMarks> marks = local_window_marks(ctx.set, run, block);
  if (!marks) return;
  if (panel.rows.size() != block.queries || panel.cols.size() != block.keys) {
    notes.add("local-attention window not marked: the axes are merged into words");
    return;
  }
  draw_local_window(cr, *marks, cells);
  notes.add(marks->note());
}

}  // namespace attnscope
