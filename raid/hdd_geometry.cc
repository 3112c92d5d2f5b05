// Hard-disk geometry: see hdd_geometry.h.
#include "raid/hdd_geometry.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace mdsim {

std::string HddGeometry::check(const HddParams& p) {
  if (p.rpm <= 0) return "rpm must be positive";
  if (!(p.outer_mbps > 0) || !(p.inner_mbps > 0)) return "media rates must be positive";
  if (p.track_to_track_ns <= 0) return "track_to_track_ns must be positive";
  if (p.average_seek_ns <= p.track_to_track_ns) {
    return "average_seek_ns must be above track_to_track_ns";
  }
  if (p.full_stroke_ns <= p.average_seek_ns) return "full_stroke_ns must be above average_seek_ns";
  double avg = static_cast<double>(p.average_seek_ns - p.track_to_track_ns);
  double full = static_cast<double>(p.full_stroke_ns - p.track_to_track_ns);
  if (avg < full / 3 || avg > 11 * full / 15) {
    return "average_seek_ns - track_to_track_ns must lie between 1/3 and 11/15 of "
           "full_stroke_ns - track_to_track_ns for a monotone seek curve";
  }
  return "";
}

HddGeometry::HddGeometry(const HddParams& p, uint64_t capacity_sectors)
    : p_(p), capacity_(static_cast<double>(capacity_sectors)) {
  std::string why = check(p);
  if (!why.empty()) {
    std::fprintf(stderr, "mdsim: internal error: hdd geometry: %s\n", why.c_str());
    std::abort();
  }
  rev_ = 60e9 / p.rpm;
  r0_ = p.outer_mbps * 1e-3;
  r1_ = p.inner_mbps * 1e-3;
  k_ = 512.0 * capacity_ / rev_;
  tracks_ = track(capacity_sectors);
  double avg = static_cast<double>(p.average_seek_ns - p.track_to_track_ns);
  double full = static_cast<double>(p.full_stroke_ns - p.track_to_track_ns);
  b_ = 5 * (avg - full / 3);
  c_ = full - b_;
}

double HddGeometry::track(uint64_t lba) const {
  double x = static_cast<double>(lba) / capacity_;
  if (r1_ == r0_) return k_ * x / r0_;
  return k_ * std::log1p((r1_ - r0_) / r0_ * x) / (r1_ - r0_);
}

double HddGeometry::rate(uint64_t lba) const {
  return r0_ + (r1_ - r0_) * static_cast<double>(lba) / capacity_;
}

Time HddGeometry::transfer_ns(uint64_t lba, uint64_t sectors) const {
  return static_cast<Time>(std::llround((track(lba + sectors) - track(lba)) * rev_));
}

double HddGeometry::seek_curve_ns(double d) const {
  return static_cast<double>(p_.track_to_track_ns) + b_ * std::sqrt(d) + c_ * d;
}

Time HddGeometry::seek_ns(double from, double to, bool write) const {
  double dist = std::fabs(to - from);
  if (dist < 1.0) return 0;
  double t = seek_curve_ns(std::fmin(dist / tracks_, 1.0));
  return static_cast<Time>(std::llround(t)) + (write ? p_.write_settle_ns : 0);
}

Time HddGeometry::rotation_wait(Time t, double trk) const {
  double head = std::fmod(static_cast<double>(t), rev_) / rev_;
  double target = trk - std::floor(trk);
  double w = target - head;
  w -= std::floor(w);
  if (w > 1 - 1e-6) w = 0;  // rounding of an exactly sequential access
  return static_cast<Time>(std::llround(w * rev_));
}

}  // namespace mdsim
