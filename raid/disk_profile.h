// DiskProfile: the parameters of one member-disk model, as a plain struct with in-class defaults.
//
// The JSON files in profiles/disks/ carry the same fields with their sources (read by
// app/disk_profile_config.cc; raid/ has no JSON dependency). `model` picks the model and which
// parameter group applies: "null" -> null_disk, "ramdisk" -> ramdisk, "nvme" and "sata_ssd" ->
// flash, "hdd" -> hdd. The other groups are ignored. Defaults: the common block and the null
// group are null_blk's module defaults with irqmode=2 (profiles/disks/null.json); the ramdisk
// group is brd.json's; the flash group a Samsung 980 PRO 1 TB (nvme-980pro-1tb.json); the hdd
// group a 7200 rpm 4 TB drive (hdd-7200-4tb.json). The JSON files say where each figure comes
// from; app/disk_profile_check_test.cc checks every built-in profile against its `expect`.
//
// Units: times in ns, bandwidths in MB/s (10^6 bytes/s), sizes in bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/time.h"

namespace mdsim {

// A service-time distribution: a lognormal shifted by `min_ns`, fitted to its mean and 99th
// percentile (raid/disk_service.h). mean == min gives a constant.
struct ServiceTime {
  Time min_ns = 0;
  Time mean_ns = 0;
  Time p99_ns = 0;
};

// null_blk: fixed completion latency, optional IOPS limit (null_blk has none; ours is a token
// rate), an optional volatile cache (null_blk cache_size > 0 with memory_backed=1).
struct NullDiskParams {
  Time completion_ns = 10000;   // completion_nsec with irqmode=2; 0 = irqmode 0/1
  uint64_t iops_limit = 0;      // 0 = unlimited
  bool volatile_cache = false;  // without one, the block layer drops FLUSH/FUA
  Time flush_ns = 0;            // cost of a FLUSH when volatile_cache
  Time fua_ns = 0;              // extra cost of a FUA write when volatile_cache
};

// brd: synchronous copy in the submitter's context.
struct RamdiskParams {
  Time per_io_ns = 700;         // per-bio overhead (bio walk, page lookup)
  Time per_kib_ns = 100;        // memcpy per KiB (read or write)
  Time discard_per_kib_ns = 1;  // freeing pages on discard
};

// Flash SSDs (nvme and sata_ssd): controller command stage, N parallel service units, a
// transfer stage per direction (one shared stage on a half-duplex link), a volatile write cache.
struct FlashParams {
  int parallel_units = 64;            // channels x dies serving commands concurrently
  uint64_t read_iops_max = 1000000;   // controller command rate for reads (and flush/discard)
  uint64_t write_iops_max = 1000000;  // controller command rate for writes
  ServiceTime read{30000, 43900, 90000};
  ServiceTime write{9000, 14850, 40000};
  double read_mbps = 7000;   // sequential read ceiling (transfer stage)
  double write_mbps = 5000;  // sequential write ceiling (transfer stage)
  uint64_t write_cache_bytes = uint64_t{64} << 20;  // 0 = no volatile write cache
  double drain_mbps = 5000;  // cache -> NAND drain rate
  Time program_ns = 450000;  // NAND program latency: data drained is durable this much later
  Time flush_ns = 5000;      // FLUSH with nothing dirty
  Time discard_ns = 10000;   // Dataset Management / TRIM command
  bool fua_native = true;    // false: the block layer emulates FUA with a post-flush
  bool queued_discard = true;  // false: TRIM is non-queued (libata NO_NCQ_TRIM quirk)
};

// Hard disks: seek curve, rotation, zoned transfer rate, write-back cache, NCQ ordering.
struct HddParams {
  int rpm = 7200;
  Time track_to_track_ns = 230000;  // single-track seek (read)
  Time average_seek_ns = 7400000;   // average over all seek distances (read)
  Time full_stroke_ns = 15000000;   // outermost to innermost track (read)
  Time write_settle_ns = 800000;    // extra settle time of a write seek
  double outer_mbps = 220;          // media rate at LBA 0
  double inner_mbps = 104;          // media rate at the last LBA (linear in LBA between)
  double interface_mbps = 600;      // SATA 6 Gb/s link
  Time command_ns = 50000;          // controller overhead per command
  std::string queue_order = "sptf";  // "sptf" (shortest positioning time first) or "fifo"
  bool write_cache = true;           // write-back: writes complete into the cache
  uint64_t write_cache_bytes = uint64_t{32} << 20;
  uint64_t readahead_bytes = uint64_t{1} << 20;
  Time flush_ns = 100000;  // FLUSH CACHE with nothing dirty
};

// What the profile's sources claim the device does, for app/disk_profile_check_test.cc (the
// models never read it). 0 = no claim. Loads: random 4 KiB over the whole device, 128 KiB
// sequential from LBA 0, closed loop from `cores` submitting cores (raid/disk_testing.h).
struct DiskExpect {
  int qd_high = 32;                   // the "high" queue depth of the claims below
  int cores = 8;                      // submitting cores (brd's throughput is per core)
  double qd1_randread_lat_us = 0;     // mean latency at QD1
  double qd1_randwrite_lat_us = 0;
  double randread_iops_qd_high = 0;   // IOPS at qd_high
  double randwrite_iops_qd_high = 0;
  double seq_read_mbps = 0;           // MB/s at qd_high
  double seq_write_mbps = 0;          // sustained: after the write cache has filled
};

struct DiskProfile {
  std::string name = "null";
  std::string model = "null";  // null, ramdisk, nvme, sata_ssd, hdd
  std::string description = "null_blk-like device";
  std::vector<std::string> sources;
  uint64_t capacity_bytes = uint64_t{250} << 30;  // null_blk gb=250 (GiB)
  int nr_hw_queues = 1;  // blk-mq hardware queues (submitter core id modulo this picks one)
  int queue_depth = 64;  // tags per hardware queue; 0 = unlimited (bio-based driver)
  Time fail_delay_ns = 0;  // after fail(), I/O completes with an error this much later
  NullDiskParams null_disk;
  RamdiskParams ramdisk;
  FlashParams flash;
  HddParams hdd;
  DiskExpect expect;
};

// The model names, in the order the factory knows them.
inline const std::vector<std::string>& disk_model_names() {
  static const std::vector<std::string> kNames = {"null", "ramdisk", "nvme", "sata_ssd", "hdd"};
  return kNames;
}

}  // namespace mdsim
