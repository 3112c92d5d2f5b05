// The ramdisk (brd) model: the copy runs on the submitting core inside submit_bio and is charged
// to kind "brd" (per_io_ns + per_kib_ns per KiB), the request is complete when issue() returns,
// FLUSH and FUA cost nothing (no volatile cache), discard costs its own rate, and throughput is
// the submitting cores' (queue depth beyond the core count adds nothing).
#include "raid/ramdisk.h"

#include <gtest/gtest.h>

#include "raid/disk_testing.h"
#include "raid/md_testing.h"
#include "sim/testing.h"

namespace mdsim {
namespace {

DiskProfile brd_profile() {
  DiskProfile p = testing::ramdisk_member(700, 100, uint64_t{8} << 30);
  p.ramdisk.discard_per_kib_ns = 1;
  return p;
}

struct Rig {
  explicit Rig(int cores = 4)
      : machine(sim, testing::profile(1, cores)), disk(sim, brd_profile(), Rng(1), "ram0") {}
  Time brd_time(int cpu) { return machine.cpu(cpu).time_in(machine.kind("brd")); }
  Simulator sim;
  Machine machine;
  Ramdisk disk;
};

Task<void> submit(Rig& r, int cpu, DiskRequest req, IoResult* out) {
  *out = co_await r.disk.submit(r.machine.cpu(cpu), req);
}

TEST(Ramdisk, TheCopyIsChargedToTheSubmittingCoreAsBrd) {
  Rig r;
  IoResult rd, wr;
  spawn(r.sim, submit(r, 1, {DiskOp::kRead, 0, 8}, &rd));       // 4 KiB
  spawn(r.sim, submit(r, 2, {DiskOp::kWrite, 64, 128}, &wr));   // 64 KiB
  r.sim.run();
  EXPECT_EQ(rd.latency(), 700 + 4 * 100);
  EXPECT_EQ(wr.latency(), 700 + 64 * 100);
  EXPECT_EQ(r.machine.cpu(1).busy_time(), 1100);
  EXPECT_EQ(r.brd_time(1), 1100);
  EXPECT_EQ(r.machine.cpu(2).busy_time(), 7100);
  EXPECT_EQ(r.brd_time(2), 7100);
  EXPECT_EQ(r.machine.cpu(0).busy_time(), 0);
  EXPECT_EQ(r.disk.stats().op(DiskOp::kWrite).bytes, 65536u);
}

Task<void> as_md(Rig& r, Time* issue_took, bool* done_at_return, IoResult* out) {
  Cpu& cpu = r.machine.cpu(0);
  DiskIo io;
  co_await cpu.acquire(r.machine.kind("md"));
  const Time t0 = r.sim.now();
  co_await r.disk.issue(cpu, {DiskOp::kWrite, 0, 16}, io);  // 8 KiB
  *issue_took = r.sim.now() - t0;
  *done_at_return = io.done();
  cpu.release();
  *out = co_await io;
}

TEST(Ramdisk, IssueReturnsWhenTheCopyIsDoneAndChargesOnlyTheCopyToBrd) {
  Rig r;
  Time took = 0;
  bool done = false;
  IoResult res;
  spawn(r.sim, as_md(r, &took, &done, &res));
  r.sim.run();
  EXPECT_EQ(took, 700 + 8 * 100);
  EXPECT_TRUE(done);
  EXPECT_EQ(res.latency(), 1500);  // from entering submit_bio
  EXPECT_EQ(r.brd_time(0), 1500);
  EXPECT_EQ(r.machine.cpu(0).time_in(r.machine.kind("md")), 0);
}

TEST(Ramdisk, FlushAndFuaCostNothingDiscardCostsItsRate) {
  Rig r;
  IoResult flush, fua, discard;
  spawn(r.sim, submit(r, 0, {DiskOp::kFlush}, &flush));
  r.sim.run();
  EXPECT_TRUE(flush.ok());
  EXPECT_EQ(flush.latency(), 0);
  EXPECT_EQ(r.machine.cpu(0).busy_time(), 0);
  spawn(r.sim, submit(r, 0, {DiskOp::kWrite, 0, 8, /*fua=*/true, /*preflush=*/true}, &fua));
  r.sim.run();
  EXPECT_EQ(fua.latency(), 1100);  // the plain write's copy
  EXPECT_EQ(r.disk.stats().flush_commands(), 0u);
  EXPECT_EQ(r.disk.stats().fua_writes(), 0u);
  spawn(r.sim, submit(r, 0, {DiskOp::kDiscard, 0, 2048}, &discard));  // 1 MiB
  r.sim.run();
  EXPECT_EQ(discard.latency(), 700 + 1024 * 1);
  EXPECT_EQ(r.brd_time(0), 1100 + 1724);
}

TEST(Ramdisk, ThroughputIsTheSubmittingCoresNotTheQueueDepth) {
  for (int qd : {2, 16}) {
    Rig r(/*cores=*/2);
    auto res = testing::run_disk_load(r.machine, r.disk,
                                      {.iodepth = qd, .duration = kMillisecond});
    // Two cores, 1.1 us of copy per 4 KiB read each.
    EXPECT_NEAR(res.iops(), 2 / 1.1e-6, 2 / 1.1e-6 * 0.002) << "iodepth " << qd;
    EXPECT_EQ(res.latency.max(), res.latency.min());  // waiting for a core is not device time
    EXPECT_NEAR(r.machine.cpu(0).utilisation(), 1.0, 0.002);
  }
}

TEST(Ramdisk, AFailedRamdiskKeepsTwoDoomedRequestsApart) {
  // A synchronous completion frees its slot inside issue(); it must not be freed a second
  // time on the way out (a slot twice on the free list would later carry two requests at once:
  // visible here as two doomed requests in flight).
  Rig r;
  IoResult first, a, b;
  spawn(r.sim, submit(r, 0, {DiskOp::kWrite, 0, 8}, &first));
  r.sim.run();
  ASSERT_TRUE(first.ok());
  r.disk.fail(5 * kMicrosecond);
  spawn(r.sim, submit(r, 1, {DiskOp::kWrite, 8, 8}, &a));
  spawn(r.sim, submit(r, 2, {DiskOp::kRead, 16, 8}, &b));
  r.sim.run();
  EXPECT_EQ(a.status, IoStatus::kError);
  EXPECT_EQ(b.status, IoStatus::kError);
  EXPECT_EQ(a.latency(), 5 * kMicrosecond);
  EXPECT_EQ(b.latency(), 5 * kMicrosecond);
  EXPECT_EQ(r.disk.stats().op(DiskOp::kWrite).errors, 1u);
  EXPECT_EQ(r.disk.stats().op(DiskOp::kRead).errors, 1u);
  EXPECT_EQ(r.disk.in_flight(), 0);
}

}  // namespace
}  // namespace mdsim
