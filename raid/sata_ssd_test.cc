// The sata_ssd model: one half-duplex link for both directions, FLUSH CACHE as a non-queued
// command (waits for the NCQ queue to drain, runs alone, holds back what comes after it), and
// TRIM non-queued on NO_NCQ_TRIM drives. Timings use constant service times, so every
// completion instant is worked out by hand below.
#include "raid/sata_ssd.h"

#include <gtest/gtest.h>

#include <vector>

#include "raid/disk_testing.h"
#include "sim/testing.h"

namespace mdsim {
namespace {

// 10 us per command in the controller, 50 us (read) / 10 us (write) in one of 4 units, 500 MB/s
// on the link (4 KiB = 8192 ns), 20 us idle FLUSH, 30 us TRIM.
DiskProfile sata_profile() {
  DiskProfile p;
  p.model = "sata_ssd";
  p.capacity_bytes = uint64_t{1} << 30;
  p.nr_hw_queues = 1;
  p.queue_depth = 32;
  FlashParams& f = p.flash;
  f.parallel_units = 4;
  f.read_iops_max = 100000;
  f.write_iops_max = 100000;
  f.read = {50000, 50000, 50000};
  f.write = {10000, 10000, 10000};
  f.read_mbps = 500;
  f.write_mbps = 500;
  f.write_cache_bytes = 8 << 20;
  f.drain_mbps = 500;
  f.flush_ns = 20000;
  f.discard_ns = 30000;
  f.queued_discard = false;
  return p;
}

struct Rig {
  explicit Rig(DiskProfile p = sata_profile())
      : machine(sim, testing::profile(1, 4)), disk(sim, std::move(p), Rng(5), "sda") {}
  Simulator sim;
  Machine machine;
  SataSsd disk;
};

Task<void> at(Rig& r, Time t, DiskRequest req, IoResult* out) {
  co_await r.sim.delay(t);
  *out = co_await r.disk.submit(r.machine.cpu(0), req);
}

TEST(SataSsd, OneHalfDuplexLinkCapsReadsAndWritesTogether) {
  DiskProfile p = sata_profile();
  p.flash.read = {30000, 40000, 90000};
  p.flash.write_mbps = 400;
  p.flash.drain_mbps = 400;
  Rig r(p);
  auto seq = [&](int write_percent) {
    return testing::run_disk_load(r.machine, r.disk,
                                  {.bs_sectors = 256, .iodepth = 32, .sequential = true,
                                   .duration = 100 * kMillisecond, .write_percent = write_percent,
                                   .warmup = kMillisecond});
  };
  EXPECT_NEAR(seq(0).mbps(), 500, 500 * 0.01);
  EXPECT_NEAR(seq(100).mbps(), 400, 400 * 0.01);
  // Half the bytes at 2 ns/byte and half at 2.5 ns/byte on one stage: 444 MB/s, not the 900 a
  // full-duplex link would carry.
  EXPECT_NEAR(seq(50).mbps(), 1e3 / (0.5 * 2 + 0.5 * 2.5), 444 * 0.03);
}

// Eight 4 KiB reads at t = 0: the controller passes one every 10 us (10..80), the 4 units serve
// them 50 us each (done 60, 70, 80, 90, then 110, 120, 130, 140) and the link sends each in
// 8.192 us, so the last read completes at 148.192 us.
constexpr Time kLastRead = 148192;

TEST(SataSsd, FlushWaitsForTheQueueToDrainRunsAloneAndHoldsBackLaterCommands) {
  Rig r;
  std::vector<IoResult> reads(8);
  IoResult flush, later;
  for (int i = 0; i < 8; ++i) spawn(r.sim, at(r, 0, {DiskOp::kRead, Sector(i) * 8, 8}, &reads[i]));
  spawn(r.sim, at(r, 1000, {DiskOp::kFlush}, &flush));
  spawn(r.sim, at(r, 2000, {DiskOp::kRead, 1000, 8}, &later));
  r.sim.run();
  EXPECT_EQ(reads[3].completed, 98192);
  EXPECT_EQ(reads[7].completed, kLastRead);
  // The flush enters the device when it is idle: controller 10 us, then 20 us (nothing dirty).
  EXPECT_EQ(flush.completed, kLastRead + 10000 + 20000);
  // The read behind it waits for it, then takes 10 + 50 + 8.192 us alone.
  EXPECT_EQ(later.completed, flush.completed + 10000 + 50000 + 8192);
  EXPECT_EQ(r.disk.stats().flush_commands(), 1u);
}

TEST(SataSsd, FlushAfterWritesWaitsForTheCacheToBeDurable) {
  Rig r;
  IoResult w, flush;
  spawn(r.sim, at(r, 0, {DiskOp::kWrite, 0, 2048}, &w));  // 1 MiB
  spawn(r.sim, at(r, 1000, {DiskOp::kFlush}, &flush));
  r.sim.run();
  // The write: controller 10 us, unit 10 us, link 1 MiB at 500 MB/s (2097.152 us); it drains
  // into NAND at 500 MB/s after that and is durable program_ns (450 us) later.
  const Time write_done = 10000 + 10000 + 2097152;
  EXPECT_EQ(w.completed, write_done);
  EXPECT_EQ(flush.completed, write_done + 2097152 + 450000 + 20000);
}

TEST(SataSsd, TrimIsNonQueuedOnNoNcqTrimDrivesAndQueuedOtherwise) {
  for (bool queued : {false, true}) {
    DiskProfile p = sata_profile();
    p.flash.queued_discard = queued;
    Rig r(p);
    std::vector<IoResult> reads(8);
    IoResult trim;
    for (int i = 0; i < 8; ++i) {
      spawn(r.sim, at(r, 0, {DiskOp::kRead, Sector(i) * 8, 8}, &reads[i]));
    }
    spawn(r.sim, at(r, 1000, {DiskOp::kDiscard, 4096, 2048}, &trim));
    r.sim.run();
    ASSERT_TRUE(trim.ok());
    EXPECT_EQ(reads[7].completed, kLastRead);
    if (queued) {  // NCQ TRIM: the controller's next slot after the eight reads (80 us)
      EXPECT_EQ(trim.completed, 80000 + 10000 + 30000);
    } else {
      EXPECT_EQ(trim.completed, kLastRead + 10000 + 30000);
    }
  }
}

}  // namespace
}  // namespace mdsim
