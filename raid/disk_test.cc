// The disk base, driven through the null model: request stages (PREFLUSH, FUA), hardware-queue
// tags, failure injection, statistics, both submission paths, teardown with requests in flight.
#include "raid/disk.h"

#include <gtest/gtest.h>

#include "raid/disk_testing.h"
#include "raid/null_disk.h"
#include "sim/machine.h"
#include "sim/testing.h"

namespace mdsim {
namespace {

DiskProfile null_profile(Time latency, int depth = 64, int queues = 1) {
  DiskProfile p;
  p.null_disk.completion_ns = latency;
  p.queue_depth = depth;
  p.nr_hw_queues = queues;
  return p;
}

// What a histogram reports for a value: its bin's representative (fio's scheme).
Time bin(Time v) {
  return static_cast<Time>(LatencyHistogram::bin_value(LatencyHistogram::bin_index(v)));
}

struct Rig {
  explicit Rig(DiskProfile p, int cores = 4)
      : machine(sim, testing::profile(1, cores)), disk(sim, std::move(p), Rng(1), "d0") {}
  Simulator sim;
  Machine machine;
  NullDisk disk;
};

Task<void> one(Rig& r, int cpu, DiskRequest req, IoResult* out) {
  *out = co_await r.disk.submit(r.machine.cpu(cpu), req);
}

DiskRequest write(Sector s, uint32_t n, bool fua = false, bool preflush = false) {
  return DiskRequest{DiskOp::kWrite, s, n, fua, preflush};
}

TEST(Disk, QueueDepthOneLatencyIsTheCompletionTime) {
  Rig r(null_profile(10 * kMicrosecond));
  auto res = testing::run_disk_load(r.machine, r.disk, {.iodepth = 1, .duration = kMillisecond});
  EXPECT_EQ(res.ios, 100u);
  EXPECT_EQ(res.latency.min(), 10 * kMicrosecond);
  EXPECT_EQ(res.latency.max(), 10 * kMicrosecond);
}

TEST(Disk, TagsLimitWhatTheDeviceSeesButNotTheHostQueue) {
  Rig r(null_profile(10 * kMicrosecond, /*depth=*/4));
  auto res = testing::run_disk_load(r.machine, r.disk, {.iodepth = 16, .duration = kMillisecond});
  EXPECT_EQ(res.ios, 400u);  // 4 tags / 10 us
  // Steady state: each waits for three rounds of tags, then runs.
  EXPECT_EQ(res.latency.percentile(50), bin(40 * kMicrosecond));
  EXPECT_GT(r.disk.avg_queue_depth(), 15.0);
  EXPECT_EQ(r.disk.stats().max_queue_depth(), 16);
}

TEST(Disk, EachHardwareQueueHasItsOwnTags) {
  Rig r(null_profile(10 * kMicrosecond, /*depth=*/1, /*queues=*/2));
  IoResult a, b, c;
  spawn(r.sim, one(r, 0, write(0, 8), &a));
  spawn(r.sim, one(r, 1, write(8, 8), &b));  // queue 1: runs beside a
  spawn(r.sim, one(r, 2, write(16, 8), &c)); // queue 0 again: waits for a's tag
  r.sim.run();
  EXPECT_EQ(a.latency(), 10 * kMicrosecond);
  EXPECT_EQ(b.latency(), 10 * kMicrosecond);
  EXPECT_EQ(c.latency(), 20 * kMicrosecond);
}

TEST(Disk, IopsLimitPacesCommands) {
  DiskProfile p = null_profile(10 * kMicrosecond, 64);
  p.null_disk.iops_limit = 100000;
  Rig r(p);
  auto res = testing::run_disk_load(r.machine, r.disk, {.iodepth = 32, .duration = 10 * kMillisecond});
  EXPECT_NEAR(res.iops(), 100000, 100000 * 0.005);
}

TEST(Disk, FlushAndFuaAreDroppedWithoutAVolatileCache) {
  Rig r(null_profile(10 * kMicrosecond));
  IoResult f, w;
  spawn(r.sim, one(r, 0, DiskRequest{DiskOp::kFlush}, &f));
  spawn(r.sim, one(r, 1, write(0, 8, /*fua=*/true, /*preflush=*/true), &w));
  r.sim.run();
  EXPECT_TRUE(f.ok());
  EXPECT_EQ(f.latency(), 0);
  EXPECT_EQ(w.latency(), 10 * kMicrosecond);
  EXPECT_EQ(r.disk.stats().flush_commands(), 0u);
  EXPECT_EQ(r.disk.stats().fua_writes(), 0u);
  EXPECT_EQ(r.disk.stats().op(DiskOp::kFlush).ios, 1u);
}

TEST(Disk, PreflushRunsAFlushFirstAndFuaCostsItsPenalty) {
  DiskProfile p = null_profile(10 * kMicrosecond);
  p.null_disk.volatile_cache = true;
  p.null_disk.flush_ns = 30 * kMicrosecond;
  p.null_disk.fua_ns = 5 * kMicrosecond;
  Rig r(p);
  IoResult f, w;
  spawn(r.sim, one(r, 0, DiskRequest{DiskOp::kFlush}, &f));
  spawn(r.sim, one(r, 1, write(0, 8, /*fua=*/true, /*preflush=*/true), &w));
  r.sim.run();
  EXPECT_EQ(f.latency(), 30 * kMicrosecond);
  EXPECT_EQ(w.latency(), 30 * kMicrosecond + 10 * kMicrosecond + 5 * kMicrosecond);
  EXPECT_EQ(r.disk.stats().flush_commands(), 2u);
  EXPECT_EQ(r.disk.stats().fua_writes(), 1u);
}

Task<void> fail_at(Rig& r, Time t, Time delay) {
  co_await r.sim.delay(t);
  r.disk.fail(delay);
}

TEST(Disk, FailureCompletesInFlightAndLaterRequestsWithAnErrorAfterTheDelay) {
  Rig r(null_profile(100 * kMicrosecond, /*depth=*/1));
  IoResult a, b, c;
  spawn(r.sim, one(r, 0, write(0, 8), &a));   // in the device at the failure
  spawn(r.sim, one(r, 0, write(8, 8), &b));   // waiting for the tag
  spawn(r.sim, fail_at(r, 50 * kMicrosecond, 7 * kMicrosecond));
  r.sim.run();
  EXPECT_EQ(a.status, IoStatus::kError);
  EXPECT_EQ(a.completed, 57 * kMicrosecond);
  EXPECT_EQ(b.status, IoStatus::kError);
  EXPECT_EQ(b.completed, 57 * kMicrosecond);
  spawn(r.sim, one(r, 0, write(0, 8), &c));
  r.sim.run();
  EXPECT_EQ(c.status, IoStatus::kError);
  EXPECT_EQ(c.latency(), 7 * kMicrosecond);
  EXPECT_EQ(r.disk.stats().op(DiskOp::kWrite).errors, 3u);
  r.disk.recover();
  spawn(r.sim, one(r, 0, write(0, 8), &c));
  r.sim.run();
  EXPECT_TRUE(c.ok());
  EXPECT_EQ(c.latency(), 100 * kMicrosecond);
  EXPECT_EQ(r.disk.in_flight(), 0);
}

TEST(Disk, StatsCountBytesLatencyUtilisationAndReset) {
  Rig r(null_profile(10 * kMicrosecond));
  auto res = testing::run_disk_load(
      r.machine, r.disk, {.op = DiskOp::kWrite, .bs_sectors = 16, .duration = kMillisecond});
  r.sim.run_until(2 * kMillisecond);  // idle for the second millisecond
  const DiskStats& s = r.disk.stats();
  EXPECT_EQ(s.op(DiskOp::kWrite).ios, 100u);
  EXPECT_EQ(s.op(DiskOp::kWrite).bytes, 100u * 8192);
  EXPECT_EQ(s.op(DiskOp::kWrite).latency.count(), 100u);
  EXPECT_EQ(s.op(DiskOp::kWrite).latency.percentile(99), bin(10 * kMicrosecond));
  EXPECT_EQ(r.disk.busy_time(), kMillisecond);
  EXPECT_NEAR(r.disk.utilisation(), 0.5, 1e-9);
  EXPECT_NEAR(r.disk.avg_queue_depth(), 0.5, 1e-9);
  r.disk.reset_stats();
  EXPECT_EQ(r.disk.stats().op(DiskOp::kWrite).ios, 0u);
  EXPECT_EQ(res.ios, 100u);
}

// A null device whose discard is a non-queued command (like a NO_NCQ_TRIM TRIM).
class ExclusiveDiscardDisk : public NullDisk {
 public:
  using NullDisk::NullDisk;

 protected:
  bool non_queued(DiskOp op) const override { return op == DiskOp::kDiscard; }
};

Task<void> at(Simulator& sim, Disk& d, Cpu& cpu, Time t, DiskRequest req, IoResult* out) {
  co_await sim.delay(t);
  *out = co_await d.submit(cpu, req);
}

TEST(Disk, ANonQueuedCommandWaitsForEveryHardwareQueueAndHoldsThemAllBack) {
  Simulator sim;
  Machine machine(sim, testing::profile(1, 2));
  ExclusiveDiscardDisk d(sim, null_profile(100 * kMicrosecond, 4, /*queues=*/2), Rng(1), "d0");
  IoResult a, b, c;
  spawn(sim, at(sim, d, machine.cpu(1), 0, write(0, 8), &a));  // queue 1
  spawn(sim, at(sim, d, machine.cpu(0), kMicrosecond, {DiskOp::kDiscard, 64, 8}, &b));  // queue 0
  spawn(sim, at(sim, d, machine.cpu(1), 150 * kMicrosecond, write(8, 8), &c));  // queue 1
  sim.run();
  EXPECT_EQ(a.completed, 100 * kMicrosecond);
  EXPECT_EQ(b.completed, 200 * kMicrosecond);  // starts when queue 1 drains
  EXPECT_EQ(c.completed, 300 * kMicrosecond);  // waits for the discard on the other queue
}

Task<void> two_phase(Rig& r, IoResult* out, bool* returned_at_once) {
  Cpu& cpu = r.machine.cpu(0);
  DiskIo io;
  co_await cpu.acquire(r.machine.kind("md"));
  Time before = r.sim.now();
  co_await r.disk.issue(cpu, write(0, 8), io);
  *returned_at_once = r.sim.now() == before && !io.done();
  cpu.release();
  *out = co_await io;
}

TEST(Disk, IssueReturnsAtOnceForAQueuedDeviceAndTheIoCompletesLater) {
  Rig r(null_profile(10 * kMicrosecond));
  IoResult res;
  bool at_once = false;
  spawn(r.sim, two_phase(r, &res, &at_once));
  r.sim.run();
  EXPECT_TRUE(at_once);
  EXPECT_EQ(res.latency(), 10 * kMicrosecond);
}

TEST(Disk, TeardownWithRequestsInFlightIsSafe) {
  auto r = std::make_unique<Rig>(null_profile(kMillisecond));
  IoResult a;
  spawn(r->sim, one(*r, 0, write(0, 8), &a));
  r->sim.run_until(10 * kMicrosecond);
  r->sim.halt();  // a crash: the waiting frame (and its DiskIo) goes first
  EXPECT_EQ(r->disk.in_flight(), 1);
  r.reset();
}

}  // namespace
}  // namespace mdsim
