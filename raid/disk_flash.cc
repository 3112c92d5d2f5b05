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
      // NAND read on a unit, then the transfer to the host once the data is there.
      sim().schedule_at(unit(controller(read_cmd_ns_), read_service_.sample(rng())),
                        &service_done, s, kPrioHigh);
      return;
    case DiskOp::kWrite: {
      // The data comes over the link in command order, then a unit accepts it; every stage
      // is known at arrival, so the whole write is one event.
      const uint64_t bytes = s->cmd.bytes();
      Time t = pipe(controller(write_cmd_ns_), 1, bytes);
      t = unit(t, write_service_.sample(rng()));
      if (f_.write_cache_bytes > 0) {
        t = cache_write(t, bytes);
        if (s->cmd.fua) t = std::max(t, durable_);
      }
      finish_at(s, t);
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

Time FlashDisk::unit(Time t, Time service) {
  // The earliest-free unit: replace the heap's top and sift it down.
  const Time done = std::max(t, units_[0]) + service;
  size_t i = 0;
  const size_t n = units_.size();
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && units_[c + 1] < units_[c]) ++c;
    if (units_[c] >= done) break;
    units_[i] = units_[c];
    i = c;
  }
  units_[i] = done;
  return done;
}

Time FlashDisk::pipe(Time t, int dir, uint64_t bytes) {
  Time& p = pipe_free_[proto_.half_duplex ? 0 : dir];
  p = std::max(t, p) + round_ns(static_cast<double>(bytes) * ns_per_byte_[dir]);
  return p;
}

void FlashDisk::service_done(void* slot) {
  auto* s = static_cast<DiskSlot*>(slot);
  auto* d = static_cast<FlashDisk*>(s->disk);
  d->finish_at(s, d->pipe(d->now(), 0, s->cmd.bytes()));
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
