// null: a null_blk-like device (drivers/block/null_blk). Every command completes after a fixed
// latency (completion_nsec with irqmode=2; 0 models irqmode=0/1, completion at once through the
// event queue), optionally paced by an IOPS limit (a token rate: commands start no closer than
// 1/iops apart; null_blk itself has only an MB/s limit). hw_queue_depth and submit_queues are
// the profile's queue_depth and nr_hw_queues (null_blk defaults: 64 and 1). With volatile_cache
// (null_blk cache_size with memory_backed=1) FLUSH costs flush_ns and a FUA write fua_ns more;
// without it the block layer drops both. Left out: zoned mode, bad blocks, the MB/s throttle,
// memory backing.
#pragma once

#include "raid/disk.h"

namespace mdsim {

class NullDisk : public Disk {
 public:
  NullDisk(Simulator& sim, DiskProfile profile, Rng rng, std::string name);
  bool volatile_cache() const override { return profile().null_disk.volatile_cache; }

 protected:
  void start(DiskSlot* s) override;

 private:
  double period_ns_ = 0;    // 1e9 / iops_limit
  double next_start_ = 0;   // earliest start of the next paced command
};

}  // namespace mdsim
