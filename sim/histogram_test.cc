// Tests for LatencyHistogram: fio bucket math, percentile accuracy, exact moments, merge.
#include "sim/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace mdsim {
namespace {

using H = LatencyHistogram;

TEST(LatencyHistogramBins, Geometry) {
  EXPECT_EQ(H::kPlatVal, 64);
  EXPECT_EQ(H::kPlatNr, 1856);
  EXPECT_EQ(H::kDefaultPercentiles.size(), 17u);
}

TEST(LatencyHistogramBins, IndexBoundaries) {
  EXPECT_EQ(H::bin_index(0), 0);
  EXPECT_EQ(H::bin_index(1), 1);
  EXPECT_EQ(H::bin_index(63), 63);
  EXPECT_EQ(H::bin_index(64), 64);
  EXPECT_EQ(H::bin_index(127), 127);
  EXPECT_EQ(H::bin_index(128), 128);
  EXPECT_EQ(H::bin_index(129), 128);
  EXPECT_EQ(H::bin_index(130), 129);
  EXPECT_EQ(H::bin_index(255), 191);
  EXPECT_EQ(H::bin_index(256), 192);
  EXPECT_EQ(H::bin_index(259), 192);
  EXPECT_EQ(H::bin_index(260), 193);
  EXPECT_EQ(H::bin_index(1000), 317);
  // Powers of two open a new group: 2^k lands on (k - 5) * 64 for k >= 7.
  for (int k = 7; k <= 33; ++k) {
    EXPECT_EQ(H::bin_index(uint64_t{1} << k), (k - 5) * 64) << "k=" << k;
    EXPECT_EQ(H::bin_index((uint64_t{1} << k) - 1), (k - 5) * 64 - 1) << "k=" << k;
  }
  // The last bin ends just below 2^34 ns; anything larger is clamped into it.
  EXPECT_EQ(H::bin_index((uint64_t{1} << 34) - 1), H::kPlatNr - 1);
  EXPECT_EQ(H::bin_index(uint64_t{1} << 34), H::kPlatNr - 1);
  EXPECT_EQ(H::bin_index(uint64_t{1} << 50), H::kPlatNr - 1);
  EXPECT_EQ(H::bin_index(UINT64_MAX), H::kPlatNr - 1);
}

TEST(LatencyHistogramBins, ValueBoundaries) {
  EXPECT_EQ(H::bin_value(0), 0u);
  EXPECT_EQ(H::bin_value(63), 63u);
  EXPECT_EQ(H::bin_value(64), 64u);
  EXPECT_EQ(H::bin_value(127), 127u);
  EXPECT_EQ(H::bin_value(128), 129u);  // bin [128,130): middle 129
  EXPECT_EQ(H::bin_value(191), 255u);  // bin [254,256): middle 255
  EXPECT_EQ(H::bin_value(192), 258u);  // bin [256,260): middle 258
  EXPECT_EQ(H::bin_value(317), 1004u);  // bin [1000,1008): middle 1004
  EXPECT_EQ(H::bin_value(H::kPlatNr - 1),
            (uint64_t{1} << 33) + 63 * (uint64_t{1} << 27) + (uint64_t{1} << 26));
}

TEST(LatencyHistogramBins, RoundTripAndMonotone) {
  for (int i = 0; i < H::kPlatNr; ++i) {
    EXPECT_EQ(H::bin_index(H::bin_value(i)), i) << "i=" << i;
    if (i > 0) {
      EXPECT_GT(H::bin_value(i), H::bin_value(i - 1)) << "i=" << i;
    }
  }
  // Every value maps to a bin whose reported value is within half a bin width (<= 1/128).
  std::mt19937_64 rng(7);
  for (int n = 0; n < 200000; ++n) {
    const uint64_t v = rng() >> (30 + rng() % 34);
    const double reported = static_cast<double>(H::bin_value(H::bin_index(v)));
    if (v < 128) {
      EXPECT_EQ(reported, static_cast<double>(v));
    } else {
      EXPECT_LE(std::abs(reported - static_cast<double>(v)), static_cast<double>(v) / 128.0)
          << "v=" << v;
    }
  }
}

TEST(LatencyHistogram, Empty) {
  H h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.sum(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.stddev(), 0.0);
  EXPECT_EQ(h.percentile(50), 0);
  EXPECT_EQ(h.percentile(99.99), 0);
  EXPECT_TRUE(h.nonempty_bins().empty());
  for (const auto& [p, v] : h.default_percentiles()) EXPECT_EQ(v, 0) << p;
}

TEST(LatencyHistogram, MomentsAreExact) {
  H h;
  for (Time v : {2, 4, 4, 4, 5, 5, 7, 9}) h.add(v);
  EXPECT_EQ(h.count(), 8u);
  EXPECT_EQ(h.min(), 2);
  EXPECT_EQ(h.max(), 9);
  EXPECT_EQ(h.sum(), 40u);
  EXPECT_DOUBLE_EQ(h.mean(), 5.0);
  EXPECT_DOUBLE_EQ(h.stddev(), std::sqrt(32.0 / 7.0));

  H big;
  for (Time v = 1; v <= 1000; ++v) big.add(v * kMicrosecond);
  EXPECT_EQ(big.min(), kMicrosecond);
  EXPECT_EQ(big.max(), 1000 * kMicrosecond);
  EXPECT_EQ(big.sum(), 500500u * kMicrosecond);
  EXPECT_DOUBLE_EQ(big.mean(), 500.5 * kMicrosecond);
  // Sample variance of 1..n is n(n+1)/12.
  EXPECT_NEAR(big.stddev(), std::sqrt(1000.0 * 1001.0 / 12.0) * kMicrosecond, 1e-6);

  H one;
  one.add(12345);
  EXPECT_EQ(one.stddev(), 0.0);
  EXPECT_DOUBLE_EQ(one.mean(), 12345.0);
}

TEST(LatencyHistogram, SingleValuePercentilesAreTheBinValue) {
  H h;
  h.add(1000, 10);
  EXPECT_EQ(h.count(), 10u);
  for (const auto& [p, v] : h.default_percentiles()) EXPECT_EQ(v, 1004) << p;
  EXPECT_EQ(h.percentile(0), 1004);
  EXPECT_EQ(h.percentile(100), 1004);
  EXPECT_EQ(h.min(), 1000);
  EXPECT_EQ(h.max(), 1000);
}

TEST(LatencyHistogram, PercentileWalksCumulativeCounts) {
  H h;
  for (Time v = 1; v <= 100; ++v) h.add(v);  // exact bins
  EXPECT_EQ(h.percentile(1), 1);
  EXPECT_EQ(h.percentile(50), 50);
  EXPECT_EQ(h.percentile(50.5), 51);
  EXPECT_EQ(h.percentile(99), 99);
  EXPECT_EQ(h.percentile(100), 100);
  EXPECT_EQ(h.percentile(0), 1);
  EXPECT_EQ(h.percentile(-5), 1);    // clamped to 0
  EXPECT_EQ(h.percentile(250), 100);  // clamped to 100
  // Unsorted requests come back in request order.
  const double ps[] = {90.0, 10.0, 50.0};
  const auto r = h.percentiles(ps);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0], (std::pair<double, Time>{90.0, 90}));
  EXPECT_EQ(r[1], (std::pair<double, Time>{10.0, 10}));
  EXPECT_EQ(r[2], (std::pair<double, Time>{50.0, 50}));
}

// Exact percentile with the same rule: the smallest rank k with k >= p/100 * n.
Time exact_percentile(const std::vector<Time>& sorted, double p) {
  const double want = p / 100.0 * static_cast<double>(sorted.size());
  size_t k = static_cast<size_t>(std::ceil(want));
  k = std::clamp<size_t>(k, 1, sorted.size());
  return sorted[k - 1];
}

template <typename Dist>
void check_percentile_accuracy(Dist dist, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Time> samples;
  H h;
  for (int i = 0; i < 100000; ++i) {
    const Time v = static_cast<Time>(dist(rng));
    samples.push_back(v);
    h.add(v);
  }
  std::sort(samples.begin(), samples.end());
  EXPECT_EQ(h.min(), samples.front());
  EXPECT_EQ(h.max(), samples.back());
  for (const auto& [p, v] : h.default_percentiles()) {
    const Time exact = exact_percentile(samples, p);
    EXPECT_LE(std::abs(static_cast<double>(v - exact)), 0.01 * static_cast<double>(exact))
        << "p=" << p << " histogram=" << v << " exact=" << exact;
  }
}

TEST(LatencyHistogram, PercentilesUniform) {
  check_percentile_accuracy(std::uniform_real_distribution<double>(0.0, 10.0 * kMillisecond), 1);
}

TEST(LatencyHistogram, PercentilesExponential) {
  check_percentile_accuracy(std::exponential_distribution<double>(1.0 / kMillisecond), 2);
}

TEST(LatencyHistogram, PercentilesLognormal) {
  check_percentile_accuracy(
      std::lognormal_distribution<double>(std::log(500.0 * kMicrosecond), 1.0), 3);
}

TEST(LatencyHistogram, BatchAddMatchesRepeatedAdd) {
  H a, b;
  a.add(300, 5);
  a.add(7000, 3);
  for (int i = 0; i < 5; ++i) b.add(300);
  for (int i = 0; i < 3; ++i) b.add(7000);
  EXPECT_EQ(a.nonempty_bins(), b.nonempty_bins());
  EXPECT_EQ(a.count(), b.count());
  EXPECT_EQ(a.sum(), b.sum());
  EXPECT_NEAR(a.mean(), b.mean(), 1e-9 * b.mean());
  EXPECT_NEAR(a.stddev(), b.stddev(), 1e-9 * b.stddev());
  a.add(5, 0);  // no-op
  EXPECT_EQ(a.count(), 8u);
}

TEST(LatencyHistogram, MergeEqualsAddingBoth) {
  std::mt19937_64 rng(11);
  std::exponential_distribution<double> d(1.0 / (200.0 * kMicrosecond));
  H a, b, both;
  for (int i = 0; i < 5000; ++i) {
    const Time v = static_cast<Time>(d(rng));
    (i % 3 == 0 ? a : b).add(v);
    both.add(v);
  }
  H merged = a;
  merged.merge(b);
  for (int i = 0; i < H::kPlatNr; ++i) ASSERT_EQ(merged.bin_count(i), both.bin_count(i));
  EXPECT_EQ(merged.count(), both.count());
  EXPECT_EQ(merged.min(), both.min());
  EXPECT_EQ(merged.max(), both.max());
  EXPECT_EQ(merged.sum(), both.sum());
  EXPECT_NEAR(merged.mean(), both.mean(), 1e-9 * both.mean());
  EXPECT_NEAR(merged.stddev(), both.stddev(), 1e-9 * both.stddev());
  EXPECT_EQ(merged.default_percentiles(), both.default_percentiles());

  // Merging with an empty histogram (either way round) changes nothing.
  H empty, copy = both;
  copy.merge(empty);
  EXPECT_EQ(copy.nonempty_bins(), both.nonempty_bins());
  EXPECT_EQ(copy.mean(), both.mean());
  empty.merge(both);
  EXPECT_EQ(empty.count(), both.count());
  EXPECT_EQ(empty.min(), both.min());
  EXPECT_EQ(empty.stddev(), both.stddev());
}

TEST(LatencyHistogram, NonemptyBinsAndClear) {
  H h;
  h.add(5);
  h.add(5);
  h.add(1000);
  h.add(int64_t{1} << 40);  // clamped into the last bin
  const auto bins = h.nonempty_bins();
  ASSERT_EQ(bins.size(), 3u);
  EXPECT_EQ(bins[0], (std::pair<uint64_t, uint64_t>{5, 2}));
  EXPECT_EQ(bins[1], (std::pair<uint64_t, uint64_t>{1004, 1}));
  EXPECT_EQ(bins[2].first, H::bin_value(H::kPlatNr - 1));
  EXPECT_EQ(h.max(), int64_t{1} << 40);  // exact max survives the clamp
  uint64_t total = 0;
  h.for_each_bin([&](uint64_t, uint64_t c) { total += c; });
  EXPECT_EQ(total, h.count());
  h.clear();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_TRUE(h.nonempty_bins().empty());
}

TEST(LatencyHistogramDeathTest, NegativeAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  H h;
  EXPECT_DEATH(h.add(-1), "negative latency");
}

}  // namespace
}  // namespace mdsim

namespace mdsim {
namespace {

// fio compares in long double: 99.95% of 4000 is just above 3998 there, so with 3998 samples
// in the first bin the percentile is the next bin's value (fio printed 1336 us where a double
// comparison gives 1224 us on such a run).
TEST(LatencyHistogramPercentiles, ComparesInLongDoubleLikeFio) {
  LatencyHistogram h;
  h.add(10, 3998);
  h.add(20, 2);
  EXPECT_EQ(h.percentile(99.95), 20);
  EXPECT_EQ(h.percentile(99.9), 10);
}

}  // namespace
}  // namespace mdsim
