// The flash SSD engine shared by the nvme and sata_ssd models. A read or write command passes
//   1. the controller: one FCFS server taking 1/read_iops_max (or 1/write_iops_max) per command,
//      the command-processing ceiling that caps random IOPS at high queue depth;
//   2. the parallel units: N FCFS servers (channels/dies); a command takes the earliest-free unit
//      for a service time drawn from the op's shifted lognormal (disk_service.h): for reads the
//      NAND array read plus ECC, for writes the controller's acceptance into its buffer. The
//      stage is computed when the command is ready for it (an FCFS multi-server queue can be);
//   3. the transfer: one FIFO stage per direction at read_mbps / write_mbps (the sequential
//      ceilings, shared by all units); on a half-duplex link (SATA) one stage serves both
//      directions. A read's data crosses after its unit is done, in service-completion order;
//      a write's data crosses first (the controller fetches it by DMA before accepting the
//      command), in command order, then a unit takes it;
//   4. writes then enter the volatile write cache (if write_cache_bytes > 0). It drains to NAND
//      as a fluid at drain_mbps, and drained data is durable program_ns later. A write that does
//      not fit waits for room. A FUA write completes when its own data is durable (after the
//      dirty data ahead of it). A write's place in the cache is booked when it arrives (for the
//      time its unit finishes), so writes enter in arrival order, and a FLUSH covers the writes
//      in flight when it arrives as well as the completed ones (NVMe only requires the latter).
//      FLUSH passes the controller and completes flush_ns after everything cached so far is
//      durable, so a flush after writes costs a drain plus a program and an idle one costs
//      flush_ns. Discard passes the controller and takes discard_ns.
// Two events per read (end of service, completion), one per write, none per stage otherwise.
// Left out: address-dependent die collisions (any free unit serves any command), the SLC cache
// running out and the slower direct-to-TLC rate after it, garbage collection and its write
// amplification, read/write interference inside a die, thermal throttling, power states.
#pragma once

#include <string>
#include <vector>

#include "raid/disk.h"
#include "raid/disk_service.h"

namespace mdsim {

// What the host interface fixes, as opposed to the drive's profile.
struct FlashProtocol {
  bool half_duplex = false;       // one transfer stage for both directions (SATA)
  bool non_queued_flush = false;  // FLUSH CACHE is not an NCQ command (SATA)
};

class FlashDisk : public Disk {
 public:
  FlashDisk(Simulator& sim, DiskProfile profile, Rng rng, std::string name, FlashProtocol proto);
  bool volatile_cache() const override { return f_.write_cache_bytes > 0; }

  // The write cache's state, for tests: bytes not yet drained at now, and when all data written
  // so far is durable.
  double dirty_bytes() const;
  Time durable_at() const { return durable_; }

 protected:
  void start(DiskSlot* s) override;
  bool fua_native() const override { return f_.fua_native; }
  bool non_queued(DiskOp op) const override {
    return (op == DiskOp::kFlush && proto_.non_queued_flush) ||
           (op == DiskOp::kDiscard && !f_.queued_discard);
  }

 private:
  static void service_done(void* slot);
  Time controller(Time cmd_ns);
  // A unit taking a command ready at t for `service`: when it is done.
  Time unit(Time t, Time service);
  // The transfer stage of direction dir (0 read, 1 write) taking `bytes` ready at t: when done.
  Time pipe(Time t, int dir, uint64_t bytes);
  Time cache_write(Time t, uint64_t bytes);

  FlashParams f_;
  FlashProtocol proto_;
  ServiceDistribution read_service_;
  ServiceDistribution write_service_;
  Time read_cmd_ns_;
  Time write_cmd_ns_;
  Time ctrl_free_ = 0;
  std::vector<Time> units_;  // min-heap of the units' free times
  Time pipe_free_[2] = {0, 0};
  double ns_per_byte_[2];
  double drain_ns_per_byte_;
  Time drain_done_ = 0;  // when the cache will have drained everything written so far
  Time durable_ = 0;     // when everything written so far is on NAND
};

}  // namespace mdsim
