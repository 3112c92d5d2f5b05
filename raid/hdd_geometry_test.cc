// Hard-disk geometry with the hdd-7200-4tb numbers (the HddParams defaults): the seek curve's
// ends and its data-sheet average, the rotation period and wait, and the zoned media rate.
#include "raid/hdd_geometry.h"

#include <gtest/gtest.h>

#include <cmath>

#include "sim/random.h"

namespace mdsim {
namespace {

constexpr uint64_t kSectors = 7814037168;  // 4 TB

TEST(HddGeometry, DefaultsAreTheSevenTwoHundredRpmFourTerabyteProfile) {
  HddParams p;
  EXPECT_EQ(p.rpm, 7200);
  EXPECT_EQ(p.average_seek_ns, 7400000);
  EXPECT_EQ(p.track_to_track_ns, 230000);
  EXPECT_EQ(HddGeometry::check(p), "");
}

TEST(HddGeometry, SeekCurveRunsFromTrackToTrackToFullStroke) {
  HddParams p;
  HddGeometry g(p, kSectors);
  EXPECT_EQ(g.seek_ns(100.0, 100.5, false), 0);  // under one track: no seek
  // One track: the single-track figure (plus the curve's sqrt term over ~3 million tracks).
  EXPECT_NEAR(static_cast<double>(g.seek_ns(100.0, 101.0, false)), 230000, 230000 * 0.05);
  EXPECT_NEAR(static_cast<double>(g.seek_ns(0.0, g.tracks(), false)), 15000000, 1);
  EXPECT_NEAR(static_cast<double>(g.seek_ns(g.tracks(), 0.0, false)), 15000000, 1);
  EXPECT_EQ(g.seek_ns(0.0, g.tracks(), true), g.seek_ns(0.0, g.tracks(), false) + 800000);
  // Monotone in distance.
  double prev = 0;
  for (int i = 1; i <= 1000; ++i) {
    double t = g.seek_curve_ns(i / 1000.0);
    EXPECT_GT(t, prev);
    prev = t;
  }
}

TEST(HddGeometry, AverageOverRandomTrackPairsIsTheDataSheetAverageSeek) {
  HddParams p;
  HddGeometry g(p, kSectors);
  Rng rng(42);
  double sum = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    double a = rng.uniform01() * g.tracks(), b = rng.uniform01() * g.tracks();
    sum += static_cast<double>(g.seek_ns(a, b, false));
  }
  EXPECT_NEAR(sum / n, 7400000, 7400000 * 0.01);
}

TEST(HddGeometry, RotationPeriodAndWait) {
  HddParams p;
  HddGeometry g(p, kSectors);
  EXPECT_NEAR(g.rev_ns(), 60e9 / 7200, 1e-6);
  const Time rev = static_cast<Time>(std::llround(g.rev_ns()));
  EXPECT_EQ(g.rotation_wait(0, 5.0), 0);                 // angle 0 is under the head at t = 0
  EXPECT_NEAR(g.rotation_wait(0, 7.25), g.rev_ns() / 4, 2);  // a quarter turn ahead
  EXPECT_NEAR(g.rotation_wait(rev / 2, 3.25), g.rev_ns() * 3 / 4, 2);  // passed: most of a turn
  // From random instants the wait averages half a revolution (the data sheet's 4.16 ms).
  Rng rng(7);
  double sum = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    sum += static_cast<double>(g.rotation_wait(static_cast<Time>(rng.below(1000000000)), 12.6));
  }
  EXPECT_NEAR(sum / n, 4166667, 4166667 * 0.01);
}

TEST(HddGeometry, ZonedRateFallsFromOuterToInner) {
  HddParams p;
  HddGeometry g(p, kSectors);
  EXPECT_NEAR(g.rate(0) * 1e3, 220, 1e-9);
  EXPECT_NEAR(g.rate(kSectors) * 1e3, 104, 1e-9);
  EXPECT_NEAR(g.rate(kSectors / 2) * 1e3, 162, 1e-9);
  // 1 MiB at the outer edge takes 1 MiB / 220 MB/s; at the inner edge 1 MiB / 104 MB/s.
  EXPECT_NEAR(static_cast<double>(g.transfer_ns(0, 2048)), 1048576 / 0.220, 1048576 / 0.220 * 1e-4);
  EXPECT_NEAR(static_cast<double>(g.transfer_ns(kSectors - 2048, 2048)), 1048576 / 0.104,
              1048576 / 0.104 * 1e-4);
  // A track holds one revolution of data: 220 MB/s x 8.33 ms = 3581 sectors at LBA 0.
  EXPECT_NEAR(g.track(3581), 1.0, 1e-3);
  EXPECT_EQ(g.track(kSectors), g.tracks());
  // Reading the whole disk takes as long as its tracks' revolutions: capacity / mean rate
  // (the rate is linear in LBA, so the time is the integral of 1/rate).
  const double whole_s = g.tracks() * g.rev_ns() * 1e-9;
  const double expected_s = 4000787030016.0 / (220e6 - 104e6) * std::log(220.0 / 104.0);
  EXPECT_NEAR(whole_s, expected_s, expected_s * 1e-9);
}

TEST(HddGeometry, CheckNamesWhatCannotBeFitted) {
  HddParams p;
  p.full_stroke_ns = 7000000;
  EXPECT_EQ(HddGeometry::check(p), "full_stroke_ns must be above average_seek_ns");
  p = HddParams{};
  p.full_stroke_ns = 40000000;  // the average would need a curve that falls somewhere
  EXPECT_NE(HddGeometry::check(p).find("monotone"), std::string::npos);
  p = HddParams{};
  p.average_seek_ns = 200000;
  EXPECT_EQ(HddGeometry::check(p), "average_seek_ns must be above track_to_track_ns");
}

}  // namespace
}  // namespace mdsim
