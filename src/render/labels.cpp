#include "render/labels.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "analysis/subwords.h"

namespace attnscope {
namespace {

// Labels stacked one per cell need this much of their cell across the axis: 0.9 x the font's
// height (ascent + descent, which no single label fills) plus the leading kLineGap.
constexpr double kAcrossFactor = 0.9;
// Estimated sizes at a smaller font scale linearly from one measurement; this margin absorbs
// rounding in cairo's metrics.
constexpr double kScaleMargin = 0.98;
// Horizontal column labels are preferred while their font is at least this share of the font
// vertical ones could have.
constexpr double kHorizontalPreference = 0.8;

// Display text of every token, long ones shortened.
std::vector<std::string> shortened(cairo_t* cr, const std::vector<std::string>& tokens) {
  std::vector<std::string> out;
  out.reserve(tokens.size());
  for (const std::string& t : tokens) out.push_back(fit_text(cr, display_token(t), kMaxLabelWidth));
  return out;
}

double widest_of(cairo_t* cr, const AxisLabels& l) {
  set_font(cr, l.font);
  double w = 0;
  for (size_t i : l.shown) w = std::max(w, text_width(cr, l.text[i]));
  return w;
}

std::vector<size_t> all_indices(size_t n) {
  std::vector<size_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

// Font (<= f0) whose labels need `extent0` (measured at f0) plus `gap` within `slot`.
double fitting_font(double f0, double extent0, double gap, double slot) {
  if (extent0 <= 0) return f0;
  return std::min(f0, std::floor((slot - gap) * f0 / extent0 * kScaleMargin * 10) / 10);
}

std::string ordinal(size_t k) {
  const size_t t = k % 100;
  const char* suffix = (t >= 11 && t <= 13) ? "th" : k % 10 == 1 ? "st" : k % 10 == 2 ? "nd" : k % 10 == 3 ? "rd" : "th";
  return std::to_string(k) + suffix;
}

}  // namespace

std::string display_token(const std::string& token) {
  if (token.empty() || token.find_first_not_of(" \t\n\r") != std::string::npos) return token;
  std::string out;
  for (size_t i = 0; i < token.size(); ++i) out += kWhitespaceGlyph;
  return out;
}

size_t label_stride(size_t n, double slot, double extent) {
  if (n == 0 || slot <= 0) return std::max<size_t>(n, 1);
  const double need = extent + kLabelGap;
  const size_t k = static_cast<size_t>(std::ceil(need / slot - 1e-9));
  return std::clamp<size_t>(k, 1, std::max<size_t>(n, 1));
}

double label_font(double slot) { return std::clamp(slot * 0.8, kMinLabelFont, kLabelFont); }

std::vector<size_t> thin_labels(const std::vector<std::string>& tokens, size_t stride, const std::vector<size_t>& keep) {
  const size_t n = tokens.size();
  if (n == 0) return {};
  if (stride <= 1) return all_indices(n);
  std::set<size_t> kept;
  const auto room = [&](size_t i) {  // no kept label closer than `stride`
    auto it = kept.lower_bound(i + 1 > stride ? i + 1 - stride : 0);
    return it == kept.end() || *it >= i + stride;
  };
  const auto offer = [&](size_t i) {
    if (i < n && room(i)) kept.insert(i);
  };
  // The tokens a reader needs, in order of priority; then the regular ones.
  offer(0);
  offer(n - 1);
  for (size_t i = 0; i < n; ++i)
    if (is_special_token(tokens[i])) offer(i);
  std::vector<size_t> boundaries = keep;
  std::sort(boundaries.begin(), boundaries.end());
  for (size_t i : boundaries) offer(i);
  for (size_t i = 0; i < n; i += stride) offer(i);
  return {kept.begin(), kept.end()};
}

namespace {

// Every label at font `fitting` when that is readable; else the thinned font, every stride-th
// label plus the ones `keep` names (thin_labels).
void label_all_or_thin(cairo_t* cr, AxisLabels& l, const std::vector<std::string>& tokens, double fitting, double f0,
                       double slot, const std::vector<size_t>& keep) {
  if (fitting >= kMinLabelFont) {
    l.font = fitting;
    l.shown = all_indices(tokens.size());
    return;
  }
  l.font = std::max(f0, kThinnedLabelFont);
  set_font(cr, l.font);
  l.stride = label_stride(tokens.size(), slot, kAcrossFactor * font_height(cr));
  l.shown = thin_labels(tokens, l.stride, keep);
}

}  // namespace

AxisLabels layout_x_labels(cairo_t* cr, const std::vector<std::string>& tokens, double slot,
                           const std::vector<size_t>& keep) {
  AxisLabels l;
  if (tokens.empty()) return l;
  const double f0 = label_font(slot);
  set_font(cr, f0);
  l.text = shortened(cr, tokens);
  double widest_all = 0;
  for (const std::string& t : l.text) widest_all = std::max(widest_all, text_width(cr, t));
  const double across0 = kAcrossFactor * font_height(cr);
  const double horizontal = fitting_font(f0, widest_all, kLabelGap, slot);
  const double vertical = fitting_font(f0, across0, kLineGap, slot);
  if (horizontal >= kMinLabelFont && horizontal >= kHorizontalPreference * vertical) {
    l.font = horizontal;
    l.shown = all_indices(tokens.size());
    set_font(cr, l.font);
    l.depth = kTickLength + 2 + font_height(cr);
    return l;
  }
  l.vertical = true;
  label_all_or_thin(cr, l, tokens, vertical, f0, slot, keep);
  l.depth = kTickLength + 3 + widest_of(cr, l);
  return l;
}

AxisLabels layout_y_labels(cairo_t* cr, const std::vector<std::string>& tokens, double slot,
                           const std::vector<size_t>& keep) {
  AxisLabels l;
  if (tokens.empty()) return l;
  const double f0 = label_font(slot);
  set_font(cr, f0);
  l.text = shortened(cr, tokens);
  const double fitting = fitting_font(f0, kAcrossFactor * font_height(cr), kLineGap, slot);
  label_all_or_thin(cr, l, tokens, fitting, f0, slot, keep);
  l.depth = kTickLength + 4 + widest_of(cr, l);
  return l;
}

std::string thinning_note(const AxisLabels& l, const std::string& axis) {
  if (l.stride <= 1 || l.text.empty()) return "";
  return axis + " labels: every " + ordinal(l.stride) + " of " + std::to_string(l.text.size()) +
         " tokens shown (first, last, special and span-edge tokens always)";
}

void draw_x_labels(cairo_t* cr, const AxisLabels& l, double x0, double slot, double y, const Rgb& color) {
  if (l.text.empty()) return;
  set_font(cr, l.font);
  set_color(cr, color);
  cairo_set_line_width(cr, 0.8);
  for (size_t i : l.shown) {
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
  for (size_t i : l.shown) {
    const double y = y0 + (static_cast<double>(i) + 0.5) * slot;
    cairo_move_to(cr, x, y);
    cairo_line_to(cr, x - kTickLength, y);
    cairo_stroke(cr);
    draw_text(cr, l.text[i], x - kTickLength - 3, y, HAlign::Right, VAlign::Middle);
  }
}

}  // namespace attnscope
