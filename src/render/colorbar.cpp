#include "render/colorbar.h"

#include <cmath>
#include <cstdio>

namespace attnscope {
namespace {

constexpr int kGradientSteps = 256;

double tick_step(double lo, double hi, int target) {
  const double raw = (hi - lo) / std::max(target, 1);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target) {
  std::vector<double> ticks;
  if (!(hi > lo)) return {lo};
  const double step = tick_step(lo, hi, target);
  const double eps = step * 1e-6;
  for (double v = std::ceil((lo - eps) / step) * step; v <= hi + eps; v += step)
    ticks.push_back(std::fabs(v) < eps ? 0.0 : v);
  return ticks;
}

std::string tick_text(double v, double step) {
  int decimals = 0;
  while (decimals < 6 && std::fabs(step * std::pow(10.0, decimals) - std::round(step * std::pow(10.0, decimals))) > 1e-6)
    ++decimals;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

double colorbar_width(cairo_t* cr, const ColorScale& scale, const std::string& title) {
  set_font(cr, kTickFont);
  const std::vector<double> ticks = nice_ticks(scale.vmin, scale.vmax);
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1.0;
  double w = 0;
  for (double t : ticks) w = std::max(w, text_width(cr, tick_text(t, step)));
  double total = kColorbarWidth + 4 + 3 + w;
  if (!title.empty()) {
    set_font(cr, kLabelFont);
    total += 8 + font_height(cr);
  }
  return total;
}

void draw_colorbar(cairo_t* cr, const ColorScale& scale, const std::string& title, const Rect& bar, const Theme& theme) {
  // The gradient is one 1 x 256 image, top = vmax.
  Matrix grad(kGradientSteps, 1);
  for (int i = 0; i < kGradientSteps; ++i)
    grad.at(i, 0) = static_cast<float>(scale.vmax - (scale.vmax - scale.vmin) * (i + 0.5) / kGradientSteps);
  draw_cells(cr, grad, scale, bar);
  stroke_rect(cr, bar, theme.frame, 0.8);

  set_font(cr, kTickFont);
  set_color(cr, theme.text);
  cairo_set_line_width(cr, 0.8);
  const std::vector<double> ticks = nice_ticks(scale.vmin, scale.vmax);
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1.0;
  double widest = 0;
  for (double t : ticks) {
    const double y = scale.vmax > scale.vmin ? bar.bottom() - (t - scale.vmin) / (scale.vmax - scale.vmin) * bar.h
                                             : bar.y + bar.h / 2;
    cairo_move_to(cr, bar.right(), y);
    cairo_line_to(cr, bar.right() + 4, y);
    cairo_stroke(cr);
    const std::string s = tick_text(t, step);
    widest = std::max(widest, text_width(cr, s));
    draw_text(cr, s, bar.right() + 7, y, HAlign::Left, VAlign::Middle);
  }
  if (!title.empty()) {
    set_font(cr, kLabelFont);
    set_color(cr, theme.text);
    draw_text(cr, title, bar.right() + 7 + widest + 8, bar.y + bar.h / 2, HAlign::Center, VAlign::Top, 90);
  }
}

void draw_colorbar_h(cairo_t* cr, const ColorScale& scale, const std::string& title, const Rect& bar,
                     const Theme& theme) {
  Matrix grad(1, kGradientSteps);
  for (int i = 0; i < kGradientSteps; ++i)
    grad.at(0, i) = static_cast<float>(scale.vmin + (scale.vmax - scale.vmin) * (i + 0.5) / kGradientSteps);
  draw_cells(cr, grad, scale, bar);
  stroke_rect(cr, bar, theme.frame, 0.8);
  if (!title.empty()) {
    set_font(cr, kTickFont);
    set_color(cr, theme.muted);
    draw_text(cr, title, bar.x, bar.y - 4, HAlign::Left, VAlign::Bottom);
  }
  set_font(cr, kTickFont);
  set_color(cr, theme.text);
  cairo_set_line_width(cr, 0.8);
  const std::vector<double> ticks = nice_ticks(scale.vmin, scale.vmax, 4);
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1.0;
  for (double t : ticks) {
    const double x = bar.x + (t - scale.vmin) / (scale.vmax - scale.vmin) * bar.w;
    cairo_move_to(cr, x, bar.bottom());
    cairo_line_to(cr, x, bar.bottom() + 3);
    cairo_stroke(cr);
    draw_text(cr, tick_text(t, step), x, bar.bottom() + 4, HAlign::Center, VAlign::Top);
  }
}

}  // namespace attnscope
