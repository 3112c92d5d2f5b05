// The bitmap-loop scenario: the bitmap's own contention, without disks. T writer threads on
// the simulated cores each keep `iodepth` writes in flight; a write is
//
//   submit (CPU) -> startwrite -> unplug (bitmap pages to "disk" if dirty) -> data write
//   (io_ns, core released) -> completion (CPU, interrupt context) -> endwrite
//
// as md's write path calls the bitmap (6.14+: once per bio from md core), while the bitmap
// daemon runs every daemon_sleep on core 0. Any registered variant runs through the
// simulation executor, so its declared locks, lines and refs are what contend. It measures
// write throughput, the share of CPU time spent on the variant's synchronisation (spinning,
// lock words, atomics), latencies, and the bitmap as persisted at the end or at a crash point.
#pragma once

#include <string>
#include <vector>

#include "bitmaps/bitmap_ops.h"
#include "sim/histogram.h"
#include "sim/machine.h"
#include "sim/random.h"

namespace mdsim {

struct BitmapLoopParams {
  std::string variant = "bitmap";  // a registry name
  int threads = 0;                 // 0: one per core
  int iodepth = 1;                 // writes in flight per thread
  std::string pattern = "rand";    // rand | seq (each thread its own region) | same (one chunk)
  uint64_t bs_sectors = 8;         // write size (4 KiB)
  Sector sync_size = Sector{1} << 31;  // sectors the bitmap covers (1 TiB)
  uint64_t chunk_bytes = 64 << 20;
  Time io_ns = 20 * kMicrosecond;          // data write latency
  Time page_write_ns = 20 * kMicrosecond;  // bitmap page write latency (flush + FUA)
  Time submit_ns = 1 * kMicrosecond;       // CPU per write outside the bitmap (md, personality)
  Time complete_ns = 500;                  // CPU per completion outside the bitmap (irq)
  Time daemon_sleep_ns = 5 * kSecond;      // 0: no daemon (bits are never cleared)
  bool degraded = false;
  Time duration_ns = 2 * kMillisecond;
  Time crash_at_ns = 0;  // > 0: stop there and keep the bitmap image as a crash leaves it
  // Check the write-intent invariant as the run goes: whenever the persisted bitmap changes
  // (the variant reports each completed page write), after every unplug and after every
  // daemon pass, every chunk with a data write in flight (submitted after its unplug, not yet
  // completed) must be dirty in the persisted bitmap. Costs O(chunks in flight) per check.
  bool check_invariant = false;
};

struct BitmapLoopResult {
  int threads = 0;
  uint64_t writes = 0;           // completed (endwrite returned)
  double writes_per_sec = 0;
  double sync_share = 0;         // share of busy CPU time in the variant's synchronisation
  double bitmap_share = 0;       // share of busy CPU time in the bitmap at all (incl. sync)
  double cpu_ns_per_write = 0;   // busy CPU time per completed write
  uint64_t daemon_passes = 0;
  uint64_t page_writes = 0;      // bitmap pages written (unplug and daemon)
  uint64_t in_flight_at_end = 0;  // writes started but not ended (at the crash point)
  bool crashed = false;
  uint64_t invariant_checks = 0;
  uint64_t invariant_violations = 0;  // (check, chunk) pairs found clean on disk
  std::string first_violation;        // when and which chunk, for the report
  // The violations of a chunk that had been seen dirty on disk while its writes were in
  // flight and then went clean: a daemon clearing it under them, or an older page write with
  // the bit clear landing after the data went out (md's unplug window, see the test), as
  // opposed to a bit not yet on disk at all when the data went out.
  uint64_t invariant_cleared = 0;
  std::string first_cleared;
  Time end_ns = 0;
  LatencyHistogram startwrite_latency;  // startwrite + unplug, ns
  LatencyHistogram write_latency;       // submit -> endwrite done, ns
  BitmapStats stats;
  std::vector<uint8_t> image;  // disk_image() at the end or the crash point
};

const std::vector<std::string>& bitmap_loop_patterns();

struct BitmapVariant;

// Runs the scenario on `m` (whose simulator must be fresh). The variant must exist; tests may
// pass one that is not registered as `variant`.
BitmapLoopResult run_bitmap_loop(Machine& m, const BitmapLoopParams& p, const RandomStreams& rs,
                                 const BitmapVariant* variant = nullptr);

}  // namespace mdsim
