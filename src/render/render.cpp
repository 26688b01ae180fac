// render_figure: checks the options, resolves them into a ViewContext, picks the view and hands
// it to the output writer.
#include "render/render.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "render/output.h"
#include "render/views.h"

namespace attnscope {
namespace {

struct ViewEntry {
  ViewInfo info;
  Size (*draw)(cairo_t*, const ViewContext&);
};

const std::vector<ViewEntry>& view_table() {
  static const std::vector<ViewEntry> table = {
      {{"heatmap", "one layer of one kind: a head or the mean of heads, labelled axes, colour bar"}, view_heatmap},
      {{"heads", "one heatmap per head side by side on a shared colour scale"}, view_heads},
      {{"lines", "query and key tokens in two columns joined by lines; opacity = weight, colour = head"}, view_lines},
      {{"grid", "thumbnails of every layer x head, one outlined (--highlight L,H) and drawn in detail"}, view_grid},
      {{"compare", "all runs (e.g. original and masked input) stacked on one scale, plus their difference"}, view_compare},
      {{"steps", "decoding step by step: each query's scores, weights and the context they form"}, view_steps},
      {{"gallery", "one small heatmap per run (many inputs) in a grid, each labelled with its input"}, view_gallery},
  };
  return table;
}

// --vmin/--vmax as given, up to float precision: "0.8", not "0.800000".
std::string range_number(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", static_cast<double>(v));
  return buf;
}

const ViewEntry& find_view(const std::string& name) {
  for (const ViewEntry& v : view_table())
    if (name == v.info.name) return v;
  std::string list;
  for (const ViewEntry& v : view_table()) list += (list.empty() ? "" : ", ") + std::string(v.info.name);
  throw std::invalid_argument("unknown view '" + name + "' (expected one of " + list + ")");
}

}  // namespace

const std::vector<ViewInfo>& render_views() {
  static const std::vector<ViewInfo> infos = [] {
    std::vector<ViewInfo> v;
    for (const ViewEntry& e : view_table()) v.push_back(e.info);
    return v;
  }();
  return infos;
}

void check_render_options(const RenderOptions& opt) {
  find_view(opt.view);
  colormap(opt.colormap);
  theme(opt.theme);
  pool_mode(opt.pool);
  if (opt.merge != "none" && opt.merge != "words")
    throw std::invalid_argument("unknown merge mode '" + opt.merge + "' (expected none or words)");
  if (!(opt.dpi >= 10 && opt.dpi <= 1200))
    throw std::invalid_argument("dpi " + std::to_string(opt.dpi) + " out of range (valid 10-1200)");
  if (opt.vmin && !std::isfinite(*opt.vmin)) throw std::invalid_argument("vmin is not a finite number");
  if (opt.vmax && !std::isfinite(*opt.vmax)) throw std::invalid_argument("vmax is not a finite number");
  if (opt.vmin && opt.vmax && !(*opt.vmin < *opt.vmax))
    throw std::invalid_argument("vmin " + range_number(*opt.vmin) + " must be below vmax " + range_number(*opt.vmax) +
                                " (the colour range would be empty)");
  if (opt.layer < -1) throw std::invalid_argument("layer " + std::to_string(opt.layer) + " out of range (-1 = last)");
  if (!opt.heads.empty() && opt.view != "lines")
    throw std::invalid_argument("several heads (" + std::to_string(opt.heads.size()) +
                                ") are drawn by the lines view only; the " + opt.view + " view draws one head or the mean");
  if (opt.run < 0) throw std::invalid_argument("run " + std::to_string(opt.run) + " out of range (runs count from 0)");
  parse_spans(opt.spans);
}

namespace {

ViewContext make_context(const AttentionSet& set, const RenderOptions& opt, const std::string& out_path) {
  const bool raster = output_format(out_path) == OutputFormat::Png;  // a bad extension fails first
  check_render_options(opt);
  set.validate();
  return ViewContext{set,
                     opt,
                     theme(opt.theme),
                     colormap(opt.colormap),
                     pool_mode(opt.pool),
                     opt.merge == "words",
                     parse_spans(opt.spans),
                     raster ? opt.dpi / 96.0 : 0.0};
}

}  // namespace

void render_figure(const AttentionSet& set, const RenderOptions& opt, const std::string& out_path) {
  const ViewContext ctx = make_context(set, opt, out_path);
  const ViewEntry& view = find_view(opt.view);
  write_figure(out_path, opt.dpi, ctx.theme.background, [&](cairo_t* cr) { return view.draw(cr, ctx); });
}

std::vector<std::string> figure_notes(const AttentionSet& set, const RenderOptions& opt, const std::string& out_path) {
  ViewContext ctx = make_context(set, opt, out_path);
  std::vector<std::string> notes;
  ctx.notes_out = &notes;
  MeasureContext measure;
  find_view(opt.view).draw(measure.cr, ctx);
  return notes;
}

std::vector<std::string> figure_text(const AttentionSet& set, const RenderOptions& opt, const std::string& out_path) {
  const ViewContext ctx = make_context(set, opt, out_path);
  std::vector<std::string> text;
  MeasureContext measure;
  const TextCapture capture(text);
  find_view(opt.view).draw(measure.cr, ctx);
  return text;
}

}  // namespace attnscope
