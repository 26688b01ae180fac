#include "render/colormap.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace attnscope {
namespace {

// matplotlib viridis, interpolated at t = k/32.
const std::vector<Rgb> kViridis = {
    {0.2670, 0.0049, 0.3294}, {0.2770, 0.0502, 0.3755}, {0.2823, 0.0946, 0.4170}, {0.2829, 0.1354, 0.4530},
    {0.2789, 0.1749, 0.4830}, {0.2708, 0.2133, 0.5066}, {0.2593, 0.2507, 0.5244}, {0.2454, 0.2867, 0.5370},
    {0.2302, 0.3213, 0.5455}, {0.2148, 0.3545, 0.5510}, {0.2000, 0.3864, 0.5545}, {0.1861, 0.4173, 0.5567},
    {0.1733, 0.4474, 0.5579}, {0.1613, 0.4770, 0.5581}, {0.1497, 0.5064, 0.5573}, {0.1384, 0.5358, 0.5551},
    {0.1281, 0.5651, 0.5509}, {0.1209, 0.5945, 0.5442}, {0.1203, 0.6238, 0.5343}, {0.1310, 0.6529, 0.5208},
    {0.1554, 0.6815, 0.5032}, {0.1930, 0.7096, 0.4812}, {0.2415, 0.7366, 0.4545}, {0.2986, 0.7624, 0.4230},
    {0.3629, 0.7867, 0.3866}, {0.4330, 0.8091, 0.3453}, {0.5081, 0.8292, 0.2992}, {0.5873, 0.8470, 0.2489},
    {0.6694, 0.8622, 0.1954}, {0.7529, 0.8751, 0.1427}, {0.8359, 0.8861, 0.1025}, {0.9166, 0.8961, 0.1008},
    {0.9932, 0.9062, 0.1439}};

// matplotlib magma, interpolated at t = k/32.
const std::vector<Rgb> kMagma = {
    {0.0015, 0.0005, 0.0139}, {0.0136, 0.0117, 0.0684}, {0.0394, 0.0309, 0.1330}, {0.0738, 0.0518, 0.2018},
    {0.1124, 0.0653, 0.2756}, {0.1581, 0.0684, 0.3512}, {0.2104, 0.0622, 0.4173}, {0.2640, 0.0601, 0.4609},
    {0.3151, 0.0712, 0.4848}, {0.3643, 0.0896, 0.4976}, {0.4128, 0.1096, 0.5045}, {0.4614, 0.1291, 0.5076},
    {0.5105, 0.1473, 0.5077}, {0.5603, 0.1645, 0.5049}, {0.6108, 0.1809, 0.4990}, {0.6619, 0.1971, 0.4895},
    {0.7132, 0.2139, 0.4762}, {0.7640, 0.2324, 0.4590}, {0.8135, 0.2542, 0.4381}, {0.8600, 0.2814, 0.4142},
    {0.9013, 0.3165, 0.3899}, {0.9348, 0.3609, 0.3699}, {0.9592, 0.4135, 0.3599}, {0.9755, 0.4709, 0.3635},
    {0.9859, 0.5300, 0.3801}, {0.9923, 0.5891, 0.4072}, {0.9959, 0.6477, 0.4423}, {0.9973, 0.7057, 0.4835},
    {0.9970, 0.7633, 0.5296}, {0.9954, 0.8205, 0.5798}, {0.9928, 0.8776, 0.6335}, {0.9898, 0.9346, 0.6904},
    {0.9871, 0.9914, 0.7495}};

// ColorBrewer sequential maps as matplotlib defines them (9 segments).
const std::vector<Rgb> kBlues = {
    {0.9686, 0.9843, 1.0000}, {0.8706, 0.9216, 0.9686}, {0.7765, 0.8588, 0.9373},
    {0.6196, 0.7922, 0.8824}, {0.4196, 0.6824, 0.8392}, {0.2588, 0.5725, 0.7765},
    {0.1294, 0.4431, 0.7098}, {0.0314, 0.3176, 0.6118}, {0.0314, 0.1882, 0.4196}};

const std::vector<Rgb> kGreys = {
    {1.0000, 1.0000, 1.0000}, {0.9412, 0.9412, 0.9412}, {0.8510, 0.8510, 0.8510},
    {0.7412, 0.7412, 0.7412}, {0.5882, 0.5882, 0.5882}, {0.4510, 0.4510, 0.4510},
    {0.3216, 0.3216, 0.3216}, {0.1451, 0.1451, 0.1451}, {0.0000, 0.0000, 0.0000}};

// ColorBrewer RdBu (red at 0, blue at 1), 11 segments.
const std::vector<Rgb> kRdBu = {
    {0.4039, 0.0000, 0.1216}, {0.6980, 0.0941, 0.1686}, {0.8392, 0.3765, 0.3020}, {0.9569, 0.6471, 0.5098},
    {0.9922, 0.8588, 0.7804}, {0.9686, 0.9686, 0.9686}, {0.8196, 0.8980, 0.9412}, {0.5725, 0.7725, 0.8706},
    {0.2627, 0.5765, 0.7647}, {0.1294, 0.4000, 0.6745}, {0.0196, 0.1882, 0.3804}};

std::vector<Rgb> reversed(std::vector<Rgb> v) {
  std::reverse(v.begin(), v.end());
  return v;
}

const std::vector<Colormap>& all_maps() {
  static const std::vector<Colormap> maps = {
      {"viridis", kViridis, false}, {"magma", kMagma, false},   {"Blues", kBlues, false},
      {"Greys", kGreys, false},     {"RdBu", kRdBu, true},       {"RdBu_r", reversed(kRdBu), true}};
  return maps;
}

double linear_channel(double c) { return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4); }

}  // namespace

Rgb Colormap::at(double t) const {
  if (!(t >= 0.0)) t = 0.0;  // also catches NaN
  if (t > 1.0) t = 1.0;
  const double x = t * static_cast<double>(points.size() - 1);
  const size_t i = std::min(static_cast<size_t>(x), points.size() - 2);
  const double f = x - static_cast<double>(i);
  const Rgb& a = points[i];
  const Rgb& b = points[i + 1];
  return {a.r + (b.r - a.r) * f, a.g + (b.g - a.g) * f, a.b + (b.b - a.b) * f};
}

uint32_t Colormap::argb(double t) const {
  const Rgb c = at(t);
  auto byte = [](double v) { return static_cast<uint32_t>(std::lround(std::clamp(v, 0.0, 1.0) * 255.0)); };
  return 0xff000000u | (byte(c.r) << 16) | (byte(c.g) << 8) | byte(c.b);
}

const Colormap& colormap(const std::string& name) {
  for (const Colormap& m : all_maps())
    if (m.name == name) return m;
  std::string list;
  for (const Colormap& m : all_maps()) list += (list.empty() ? "" : ", ") + m.name;
  throw std::invalid_argument("unknown colormap '" + name + "' (expected one of " + list + ")");
}

std::vector<std::string> colormap_names() {
  std::vector<std::string> names;
  for (const Colormap& m : all_maps()) names.push_back(m.name);
  return names;
}

double luminance(const Rgb& c) {
  return 0.2126 * linear_channel(c.r) + 0.7152 * linear_channel(c.g) + 0.0722 * linear_channel(c.b);
}

}  // namespace attnscope
