// lines: query tokens in a left column, key tokens in a right one, joined by a line per
// (query, key, head) whose opacity is the weight and whose colour is the head (seed 000,
// bertviz's head view as a static figure). All heads overlaid unless --head picks one.
#include <algorithm>
#include <stdexcept>

#include "render/views.h"

namespace attnscope {

namespace {
constexpr size_t kMaxTokens = 256;  // past this, lines become a solid block: use a heatmap
constexpr double kRowPitch = 20;
constexpr double kColumnGap = 260;  // horizontal space the lines cross
constexpr double kLineWidth = 2.0;

// Categorical head colours (matplotlib tab10), distinct on light and dark backgrounds.
const Rgb kHeadColours[] = {{0.122, 0.467, 0.706}, {1.000, 0.498, 0.055}, {0.173, 0.627, 0.173},
                            {0.839, 0.153, 0.157}, {0.580, 0.404, 0.741}, {0.549, 0.337, 0.294},
                            {0.890, 0.467, 0.761}, {0.498, 0.498, 0.498}, {0.737, 0.741, 0.133},
                            {0.090, 0.745, 0.812}};
}  // namespace

Size view_lines(cairo_t* cr, const ViewContext& ctx) {
  const AttentionRun& run = pick_run(ctx, ctx.opt.run);
  const AttentionKind kind = pick_kind(run, ctx.opt.kind);
  const AttentionBlock& block = pick_block(run, kind, ctx.opt.layer);
  check_head(block, ctx.opt.head);
  Notes notes;
  std::vector<int> heads;
  if (ctx.opt.head >= 0) heads.push_back(ctx.opt.head);
  else
    for (size_t h = 0; h < block.heads; ++h) heads.push_back(static_cast<int>(h));
  std::vector<Panel> panels;
  for (int h : heads) panels.push_back(make_panel(ctx, run, block, h, notes));
  const Panel& p0 = panels.front();
  if (p0.m.rows > kMaxTokens || p0.m.cols > kMaxTokens)
    throw std::invalid_argument("lines view draws at most " + std::to_string(kMaxTokens) + " tokens a side (this block is " +
                                std::to_string(p0.m.rows) + "x" + std::to_string(p0.m.cols) +
                                "); use --view heatmap, which pools long inputs");
  if (!ctx.opt.spans.empty()) notes.add("spans are drawn on heatmap views only");

  double width = 0;
  const std::string title = kind_name(kind) + " · layer " + std::to_string(block.layer) + " · " +
                            (ctx.opt.head >= 0 ? "head " + std::to_string(ctx.opt.head)
                                               : "all " + std::to_string(block.heads) + " heads");
  double y = draw_header(cr, ctx, title, run_caption(run), kMargin, width);

  // Opacity = weight, unless the user fixed a range (then opacity = position in the range).
  const float vmin = ctx.opt.vmin.value_or(0.0f), vmax = ctx.opt.vmax.value_or(1.0f);
  if (ctx.opt.vmin || ctx.opt.vmax)
    notes.add("line opacity = (weight − " + short_number(vmin) + ") / (" + short_number(vmax) + " − " +
              short_number(vmin) + "), clipped to 0–1");
  else
    notes.add("line opacity = weight");

  // Legend: one swatch per head.
  set_font(cr, kLabelFont);
  double lx = kMargin;
  for (size_t i = 0; i < heads.size(); ++i) {
    const std::string label = "head " + std::to_string(heads[i]);
    fill_rect(cr, {lx, y + 2, 12, 12}, kHeadColours[static_cast<size_t>(heads[i]) % 10]);
    set_color(cr, ctx.theme.text);
    draw_text(cr, label, lx + 17, y + 8, HAlign::Left, VAlign::Middle);
    lx += 17 + text_width(cr, label) + 16;
  }
  width = std::max(width, lx);
  y += 30;

  // Column headers and tokens.
  double qw = 0, kw = 0;
  set_font(cr, kLabelFont);
  for (const auto& t : p0.rows) qw = std::max(qw, text_width(cr, fit_text(cr, t, 180)));
  for (const auto& t : p0.cols) kw = std::max(kw, text_width(cr, fit_text(cr, t, 180)));
  set_font(cr, kLabelFont, true);
  const std::string qh = axis_title(kind, true), kh = axis_title(kind, false);
  qw = std::max(qw, text_width(cr, qh));
  const double left_x = kMargin + qw + 8, right_x = left_x + kColumnGap;
  set_color(cr, ctx.theme.muted);
  draw_text(cr, qh, left_x, y, HAlign::Right, VAlign::Top);
  draw_text(cr, kh, right_x, y, HAlign::Left, VAlign::Top);
  y += font_height(cr) + 10;

  const size_t rows = p0.m.rows, cols = p0.m.cols;
  const double q_pitch = kRowPitch, k_pitch = kRowPitch;
  cairo_set_line_width(cr, kLineWidth);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  for (size_t i = 0; i < panels.size(); ++i) {
    const Rgb& colour = kHeadColours[static_cast<size_t>(heads[i]) % 10];
    for (size_t q = 0; q < rows; ++q)
      for (size_t k = 0; k < cols; ++k) {
        const double a = std::clamp((panels[i].m.at(q, k) - vmin) / (vmax - vmin), 0.0f, 1.0f);
        if (a < 1.0 / 255) continue;  // invisible anyway
        set_color(cr, colour, a);
        cairo_move_to(cr, left_x + 4, y + (q + 0.5) * q_pitch);
        cairo_line_to(cr, right_x - 4, y + (k + 0.5) * k_pitch);
        cairo_stroke(cr);
      }
  }
  set_font(cr, kLabelFont);
  set_color(cr, ctx.theme.text);
  for (size_t q = 0; q < rows; ++q)
    draw_text(cr, fit_text(cr, p0.rows[q], 180), left_x - 4, y + (q + 0.5) * q_pitch, HAlign::Right, VAlign::Middle);
  for (size_t k = 0; k < cols; ++k)
    draw_text(cr, fit_text(cr, p0.cols[k], 180), right_x + 4, y + (k + 0.5) * k_pitch, HAlign::Left, VAlign::Middle);
  width = std::max(width, right_x + 4 + kw);
  y += std::max(rows * q_pitch, cols * k_pitch);

  y = draw_notes(cr, ctx, notes, y, width);
  return {width + kMargin, y + kMargin};
}

}  // namespace attnscope
