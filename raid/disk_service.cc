// Shifted-lognormal service times: see disk_service.h.
#include "raid/disk_service.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace mdsim {

namespace {

// Inverse standard normal CDF (Acklam's rational approximation refined by one Halley step).
double normal_quantile(double p) {
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                             -2.759285104469687e+02, 1.383577518672690e+02,
                             -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                             -1.556989798598866e+02, 6.680131188771972e+01,
                             -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                             -2.400758277161838e+00, -2.549732539343734e+00,
                             4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                             2.445134137142996e+00, 3.754408661907416e+00};
  double x;
  if (p < 0.02425) {
    double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p > 1 - 0.02425) {
    double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else {
    double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
  double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

}  // namespace

std::string ServiceDistribution::check(const ServiceTime& st) {
  if (st.min_ns < 0) return "min_ns must not be negative";
  if (st.mean_ns < st.min_ns) return "mean_ns must be at least min_ns";
  if (st.mean_ns == st.min_ns) {
    return st.p99_ns == st.mean_ns ? "" : "p99_ns must equal mean_ns when mean_ns equals min_ns";
  }
  if (st.p99_ns <= st.mean_ns) return "p99_ns must be above mean_ns";
  double ratio = static_cast<double>(st.p99_ns - st.min_ns) / static_cast<double>(st.mean_ns - st.min_ns);
  if (2 * std::log(ratio) > kZ99 * kZ99) {
    return "p99_ns - min_ns may be at most 14.9 times mean_ns - min_ns for a lognormal fit";
  }
  return "";
}

ServiceDistribution::ServiceDistribution(const ServiceTime& st) : min_(st.min_ns) {
  std::string why = check(st);
  if (!why.empty()) {
    std::fprintf(stderr, "mdsim: internal error: service time: %s\n", why.c_str());
    std::abort();
  }
  if (st.mean_ns == st.min_ns) return;
  constant_ = false;
  double m = static_cast<double>(st.mean_ns - st.min_ns);
  double q = static_cast<double>(st.p99_ns - st.min_ns);
  sigma_ = kZ99 - std::sqrt(kZ99 * kZ99 - 2 * std::log(q / m));
  mu_ = std::log(m) - sigma_ * sigma_ / 2;
}

double ServiceDistribution::quantile(double p) const {
  if (constant_) return static_cast<double>(min_);
  return static_cast<double>(min_) + std::exp(mu_ + sigma_ * normal_quantile(p));
}

}  // namespace mdsim
