// Simple statistics accumulators: Counter (a monotonically increasing uint64 count, e.g. IOs
// or bytes) and TimeWeighted (time-weighted average and maximum of a piecewise-constant
// level such as queue depth or device utilisation).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "sim/time.h"

namespace mdsim {

class Counter {
 public:
  void add(uint64_t n = 1) { value_ += n; }
  uint64_t value() const { return value_; }
  void reset() { value_ = 0; }

 private:
  uint64_t value_ = 0;
};

// Tracks a level that changes at discrete instants. The integral of level over time is kept
// exactly per segment (level * duration in double), so average(t) is the time-weighted mean
// over [start, t]. Time must not go backwards (aborts otherwise).
class TimeWeighted {
 public:
  explicit TimeWeighted(Time start = 0, double initial_level = 0.0)
      : start_(start), last_(start), level_(initial_level), max_(initial_level) {}

  // The level becomes `level` at time t.
  void set(Time t, double level) {
    advance(t);
    level_ = level;
    if (level > max_) max_ = level;
  }
  // The level changes by delta at time t (e.g. +1 on submit, -1 on completion).
  void add(Time t, double delta) { set(t, level_ + delta); }

  double level() const { return level_; }
  // Highest level ever set (including the initial level).
  double max() const { return max_; }
  Time start() const { return start_; }

  // Integral of level over [start, t_end], t_end >= the time of the last change.
  double integral(Time t_end) const {
    check_time(t_end);
    return integral_ + level_ * static_cast<double>(t_end - last_);
  }
  // Time-weighted average over [start, t_end]; the current level if the span is empty.
  double average(Time t_end) const {
    const double in = integral(t_end);
    if (t_end == start_) return level_;
    return in / static_cast<double>(t_end - start_);
  }

  // Restarts averaging at t, keeping the current level (e.g. after a ramp-up period).
  void reset(Time t) {
    check_time(t);
    start_ = t;
    last_ = t;
    integral_ = 0.0;
    max_ = level_;
  }

 private:
  void check_time(Time t) const {
    if (t < last_) {
      std::fprintf(stderr, "TimeWeighted: time went backwards (%lld < %lld)\n",
                   static_cast<long long>(t), static_cast<long long>(last_));
      std::abort();
    }
  }
  void advance(Time t) {
    check_time(t);
    integral_ += level_ * static_cast<double>(t - last_);
    last_ = t;
  }

  Time start_;
  Time last_;
  double level_;
  double max_;
  double integral_ = 0.0;
};

}  // namespace mdsim
