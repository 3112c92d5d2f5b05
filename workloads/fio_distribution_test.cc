// The offset distributions against their analytic laws (computed here independently), the
// rank-to-block permutation, and the random map against a naive bitmap.
#include "workloads/fio_distribution.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <vector>

#include "workloads/fio_random_map.h"

namespace mdsim {
namespace {

// Checks sampled frequencies against probabilities: each within 5 standard deviations.
void expect_law(const std::vector<uint64_t>& counts, const std::vector<double>& p, uint64_t n) {
  for (size_t k = 0; k < p.size(); ++k) {
    double sd = std::sqrt(p[k] * (1 - p[k]) / static_cast<double>(n));
    EXPECT_NEAR(static_cast<double>(counts[k]) / n, p[k], 5 * sd + 1e-9) << "rank " << k;
  }
}

std::vector<double> zipf_law(uint64_t n, double theta) {
  std::vector<double> p(n);
  double z = 0;
  for (uint64_t k = 1; k <= n; ++k) z += std::pow(static_cast<double>(k), -theta);
  for (uint64_t k = 1; k <= n; ++k) p[k - 1] = std::pow(static_cast<double>(k), -theta) / z;
  return p;
}

TEST(FioDistribution, ZipfSamplesTheExactLawForAnyTheta) {
  for (double theta : {0.0, 0.5, 0.8, 1.0, 1.2, 2.5}) {
    SCOPED_TRACE(theta);
    const uint64_t n = 20, draws = 200000;
    ZipfSampler z(n, theta);
    Rng rng(42);
    std::vector<uint64_t> counts(n);
    for (uint64_t i = 0; i < draws; ++i) {
      uint64_t r = z(rng);
      ASSERT_LT(r, n);
      ++counts[r];
    }
    expect_law(counts, zipf_law(n, theta), draws);
  }
}

TEST(FioDistribution, ZipfOnAMillionRanksKeepsTheHeadRight) {
  const uint64_t n = 1000000, draws = 200000;
  ZipfSampler z(n, 1.2);
  Rng rng(7);
  uint64_t head[3] = {0, 0, 0};
  for (uint64_t i = 0; i < draws; ++i) {
    uint64_t r = z(rng);
    ASSERT_LT(r, n);
    if (r < 3) ++head[r];
  }
  std::vector<double> p = zipf_law(n, 1.2);
  std::vector<uint64_t> counts(head, head + 3);
  expect_law(counts, {p[0], p[1], p[2]}, draws);
}

TEST(FioDistribution, ParetoPutsFioSharesOnTheHottestRanks) {
  // rank = floor((n-1) U^p), p = ln h / ln(1-h): P(rank < m) = (m / (n-1))^(1/p) for m <= n-1.
  for (double h : {0.2, 0.1, 0.8}) {
    SCOPED_TRACE(h);
    const uint64_t n = 1000, draws = 200000;
    ParetoSampler s(n, h);
    Rng rng(3);
    uint64_t low = 0;
    for (uint64_t i = 0; i < draws; ++i) low += s(rng) < 200;
    double p = std::log(h) / std::log(1 - h);
    double expect = std::pow(200.0 / 999.0, 1 / p);
    EXPECT_NEAR(static_cast<double>(low) / draws, expect, 0.005);
  }
  // HOWTO's reading of pareto:0.2 — the hottest 20% get about 80% of the accesses.
  EXPECT_NEAR(std::pow(200.0 / 999.0, std::log(0.8) / std::log(0.2)), 0.8, 0.001);
}

TEST(FioDistribution, FioNormalIsIrwinHallPlusAUniformJitter) {
  const uint64_t n = 10000, draws = 100000;
  for (double dev : {0.0, 50.0}) {
    SCOPED_TRACE(dev);
    FioNormalSampler s(n, dev);
    Rng rng(11);
    double sum = 0, sum2 = 0;
    for (uint64_t i = 0; i < draws; ++i) {
      double x = static_cast<double>(s(rng));
      sum += x;
      sum2 += x * x;
    }
    double mean = sum / draws, sd = std::sqrt(sum2 / draws - mean * mean);
    // Mean of 12 U(0,n): sd n/12; jitter of width w = n*dev/100: variance w^2/12.
    double w = n * dev / 100;
    double expect_sd = std::sqrt(std::pow(n / 12.0, 2) + w * w / 12);
    EXPECT_NEAR(mean, n / 2.0, 0.01 * n);
    EXPECT_NEAR(sd, expect_sd, 0.02 * expect_sd);
  }
}

TEST(FioDistribution, BlockPermutationIsABijectionThatDependsOnTheKey) {
  for (uint64_t n : {1ull, 2ull, 3ull, 64ull, 1000ull, 4097ull}) {
    BlockPermutation p(n, 99);
    std::set<uint64_t> seen;
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t b = p(i);
      ASSERT_LT(b, n);
      seen.insert(b);
    }
    EXPECT_EQ(seen.size(), n);
  }
  BlockPermutation a(1000, 1), b(1000, 2);
  int same = 0;
  for (uint64_t i = 0; i < 1000; ++i) same += a(i) == b(i);
  EXPECT_LT(same, 20);
  // Hot ranks are scattered, not packed at the start: ranks 0..9 land far apart.
  uint64_t lo = 1000, hi = 0;
  for (uint64_t i = 0; i < 10; ++i) {
    lo = std::min(lo, a(i));
    hi = std::max(hi, a(i));
  }
  EXPECT_GT(hi - lo, 300u);
}

TEST(FioRandomMap, NextFreeWrapsAndRunsStopAtUsedBlocks) {
  FioRandomMap m(10);
  EXPECT_EQ(m.set_run(3, 4), 4u);  // 3..6
  EXPECT_EQ(m.set_run(1, 5), 2u);  // 1, 2, then 3 is used
  EXPECT_EQ(m.set_run(2, 1), 0u);
  EXPECT_EQ(m.next_free(3), 7u);
  EXPECT_EQ(m.set_run(7, 5), 3u);  // 7..9, stops at the end
  EXPECT_EQ(m.next_free(5), 0u);   // wraps
  EXPECT_EQ(m.set_run(0, 1), 1u);
  EXPECT_TRUE(m.full());
  EXPECT_EQ(m.next_free(0), FioRandomMap::kNone);
  m.reset();
  EXPECT_EQ(m.used(), 0u);
  EXPECT_EQ(m.next_free(9), 9u);
}

TEST(FioRandomMap, MultiLevelSearchAgreesWithANaiveBitmap) {
  const uint64_t n = 64 * 64 * 64 + 77;  // four levels
  FioRandomMap m(n);
  std::vector<bool> naive(n);
  Rng rng(5);
  for (int step = 0; step < 300000; ++step) {
    uint64_t b = rng.below(n);
    uint64_t want = b;
    while (want < n && naive[want]) ++want;
    if (want == n) {
      want = 0;
      while (want < n && naive[want]) ++want;
    }
    ASSERT_EQ(m.next_free(b), want == n ? FioRandomMap::kNone : want) << step;
    if (want == n) break;
    uint64_t len = 1 + rng.below(200);
    uint64_t expect = 0;
    while (expect < len && want + expect < n && !naive[want + expect])
      naive[want + expect++] = true;
    ASSERT_EQ(m.set_run(want, len), expect);
  }
}

}  // namespace
}  // namespace mdsim
