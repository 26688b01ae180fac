// The architecture figure (render/architecture.h): columns of boxes read bottom to top, repeated
// layers drawn once inside a frame marked "× N", and elbow arrows from the encoder column into the
// decoder's blocks. Laid out in two passes like every figure (output.h): sizes, then drawing.
#include "render/architecture.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>

#include "render/output.h"

namespace attnscope {

namespace {

constexpr double kBlockTitleFont = 12;
constexpr double kBlockLineFont = 10.5;
constexpr double kColumnFont = 13;
constexpr double kLinkFont = 9.5;
constexpr double kPad = 7;             // inside a box, around its text
constexpr double kStackPad = 12;       // inside a layer frame, around its sublayers
constexpr double kBetween = 26;        // vertical room for the arrow between two blocks
constexpr double kInnerBetween = 16;   // the same inside a layer frame
constexpr double kRepeatSpace = 46;    // beside a column, for "× N"
constexpr double kMinColumn = 230;     // narrowest column
constexpr double kMinGap = 60;         // between columns without links
constexpr double kLinkStep = 18;       // vertical spacing of links leaving one block
constexpr double kRadius = 6;
constexpr double kPi = std::numbers::pi;

// Pastel fills, one per kind of block (the Transformer paper's palette: embeddings pink,
// attention orange, feed-forward blue, outputs green).
Rgb fill_of(ArchBlockKind k) {
  switch (k) {
    case ArchBlockKind::Embedding: return {0.98, 0.80, 0.80};
    case ArchBlockKind::Position: return {0.99, 0.93, 0.72};
    case ArchBlockKind::Recurrent: return {0.78, 0.87, 0.98};
    case ArchBlockKind::Attention: return {0.99, 0.82, 0.60};
    case ArchBlockKind::FeedForward: return {0.78, 0.93, 0.97};
    case ArchBlockKind::Norm: return {0.92, 0.92, 0.86};
    case ArchBlockKind::Combine: return {0.87, 0.83, 0.97};
    case ArchBlockKind::Output: return {0.78, 0.93, 0.78};
  }
  return {0.9, 0.9, 0.9};
}

bool dark(const Theme& t) { return t.background.r + t.background.g + t.background.b < 1.5; }

void rounded_rect(cairo_t* cr, const Rect& r, double radius) {
  const double rad = std::min(radius, std::min(r.w, r.h) / 2);
  cairo_new_sub_path(cr);
  cairo_arc(cr, r.right() - rad, r.y + rad, rad, -kPi / 2, 0);
  cairo_arc(cr, r.right() - rad, r.bottom() - rad, rad, 0, kPi / 2);
  cairo_arc(cr, r.x + rad, r.bottom() - rad, rad, kPi / 2, kPi);
  cairo_arc(cr, r.x + rad, r.y + rad, rad, kPi, 3 * kPi / 2);
  cairo_close_path(cr);
}

// A straight arrow from (x1, y1) to (x2, y2), head at the end.
void arrow(cairo_t* cr, double x1, double y1, double x2, double y2, const Rgb& c) {
  set_color(cr, c);
  cairo_set_line_width(cr, 1.3);
  const double a = std::atan2(y2 - y1, x2 - x1), head = 7;
  cairo_move_to(cr, x1, y1);
  cairo_line_to(cr, x2 - std::cos(a) * head * 0.8, y2 - std::sin(a) * head * 0.8);
  cairo_stroke(cr);
  cairo_move_to(cr, x2, y2);
  cairo_line_to(cr, x2 - head * std::cos(a - 0.4), y2 - head * std::sin(a - 0.4));
  cairo_line_to(cr, x2 - head * std::cos(a + 0.4), y2 - head * std::sin(a + 0.4));
  cairo_close_path(cr);
  cairo_fill(cr);
}

class ArchitectureFigure {
 public:
  ArchitectureFigure(const ModelArchitecture& a, const Theme& theme, std::string title, std::vector<std::string>* texts)
      : a_(a), theme_(theme), title_(std::move(title)), texts_(texts) {}

  Size draw(cairo_t* cr) {
    cr_ = cr;
    // Title, summary and where the facts came from.
    double y = kMargin, width = 0;
    set_font(cr, kTitleFont, true);
    set_color(cr, theme_.text);
    text(title_, kMargin, y, HAlign::Left, VAlign::Top);
    width = std::max(width, kMargin + text_width(cr, title_));
    y += font_height(cr) + 4;
    set_font(cr, kSubtitleFont);
    set_color(cr, theme_.muted);
    for (const std::string& s : {a_.summary, "from " + a_.source + " (" + a_.format + ")"}) {
      text(s, kMargin, y, HAlign::Left, VAlign::Top);
      width = std::max(width, kMargin + text_width(cr, s));
      y += font_height(cr) + 2;
    }
    y += 14;

    // Column widths and the gaps that links need for their labels.
    const size_t n = a_.columns.size();
    std::vector<double> col_w(n, kMinColumn), col_h(n, 0);
    for (size_t i = 0; i < n; ++i)
      for (const ArchBlock& b : a_.columns[i].blocks) col_w[i] = std::max(col_w[i], block_width(b));
    std::vector<double> gap(n, kMinGap);
    set_font(cr, kLinkFont);
    for (const ArchLink& l : a_.links) {
      const int c = column_of(l.from);
      if (c >= 0 && c + 1 < static_cast<int>(n)) gap[c] = std::max(gap[c], text_width(cr, l.label) * 1.45 + 40);
    }
    std::vector<double> col_x(n);
    double x = kMargin;
    for (size_t i = 0; i < n; ++i) {
      col_x[i] = x + kRepeatSpace;
      x = col_x[i] + col_w[i] + (i + 1 < n ? gap[i] : kRepeatSpace);
    }
    width = std::max(width, x);

    // Heights: name, output label, blocks with arrows, input label; columns share their bottom.
    set_font(cr, kColumnFont, true);
    const double name_h = font_height(cr) + 8;
    set_font(cr, kBlockLineFont);
    const double label_h = font_height(cr);
    double tallest = 0;
    for (size_t i = 0; i < n; ++i) {
      const ArchColumn& c = a_.columns[i];
      double h = name_h + (c.output.empty() ? 0 : label_h) + kBetween + label_h + kBetween;
      for (size_t k = 0; k < c.blocks.size(); ++k) h += block_height(c.blocks[k]) + (k + 1 < c.blocks.size() ? kBetween : 0);
      col_h[i] = h;
      tallest = std::max(tallest, h);
    }
    const double top = y, bottom = y + tallest;

    for (size_t i = 0; i < n; ++i) draw_column(a_.columns[i], col_x[i], col_w[i], top, bottom, label_h, i + 1 == n && n > 1);
    draw_links();
    y = bottom + 14;

    // Notes: facts without a box.
    set_font(cr, kNoteFont);
    set_color(cr, theme_.muted);
    for (const std::string& s : a_.notes) {
      text(s, kMargin, y, HAlign::Left, VAlign::Top);
      width = std::max(width, kMargin + text_width(cr, s));
      y += font_height(cr) + 2;
    }
    return {width + kMargin, y + kMargin};
  }

 private:
  void text(const std::string& s, double x, double y, HAlign h, VAlign v) {
    draw_text(cr_, s, x, y, h, v);
    if (texts_) texts_->push_back(s);
  }

  double title_height() {
    set_font(cr_, kBlockTitleFont, true);
    return font_height(cr_);
  }
  double line_height() {
    set_font(cr_, kBlockLineFont);
    return font_height(cr_) + 1;
  }
  // Height of a box's own text: title and lines.
  double text_height(const ArchBlock& b) { return title_height() + static_cast<double>(b.lines.size()) * line_height(); }

  double block_width(const ArchBlock& b) {
    set_font(cr_, kBlockTitleFont, true);
    double w = text_width(cr_, b.title);
    set_font(cr_, kBlockLineFont);
    for (const std::string& l : b.lines) w = std::max(w, text_width(cr_, l));
    w += 2 * kPad;
    for (const ArchBlock& i : b.inner) w = std::max(w, block_width(i) + 2 * kStackPad);
    return std::ceil(w);
  }

  double block_height(const ArchBlock& b) {
    double h = kPad + text_height(b) + kPad;
    if (b.inner.empty()) return h;
    h += kStackPad - kPad;
    for (size_t k = 0; k < b.inner.size(); ++k)
      h += block_height(b.inner[k]) + (k + 1 < b.inner.size() ? kInnerBetween : 0);
    return h + kStackPad;
  }

  int column_of(const std::string& id) const {
    for (size_t i = 0; i < a_.columns.size(); ++i) {
      bool found = false;
      auto visit = [&](const ArchBlock& b, auto&& self) -> void {
        found = found || b.id == id;
        for (const ArchBlock& in : b.inner) self(in, self);
      };
      for (const ArchBlock& b : a_.columns[i].blocks) visit(b, visit);
      if (found) return static_cast<int>(i);
    }
    return -1;
  }

  // The box's text, top-aligned in r: title bold, lines below.
  void box_text(const ArchBlock& b, const Rect& r) {
    double y = r.y + kPad;
    set_font(cr_, kBlockTitleFont, true);
    set_color(cr_, dark(theme_) ? theme_.text : Rgb{0.08, 0.08, 0.08});
    text(b.title, r.x + r.w / 2, y, HAlign::Center, VAlign::Top);
    y += title_height();
    set_font(cr_, kBlockLineFont);
    set_color(cr_, dark(theme_) ? theme_.text : Rgb{0.22, 0.22, 0.22});
    for (const std::string& l : b.lines) {
      text(l, r.x + r.w / 2, y, HAlign::Center, VAlign::Top);
      y += line_height();
    }
  }

  // Draws b with its bottom edge at `bottom`; returns its rectangle. `repeat_right` puts "× N" on
  // the right of the frame (the last column), else on the left.
  Rect draw_block(const ArchBlock& b, double x, double w, double bottom, bool repeat_right) {
    const Rect r{x, bottom - block_height(b), w, block_height(b)};
    rects_[b.id] = r;
    if (b.inner.empty()) {
      rounded_rect(cr_, r, kRadius);
      set_color(cr_, fill_of(b.kind), dark(theme_) ? 0.35 : 1.0);
      cairo_fill_preserve(cr_);
      set_color(cr_, theme_.frame);
      cairo_set_line_width(cr_, 1);
      cairo_stroke(cr_);
      box_text(b, r);
      return r;
    }
    // A repeated layer: a light frame, its title at the top, its sublayers bottom to top.
    rounded_rect(cr_, r, kRadius + 4);
    set_color(cr_, theme_.muted, 0.08);
    cairo_fill_preserve(cr_);
    set_color(cr_, theme_.frame);
    cairo_set_line_width(cr_, 1.2);
    cairo_stroke(cr_);
    box_text(b, r);
    {
      set_font(cr_, kColumnFont, true);
      set_color(cr_, theme_.text);
      const std::string times = "× " + std::to_string(b.repeat);
      if (repeat_right)
        text(times, r.right() + 8, r.y + r.h / 2, HAlign::Left, VAlign::Middle);
      else
        text(times, r.x - 8, r.y + r.h / 2, HAlign::Right, VAlign::Middle);
    }
    double y = r.bottom() - kStackPad;
    for (size_t k = 0; k < b.inner.size(); ++k) {
      if (k) {
        arrow(cr_, r.x + r.w / 2, y, r.x + r.w / 2, y - kInnerBetween, theme_.muted);
        y -= kInnerBetween;
      }
      const Rect in = draw_block(b.inner[k], r.x + kStackPad, r.w - 2 * kStackPad, y, repeat_right);
      y = in.y;
    }
    return r;
  }

  void draw_column(const ArchColumn& c, double x, double w, double top, double bottom, double label_h, bool repeat_right) {
    const double cx = x + w / 2;
    set_font(cr_, kColumnFont, true);
    set_color(cr_, theme_.text);
    text(c.name, cx, top, HAlign::Center, VAlign::Top);
    // Input label at the bottom, then the blocks upwards.
    set_font(cr_, kBlockLineFont);
    set_color(cr_, theme_.muted);
    text(c.input, cx, bottom, HAlign::Center, VAlign::Bottom);
    double y = bottom - label_h;
    for (size_t k = 0; k < c.blocks.size(); ++k) {
      arrow(cr_, cx, y, cx, y - kBetween, theme_.muted);
      y -= kBetween;
      y = draw_block(c.blocks[k], x, w, y, repeat_right).y;
    }
    if (!c.output.empty()) {
      arrow(cr_, cx, y, cx, y - kBetween, theme_.muted);
      y -= kBetween;
      set_font(cr_, kBlockLineFont);
      set_color(cr_, theme_.muted);
      text(c.output, cx, y, HAlign::Center, VAlign::Bottom);
    }
  }

  // Elbow arrows from the right edge of a block into the left edge of a block further right.
  // Links nest without crossing: the one entering highest turns first and leaves highest.
  void draw_links() {
    std::map<std::string, std::vector<const ArchLink*>> by_source;
    for (const ArchLink& l : a_.links)
      if (rects_.count(l.from) && rects_.count(l.to)) by_source[l.from].push_back(&l);
    for (auto& [from, links] : by_source) {
      std::sort(links.begin(), links.end(), [&](const ArchLink* p, const ArchLink* q) { return rects_[p->to].y < rects_[q->to].y; });
      const Rect& f = rects_[from];
      const size_t n = links.size();
      for (size_t k = 0; k < n; ++k) {
        const Rect& t = rects_[links[k]->to];
        const double fx = f.right(), tx = t.x;
        const double fy = f.y + f.h / 2 + (static_cast<double>(k) - (n - 1) / 2.0) * kLinkStep;
        const double ty = t.y + std::min(t.h / 2, 22.0);
        const double xm = fx + (tx - fx) * static_cast<double>(k + 1) / static_cast<double>(n + 1);
        set_color(cr_, theme_.text);
        cairo_set_line_width(cr_, 1.3);
        cairo_move_to(cr_, fx, fy);
        cairo_line_to(cr_, xm, fy);
        cairo_line_to(cr_, xm, ty);
        cairo_stroke(cr_);
        arrow(cr_, xm, ty, tx, ty, theme_.text);
        // The label rides on the longer horizontal stretch.
        set_font(cr_, kLinkFont);
        set_color(cr_, theme_.text);
        if (xm - fx > tx - xm)
          text(links[k]->label, fx + 5, fy - 3, HAlign::Left, VAlign::Bottom);
        else
          text(links[k]->label, tx - 10, ty - 3, HAlign::Right, VAlign::Bottom);
      }
    }
  }

  const ModelArchitecture& a_;
  const Theme& theme_;
  std::string title_;
  std::vector<std::string>* texts_;
  cairo_t* cr_ = nullptr;
  std::map<std::string, Rect> rects_;
};

std::string figure_title(const ModelArchitecture& a, const RenderOptions& opt) {
  return opt.title.empty() ? a.name + ": architecture" : opt.title;
}

void check(const ModelArchitecture& a, const RenderOptions& opt) {
  theme(opt.theme);
  if (!(opt.dpi >= 10 && opt.dpi <= 1200))
    throw std::invalid_argument("dpi " + std::to_string(opt.dpi) + " out of range (valid 10-1200)");
  if (a.columns.empty()) throw std::invalid_argument("architecture of " + a.name + " has no blocks to draw");
}

}  // namespace

void render_architecture(const ModelArchitecture& arch, const RenderOptions& opt, const std::string& out_path) {
  output_format(out_path);  // a bad extension fails first
  check(arch, opt);
  const Theme& t = theme(opt.theme);
  write_figure(out_path, opt.dpi, t.background, [&](cairo_t* cr) {
    ArchitectureFigure figure(arch, t, figure_title(arch, opt), nullptr);
    return figure.draw(cr);
  });
}

std::vector<std::string> architecture_figure_texts(const ModelArchitecture& arch, const RenderOptions& opt) {
  check(arch, opt);
  std::vector<std::string> texts;
  MeasureContext measure;
  ArchitectureFigure figure(arch, theme(opt.theme), figure_title(arch, opt), &texts);
  figure.draw(measure.cr);
  return texts;
}

}  // namespace attnscope
