// Colour maps: value in [0, 1] -> colour. Lookup tables interpolated from control points taken
// from matplotlib's maps (viridis and magma sampled at 33 points, max error < 2/255 per channel;
// Blues, Greys and RdBu are matplotlib's own 9- and 11-point segment tables, so exact).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attnscope {

struct Rgb {
  double r = 0, g = 0, b = 0;  // each in [0, 1]
};

struct Colormap {
  std::string name;
  std::vector<Rgb> points;  // evenly spaced control points from t = 0 to t = 1
  bool diverging = false;   // centred maps (differences); their middle is neutral

  Rgb at(double t) const;               // t clamped to [0, 1], linear between control points
  uint32_t argb(double t) const;        // opaque cairo ARGB32 pixel
};

// "viridis", "magma", "Blues", "Greys", "RdBu", "RdBu_r"; throws std::invalid_argument naming
// the bad name and the valid ones.
const Colormap& colormap(const std::string& name);
std::vector<std::string> colormap_names();

// The map used for differences (run 1 - run 0): blue below zero, red above.
inline constexpr const char* kDivergingColormap = "RdBu_r";

// Relative luminance (sRGB, WCAG) in [0, 1]; picks readable text on a cell.
double luminance(const Rgb& c);

}  // namespace attnscope
