#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "render/colorbar.h"
#include "render/colormap.h"

using namespace attnscope;

namespace {
int byte(double v) { return static_cast<int>(std::lround(v * 255)); }
void expect_hex(const Rgb& c, int r, int g, int b, int tol = 2) {
  EXPECT_NEAR(byte(c.r), r, tol);
  EXPECT_NEAR(byte(c.g), g, tol);
  EXPECT_NEAR(byte(c.b), b, tol);
}
}  // namespace

TEST(Colormap, ViridisEndpointsAndMiddleMatchMatplotlib) {
  const Colormap& v = colormap("viridis");
  expect_hex(v.at(0.0), 0x44, 0x01, 0x54);
  expect_hex(v.at(1.0), 0xfd, 0xe7, 0x25);
  expect_hex(v.at(0.5), 0x21, 0x91, 0x8c);  // matplotlib viridis(0.5) = #21918c
  EXPECT_EQ(v.argb(0.0), 0xff440154u);
}

TEST(Colormap, MagmaAndSequentialMaps) {
  expect_hex(colormap("magma").at(0.0), 0x00, 0x00, 0x04);
  expect_hex(colormap("magma").at(1.0), 0xfc, 0xfd, 0xbf);
  expect_hex(colormap("Blues").at(1.0), 0x08, 0x30, 0x6b);
  expect_hex(colormap("Greys").at(0.0), 0xff, 0xff, 0xff);
  expect_hex(colormap("Greys").at(1.0), 0x00, 0x00, 0x00);
}

TEST(Colormap, DivergingIsNeutralInTheMiddleAndClamps) {
  const Colormap& d = colormap("RdBu_r");
  EXPECT_TRUE(d.diverging);
  expect_hex(d.at(0.5), 0xf7, 0xf7, 0xf7);
  EXPECT_GT(d.at(1.0).r, d.at(1.0).b);  // positive = red
  EXPECT_GT(d.at(0.0).b, d.at(0.0).r);  // negative = blue
  expect_hex(d.at(7.0), byte(d.at(1.0).r), byte(d.at(1.0).g), byte(d.at(1.0).b), 0);
  expect_hex(d.at(-3.0), byte(d.at(0.0).r), byte(d.at(0.0).g), byte(d.at(0.0).b), 0);
}

TEST(Colormap, UnknownNameNamesIt) {
  try {
    colormap("jet");
    FAIL() << "expected invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'jet'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("viridis"), std::string::npos);
  }
}

TEST(Colorbar, TicksAreRoundAndInsideTheRange) {
  const auto t = nice_ticks(0.2, 0.8);
  ASSERT_FALSE(t.empty());
  EXPECT_NEAR(t.front(), 0.2, 1e-9);
  EXPECT_NEAR(t.back(), 0.8, 1e-9);
  for (double v : t) EXPECT_TRUE(v >= 0.2 - 1e-9 && v <= 0.8 + 1e-9);
  EXPECT_EQ(tick_text(0.3, 0.1), "0.3");
  EXPECT_EQ(tick_text(0.25, 0.05), "0.25");
  const auto z = nice_ticks(0.0, 0.3);
  EXPECT_EQ(z.size(), 4u);  // 0, 0.1, 0.2, 0.3
  EXPECT_EQ(tick_text(z[1], z[1] - z[0]), "0.1");
}
