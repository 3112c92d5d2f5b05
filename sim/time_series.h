// Time series for reporting: TimeSeries keeps raw (Time, value) samples; IntervalSeries
// aggregates values into fixed-width windows like fio's log_avg_msec (sum/count/min/max per
// window, with empty windows kept so the series is regular) and can report per-window rates
// (sum / window seconds) for bandwidth and IOPS plots.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/time.h"

namespace mdsim {

// Raw samples in insertion order.
class TimeSeries {
 public:
  struct Sample {
    Time t = 0;
    double value = 0.0;
    bool operator==(const Sample&) const = default;
  };

  void add(Time t, double value) { samples_.push_back({t, value}); }
  void reserve(size_t n) { samples_.reserve(n); }
  void clear() { samples_.clear(); }

  size_t size() const { return samples_.size(); }
  bool empty() const { return samples_.empty(); }
  const Sample& operator[](size_t i) const { return samples_[i]; }
  const std::vector<Sample>& samples() const { return samples_; }
  auto begin() const { return samples_.begin(); }
  auto end() const { return samples_.end(); }

  bool operator==(const TimeSeries&) const = default;

 private:
  std::vector<Sample> samples_;
};

// Fixed-width windows [origin + k*width, origin + (k+1)*width), k = 0, 1, ... The series
// always starts at the origin's window and extends to the latest window that received a
// sample (or that extend_to() reached), so windows are contiguous and regular.
class IntervalSeries {
 public:
  // One aggregation window [start, start + width). For an empty window count is 0 and
  // sum, mean, min and max are all 0.
  struct Window {
    Time start = 0;
    double sum = 0.0;
    uint64_t count = 0;
    double mean = 0.0;
    double min = 0.0;
    double max = 0.0;
    bool operator==(const Window&) const = default;
  };

  // width must be positive; samples must not precede origin (both abort otherwise).
  explicit IntervalSeries(Time width, Time origin = 0);

  // Accumulates value into the window containing t. Samples may arrive in any order.
  void add(Time t, double value);
  // Makes the series cover time t even if nothing happened since the last sample (e.g. to
  // show trailing idle windows up to the end of a run).
  void extend_to(Time t);
  void clear() { windows_.clear(); }

  Time width() const { return width_; }
  Time origin() const { return origin_; }
  size_t size() const { return windows_.size(); }
  bool empty() const { return windows_.empty(); }
  // Index of the window containing t (t >= origin).
  size_t window_index(Time t) const;

  Window window(size_t i) const;
  std::vector<Window> windows() const;
  // sum / window seconds: e.g. bytes/s if values are byte counts, IOPS if values are 1.
  double rate(size_t i) const;
  // (window start, rate) for every window.
  TimeSeries rate_series() const;
  // (window start, mean) for every non-empty window: fio's averaged log entries.
  TimeSeries mean_series() const;

 private:
  struct Acc {
    double sum = 0.0;
    uint64_t count = 0;
    double min = 0.0;
    double max = 0.0;
  };

  Time width_;
  Time origin_;
  std::vector<Acc> windows_;
};

}  // namespace mdsim
