#include "render/spans.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace attnscope {
namespace {

constexpr double kBracketTick = 4;  // the bracket's end ticks, pointing at the cells
constexpr double kSpanFont = 10.5;

bool parse_index(const std::string& s, size_t& out) {
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) return false;
  out = std::strtoul(s.c_str(), nullptr, 10);
  return true;
}

}  // namespace

std::vector<Span> parse_spans(const std::string& text) {
  std::vector<Span> spans;
  if (text.empty()) return spans;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string entry = text.substr(start, end - start);
    const std::string original = entry;
    const auto bad = [&](const std::string& why) {
      return std::invalid_argument("bad span '" + original + "' in spans \"" + text + "\": " + why +
                                   " (expected FIRST-LAST:LABEL, e.g. 0-6:<ENV>)");
    };
    Span s;
    if (entry.rfind("q:", 0) == 0) s.cols = false, entry = entry.substr(2);
    else if (entry.rfind("k:", 0) == 0) s.rows = false, entry = entry.substr(2);
    const size_t colon = entry.find(':');
    if (colon == std::string::npos) throw bad("no ':LABEL'");
    s.label = entry.substr(colon + 1);
    if (s.label.empty()) throw bad("empty label");
    const std::string range = entry.substr(0, colon);
    const size_t dash = range.find('-');
    if (dash == std::string::npos) {
      if (!parse_index(range, s.first)) throw bad("'" + range + "' is not a token index");
      s.last = s.first;
    } else if (!parse_index(range.substr(0, dash), s.first) || !parse_index(range.substr(dash + 1), s.last)) {
      throw bad("'" + range + "' is not FIRST-LAST");
    }
    if (s.last < s.first) throw bad("LAST is before FIRST");
    spans.push_back(s);
    start = end + 1;
  }
  return spans;
}

std::vector<Span> spans_for_axis(const std::vector<Span>& spans, bool rows, size_t n,
                                 const std::vector<size_t>& word_of_piece) {
  std::vector<Span> out;
  for (const Span& s : spans) {
    if (rows ? !s.rows : !s.cols) continue;
    if (s.last >= n)
      throw std::invalid_argument("span " + std::to_string(s.first) + "-" + std::to_string(s.last) + ":" + s.label +
                                  " runs past the " + std::to_string(n) + " " + (rows ? "query" : "key") +
                                  " tokens (valid indices 0-" + std::to_string(n == 0 ? 0 : n - 1) + ")");
    Span m = s;
    if (!word_of_piece.empty()) m.first = word_of_piece[s.first], m.last = word_of_piece[s.last];
    out.push_back(m);
  }
  return out;
}

double spans_depth(cairo_t* cr, const std::vector<Span>& spans, bool vertical_axis) {
  if (spans.empty()) return 0;
  set_font(cr, kSpanFont, true);
  if (!vertical_axis) return 4 + kBracketTick + 3 + font_height(cr);
  double w = 0;
  for (const Span& s : spans) w = std::max(w, text_width(cr, s.label));
  return 4 + kBracketTick + 4 + w;
}

void draw_col_spans(cairo_t* cr, const std::vector<Span>& spans, double x0, double slot, double y, const Rgb& c) {
  set_font(cr, kSpanFont, true);
  set_color(cr, c);
  cairo_set_line_width(cr, 1.2);
  for (const Span& s : spans) {
    const double a = x0 + static_cast<double>(s.first) * slot + 1.5;
    const double b = x0 + static_cast<double>(s.last + 1) * slot - 1.5;
    const double yb = y + 4 + kBracketTick;
    cairo_move_to(cr, a, y + 4);
    cairo_line_to(cr, a, yb);
    cairo_line_to(cr, b, yb);
    cairo_line_to(cr, b, y + 4);
    cairo_stroke(cr);
    draw_text(cr, s.label, (a + b) / 2, yb + 3, HAlign::Center, VAlign::Top);
  }
}

void draw_row_spans(cairo_t* cr, const std::vector<Span>& spans, double x, double y0, double slot, const Rgb& c) {
  set_font(cr, kSpanFont, true);
  set_color(cr, c);
  cairo_set_line_width(cr, 1.2);
  for (const Span& s : spans) {
    const double a = y0 + static_cast<double>(s.first) * slot + 1.5;
    const double b = y0 + static_cast<double>(s.last + 1) * slot - 1.5;
    const double xb = x - 4 - kBracketTick;
    cairo_move_to(cr, x - 4, a);
    cairo_line_to(cr, xb, a);
    cairo_line_to(cr, xb, b);
    cairo_line_to(cr, x - 4, b);
    cairo_stroke(cr);
    draw_text(cr, s.label, xb - 4, (a + b) / 2, HAlign::Right, VAlign::Middle);
  }
}

}  // namespace attnscope
