// sata_ssd: a SATA SSD behind libata/AHCI. One NCQ queue of 32 tags (nr_hw_queues 1,
// queue_depth 32); the 6 Gb/s link is half duplex, so one transfer stage serves reads and writes
// (~560 MB/s of payload at most). FLUSH CACHE EXT is a non-NCQ command: libata defers it until
// the NCQ commands in flight complete and issues nothing else while it runs, which drains the
// queue on every flush (modelled: a flush waits for the device to go idle and runs alone; later
// commands wait FIFO behind it). TRIM is non-queued too on drives libata marks NO_NCQ_TRIM
// (queued_discard false; e.g. "Samsung SSD 8*" in libata-core.c). FUA goes native when libata
// enables it (libata.fua); with fua_native false the block layer sends a FLUSH after the write.
// The drive itself is the flash engine (disk_flash.h).
// Left out: link power management, NCQ priority, the ATA error handling that resets the link.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "raid/disk_flash.h"

namespace mdsim {

class SataSsd : public FlashDisk {
 public:
  SataSsd(Simulator& sim, DiskProfile profile, Rng rng, std::string name)
      : FlashDisk(sim, std::move(profile), rng, std::move(name),
                  FlashProtocol{.half_duplex = true, .non_queued_flush = true}) {
    if (this->profile().nr_hw_queues != 1) {
      std::fprintf(stderr, "mdsim: internal error: sata_ssd %s needs nr_hw_queues 1\n",
                   this->name().c_str());
      std::abort();
    }
  }
};

}  // namespace mdsim
