// null_blk-like disk: see null_disk.h.
#include "raid/null_disk.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace mdsim {

NullDisk::NullDisk(Simulator& sim, DiskProfile profile, Rng rng, std::string name)
    : Disk(sim, std::move(profile), rng, std::move(name)) {
  const NullDiskParams& p = this->profile().null_disk;
  if (p.iops_limit > 0) period_ns_ = 1e9 / static_cast<double>(p.iops_limit);
}

void NullDisk::start(DiskSlot* s) {
  const NullDiskParams& p = profile().null_disk;
  Time t = now();
  if (s->cmd.op == DiskOp::kFlush) {
    finish_at(s, t + p.flush_ns);
    return;
  }
  if (period_ns_ > 0) {
    double begin = std::max(static_cast<double>(t), next_start_);
    next_start_ = begin + period_ns_;
    t = static_cast<Time>(std::ceil(begin));
  }
  finish_at(s, t + p.completion_ns + (s->cmd.fua ? p.fua_ns : 0));
}

}  // namespace mdsim
