// lines: query tokens in a left column, key tokens in a right one, joined by a line per
// (query, key) whose opacity is the weight (seed 000, bertviz's head view as a static figure).
// One head at a time by default, the mean of heads as every other view: overlaid heads are a
// tangle. --head picks one; RenderOptions::heads (--head 1,3) overlays a few, a colour each.
#include <algorithm>
#include <stdexcept>

#include "render/labels.h"
#include "render/views.h"

namespace attnscope {

namespace {
constexpr size_t kMaxTokens = 256;  // past this, lines become a solid block: use a heatmap
constexpr double kRowPitch = 20;
constexpr double kColumnGap = 260;  // horizontal space the lines cross
constexpr double kLineWidth = 2.0;
constexpr double kMaxTokenWidth = 180;

// Categorical head colours (matplotlib tab10), distinct on light and dark backgrounds.
const Rgb kHeadColours[] = {{0.122, 0.467, 0.706}, {1.000, 0.498, 0.055}, {0.173, 0.627, 0.173},
                            {0.839, 0.153, 0.157}, {0.580, 0.404, 0.741}, {0.549, 0.337, 0.294},
                            {0.890, 0.467, 0.761}, {0.498, 0.498, 0.498}, {0.737, 0.741, 0.133},
                            {0.090, 0.745, 0.812}};
const Rgb& head_colour(int head) { return kHeadColours[static_cast<size_t>(std::max(head, 0)) % 10]; }
// One head alone takes the first (strongest) colour; overlaid heads keep their own.
const Rgb& line_colour(const std::vector<int>& heads, size_t i) { return heads.size() == 1 ? kHeadColours[0] : head_colour(heads[i]); }
}  // namespace

Size view_lines(cairo_t* cr, const ViewContext& ctx) {
  const AttentionRun& run = pick_run(ctx, ctx.opt.run);
  const AttentionKind kind = pick_kind(run, ctx.opt.kind);
  const AttentionBlock& block = pick_block(run, kind, ctx.opt.layer);
  // The heads drawn: those asked for, else --head, else the mean of heads (-1).
  std::vector<int> heads = ctx.opt.heads.empty() ? std::vector<int>{ctx.opt.head} : ctx.opt.heads;
  for (int h : heads) check_head(block, h);
  Notes notes;
  std::vector<Panel> panels;
  for (int h : heads) panels.push_back(make_panel(ctx, run, block, h, notes));
  const Panel& p0 = panels.front();
  if (p0.m.rows > kMaxTokens || p0.m.cols > kMaxTokens)
    throw std::invalid_argument("lines view draws at most " + std::to_string(kMaxTokens) + " tokens a side (this block is " +
                                std::to_string(p0.m.rows) + "x" + std::to_string(p0.m.cols) +
                                "); use --view heatmap, which pools long inputs");
  if (!ctx.opt.spans.empty()) notes.add("spans are drawn on heatmap views only");
  note_numbering(notes, block);

  double width = 0;
  // "mean of 4 heads", "head 3", "heads 1 and 3", "heads 1, 2 and 4".
  std::string which = head_phrase(block, heads[0]);
  if (heads.size() > 1) {
    which = "heads " + std::to_string(heads[0] + 1);
    for (size_t i = 1; i < heads.size(); ++i)
      which += (i + 1 == heads.size() ? " and " : ", ") + std::to_string(heads[i] + 1);
  }
  const std::string title = kind_name(kind) + " · " + layer_phrase(block) + " · " + which;
  double y = draw_header(cr, ctx, title, run_caption(run), kMargin, width);

  // Opacity = weight, unless the user fixed a range (then opacity = position in the range).
  const float vmin = ctx.opt.vmin.value_or(0.0f), vmax = ctx.opt.vmax.value_or(1.0f);
  if (ctx.opt.vmin || ctx.opt.vmax)
    notes.add("line opacity = (weight − " + short_number(vmin) + ") / (" + short_number(vmax) + " − " +
              short_number(vmin) + "), clipped to 0–1");
  else
    notes.add("line opacity = weight");

  // Legend: one swatch per head drawn.
  set_font(cr, kLabelFont);
  double lx = kMargin;
  for (size_t i = 0; i < heads.size(); ++i) {
    const std::string label = head_phrase(block, heads[i]);
    fill_rect(cr, {lx, y + 2, 12, 12}, line_colour(heads, i));
    set_color(cr, ctx.theme.text);
    draw_text(cr, label, lx + 17, y + 8, HAlign::Left, VAlign::Middle);
    lx += 17 + text_width(cr, label) + 16;
  }
  width = std::max(width, lx);
  y += 30;

  // Column headers and tokens, labelled as on every other view (whitespace made visible).
  set_font(cr, kLabelFont);
  std::vector<std::string> qlabels, klabels;
  for (const auto& t : p0.rows) qlabels.push_back(fit_text(cr, display_token(t), kMaxTokenWidth));
  for (const auto& t : p0.cols) klabels.push_back(fit_text(cr, display_token(t), kMaxTokenWidth));
  double qw = 0, kw = 0;
  for (const auto& t : qlabels) qw = std::max(qw, text_width(cr, t));
  for (const auto& t : klabels) kw = std::max(kw, text_width(cr, t));
  set_font(cr, kLabelFont, true);
  const std::string qh = axis_title(kind, true), kh = axis_title(kind, false);
  qw = std::max(qw, text_width(cr, qh));
  const double left_x = kMargin + qw + 8, right_x = left_x + kColumnGap;
  set_color(cr, ctx.theme.muted);
  draw_text(cr, qh, left_x, y, HAlign::Right, VAlign::Top);
  draw_text(cr, kh, right_x, y, HAlign::Left, VAlign::Top);
  width = std::max(width, right_x + text_width(cr, kh));
  y += font_height(cr) + 10;

  const size_t rows = p0.m.rows, cols = p0.m.cols;
  cairo_set_line_width(cr, kLineWidth);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  for (size_t i = 0; i < panels.size(); ++i) {
    const Rgb& colour = line_colour(heads, i);
    for (size_t q = 0; q < rows; ++q)
      for (size_t k = 0; k < cols; ++k) {
        const double a = std::clamp((panels[i].m.at(q, k) - vmin) / (vmax - vmin), 0.0f, 1.0f);
        if (a < 1.0 / 255) continue;  // invisible anyway
        set_color(cr, colour, a);
        cairo_move_to(cr, left_x + 4, y + (q + 0.5) * kRowPitch);
        cairo_line_to(cr, right_x - 4, y + (k + 0.5) * kRowPitch);
        cairo_stroke(cr);
      }
  }
  set_font(cr, kLabelFont);
  set_color(cr, ctx.theme.text);
  for (size_t q = 0; q < rows; ++q) draw_text(cr, qlabels[q], left_x - 4, y + (q + 0.5) * kRowPitch, HAlign::Right, VAlign::Middle);
  for (size_t k = 0; k < cols; ++k) draw_text(cr, klabels[k], right_x + 4, y + (k + 0.5) * kRowPitch, HAlign::Left, VAlign::Middle);
  width = std::max(width, right_x + 4 + kw);
  y += static_cast<double>(std::max(rows, cols)) * kRowPitch;

  y = draw_notes(cr, ctx, notes, y, width);
  return {width + kMargin, y + kMargin};
}

}  // namespace attnscope
