// The hdd model with the hdd-7200-4tb numbers (the HddParams defaults, 4 TB): QD1 random read
// latency, sequential bandwidth with and without read-ahead, SPTF against FIFO at QD32, the
// write-back cache (fast until full, FLUSH waits for the destage), FUA to the media, no discard.
#include "raid/hdd.h"

#include <gtest/gtest.h>

#include <vector>

#include "raid/disk_testing.h"
#include "sim/random.h"
#include "sim/testing.h"

namespace mdsim {
namespace {

DiskProfile hdd_profile() {
  DiskProfile p;
  p.model = "hdd";
  p.capacity_bytes = 4000787030016;
  p.nr_hw_queues = 1;
  p.queue_depth = 32;
  return p;
}

struct Rig {
  explicit Rig(DiskProfile p = hdd_profile())
      : machine(sim, testing::profile(1, 4)), disk(sim, std::move(p), Rng(9), "sdb") {}
  testing::LoadResult run(testing::DiskLoad l) { return testing::run_disk_load(machine, disk, l); }
  Simulator sim;
  Machine machine;
  Hdd disk;
};

constexpr double kRevNs = 60e9 / 7200;

// The mean seek between uniformly random LBAs (not tracks: outer tracks hold more LBAs, so
// random LBAs are closer together than random tracks), by sampling the geometry.
double mean_lba_seek_ns(const HddGeometry& g, uint64_t sectors) {
  Rng rng(3);
  double sum = 0;
  for (int i = 0; i < 100000; ++i) {
    sum += static_cast<double>(
        g.seek_ns(g.track(rng.below(sectors)), g.track(rng.below(sectors)), false));
  }
  return sum / 100000;
}

TEST(Hdd, QueueDepthOneRandomReadIsSeekPlusHalfARevolutionPlusTransfer) {
  Rig r;
  const double seek = mean_lba_seek_ns(r.disk.geometry(), r.disk.capacity_sectors());
  EXPECT_NEAR(seek, 7400000, 7400000 * 0.10);  // close to the data sheet's track average
  auto res = r.run({.iodepth = 1, .duration = 20000 * kMillisecond});  // ~1700 reads
  // command + seek + rotation + 4 KiB at the mean media rate (162 MB/s).
  const double expected = 50000 + seek + kRevNs / 2 + 4096 / 0.162;
  EXPECT_NEAR(res.latency.mean(), expected, expected * 0.03);
  EXPECT_GT(res.ios, 1500u);
}

TEST(Hdd, SequentialReadsStreamAtTheOuterRateWithReadAhead) {
  Rig r;
  auto qd1 = r.run({.bs_sectors = 256, .iodepth = 1, .sequential = true,
                    .duration = 200 * kMillisecond, .warmup = 20 * kMillisecond});
  EXPECT_NEAR(qd1.mbps(), 220, 220 * 0.01);
  // Each request waits only for the stream to read it: no seek, no rotational miss.
  EXPECT_NEAR(qd1.latency.mean(), 131072 / 0.220, 131072 / 0.220 * 0.02);
  Rig deep;
  auto qd32 = deep.run({.bs_sectors = 256, .iodepth = 32, .sequential = true,
                        .duration = 200 * kMillisecond, .warmup = 20 * kMillisecond});
  EXPECT_NEAR(qd32.mbps(), 220, 220 * 0.01);
}

TEST(Hdd, WithoutReadAheadQueueDepthOneSequentialReadsMissARevolutionEach) {
  DiskProfile p = hdd_profile();
  p.hdd.readahead_bytes = 0;
  Rig r(p);
  auto res = r.run({.bs_sectors = 256, .iodepth = 1, .sequential = true,
                    .duration = 200 * kMillisecond, .warmup = 20 * kMillisecond});
  // Each next request arrives command_ns after the previous ended: its first sector has just
  // gone by, so it waits almost a whole turn, then reads 128 KiB.
  const double per_io = kRevNs + 131072 / 0.220;
  EXPECT_NEAR(res.mbps(), 131072 / per_io * 1e3, 131072 / per_io * 1e3 * 0.02);
}

TEST(Hdd, ShortestPositioningTimeFirstBeatsFifoOnRandomReadsAtQueueDepth32) {
  DiskProfile fifo_profile = hdd_profile();
  fifo_profile.hdd.queue_order = "fifo";
  Rig fifo(fifo_profile), sptf;
  auto f = fifo.run({.iodepth = 32, .duration = 4000 * kMillisecond});
  auto s = sptf.run({.iodepth = 32, .duration = 4000 * kMillisecond});
  Rig one;
  auto q1 = one.run({.iodepth = 1, .duration = 4000 * kMillisecond});
  // FIFO gains nothing from the queue: one random positioning per I/O, as at QD1.
  EXPECT_NEAR(f.iops(), q1.iops(), q1.iops() * 0.08);
  EXPECT_GT(s.iops(), 2.0 * f.iops());
}

Task<void> writes(Rig& r, int n, uint64_t seed, std::vector<IoResult>* out) {
  Rng rng(seed);
  const Sector blocks = r.disk.capacity_sectors() / 8;
  for (int i = 0; i < n; ++i) {
    out->push_back(co_await r.disk.submit(r.machine.cpu(0),
                                          {DiskOp::kWrite, rng.below(blocks) * 8, 8}));
  }
}

Task<void> flush_then_look(Rig& r, IoResult* out, uint64_t* dirty_at_completion) {
  *out = co_await r.disk.submit(r.machine.cpu(0), {DiskOp::kFlush});
  *dirty_at_completion = r.disk.dirty_bytes();
}

TEST(Hdd, CachedWritesAreFastUntilTheCacheIsFullAndFlushWaitsForTheDestage) {
  DiskProfile p = hdd_profile();
  p.hdd.write_cache_bytes = 1 << 20;  // 256 writes of 4 KiB
  Rig r(p);
  std::vector<IoResult> w;
  spawn(r.sim, writes(r, 300, 1, &w));
  r.sim.run_until(200 * kMillisecond);
  ASSERT_EQ(w.size(), 300u);
  // Into the cache: command + 4 KiB over the 600 MB/s link.
  const Time fast = 50000 + 6827;
  int fast_ones = 0;
  for (const IoResult& x : w) fast_ones += x.latency() == fast ? 1 : 0;
  EXPECT_EQ(w[0].latency(), fast);
  EXPECT_GE(fast_ones, 256);  // the cache's worth, plus what destaging freed meanwhile
  EXPECT_LT(fast_ones, 270);
  EXPECT_GT(w.back().latency(), kMillisecond);  // a full cache: wait for a destage
  EXPECT_GT(r.disk.dirty_bytes(), 0u);
  IoResult flush;
  uint64_t dirty = 1;
  const Time issued = r.sim.now();
  spawn(r.sim, flush_then_look(r, &flush, &dirty));
  r.sim.run();
  EXPECT_EQ(dirty, 0u);
  // ~250 random 4 KiB destages at a few ms each (SPTF over the dirty extents).
  EXPECT_GT(flush.completed - issued, 250 * kMillisecond);
  EXPECT_EQ(r.disk.stats().flush_commands(), 1u);
  // An idle flush costs flush_ns only.
  IoResult idle;
  spawn(r.sim, flush_then_look(r, &idle, &dirty));
  r.sim.run();
  EXPECT_EQ(idle.latency(), 100000);
}

TEST(Hdd, FuaWritesGoToTheMediaAndCachelessWritesToo) {
  for (bool cache : {true, false}) {
    DiskProfile p = hdd_profile();
    p.hdd.write_cache = cache;
    Rig r(p);
    auto res = r.run({.op = DiskOp::kWrite, .iodepth = 1, .duration = 4000 * kMillisecond,
                      .fua = cache});
    // Write seek (7.4 + 0.8 ms settle) + half a turn + command, roughly.
    EXPECT_GT(res.latency.mean(), 10e6);
    EXPECT_LT(res.latency.mean(), 15e6);
    EXPECT_EQ(r.disk.dirty_bytes(), 0u);
    EXPECT_EQ(r.disk.stats().fua_writes(), cache ? res.ios + 1 : 0);
  }
}

TEST(Hdd, AWriteLargerThanTheCacheGoesToTheMedia) {
  DiskProfile p = hdd_profile();
  p.hdd.write_cache_bytes = 64 << 10;
  Rig r(p);
  IoResult big;
  auto body = [&]() -> Task<void> {
    big = co_await r.disk.submit(r.machine.cpu(0), {DiskOp::kWrite, 1 << 20, 256});
  };
  spawn(r.sim, body());
  r.sim.run();
  EXPECT_TRUE(big.ok());
  EXPECT_GT(big.latency(), 131072 / 0.220);  // at least its media transfer
  EXPECT_EQ(r.disk.dirty_bytes(), 0u);
}

TEST(Hdd, DiscardIsNotSupported) {
  Rig r;
  IoResult d;
  auto body = [&]() -> Task<void> {
    d = co_await r.disk.submit(r.machine.cpu(0), {DiskOp::kDiscard, 0, 2048});
  };
  spawn(r.sim, body());
  r.sim.run();
  EXPECT_EQ(d.status, IoStatus::kNotSupported);
  EXPECT_EQ(d.latency(), 50000);
  EXPECT_EQ(r.disk.stats().op(DiskOp::kDiscard).errors, 1u);
}

}  // namespace
}  // namespace mdsim
