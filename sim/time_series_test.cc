// Tests for TimeSeries and IntervalSeries: window boundaries, empty windows, rates, determinism.
#include "sim/time_series.h"

#include <gtest/gtest.h>

#include <random>

namespace mdsim {
namespace {

TEST(TimeSeries, KeepsSamplesInOrder) {
  TimeSeries s;
  EXPECT_TRUE(s.empty());
  s.add(10, 1.5);
  s.add(5, -2.0);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], (TimeSeries::Sample{10, 1.5}));
  EXPECT_EQ(s[1], (TimeSeries::Sample{5, -2.0}));
  double total = 0;
  for (const auto& x : s) total += x.value;
  EXPECT_EQ(total, -0.5);
  s.clear();
  EXPECT_TRUE(s.empty());
}

TEST(IntervalSeries, WindowBoundaries) {
  IntervalSeries s(kMillisecond);
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.window_index(0), 0u);
  EXPECT_EQ(s.window_index(kMillisecond - 1), 0u);
  EXPECT_EQ(s.window_index(kMillisecond), 1u);
  s.add(0, 1.0);
  s.add(kMillisecond - 1, 3.0);  // last ns of window 0
  s.add(kMillisecond, 10.0);     // first ns of window 1
  ASSERT_EQ(s.size(), 2u);
  const auto w0 = s.window(0);
  EXPECT_EQ(w0.start, 0);
  EXPECT_EQ(w0.count, 2u);
  EXPECT_EQ(w0.sum, 4.0);
  EXPECT_EQ(w0.mean, 2.0);
  EXPECT_EQ(w0.min, 1.0);
  EXPECT_EQ(w0.max, 3.0);
  const auto w1 = s.window(1);
  EXPECT_EQ(w1.start, kMillisecond);
  EXPECT_EQ(w1.count, 1u);
  EXPECT_EQ(w1.mean, 10.0);
  EXPECT_EQ(w1.min, 10.0);
  EXPECT_EQ(w1.max, 10.0);
}

TEST(IntervalSeries, EmptyWindowsKeepSeriesRegular) {
  IntervalSeries s(100);
  s.add(50, 2.0);
  s.add(450, -4.0);  // windows 1..3 receive nothing
  const auto ws = s.windows();
  ASSERT_EQ(ws.size(), 5u);
  for (size_t i = 0; i < ws.size(); ++i) EXPECT_EQ(ws[i].start, static_cast<Time>(i) * 100);
  for (size_t i = 1; i <= 3; ++i) {
    EXPECT_EQ(ws[i], (IntervalSeries::Window{static_cast<Time>(i) * 100, 0, 0, 0, 0, 0}));
  }
  EXPECT_EQ(ws[4].min, -4.0);  // negative values are fine
  EXPECT_EQ(ws[4].max, -4.0);
  // The mean series skips empty windows; the rate series does not.
  const auto means = s.mean_series();
  ASSERT_EQ(means.size(), 2u);
  EXPECT_EQ(means[0], (TimeSeries::Sample{0, 2.0}));
  EXPECT_EQ(means[1], (TimeSeries::Sample{400, -4.0}));
  EXPECT_EQ(s.rate_series().size(), 5u);
}

TEST(IntervalSeries, LeadingWindowsStartAtOrigin) {
  IntervalSeries s(kSecond, 10 * kSecond);
  EXPECT_EQ(s.origin(), 10 * kSecond);
  s.add(12 * kSecond + 5, 1.0);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s.window(0).start, 10 * kSecond);
  EXPECT_EQ(s.window(0).count, 0u);
  EXPECT_EQ(s.window(2).start, 12 * kSecond);
  EXPECT_EQ(s.window(2).count, 1u);
}

TEST(IntervalSeries, ExtendToAddsTrailingIdleWindows) {
  IntervalSeries s(kMillisecond);
  s.add(0, 1.0);
  s.extend_to(3 * kMillisecond);  // covers windows 0..3
  EXPECT_EQ(s.size(), 4u);
  s.extend_to(kMillisecond);  // never shrinks
  EXPECT_EQ(s.size(), 4u);
  EXPECT_EQ(s.window(3).count, 0u);
  EXPECT_EQ(s.rate(3), 0.0);
}

TEST(IntervalSeries, RatePerWindow) {
  // 4 KiB completions: 250 in the first 10 ms window, 500 in the second.
  IntervalSeries bytes(10 * kMillisecond);
  IntervalSeries ios(10 * kMillisecond);
  for (int i = 0; i < 250; ++i) {
    bytes.add(i * 40 * kMicrosecond, 4096);
    ios.add(i * 40 * kMicrosecond, 1);
  }
  for (int i = 0; i < 500; ++i) {
    bytes.add(10 * kMillisecond + i * 20 * kMicrosecond, 4096);
    ios.add(10 * kMillisecond + i * 20 * kMicrosecond, 1);
  }
  ASSERT_EQ(ios.size(), 2u);
  EXPECT_DOUBLE_EQ(ios.rate(0), 25000.0);  // IOPS
  EXPECT_DOUBLE_EQ(ios.rate(1), 50000.0);
  EXPECT_DOUBLE_EQ(bytes.rate(0), 25000.0 * 4096);  // bytes/s
  const auto r = bytes.rate_series();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].t, 10 * kMillisecond);
  EXPECT_DOUBLE_EQ(r[1].value, 50000.0 * 4096);
}

TEST(IntervalSeries, OutOfOrderSamplesLandInTheirWindows) {
  IntervalSeries s(10);
  s.add(35, 1.0);
  s.add(5, 2.0);
  s.add(31, 3.0);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s.window(0).sum, 2.0);
  EXPECT_EQ(s.window(3).sum, 4.0);
  EXPECT_EQ(s.window(3).min, 1.0);
  EXPECT_EQ(s.window(3).max, 3.0);
}

TEST(IntervalSeries, Deterministic) {
  auto run = [] {
    std::mt19937_64 rng(42);
    IntervalSeries s(7 * kMicrosecond);
    Time t = 0;
    for (int i = 0; i < 20000; ++i) {
      t += static_cast<Time>(rng() % 5000);
      s.add(t, static_cast<double>(rng() % 100000) / 7.0);
    }
    return s.windows();
  };
  const auto a = run();
  const auto b = run();
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, b);  // bit-identical
}

TEST(IntervalSeriesDeathTest, BadArgumentsAbort) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(IntervalSeries(0), "width must be positive");
  IntervalSeries s(10, 100);
  EXPECT_DEATH(s.add(99, 1.0), "precedes origin");
}

}  // namespace
}  // namespace mdsim
