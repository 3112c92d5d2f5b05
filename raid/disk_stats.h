// Per-disk statistics, the numbers iostat and fio's disk_util report: I/Os and bytes per op,
// errors, FLUSH and FUA commands the device ran, the time-weighted queue depth (aqu-sz: host
// requests issued and not yet completed) and its maximum, busy time (some request in flight:
// %util), and a completion-latency histogram per op (fio's clat bins).
#pragma once

#include <array>
#include <cstdint>

#include "sim/counter.h"
#include "sim/histogram.h"
#include "sim/time.h"

namespace mdsim {

enum class DiskOp : uint8_t { kRead, kWrite, kFlush, kDiscard };
inline constexpr int kDiskOps = 4;

inline const char* disk_op_name(DiskOp op) {
  switch (op) {
    case DiskOp::kRead:
      return "read";
    case DiskOp::kWrite:
      return "write";
    case DiskOp::kFlush:
      return "flush";
    case DiskOp::kDiscard:
      return "discard";
  }
  return "?";
}

struct DiskOpStats {
  uint64_t ios = 0;     // requests completed (successful or not)
  uint64_t bytes = 0;   // bytes of successful requests
  uint64_t errors = 0;  // requests completed with an error or as not supported
  LatencyHistogram latency;  // issue -> completion of successful requests
};

class DiskStats {
 public:
  explicit DiskStats(Time start = 0) : queue_depth_(start), start_(start) {}

  const DiskOpStats& op(DiskOp o) const { return ops_[static_cast<size_t>(o)]; }
  uint64_t flush_commands() const { return flush_commands_; }
  uint64_t fua_writes() const { return fua_writes_; }
  // Requests in flight, time-weighted, over [start, t]; its maximum since start.
  double avg_queue_depth(Time t) const { return queue_depth_.average(t); }
  double max_queue_depth() const { return queue_depth_.max(); }
  int queue_depth() const { return static_cast<int>(queue_depth_.level()); }
  // Time with at least one request in flight over [start, t], and its share of the span.
  Time busy_time(Time t) const { return busy_ + (queue_depth() > 0 ? t - busy_since_ : 0); }
  double utilisation(Time t) const {
    return t > start_ ? static_cast<double>(busy_time(t)) / static_cast<double>(t - start_) : 0;
  }
  Time start() const { return start_; }

  // Recording (the disk's own).
  void issued(Time t) {
    if (queue_depth() == 0) busy_since_ = t;
    queue_depth_.add(t, 1);
  }
  void completed(Time t, DiskOp o, uint64_t bytes, bool ok, Time latency) {
    queue_depth_.add(t, -1);
    if (queue_depth() == 0) busy_ += t - busy_since_;
    DiskOpStats& s = ops_[static_cast<size_t>(o)];
    ++s.ios;
    if (ok) {
      s.bytes += bytes;
      s.latency.add(latency);
    } else {
      ++s.errors;
    }
  }
  void flush_command() { ++flush_commands_; }
  void fua_write() { ++fua_writes_; }
  // Forgets everything recorded before t, keeping the requests now in flight.
  void reset(Time t) {
    DiskStats fresh(t);
    fresh.queue_depth_ = TimeWeighted(t, queue_depth_.level());
    fresh.busy_since_ = t;
    *this = fresh;
  }

 private:
  std::array<DiskOpStats, kDiskOps> ops_;
  uint64_t flush_commands_ = 0;
  uint64_t fua_writes_ = 0;
  TimeWeighted queue_depth_;
  Time start_ = 0;
  Time busy_ = 0;
  Time busy_since_ = 0;
};

}  // namespace mdsim
