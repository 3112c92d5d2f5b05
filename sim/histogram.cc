// LatencyHistogram implementation. The bucket math is the scheme documented in fio
// stat.h/stat.c, fio 3.33 (plat_val_to_idx / plat_idx_to_val / calc_clat_percentiles).
#include "sim/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>

namespace mdsim {

uint64_t LatencyHistogram::bin_value(int index) {
  if (index < 0) index = 0;
  if (index >= kPlatNr) index = kPlatNr - 1;
  if (index < (kPlatVal << 1)) return static_cast<uint64_t>(index);
  const int error_bits = (index >> kPlatBits) - 1;
  const uint64_t base = uint64_t{1} << (error_bits + kPlatBits);
  const int k = index % kPlatVal;
  // Report the middle of the bin's range, truncated to an integer.
  const double value = static_cast<double>(base) +
                       (k + 0.5) * static_cast<double>(uint64_t{1} << error_bits);
  return static_cast<uint64_t>(value);
}

void LatencyHistogram::add(Time v, uint64_t count) {
  if (v < 0) {
    std::fprintf(stderr, "LatencyHistogram::add: negative latency %lld ns\n",
                 static_cast<long long>(v));
    std::abort();
  }
  if (count == 0) return;
  const uint64_t u = static_cast<uint64_t>(v);
  bins_[static_cast<size_t>(bin_index(u))] += count;
  if (v < min_) min_ = v;
  if (v > max_) max_ = v;
  sum_ += u * count;
  const uint64_t n = count_ + count;
  const double x = static_cast<double>(v);
  const double delta = x - mean_;
  if (count == 1) {
    // Welford's single-sample update (what fio does per sample).
    mean_ += delta / static_cast<double>(n);
    m2_ += delta * (x - mean_);
  } else {
    // Chan et al.'s pairwise combination with a batch of `count` identical samples.
    const double nb = static_cast<double>(count);
    const double na = static_cast<double>(count_);
    mean_ += delta * nb / static_cast<double>(n);
    m2_ += delta * delta * na * nb / static_cast<double>(n);
  }
  count_ = n;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    *this = other;
    return;
  }
  for (size_t i = 0; i < bins_.size(); ++i) bins_[i] += other.bins_[i];
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
  const uint64_t n = count_ + other.count_;
  const double na = static_cast<double>(count_);
  const double nb = static_cast<double>(other.count_);
  const double delta = other.mean_ - mean_;
  mean_ += delta * nb / static_cast<double>(n);
  m2_ += other.m2_ + delta * delta * na * nb / static_cast<double>(n);
  count_ = n;
}

double LatencyHistogram::stddev() const {
  if (count_ <= 1) return 0.0;
  const double var = m2_ / static_cast<double>(count_ - 1);
  return var > 0.0 ? std::sqrt(var) : 0.0;
}

Time LatencyHistogram::percentile(double p) const {
  const double ps[1] = {p};
  return percentiles(ps)[0].second;
}

std::vector<std::pair<double, Time>> LatencyHistogram::percentiles(
    std::span<const double> ps) const {
  std::vector<std::pair<double, Time>> out(ps.size());
  for (size_t i = 0; i < ps.size(); ++i) out[i] = {ps[i], 0};
  if (count_ == 0 || ps.empty()) return out;

  // Visit the requested percentiles in increasing order during a single walk of the bins.
  std::vector<size_t> order(ps.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return ps[a] < ps[b]; });

  // fio compares in long double (calc_clat_percentiles: `sum >= (plist[j].u.f / 100.0) *
  // nr` with a long double per_sum): 99.95% of 4000 is 3998 exactly there, one ulp above it
  // in double, which would pick the next bin.
  const long double total = static_cast<long double>(count_);
  size_t j = 0;
  uint64_t cumulative = 0;
  for (int i = 0; i < kPlatNr && j < order.size(); ++i) {
    const uint64_t c = bins_[static_cast<size_t>(i)];
    if (c == 0) continue;
    cumulative += c;
    const Time value = static_cast<Time>(bin_value(i));
    while (j < order.size()) {
      const long double p = std::clamp(ps[order[j]], 0.0, 100.0);
      if (static_cast<long double>(cumulative) < p / 100.0L * total) break;
      out[order[j]].second = value;
      ++j;
    }
  }
  // Unreachable (p/100 * total never exceeds total), but keep the result well defined.
  const Time last = static_cast<Time>(bin_value(bin_index(static_cast<uint64_t>(max_))));
  for (; j < order.size(); ++j) out[order[j]].second = last;
  return out;
}

std::vector<std::pair<uint64_t, uint64_t>> LatencyHistogram::nonempty_bins() const {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for_each_bin([&](uint64_t value, uint64_t c) { out.emplace_back(value, c); });
  return out;
}

}  // namespace mdsim
