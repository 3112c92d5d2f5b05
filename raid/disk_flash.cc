// The flash SSD engine: see disk_flash.h.
#include "raid/disk_flash.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace mdsim {

namespace {

// Nearest ns, halves up (the values are never negative; cheaper than llround).
Time round_ns(double ns) { return static_cast<Time>(ns + 0.5); }

}  // namespace

FlashDisk::FlashDisk(Simulator& sim, DiskProfile profile, Rng rng, std::string name,
                     FlashProtocol proto)
    : Disk(sim, std::move(profile), rng, std::move(name)),
      f_(this->profile().flash),
      proto_(proto),
      read_service_(f_.read),
      write_service_(f_.write),
      read_cmd_ns_(round_ns(1e9 / static_cast<double>(f_.read_iops_max))),
      write_cmd_ns_(round_ns(1e9 / static_cast<double>(f_.write_iops_max))),
      units_(static_cast<size_t>(std::max(1, f_.parallel_units)), 0),
      ns_per_byte_{1e3 / f_.read_mbps, 1e3 / f_.write_mbps},
      drain_ns_per_byte_(1e3 / f_.drain_mbps) {}

Time FlashDisk::controller(Time cmd_ns) {
  ctrl_free_ = std::max(now(), ctrl_free_) + cmd_ns;
  return ctrl_free_;
}

void FlashDisk::start(DiskSlot* s) {
  switch (s->cmd.op) {
    case DiskOp::kRead:
    case DiskOp::kWrite: {
      const bool write = s->cmd.op == DiskOp::kWrite;
      Time t = controller(write ? write_cmd_ns_ : read_cmd_ns_);
      Time service = write ? write_service_.sample(rng()) : read_service_.sample(rng());
      // Earliest-free unit: replace the heap's top and sift it down.
      Time begin = std::max(t, units_[0]);
      Time done = begin + service;
      size_t i = 0, n = units_.size();
      for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && units_[c + 1] < units_[c]) ++c;
        if (units_[c] >= done) break;
        units_[i] = units_[c];
        i = c;
      }
      units_[i] = done;
      sim().schedule_at(done, &service_done, s, kPrioHigh);
      return;
    }
    case DiskOp::kFlush: {
      Time t = controller(read_cmd_ns_);
      finish_at(s, std::max(t, durable_) + f_.flush_ns);
      return;
    }
    case DiskOp::kDiscard:
      finish_at(s, controller(read_cmd_ns_) + f_.discard_ns);
      return;
  }
}

void FlashDisk::service_done(void* slot) {
  auto* s = static_cast<DiskSlot*>(slot);
  static_cast<FlashDisk*>(s->disk)->transfer(s);
}

void FlashDisk::transfer(DiskSlot* s) {
  const int dir = s->cmd.op == DiskOp::kWrite ? 1 : 0;
  const uint64_t bytes = s->cmd.bytes();
  Time& pipe = pipe_free_[proto_.half_duplex ? 0 : dir];
  pipe = std::max(now(), pipe) + round_ns(static_cast<double>(bytes) * ns_per_byte_[dir]);
  Time t = pipe;
  if (dir == 1 && f_.write_cache_bytes > 0) {
    t = cache_write(t, bytes);
    if (s->cmd.fua) t = std::max(t, durable_);
  }
  finish_at(s, t);
}

Time FlashDisk::cache_write(Time t, uint64_t bytes) {
  // Dirty bytes at t: what the drain has not reached, (drain_done_ - t) / ns_per_byte.
  const double cap = static_cast<double>(f_.write_cache_bytes);
  const double b = static_cast<double>(bytes);
  if (drain_done_ > t) {
    double dirty = static_cast<double>(drain_done_ - t) / drain_ns_per_byte_;
    if (dirty + b > cap) t = drain_done_ - round_ns((cap - b) * drain_ns_per_byte_);
  }
  drain_done_ = std::max(t, drain_done_) + round_ns(b * drain_ns_per_byte_);
  durable_ = drain_done_ + f_.program_ns;
  return t;
}

double FlashDisk::dirty_bytes() const {
  Time t = sim().now();
  return drain_done_ > t ? static_cast<double>(drain_done_ - t) / drain_ns_per_byte_ : 0.0;
}

}  // namespace mdsim
