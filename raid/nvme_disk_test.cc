// The nvme model with the in-class defaults (the Samsung 980 PRO 1 TB numbers of
// profiles/disks/nvme-980pro-1tb.json): latency at QD1 and throughput at high QD match what the
// parameters imply, within the stated tolerances; FLUSH, FUA and the write cache; full duplex.
#include "raid/nvme_disk.h"

#include <gtest/gtest.h>

#include "raid/disk_testing.h"
#include "sim/testing.h"

namespace mdsim {
namespace {

DiskProfile nvme_profile() {
  DiskProfile p;
  p.model = "nvme";
  p.capacity_bytes = 1000204886016;
  p.nr_hw_queues = 8;
  p.queue_depth = 1023;
  return p;
}

struct Rig {
  explicit Rig(DiskProfile p = nvme_profile())
      : machine(sim, testing::profile(1, 8)), disk(sim, std::move(p), Rng(3), "nvme0") {}
  Simulator sim;
  Machine machine;
  NvmeDisk disk;
  testing::LoadResult run(testing::DiskLoad l) { return testing::run_disk_load(machine, disk, l); }
};

constexpr double kTol = 0.02;

TEST(NvmeDisk, QueueDepthOneLatencyIsCommandPlusServicePlusTransfer) {
  Rig r;
  auto rd = r.run({.iodepth = 1, .duration = 100 * kMillisecond});
  const double read = 1000 + 43900 + 4096 / 7.0;  // controller + mean service + 4 KiB at 7 GB/s
  EXPECT_NEAR(rd.latency.mean(), read, read * kTol);
  EXPECT_NEAR(static_cast<double>(rd.latency.percentile(99)), 1000 + 90000 + 585, 91585 * 0.03);
  EXPECT_GE(rd.latency.min(), 1000 + 30000 + 585);
  auto wr = r.run({.op = DiskOp::kWrite, .iodepth = 1, .duration = 100 * kMillisecond});
  const double write = 1000 + 14850 + 4096 / 5.0;
  EXPECT_NEAR(wr.latency.mean(), write, write * kTol);
}

TEST(NvmeDisk, HighQueueDepthRandomIopsHitTheControllerCeiling) {
  Rig r;
  auto rd = r.run({.iodepth = 256, .duration = 20 * kMillisecond});
  EXPECT_NEAR(rd.iops(), 1e6, 1e6 * kTol);
  auto wr = r.run({.op = DiskOp::kWrite, .iodepth = 256, .duration = 20 * kMillisecond});
  EXPECT_NEAR(wr.iops(), 1e6, 1e6 * kTol);
}

TEST(NvmeDisk, QueueDepth32FollowsLittlesLaw) {
  Rig r;
  auto rd = r.run({.iodepth = 32, .duration = 20 * kMillisecond});
  EXPECT_NEAR(rd.iops() * rd.latency.mean() * 1e-9, 32, 32 * kTol);
  EXPECT_GT(rd.iops(), 600000);  // 32 / ~45.5 us, below the 1M ceiling
  EXPECT_LT(rd.iops(), 740000);
}

TEST(NvmeDisk, SequentialBandwidthHitsEachDirectionsCeiling) {
  Rig r;
  auto rd = r.run({.bs_sectors = 256, .iodepth = 32, .sequential = true,
                   .duration = 20 * kMillisecond});
  EXPECT_NEAR(rd.mbps(), 7000, 7000 * kTol);
  auto wr = r.run({.op = DiskOp::kWrite, .bs_sectors = 256, .iodepth = 32, .sequential = true,
                   .duration = 20 * kMillisecond});
  EXPECT_NEAR(wr.mbps(), 5000, 5000 * kTol);
  // PCIe is full duplex: a 50/50 mix moves more than either direction alone.
  auto mix = r.run({.bs_sectors = 256, .iodepth = 64, .sequential = true,
                    .duration = 20 * kMillisecond, .write_percent = 50});
  EXPECT_GT(mix.mbps(), 9000);
}

Task<void> timed(Disk& d, Cpu& cpu, DiskRequest req, IoResult* out) {
  *out = co_await d.submit(cpu, req);
}

TEST(NvmeDisk, FlushAfterWritesCostsADrainAndAProgramAnIdleFlushDoesNot) {
  Rig r;
  IoResult idle, after;
  spawn(r.sim, timed(r.disk, r.machine.cpu(0), {DiskOp::kFlush}, &idle));
  r.sim.run();
  EXPECT_EQ(idle.latency(), 1000 + 5000);
  r.run({.op = DiskOp::kWrite, .bs_sectors = 256, .iodepth = 32, .sequential = true,
         .duration = kMillisecond});
  EXPECT_GT(r.disk.durable_at(), r.sim.now());
  spawn(r.sim, timed(r.disk, r.machine.cpu(0), {DiskOp::kFlush}, &after));
  r.sim.run();
  EXPECT_GE(after.latency(), 450000);  // at least the NAND program time
  EXPECT_LT(after.latency(), 600000);
  EXPECT_EQ(r.disk.stats().flush_commands(), 2u);
}

TEST(NvmeDisk, FuaWriteWaitsForItsDataToBeDurable) {
  Rig r;
  auto fua = r.run({.op = DiskOp::kWrite, .iodepth = 1, .duration = 100 * kMillisecond,
                    .fua = true});
  const double expected = 1000 + 14850 + 4096 / 5.0 + 4096 / 5.0 + 450000;
  EXPECT_NEAR(fua.latency.mean(), expected, expected * kTol);
  EXPECT_EQ(r.disk.stats().fua_writes(), fua.ios + 1);  // the one drained after the window
}

TEST(NvmeDisk, AFullWriteCacheThrottlesWritesToTheDrainRate) {
  DiskProfile p = nvme_profile();
  p.flash.drain_mbps = 1000;
  p.flash.write_cache_bytes = 8 << 20;
  Rig r(p);
  auto wr = r.run({.op = DiskOp::kWrite, .bs_sectors = 256, .iodepth = 32, .sequential = true,
                   .duration = 200 * kMillisecond});
  // 8 MiB fill at 5 GB/s first, then the drain rate.
  EXPECT_NEAR(wr.mbps(), 1000, 1000 * 0.05);
  EXPECT_NEAR(r.disk.dirty_bytes(), 8 << 20, 256 << 10);  // full when the load stopped
  r.sim.run_until(r.sim.now() + 10 * kMillisecond);     // 8 MiB drain in 8.4 ms
  EXPECT_EQ(r.disk.dirty_bytes(), 0);
}

TEST(NvmeDisk, DiscardPassesTheControllerAndCostsItsCommandTime) {
  Rig r;
  IoResult d;
  spawn(r.sim, timed(r.disk, r.machine.cpu(0), {DiskOp::kDiscard, 0, 2048}, &d));
  r.sim.run();
  EXPECT_TRUE(d.ok());
  EXPECT_EQ(d.latency(), 1000 + 10000);
}

TEST(NvmeDisk, RunsAreDeterministic) {
  Rig a, b;
  auto x = a.run({.iodepth = 16, .duration = 5 * kMillisecond, .write_percent = 30});
  auto y = b.run({.iodepth = 16, .duration = 5 * kMillisecond, .write_percent = 30});
  EXPECT_EQ(x.ios, y.ios);
  EXPECT_EQ(x.latency.sum(), y.latency.sum());
}

}  // namespace
}  // namespace mdsim
