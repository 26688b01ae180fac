#include "render/heatmap.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace attnscope {
namespace {

constexpr double kValueFont = 9.5;
constexpr double kTitleGap = 6;  // between axis labels and the axis title
constexpr size_t kMaxSvgImageSide = 2048;  // SVG cell images are upsampled at most to this

std::string value_text(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(v));
  return buf;
}

}  // namespace

void draw_cells(cairo_t* cr, const Matrix& m, const ColorScale& scale, const Rect& r) {
  if (m.rows == 0 || m.cols == 0 || r.w <= 0 || r.h <= 0) return;
  // SVG viewers smooth embedded images (cairo writes no nearest-neighbour hint there), which
  // would blur small matrices; so for SVG each cell becomes a block of pixels about its drawn
  // size. PNG and PDF honour the nearest filter and get one pixel per cell.
  size_t kx = 1, ky = 1;
  if (cairo_surface_get_type(cairo_get_target(cr)) == CAIRO_SURFACE_TYPE_SVG) {
    kx = std::clamp<size_t>(static_cast<size_t>(r.w / static_cast<double>(m.cols)), 1, std::max<size_t>(1, kMaxSvgImageSide / m.cols));
    ky = std::clamp<size_t>(static_cast<size_t>(r.h / static_cast<double>(m.rows)), 1, std::max<size_t>(1, kMaxSvgImageSide / m.rows));
  }
  const size_t w = m.cols * kx, h = m.rows * ky;
  cairo_surface_t* img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, static_cast<int>(w), static_cast<int>(h));
  cairo_surface_flush(img);
  unsigned char* data = cairo_image_surface_get_data(img);
  const size_t stride = static_cast<size_t>(cairo_image_surface_get_stride(img));
  for (size_t row = 0; row < m.rows; ++row) {
    auto* px = reinterpret_cast<uint32_t*>(data + row * ky * stride);
    for (size_t c = 0; c < m.cols; ++c) std::fill_n(px + c * kx, kx, scale.map->argb(scale.t(m.at(row, c))));
    for (size_t dy = 1; dy < ky; ++dy) std::copy_n(px, w, reinterpret_cast<uint32_t*>(data + (row * ky + dy) * stride));
  }
  cairo_surface_mark_dirty(img);
  cairo_save(cr);
  cairo_rectangle(cr, r.x, r.y, r.w, r.h);
  cairo_clip(cr);
  cairo_translate(cr, r.x, r.y);
  cairo_scale(cr, r.w / static_cast<double>(w), r.h / static_cast<double>(h));
  cairo_set_source_surface(cr, img, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
  cairo_pattern_set_extend(cairo_get_source(cr), CAIRO_EXTEND_PAD);  // no blended edge
  cairo_paint(cr);
  cairo_restore(cr);
  cairo_surface_destroy(img);
}

std::vector<size_t> span_edges(const std::vector<Span>& spans) {
  std::vector<size_t> edges;
  for (const Span& s : spans) edges.insert(edges.end(), {s.first, s.last});
  return edges;
}

std::vector<std::string> label_notes(const HeatmapLayout& layout) {
  std::vector<std::string> notes;
  for (const std::string& s : {thinning_note(layout.x, "column"), thinning_note(layout.y, "row")})
    if (!s.empty()) notes.push_back(s);
  return notes;
}

double cell_size(size_t rows, size_t cols, double target, double max_cell) {
  const double n = static_cast<double>(std::max<size_t>({rows, cols, 1}));
  return std::min(max_cell, target / n);
}

HeatmapLayout layout_heatmap(cairo_t* cr, const HeatmapSpec& spec, double cells_w, double cells_h) {
  HeatmapLayout l;
  const double col_slot = spec.col_labels.empty() ? 0 : cells_w / static_cast<double>(spec.col_labels.size());
  const double row_slot = spec.row_labels.empty() ? 0 : cells_h / static_cast<double>(spec.row_labels.size());
  l.x = layout_x_labels(cr, spec.col_labels, col_slot, span_edges(spec.col_spans));
  l.y = layout_y_labels(cr, spec.row_labels, row_slot, span_edges(spec.row_spans));
  l.row_spans_depth = spans_depth(cr, spec.row_spans, true);
  l.col_spans_depth = spans_depth(cr, spec.col_spans, false);
  set_font(cr, kLabelFont);
  const double title_h = font_height(cr) + kTitleGap;
  const double left = l.y.depth + l.row_spans_depth + (spec.row_title.empty() ? 0 : title_h);
  const double bottom = l.x.depth + l.col_spans_depth + (spec.col_title.empty() ? 0 : title_h);
  l.cells = {left, 0, cells_w, cells_h};
  double width = left + cells_w;
  // A long column title may reach past the cells.
  if (!spec.col_title.empty()) width = std::max(width, left + cells_w / 2 + text_width(cr, spec.col_title) / 2);
  l.size = {width, cells_h + bottom};
  if (spec.values && spec.cells) {
    set_font(cr, kValueFont);
    const double cw = cells_w / static_cast<double>(spec.cells->cols);
    const double ch = cells_h / static_cast<double>(spec.cells->rows);
    l.values_fit = ch >= font_height(cr) && cw >= text_width(cr, "-0.00") + 2;
  }
  return l;
}

void draw_heatmap(cairo_t* cr, const HeatmapSpec& spec, const HeatmapLayout& l, double x, double y,
                  const Theme& theme) {
  const Rect cells{x + l.cells.x, y + l.cells.y, l.cells.w, l.cells.h};
  draw_cells(cr, *spec.cells, spec.scale, cells);
  stroke_rect(cr, cells, theme.frame, 0.8);

  if (l.values_fit) {
    set_font(cr, kValueFont);
    const Matrix& m = *spec.cells;
    const double cw = cells.w / static_cast<double>(m.cols), ch = cells.h / static_cast<double>(m.rows);
    for (size_t r = 0; r < m.rows; ++r)
      for (size_t c = 0; c < m.cols; ++c) {
        // Dark text on light cells and light text on dark ones.
        const bool light_cell = luminance(spec.scale.color(m.at(r, c))) > 0.35;
        set_color(cr, light_cell ? Rgb{0.1, 0.1, 0.1} : Rgb{0.97, 0.97, 0.97});
        draw_text(cr, value_text(m.at(r, c)), cells.x + (c + 0.5) * cw, cells.y + (r + 0.5) * ch, HAlign::Center,
                  VAlign::Middle);
      }
  }

  const double col_slot = spec.col_labels.empty() ? 0 : cells.w / static_cast<double>(spec.col_labels.size());
  const double row_slot = spec.row_labels.empty() ? 0 : cells.h / static_cast<double>(spec.row_labels.size());
  draw_x_labels(cr, l.x, cells.x, col_slot, cells.bottom(), theme.text);
  draw_y_labels(cr, l.y, cells.x, cells.y, row_slot, theme.text);
  draw_col_spans(cr, spec.col_spans, cells.x, col_slot, cells.bottom() + l.x.depth, theme.text);
  draw_row_spans(cr, spec.row_spans, cells.x - l.y.depth, cells.y, row_slot, theme.text);

  set_font(cr, kLabelFont);
  set_color(cr, theme.muted);
  if (!spec.col_title.empty())
    draw_text(cr, spec.col_title, cells.x + cells.w / 2, cells.bottom() + l.x.depth + l.col_spans_depth + kTitleGap,
              HAlign::Center, VAlign::Top);
  if (!spec.row_title.empty())
    draw_text(cr, spec.row_title, cells.x - l.y.depth - l.row_spans_depth - kTitleGap, cells.y + cells.h / 2,
              HAlign::Center, VAlign::Bottom, 90);
}

}  // namespace attnscope
