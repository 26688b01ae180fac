#include "render/output.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace attnscope {
namespace {

constexpr double kPdfPointsPerUnit = 0.75;  // 72 pt per inch / 96 units per inch

std::string lower_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

// Removes the temporary file unless released: every error path leaves nothing behind.
struct TempFile {
  std::string path;
  bool keep = false;
  ~TempFile() {
    if (!keep) std::remove(path.c_str());
  }
};

void check(cairo_status_t status, const std::string& target) {
  if (status != CAIRO_STATUS_SUCCESS)
    throw std::runtime_error("cannot write " + target + ": " + cairo_status_to_string(status));
}

void draw_on(cairo_surface_t* surface, double scale, const Rgb& background, const DrawFigure& draw) {
  cairo_t* cr = cairo_create(surface);
  apply_font_options(cr);
  set_color(cr, background);
  cairo_paint(cr);
  cairo_scale(cr, scale, scale);
  draw(cr);
  const cairo_status_t status = cairo_status(cr);
  cairo_destroy(cr);
  if (status != CAIRO_STATUS_SUCCESS) throw std::runtime_error(std::string("drawing failed: ") + cairo_status_to_string(status));
}

}  // namespace

OutputFormat output_format(const std::string& path) {
  const std::string ext = lower_extension(path);
  if (ext == ".png") return OutputFormat::Png;
  if (ext == ".svg") return OutputFormat::Svg;
  if (ext == ".pdf") return OutputFormat::Pdf;
  throw std::invalid_argument("unknown output extension '" + ext + "' in " + path + " (expected .png, .svg or .pdf)");
}

void write_figure(const std::string& path, double dpi, const Rgb& background, const DrawFigure& draw) {
  const OutputFormat format = output_format(path);
  Size size;
  {
    MeasureContext measure;
    size = draw(measure.cr);
  }
  const double w = std::ceil(size.w), h = std::ceil(size.h);

  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty() && !std::filesystem::is_directory(parent))
    throw std::runtime_error("cannot write " + path + ": directory " + parent.string() + " does not exist");

  TempFile tmp{path + ".tmp-" + std::to_string(::getpid())};
  if (format == OutputFormat::Png) {
    const double scale = dpi / 96.0;
    const double pw = std::ceil(w * scale), ph = std::ceil(h * scale);
    if (pw > kMaxPngSide || ph > kMaxPngSide)
      throw std::invalid_argument("figure would be " + std::to_string(static_cast<long>(pw)) + "x" +
                                  std::to_string(static_cast<long>(ph)) + " px at dpi " + std::to_string(dpi) +
                                  " (PNG limit " + std::to_string(kMaxPngSide) + " px a side): lower the dpi");
    cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, static_cast<int>(pw), static_cast<int>(ph));
    try {
      check(cairo_surface_status(s), path);
      draw_on(s, scale, background, draw);
      check(cairo_surface_write_to_png(s, tmp.path.c_str()), path);
    } catch (...) {
      cairo_surface_destroy(s);
      throw;
    }
    cairo_surface_destroy(s);
  } else {
    const double scale = format == OutputFormat::Pdf ? kPdfPointsPerUnit : 1.0;
    cairo_surface_t* s = format == OutputFormat::Pdf
                             ? cairo_pdf_surface_create(tmp.path.c_str(), w * scale, h * scale)
                             : cairo_svg_surface_create(tmp.path.c_str(), w, h);
#if CAIRO_VERSION >= CAIRO_VERSION_ENCODE(1, 16, 0)
    if (format == OutputFormat::Svg) cairo_svg_surface_set_document_unit(s, CAIRO_SVG_UNIT_PX);
#endif
    try {
      check(cairo_surface_status(s), path);
      draw_on(s, scale, background, draw);
      cairo_surface_finish(s);  // writes the file
      check(cairo_surface_status(s), path);
    } catch (...) {
      cairo_surface_destroy(s);
      throw;
    }
    cairo_surface_destroy(s);
  }
  if (std::rename(tmp.path.c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
  tmp.keep = true;
}

}  // namespace attnscope
