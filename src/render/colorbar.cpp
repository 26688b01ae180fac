#include "render/colorbar.h"

#include <algorithm>
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

std::string end_text(double v, double range) {
  const double a = std::fabs(v);
  if (a == 0 || (range > 0 && a < range * 1e-4)) return "0";
  char buf[48];
  if (a < 1e-4 || a >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
  }
  const int decimals = std::clamp(2 - static_cast<int>(std::floor(std::log10(a))), 0, 8);
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
  }
  return s == "-0" ? "0" : s;
}

std::vector<ColorbarTick> colorbar_ticks(double lo, double hi, double end_gap, double tick_gap) {
  const double range = hi - lo;
  if (!(range > 0)) return {{lo, end_text(lo, 0), true}};
  // Round values strictly between the ends, far enough from them; the first step (in order of
  // preference) that leaves at least two wins, else the one that leaves the most.
  std::vector<ColorbarTick> best;
  for (int target : {5, 4, 6, 3, 7, 8, 10, 12, 2}) {
    const double step = tick_step(lo, hi, target);
    if (step < tick_gap * range) continue;
    std::vector<ColorbarTick> inner;
    for (double v : nice_ticks(lo, hi, target))
      if (v - lo >= end_gap * range && hi - v >= end_gap * range) inner.push_back({v, tick_text(v, step), false});
    if (inner.size() > best.size()) best = std::move(inner);
    if (best.size() >= 2) break;
  }
  std::vector<ColorbarTick> ticks{{lo, end_text(lo, range), true}};
  ticks.insert(ticks.end(), best.begin(), best.end());
  ticks.push_back({hi, end_text(hi, range), true});
  return ticks;
}

namespace {

// Vertical bars: labels one height (plus 2) apart, and one and a half from an end's label, as
// shares of the bar's height.
double vertical_gap(cairo_t* cr, double bar_h, double heights) {
  set_font(cr, kTickFont);
  return bar_h > 0 ? (heights * font_height(cr) + 2) / bar_h : kDefaultTickGap;
}

// Horizontal legends: an end's label is centred on its end but reaches at most this far past the
// bar, so it stays inside the figure's margin.
constexpr double kMaxEndOverhang = 14;

}  // namespace

double colorbar_width(cairo_t* cr, const ColorScale& scale, const std::string& title) {
  // The bar's height is not known here: the widest label over the gaps of bars from short to tall.
  set_font(cr, kTickFont);
  double w = 0;
  for (double gap : {0.05, kDefaultTickGap, 0.2, 0.3})
    for (const ColorbarTick& t : colorbar_ticks(scale.vmin, scale.vmax, gap, gap)) w = std::max(w, text_width(cr, t.text));
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

  const std::vector<ColorbarTick> ticks =
      colorbar_ticks(scale.vmin, scale.vmax, vertical_gap(cr, bar.h, 1.5), vertical_gap(cr, bar.h, 1));
  set_font(cr, kTickFont);
  set_color(cr, theme.text);
  cairo_set_line_width(cr, 0.8);
  for (const ColorbarTick& t : ticks) {
    const double y = scale.vmax > scale.vmin ? bar.bottom() - (t.value - scale.vmin) / (scale.vmax - scale.vmin) * bar.h
                                             : bar.y + bar.h / 2;
    cairo_move_to(cr, bar.right(), y);
    cairo_line_to(cr, bar.right() + 4, y);
    cairo_stroke(cr);
    draw_text(cr, t.text, bar.right() + 7, y, HAlign::Left, VAlign::Middle);
  }
  if (!title.empty()) {
    // Right of the widest label any bar of this range could have (colorbar_width's reservation).
    const double reserved = colorbar_width(cr, scale, title);
    set_font(cr, kLabelFont);
    const double x = bar.x + reserved - font_height(cr);
    set_color(cr, theme.text);
    draw_text(cr, title, x, bar.y + bar.h / 2, HAlign::Center, VAlign::Top, 90);
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
  // Ends' labels centred on the ends (shifted inward to overhang at most kMaxEndOverhang); round
  // ticks centred, clear of the ends' labels and of each other.
  set_font(cr, kTickFont);
  set_color(cr, theme.text);
  cairo_set_line_width(cr, 0.8);
  const double range = scale.vmax - scale.vmin;
  const double lo_w = text_width(cr, end_text(scale.vmin, range)), hi_w = text_width(cr, end_text(scale.vmax, range));
  double inner_w = text_width(cr, "0.0");
  for (const ColorbarTick& t : colorbar_ticks(scale.vmin, scale.vmax))
    if (!t.end) inner_w = std::max(inner_w, text_width(cr, t.text));
  const auto reach = [](double w) { return w - std::min(w / 2, kMaxEndOverhang); };  // into the bar
  const double end_gap = bar.w > 0 ? (std::max(reach(lo_w), reach(hi_w)) + inner_w / 2 + 4) / bar.w : kDefaultTickGap;
  const double tick_gap = bar.w > 0 ? (inner_w + 6) / bar.w : kDefaultTickGap;
  const std::vector<ColorbarTick> ticks = colorbar_ticks(scale.vmin, scale.vmax, end_gap, tick_gap);
  for (size_t i = 0; i < ticks.size(); ++i) {
    const ColorbarTick& t = ticks[i];
    const double x = range > 0 ? bar.x + (t.value - scale.vmin) / range * bar.w : bar.x + bar.w / 2;
    cairo_move_to(cr, x, bar.bottom());
    cairo_line_to(cr, x, bar.bottom() + 3);
    cairo_stroke(cr);
    double tx = x;
    if (t.end && ticks.size() > 1) {
      const double half = text_width(cr, t.text) / 2, shift = std::max(0.0, half - kMaxEndOverhang);
      tx += i == 0 ? shift : -shift;
    }
    draw_text(cr, t.text, tx, bar.bottom() + 4, HAlign::Center, VAlign::Top);
  }
}

}  // namespace attnscope
