// The shifted-lognormal service-time fit: its quantiles and sample moments match the profile.
#include "raid/disk_service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace mdsim {
namespace {

TEST(ServiceDistribution, FitHitsTheMeanAndTheNinetyNinthPercentile) {
  ServiceTime st{30000, 45000, 90000};
  ServiceDistribution d(st);
  EXPECT_NEAR(d.quantile(0.99), 90000, 1);
  Rng rng(7);
  std::vector<Time> v(200000);
  double sum = 0;
  for (Time& x : v) {
    x = d.sample(rng);
    sum += static_cast<double>(x);
    ASSERT_GE(x, 30000);
  }
  std::sort(v.begin(), v.end());
  EXPECT_NEAR(sum / static_cast<double>(v.size()), 45000, 45000 * 0.01);
  EXPECT_NEAR(static_cast<double>(v[v.size() * 99 / 100]), 90000, 90000 * 0.02);
  EXPECT_NEAR(static_cast<double>(v[v.size() / 2]), d.quantile(0.5), 200);
}

TEST(ServiceDistribution, EqualMinAndMeanIsAConstant) {
  ServiceDistribution d(ServiceTime{5000, 5000, 5000});
  Rng rng(1);
  EXPECT_EQ(d.sample(rng), 5000);
  EXPECT_EQ(d.sample(rng), 5000);
}

TEST(ServiceDistribution, CheckExplainsWhatCannotBeFitted) {
  EXPECT_EQ(ServiceDistribution::check({1, 2, 3}), "");
  EXPECT_EQ(ServiceDistribution::check({5, 4, 9}), "mean_ns must be at least min_ns");
  EXPECT_EQ(ServiceDistribution::check({1, 5, 5}), "p99_ns must be above mean_ns");
  EXPECT_EQ(ServiceDistribution::check({0, 10, 1000}),
            "p99_ns - min_ns may be at most 14.9 times mean_ns - min_ns for a lognormal fit");
  EXPECT_EQ(ServiceDistribution::check({3, 3, 4}),
            "p99_ns must equal mean_ns when mean_ns equals min_ns");
}

}  // namespace
}  // namespace mdsim
