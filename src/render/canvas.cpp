#include "render/canvas.h"

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace attnscope {

const Theme& theme(const std::string& name) {
  static const Theme light{{1, 1, 1}, {0.13, 0.13, 0.15}, {0.40, 0.41, 0.44}, {0.55, 0.56, 0.60}, {1.0, 0.84, 0.0}};
  static const Theme dark{{0.11, 0.12, 0.14}, {0.91, 0.92, 0.93}, {0.64, 0.66, 0.70}, {0.45, 0.47, 0.51}, {1.0, 0.84, 0.0}};
  if (name == "light") return light;
  if (name == "dark") return dark;
  throw std::invalid_argument("unknown theme '" + name + "' (expected light or dark)");
}

void set_font(cairo_t* cr, double size, bool bold) {
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

void set_color(cairo_t* cr, const Rgb& c, double alpha) { cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha); }

double text_width(cairo_t* cr, const std::string& text) {
  cairo_text_extents_t e;
  cairo_text_extents(cr, text.c_str(), &e);
  return e.x_advance;
}

double font_height(cairo_t* cr) {
  cairo_font_extents_t fe;
  cairo_font_extents(cr, &fe);
  return fe.ascent + fe.descent;
}

namespace {
thread_local std::vector<std::string>* captured_text = nullptr;
}  // namespace

TextCapture::TextCapture(std::vector<std::string>& lines) : previous_(captured_text) { captured_text = &lines; }
TextCapture::~TextCapture() { captured_text = previous_; }

void draw_text(cairo_t* cr, const std::string& text, double x, double y, HAlign h, VAlign v, double angle) {
  if (captured_text) captured_text->push_back(text);
  cairo_font_extents_t fe;
  cairo_font_extents(cr, &fe);
  const double w = text_width(cr, text);
  double dx = h == HAlign::Left ? 0 : h == HAlign::Center ? -w / 2 : -w;
  // Top/Middle/Bottom use the font's ascent and descent, not the glyphs', so a row of labels
  // shares one baseline whatever letters it holds.
  double dy = 0;
  switch (v) {
    case VAlign::Top: dy = fe.ascent; break;
    case VAlign::Middle: dy = (fe.ascent - fe.descent) / 2; break;
    case VAlign::Baseline: dy = 0; break;
    case VAlign::Bottom: dy = -fe.descent; break;
  }
  cairo_save(cr);
  cairo_translate(cr, x, y);
  if (angle != 0) cairo_rotate(cr, -angle * std::numbers::pi / 180.0);
  cairo_move_to(cr, dx, dy);
  cairo_show_text(cr, text.c_str());
  cairo_restore(cr);
}

std::string fit_text(cairo_t* cr, const std::string& text, double max_width) {
  if (text_width(cr, text) <= max_width) return text;
  const std::string ellipsis = "…";
  std::string s = text;
  while (!s.empty()) {
    // Drop one whole UTF-8 character from the end.
    size_t cut = s.size() - 1;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    s.resize(cut);
    if (text_width(cr, s + ellipsis) <= max_width) return s + ellipsis;
  }
  return ellipsis;
}

void stroke_rect(cairo_t* cr, const Rect& r, const Rgb& c, double width) {
  set_color(cr, c);
  cairo_set_line_width(cr, width);
  cairo_rectangle(cr, r.x, r.y, r.w, r.h);
  cairo_stroke(cr);
}

void fill_rect(cairo_t* cr, const Rect& r, const Rgb& c, double alpha) {
  set_color(cr, c, alpha);
  cairo_rectangle(cr, r.x, r.y, r.w, r.h);
  cairo_fill(cr);
}

void apply_font_options(cairo_t* cr) {
  cairo_font_options_t* fo = cairo_font_options_create();
  cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
  cairo_set_font_options(cr, fo);
  cairo_font_options_destroy(fo);
}

MeasureContext::MeasureContext()
    : surface(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1)), cr(cairo_create(surface)) {
  apply_font_options(cr);
}

MeasureContext::~MeasureContext() {
  cairo_destroy(cr);
  cairo_surface_destroy(surface);
}

}  // namespace attnscope
