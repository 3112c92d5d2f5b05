// nvme: an NVMe SSD on PCIe (drivers/nvme/host/pci.c). The host side is blk-mq with one
// hardware queue pair per submitting core up to nr_hw_queues (the driver creates
// min(online CPUs, controller I/O queues) queues; queue = submitter cpu modulo nr_hw_queues) of
// queue_depth tags each (io_queue_depth, 1024 by default, minus one reserved slot). Every
// command is queued, FLUSH and Dataset Management included, and PCIe is full duplex: reads and
// writes have separate transfer ceilings. The drive itself is the flash engine
// (disk_flash.h): controller, parallel units, transfer stages, volatile write cache.
// Left out: interrupt coalescing and polling, host memory buffer, namespaces, APST power states.
#pragma once

#include <utility>

#include "raid/disk_flash.h"

namespace mdsim {

class NvmeDisk : public FlashDisk {
 public:
  NvmeDisk(Simulator& sim, DiskProfile profile, Rng rng, std::string name)
      : FlashDisk(sim, std::move(profile), rng, std::move(name),
                  FlashProtocol{.half_duplex = false, .non_queued_flush = false}) {}
};

}  // namespace mdsim
