// LatencyHistogram: a fixed-size log-linear latency histogram using fio's completion-latency
// bucket scheme (modelled on fio stat.h/stat.c, fio 3.33), plus exact min/max/count/sum and
// Welford running mean/variance. Percentiles are reported exactly the way fio reports them.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "sim/time.h"

namespace mdsim {

class LatencyHistogram {
 public:
  // fio's bucket geometry (FIO_IO_U_PLAT_*): 29 groups of 64 bins, the first two groups
  // exact (values 0..127), each later group covering one power of two with 64 linear bins.
  static constexpr int kPlatBits = 6;
  static constexpr int kPlatVal = 1 << kPlatBits;  // 64
  static constexpr int kPlatGroupNr = 29;
  static constexpr int kPlatNr = kPlatGroupNr * kPlatVal;  // 1856

  // fio's default percentile list (--percentile_list).
  static constexpr std::array<double, 17> kDefaultPercentiles = {
      1.0, 5.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0,
      80.0, 90.0, 95.0, 99.0, 99.5, 99.9, 99.95, 99.99};

  LatencyHistogram() = default;

  // Bin of a value (values beyond the last bin's range are clamped into the last bin).
  static int bin_index(uint64_t value) {
    // Index of the most significant set bit (0 for value 0).
    const int msb = value == 0 ? 0 : 63 - std::countl_zero(value);
    // The first two groups (values below 2^(kPlatBits+1)) are stored exactly.
    if (msb <= kPlatBits) return static_cast<int>(value);
    // Later groups keep the kPlatBits bits below the msb; error_bits low bits are dropped.
    const int error_bits = msb - kPlatBits;
    const int base = (error_bits + 1) << kPlatBits;
    const int offset = static_cast<int>((kPlatVal - 1) & (value >> error_bits));
    return std::min(base + offset, kPlatNr - 1);
  }
  // Representative value of a bin as fio reports it (and the key of fio's json+ "bins").
  static uint64_t bin_value(int index);

  // Records one sample. A negative latency is a programming error and aborts. (The hot path,
  // inline: the same Welford update as add(v, 1).)
  void add(Time v) {
    if (v < 0) [[unlikely]] {
      add(v, 1);  // aborts
      return;
    }
    const uint64_t u = static_cast<uint64_t>(v);
    ++bins_[static_cast<size_t>(bin_index(u))];
    if (v < min_) min_ = v;
    if (v > max_) max_ = v;
    sum_ += u;
    const uint64_t n = count_ + 1;
    const double x = static_cast<double>(v);
    const double delta = x - mean_;
    mean_ += delta / static_cast<double>(n);
    m2_ += delta * (x - mean_);
    count_ = n;
  }
  // Records `count` samples of the same value (no-op when count is 0).
  void add(Time v, uint64_t count);
  // Adds every sample of `other` into this histogram.
  void merge(const LatencyHistogram& other);
  // Forgets all samples.
  void clear() { *this = LatencyHistogram(); }

  uint64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  // Exact extremes; 0 when empty.
  Time min() const { return count_ == 0 ? 0 : min_; }
  Time max() const { return count_ == 0 ? 0 : max_; }
  // Exact sum of all samples (wraps only past 2^64 ns, i.e. ~584 years of summed latency).
  uint64_t sum() const { return sum_; }
  // Welford running mean and sample standard deviation (0 when count <= 1), as fio prints.
  double mean() const { return count_ == 0 ? 0.0 : mean_; }
  double stddev() const;

  // fio's calc_clat_percentiles: the value of the first bin whose cumulative count reaches
  // p/100 * count(). p is clamped to [0, 100]; an empty histogram returns 0.
  Time percentile(double p) const;
  // Several percentiles in one pass over the bins; results are (p, value) in input order.
  std::vector<std::pair<double, Time>> percentiles(std::span<const double> ps) const;
  std::vector<std::pair<double, Time>> default_percentiles() const {
    return percentiles(kDefaultPercentiles);
  }

  // Raw bin access.
  uint64_t bin_count(int index) const { return bins_[static_cast<size_t>(index)]; }
  // Calls f(uint64_t bin_value, uint64_t count) for every non-empty bin in increasing order.
  template <typename F>
  void for_each_bin(F&& f) const {
    for (int i = 0; i < kPlatNr; ++i) {
      if (bins_[static_cast<size_t>(i)] != 0) f(bin_value(i), bins_[static_cast<size_t>(i)]);
    }
  }
  // Non-empty bins as (bin_value, count), increasing (the content of fio's json+ "bins").
  std::vector<std::pair<uint64_t, uint64_t>> nonempty_bins() const;

 private:
  std::array<uint64_t, kPlatNr> bins_{};
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  Time min_ = kTimeMax;
  Time max_ = 0;
  double mean_ = 0.0;  // Welford running mean
  double m2_ = 0.0;    // Welford sum of squared deviations from the mean (fio's "S")
};

}  // namespace mdsim
