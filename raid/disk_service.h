// Service-time distributions of flash operations: a shifted lognormal, min + LogNormal(mu,
// sigma), fitted so that its mean and its 99th percentile are the profile's. It has the
// shape measured NAND latencies have: a hard floor (the array read or program time), most
// samples just above it, and a long right tail (read retries, garbage collection, die
// collisions). The fit: with m = mean - min, q = p99 - min and z = 2.3263 (the standard normal
// 99th percentile), sigma = z - sqrt(z^2 - 2 ln(q/m)) and mu = ln m - sigma^2 / 2; it exists when
// 1 < q/m <= exp(z^2/2) (about 14.97). mean == min gives a constant.
#pragma once

#include <cmath>
#include <string>

#include <absl/random/gaussian_distribution.h>

#include "raid/disk_profile.h"
#include "sim/random.h"

namespace mdsim {

class ServiceDistribution {
 public:
  static constexpr double kZ99 = 2.3263478740408408;

  explicit ServiceDistribution(const ServiceTime& st);

  // Why `st` cannot be fitted ("" when it can), for configuration errors.
  static std::string check(const ServiceTime& st);

  Time sample(Rng& rng) {
    if (constant_) return min_;
    return min_ + static_cast<Time>(std::exp(mu_ + sigma_ * normal_(rng)) + 0.5);
  }
  double mu() const { return mu_; }
  double sigma() const { return sigma_; }
  // The fitted quantile p in (0, 1), for tests.
  double quantile(double p) const;

 private:
  Time min_ = 0;
  double mu_ = 0;
  double sigma_ = 0;
  bool constant_ = true;
  absl::gaussian_distribution<double> normal_;
};

}  // namespace mdsim
