#include "render/labels.h"

#include <algorithm>
#include <cmath>

namespace attnscope {

size_t label_stride(size_t n, double slot, double extent) {
  if (n == 0 || slot <= 0) return std::max<size_t>(n, 1);
  const double need = extent + kLabelGap;
  const size_t k = static_cast<size_t>(std::ceil(need / slot - 1e-9));
  return std::clamp<size_t>(k, 1, std::max<size_t>(n, 1));
}

double label_font(double slot) { return std::clamp(slot * 0.8, 8.0, kLabelFont); }

namespace {

// Display text of a token: whitespace-only tokens (character-level models) become "␣" so their
// place on the axis is visible; long ones are shortened.
std::vector<std::string> shortened(cairo_t* cr, const std::vector<std::string>& tokens) {
  std::vector<std::string> out;
  out.reserve(tokens.size());
  for (const std::string& t : tokens)
    out.push_back(t.find_first_not_of(" \t\n") == std::string::npos ? "\u2423" : fit_text(cr, t, kMaxLabelWidth));
  return out;
}

double widest(cairo_t* cr, const AxisLabels& l) {
  double w = 0;
  for (size_t i = 0; i < l.text.size(); i += l.stride) w = std::max(w, text_width(cr, l.text[i]));
  return w;
}

}  // namespace

AxisLabels layout_x_labels(cairo_t* cr, const std::vector<std::string>& tokens, double slot) {
  AxisLabels l;
  if (tokens.empty()) return l;
  l.font = label_font(slot);
  set_font(cr, l.font);
  l.text = shortened(cr, tokens);
  double widest_all = 0;
  for (const std::string& t : l.text) widest_all = std::max(widest_all, text_width(cr, t));
  if (widest_all + kLabelGap <= slot) {
    l.depth = kTickLength + 2 + font_height(cr);
    return l;
  }
  l.vertical = true;
  l.stride = label_stride(tokens.size(), slot, font_height(cr));
  l.depth = kTickLength + 3 + widest(cr, l);
  return l;
}

AxisLabels layout_y_labels(cairo_t* cr, const std::vector<std::string>& tokens, double slot) {
  AxisLabels l;
  if (tokens.empty()) return l;
  l.font = label_font(slot);
  set_font(cr, l.font);
  l.text = shortened(cr, tokens);
  l.stride = label_stride(tokens.size(), slot, font_height(cr) * 0.9);
  l.depth = kTickLength + 4 + widest(cr, l);
  return l;
}

void draw_x_labels(cairo_t* cr, const AxisLabels& l, double x0, double slot, double y, const Rgb& color) {
  if (l.text.empty()) return;
  set_font(cr, l.font);
  set_color(cr, color);
  cairo_set_line_width(cr, 0.8);
  for (size_t i = 0; i < l.text.size(); i += l.stride) {
    const double x = x0 + (static_cast<double>(i) + 0.5) * slot;
    cairo_move_to(cr, x, y);
    cairo_line_to(cr, x, y + kTickLength);
    cairo_stroke(cr);
    if (l.vertical)
      draw_text(cr, l.text[i], x, y + kTickLength + 3, HAlign::Right, VAlign::Middle, 90);
    else
      draw_text(cr, l.text[i], x, y + kTickLength + 2, HAlign::Center, VAlign::Top);
  }
}

void draw_y_labels(cairo_t* cr, const AxisLabels& l, double x, double y0, double slot, const Rgb& color) {
  if (l.text.empty()) return;
  set_font(cr, l.font);
  set_color(cr, color);
  cairo_set_line_width(cr, 0.8);
  for (size_t i = 0; i < l.text.size(); i += l.stride) {
    const double y = y0 + (static_cast<double>(i) + 0.5) * slot;
    cairo_move_to(cr, x, y);
    cairo_line_to(cr, x - kTickLength, y);
    cairo_stroke(cr);
    draw_text(cr, l.text[i], x - kTickLength - 3, y, HAlign::Right, VAlign::Middle);
  }
}

}  // namespace attnscope
