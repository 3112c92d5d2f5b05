// TimeSeries / IntervalSeries implementation (windowed averaging in the style of fio's
// log_avg_msec, see fio stat.h/stat.c, fio 3.33).
#include "sim/time_series.h"

#include <cstdio>
#include <cstdlib>

namespace mdsim {
namespace {

[[noreturn]] void die(const char* what, Time a, Time b) {
  std::fprintf(stderr, "IntervalSeries: %s (%lld, %lld)\n", what, static_cast<long long>(a),
               static_cast<long long>(b));
  std::abort();
}

}  // namespace

IntervalSeries::IntervalSeries(Time width, Time origin) : width_(width), origin_(origin) {
  if (width <= 0) die("window width must be positive (width, origin)", width, origin);
}

size_t IntervalSeries::window_index(Time t) const {
  if (t < origin_) die("time precedes origin (t, origin)", t, origin_);
  return static_cast<size_t>((t - origin_) / width_);
}

void IntervalSeries::add(Time t, double value) {
  const size_t i = window_index(t);
  if (i >= windows_.size()) windows_.resize(i + 1);
  Acc& w = windows_[i];
  if (w.count == 0) {
    w.min = value;
    w.max = value;
  } else {
    if (value < w.min) w.min = value;
    if (value > w.max) w.max = value;
  }
  w.sum += value;
  ++w.count;
}

void IntervalSeries::extend_to(Time t) {
  const size_t i = window_index(t);
  if (i >= windows_.size()) windows_.resize(i + 1);
}

IntervalSeries::Window IntervalSeries::window(size_t i) const {
  const Acc& a = windows_[i];
  Window w;
  w.start = origin_ + static_cast<Time>(i) * width_;
  w.count = a.count;
  if (a.count != 0) {
    w.sum = a.sum;
    w.mean = a.sum / static_cast<double>(a.count);
    w.min = a.min;
    w.max = a.max;
  }
  return w;
}

std::vector<IntervalSeries::Window> IntervalSeries::windows() const {
  std::vector<Window> out;
  out.reserve(windows_.size());
  for (size_t i = 0; i < windows_.size(); ++i) out.push_back(window(i));
  return out;
}

double IntervalSeries::rate(size_t i) const { return windows_[i].sum / to_seconds(width_); }

TimeSeries IntervalSeries::rate_series() const {
  TimeSeries out;
  out.reserve(windows_.size());
  for (size_t i = 0; i < windows_.size(); ++i) {
    out.add(origin_ + static_cast<Time>(i) * width_, rate(i));
  }
  return out;
}

TimeSeries IntervalSeries::mean_series() const {
  TimeSeries out;
  for (size_t i = 0; i < windows_.size(); ++i) {
    if (windows_[i].count == 0) continue;
    out.add(origin_ + static_cast<Time>(i) * width_,
            windows_[i].sum / static_cast<double>(windows_[i].count));
  }
  return out;
}

}  // namespace mdsim
