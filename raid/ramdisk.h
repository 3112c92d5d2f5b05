// ramdisk: brd (drivers/block/brd.c), a bio-based RAM disk. brd_submit_bio copies each segment
// to or from its pages in the submitter's context and ends the bio before returning, so the cost
// is CPU time on the submitting core: per_io_ns per bio (bio walk, xarray page lookup) plus
// per_kib_ns per KiB copied, charged to kind "brd" on the Cpu the caller holds (issue()) or
// takes (submit()). The device itself takes no time and has no queue (queue_depth 0). brd has no
// volatile cache: the block layer drops PREFLUSH and FUA and completes empty flushes at once, so
// they cost nothing. Discard frees pages (discard_per_kib_ns). Left out: page allocation on
// first write (GFP_NOIO allocations, which can block), DAX, partitions.
#pragma once

#include <utility>

#include "raid/disk.h"

namespace mdsim {

class Ramdisk : public Disk {
 public:
  Ramdisk(Simulator& sim, DiskProfile profile, Rng rng, std::string name)
      : Disk(sim, std::move(profile), rng, std::move(name)) {}
  bool volatile_cache() const override { return false; }

 protected:
  Time submitter_cost(const DiskRequest& r) const override {
    const RamdiskParams& p = profile().ramdisk;
    const Time bytes = static_cast<Time>(r.bytes());
    switch (r.op) {
      case DiskOp::kRead:
      case DiskOp::kWrite:
        return p.per_io_ns + p.per_kib_ns * bytes / 1024;
      case DiskOp::kDiscard:
        return p.per_io_ns + p.discard_per_kib_ns * bytes / 1024;
      case DiskOp::kFlush:
        return 0;
    }
    return 0;
  }
  const char* submitter_kind() const override { return "brd"; }
  // The copy already ran on the submitter: the bio ends inside submit_bio.
  void start(DiskSlot* s) override { finish(s); }
};

}  // namespace mdsim
