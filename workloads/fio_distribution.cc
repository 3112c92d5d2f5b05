// fio's random_distribution laws and the rank-to-block permutation: see fio_distribution.h.
#include "workloads/fio_distribution.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mdsim {

namespace {

// log1p(x)/x and expm1(x)/x, continuous at 0 (they make H and its inverse exact near theta=1).
double log1p_over(double x) { return std::abs(x) > 1e-8 ? std::log1p(x) / x : 1 - x / 2; }
double expm1_over(double x) { return std::abs(x) > 1e-8 ? std::expm1(x) / x : 1 + x / 2; }

uint64_t mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

// Rejection-inversion over ranks k = 1..n with h(k) = k^-theta: draw from the continuous
// density h on [1/2, n + 1/2] by inverting its integral H, round to the nearest k, and accept
// when the point falls under the histogram bar of k (always for most draws, via s_).
ZipfSampler::ZipfSampler(uint64_t n, double theta) : n_(n), theta_(theta) {
  if (n == 0 || theta < 0) throw std::invalid_argument("ZipfSampler: n >= 1, theta >= 0");
  h_x1_ = big_h(1.5) - 1.0;
  h_n_ = big_h(static_cast<double>(n) + 0.5);
  s_ = 2.0 - big_h_inv(big_h(2.5) - h(2.0));
}

double ZipfSampler::h(double x) const { return std::exp(-theta_ * std::log(x)); }

double ZipfSampler::big_h(double x) const {
  double lx = std::log(x);
  return expm1_over((1.0 - theta_) * lx) * lx;
}

double ZipfSampler::big_h_inv(double x) const {
  double t = std::max(x * (1.0 - theta_), -1.0);
  return std::exp(log1p_over(t) * x);
}

uint64_t ZipfSampler::operator()(Rng& rng) const {
  if (theta_ == 0) return rng.below(n_);
  while (true) {
    double u = h_n_ + rng.uniform01() * (h_x1_ - h_n_);
    double x = big_h_inv(u);
    double kd = std::floor(x + 0.5);
    kd = std::clamp(kd, 1.0, static_cast<double>(n_));
    if (kd - x <= s_ || u >= big_h(kd + 0.5) - h(kd)) return static_cast<uint64_t>(kd) - 1;
  }
}

ParetoSampler::ParetoSampler(uint64_t n, double h)
    : n_(n), power_(std::log(h) / std::log(1.0 - h)) {
  if (n == 0 || h <= 0 || h >= 1) throw std::invalid_argument("ParetoSampler: 0 < h < 1");
}

uint64_t ParetoSampler::operator()(Rng& rng) const {
  double r = static_cast<double>(n_ - 1) * std::pow(rng.uniform01(), power_);
  return std::min(static_cast<uint64_t>(r), n_ - 1);
}

FioNormalSampler::FioNormalSampler(uint64_t n, double dev_percent) : n_(n), jitter_(0) {
  if (n == 0) throw std::invalid_argument("FioNormalSampler: n >= 1");
  if (dev_percent > 0) {
    jitter_ = std::min(std::ceil(static_cast<double>(n) * dev_percent / 100.0),
                       static_cast<double>(n / 2));
  }
}

uint64_t FioNormalSampler::operator()(Rng& rng) const {
  double nn = static_cast<double>(n_);
  double sum = 0;
  for (int i = 0; i < 12; ++i) sum += rng.uniform01();
  double x = nn * sum / 12.0;
  if (jitter_ > 0) {
    double j = jitter_ * rng.uniform01() - jitter_ / 2;
    while (x + j >= nn) j /= 2;
    x += j;
  }
  return std::min(static_cast<uint64_t>(std::max(x, 0.0)), n_ - 1);
}

BlockPermutation::BlockPermutation(uint64_t n, uint64_t key) : n_(n) {
  if (n == 0) throw std::invalid_argument("BlockPermutation: n >= 1");
  int bits = 2;
  while (bits < 64 && (uint64_t{1} << bits) < n) bits += 2;
  half_bits_ = bits / 2;
  half_mask_ = (uint64_t{1} << half_bits_) - 1;
  uint64_t k = key;
  for (uint64_t& r : keys_) r = mix(k += 0x9e3779b97f4a7c15ull);
}

uint64_t BlockPermutation::operator()(uint64_t i) const {
  if (n_ == 1) return 0;
  uint64_t x = i;
  do {  // cycle walking: the domain is < 4n, so a few rounds at most on average
    uint64_t l = x >> half_bits_, r = x & half_mask_;
    for (uint64_t k : keys_) {
      uint64_t f = mix(r ^ k) & half_mask_;
      uint64_t nl = r;
      r = l ^ f;
      l = nl;
    }
    x = (l << half_bits_) | r;
  } while (x >= n_);
  return x;
}

}  // namespace mdsim
