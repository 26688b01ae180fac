// Drawing helpers shared by every view: geometry, the light/dark theme, and text in
// "DejaVu Sans" through cairo's toy font API (fonts-dejavu-core), measured and aligned.
// All coordinates are in figure units (1 unit = 1 px at 96 dpi).
#pragma once

#include <cairo.h>

#include <string>
#include <vector>

#include "render/colormap.h"

namespace attnscope {

struct Rect {
  double x = 0, y = 0, w = 0, h = 0;
  double right() const { return x + w; }
  double bottom() const { return y + h; }
};

struct Size {
  double w = 0, h = 0;
};

struct Theme {
  Rgb background, text, muted, frame, highlight;
};
const Theme& theme(const std::string& name);  // "light" | "dark"; throws std::invalid_argument

// Font sizes, in figure units.
inline constexpr double kTitleFont = 15;
inline constexpr double kSubtitleFont = 11.5;
inline constexpr double kLabelFont = 11;    // token labels
inline constexpr double kTickFont = 10;     // colour bar ticks, grid numbers
inline constexpr double kNoteFont = 10;     // footnotes stating transforms
inline constexpr double kMargin = 18;       // outer margin of every figure

enum class HAlign { Left, Center, Right };
enum class VAlign { Top, Middle, Baseline, Bottom };

void set_font(cairo_t* cr, double size, bool bold = false);
void set_color(cairo_t* cr, const Rgb& c, double alpha = 1.0);
double text_width(cairo_t* cr, const std::string& text);  // with the current font
double font_height(cairo_t* cr);                           // ascent + descent of the current font
// Draws text anchored at (x, y); `angle` in degrees, counter-clockwise (90 = reads bottom to top).
// Alignment is applied in the text's own (rotated) frame.
void draw_text(cairo_t* cr, const std::string& text, double x, double y, HAlign h, VAlign v,
               double angle = 0);
// While one is alive, every draw_text on its thread is also appended to `lines`: how
// figure_text reads back what a figure says (titles, legends, labels) without reading pixels.
class TextCapture {
 public:
  explicit TextCapture(std::vector<std::string>& lines);
  ~TextCapture();
  TextCapture(const TextCapture&) = delete;
  TextCapture& operator=(const TextCapture&) = delete;

 private:
  std::vector<std::string>* previous_;
};
// Shortens text to fit `max_width`, ending it with an ellipsis; labels only, never data.
std::string fit_text(cairo_t* cr, const std::string& text, double max_width);

void stroke_rect(cairo_t* cr, const Rect& r, const Rgb& c, double width);
void fill_rect(cairo_t* cr, const Rect& r, const Rgb& c, double alpha = 1.0);

// A throwaway context with the figure's font settings, for measuring before a surface exists.
struct MeasureContext {
  MeasureContext();
  ~MeasureContext();
  MeasureContext(const MeasureContext&) = delete;
  MeasureContext& operator=(const MeasureContext&) = delete;
  cairo_surface_t* surface;
  cairo_t* cr;
};

// Font options used on every surface so measuring and drawing agree (no hinting of metrics).
void apply_font_options(cairo_t* cr);

}  // namespace attnscope
