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

namespace {

// The ticks of a bar over [lo, hi] as "text@value" lines, for failure messages.
std::string describe(const std::vector<ColorbarTick>& ticks) {
  std::string s;
  for (const ColorbarTick& t : ticks) s += (s.empty() ? "" : ", ") + t.text + (t.end ? " (end)" : "");
  return s;
}

}  // namespace

TEST(Colorbar, AtLeastFourTicksWithBothEndsLabelledWithTheirValues) {
  const struct {
    double lo, hi;
    const char *lo_text, *hi_text;
  } cases[] = {{0.2, 0.8, "0.2", "0.8"},       {0.0, 0.3, "0", "0.3"},           {1, 2, "1", "2"},
               {0, 1, "0", "1"},               {0.0013, 0.0021, "0.0013", "0.0021"}, {0.2f, 0.8f, "0.2", "0.8"},
               {0.0123, 0.8734, "0.0123", "0.873"}, {-0.4, 0.4, "-0.4", "0.4"},    {0, 1234.6, "0", "1235"}};
  for (const auto& c : cases) {
    for (double gap : {kDefaultTickGap, 0.2}) {  // a tall bar, and a short one (label height / bar height)
      const std::vector<ColorbarTick> t = colorbar_ticks(c.lo, c.hi, gap, gap);
      const std::string what = std::to_string(c.lo) + "-" + std::to_string(c.hi) + ": " + describe(t);
      ASSERT_GE(t.size(), 4u) << what;
      EXPECT_TRUE(t.front().end && t.back().end) << what;
      EXPECT_EQ(t.front().value, c.lo) << what;
      EXPECT_EQ(t.back().value, c.hi) << what;
      EXPECT_EQ(t.front().text, c.lo_text) << what;
      EXPECT_EQ(t.back().text, c.hi_text) << what;
      for (size_t i = 1; i + 1 < t.size(); ++i) {
        EXPECT_FALSE(t[i].end) << what;
        EXPECT_GT(t[i].value, t[i - 1].value) << what;
        // Clear of the ends' labels and of each other.
        EXPECT_GE(t[i].value - c.lo, gap * (c.hi - c.lo) - 1e-12) << what;
        EXPECT_GE(c.hi - t[i].value, gap * (c.hi - c.lo) - 1e-12) << what;
        if (i > 1) EXPECT_GE(t[i].value - t[i - 1].value, gap * (c.hi - c.lo) - 1e-12) << what;
      }
    }
  }
  // A horizontal legend 170 wide: the ends take more room (labels are side by side).
  const std::vector<ColorbarTick> h = colorbar_ticks(0, 1, 0.28, 0.2);
  EXPECT_GE(h.size(), 4u) << describe(h);
  // An empty range still names its value.
  const std::vector<ColorbarTick> one = colorbar_ticks(0.5, 0.5);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].text, "0.5");
}

TEST(Colorbar, EndTextKeepsThreeSignificantDigitsAndReadsNoiseAsZero) {
  EXPECT_EQ(end_text(0.30000001192092896, 0.3), "0.3");
  EXPECT_EQ(end_text(0.0021, 0.0008), "0.0021");
  EXPECT_EQ(end_text(4e-28, 0.3), "0");
  EXPECT_EQ(end_text(-0.25, 0.5), "-0.25");
  EXPECT_EQ(end_text(12.0, 10), "12");
}
