// Hard-disk geometry: where an LBA is (track and angle), how fast the media passes under the
// head there, how long a seek between two tracks takes, and how long until a sector comes round.
//
// Zoned recording: the media rate falls linearly in LBA from outer_mbps (LBA 0) to inner_mbps
// (the last LBA). A track holds rate x revolution bytes, so the continuous track index of an LBA
// is T(lba) = (512 C / rev) ln(r(x) / r0) / (r1 - r0) with x = lba / C (C sectors, rev ns,
// rates in bytes/ns); its integer part is the track, its fraction the sector's angular position
// (so one sector further is 1/sectors-per-track of a turn further, and a read that ends at an
// LBA leaves the head at that LBA's angle).
//
// Seek curve (after Ruemmler and Wilkes, "An introduction to disk drive modeling", 1994): for a
// distance d in full strokes, seek(d) = t2t + b sqrt(d) + c d, fitted so that seek(1) is the full
// stroke time and the average over all track pairs (the data-sheet definition: d has density
// 2(1 - d), E[sqrt d] = 8/15, E[d] = 1/3) is the average seek time: b = 5 (avg' - full'/3),
// c = full' - b with primes meaning minus t2t. The curve rises monotonically when
// full'/3 <= avg' <= 11 full'/15. Writes add write_settle_ns. A move of less than one track
// (the next sequential track included: track skew hides the switch) costs no seek.
//
// Rotation: the platters turn at rpm from angle 0 at time 0, and the head's angle is tracked
// exactly: the wait is the time until the target sector's angle comes under the head.
// Left out: separate head-switch times, serpentine layouts, spare sectors and remapping.
#pragma once

#include <string>

#include "raid/disk_profile.h"
#include "sim/time.h"

namespace mdsim {

class HddGeometry {
 public:
  HddGeometry(const HddParams& p, uint64_t capacity_sectors);

  // Why `p` cannot be fitted ("" when it can), for configuration errors.
  static std::string check(const HddParams& p);

  double rev_ns() const { return rev_; }
  double tracks() const { return tracks_; }
  // Continuous track index of an LBA (the first sector of track k is at k, angle 0).
  double track(uint64_t lba) const;
  // Media rate at an LBA, bytes per ns.
  double rate(uint64_t lba) const;
  // Time to read or write `sectors` from `lba` once the head is on it.
  Time transfer_ns(uint64_t lba, uint64_t sectors) const;
  // Seek between two continuous track indices.
  Time seek_ns(double from, double to, bool write) const;
  // The fitted curve at a distance in full strokes (0 < d <= 1), reads.
  double seek_curve_ns(double d) const;
  // From time t, the wait until the sector at continuous track index `trk` is under the head.
  Time rotation_wait(Time t, double trk) const;

 private:
  HddParams p_;
  double capacity_;  // sectors
  double rev_;       // ns per revolution
  double r0_, r1_;   // bytes per ns at the outer and inner end
  double k_;         // 512 C / rev
  double tracks_;
  double b_, c_;     // seek curve coefficients
};

}  // namespace mdsim
