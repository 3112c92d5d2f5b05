// raid1: I/O accounting, the bitmap before the data, write-behind, read balancing, failures.
#include "raid/raid1.h"

#include <gtest/gtest.h>

#include "raid/md_testing.h"
#include "sim/testing.h"

namespace mdsim {
namespace {

using testing::host_io;
using testing::make_array;
using testing::null_member;

struct Rig {
  Simulator sim;
  Machine m{sim, testing::profile(1, 4)};
  std::unique_ptr<Mddev> md;

  explicit Rig(const ArrayConfig& cfg, const DiskProfile& member) {
    md = make_array(m, cfg, member);
  }
  Rig(const ArrayConfig& cfg, const std::vector<DiskProfile>& members) {
    md = std::make_unique<Mddev>(m, cfg, testing::make_members(sim, members));
  }
  // One bio from core 0 started now; runs the simulation until it and everything else ends.
  IoResult io(DiskOp op, Sector sector, uint32_t sectors = 8) {
    IoResult out;
    auto body = [](Rig* r, DiskRequest q, IoResult* o) -> Task<void> {
      *o = co_await host_io(*r->md, r->m.cpu(0), q);
    };
    spawn(sim, body(this, DiskRequest{op, sector, sectors}, &out));
    sim.run();
    return out;
  }
  const DiskStats& disk(int i) { return md->member(i).disk->stats(); }
};

ArrayConfig raid1(const char* bitmap = "none", int disks = 2) {
  ArrayConfig c;
  c.level = "raid1";
  c.raid_disks = disks;
  c.bitmap = bitmap;
  return c;
}

TEST(Raid1, AWriteGoesToEveryMemberAndAReadToOne) {
  Rig r(raid1("none", 3), null_member(10 * kMicrosecond));
  ASSERT_TRUE(r.io(DiskOp::kWrite, 800).ok());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(r.disk(i).op(DiskOp::kWrite).ios, 1u) << "member " << i;
    EXPECT_EQ(r.disk(i).op(DiskOp::kWrite).bytes, 4096u);
  }
  ASSERT_TRUE(r.io(DiskOp::kRead, 800).ok());
  uint64_t reads = 0;
  for (int i = 0; i < 3; ++i) reads += r.disk(i).op(DiskOp::kRead).ios;
  EXPECT_EQ(reads, 1u);
  EXPECT_EQ(r.md->stats().writes, 1u);
  EXPECT_EQ(r.md->stats().reads, 1u);
  EXPECT_EQ(r.md->array_sectors(), r.md->member_sectors());
}

TEST(Raid1, OnRamdisksEachMembersCopyRunsOnTheSubmitterInTurn) {
  // brd copies inside submit_bio: the member bios are handed off one after the other, each
  // after its member_submit work and its copy, all on the submitting core.
  Rig r(raid1("none", 2), testing::ramdisk_member(700, 100));
  IoResult w = r.io(DiskOp::kWrite, 64);
  ASSERT_TRUE(w.ok());
  for (int i = 0; i < 2; ++i) EXPECT_EQ(r.disk(i).op(DiskOp::kWrite).ios, 1u) << "member " << i;
  const Time copy = 700 + 4 * 100;
  EXPECT_EQ(r.m.cpu(0).time_in(r.m.kind("brd")), 2 * copy);
  EXPECT_GE(w.latency(), 2 * (copy + r.md->costs().member_submit));
}

TEST(Raid1, TheFirstWriteToAChunkWritesTheBitmapPageFirstWithFlushAndFua) {
  DiskProfile p = null_member(10 * kMicrosecond);
  p.null_disk.volatile_cache = true;
  p.null_disk.flush_ns = 5 * kMicrosecond;
  Rig r(raid1("bitmap"), p);
  IoResult first = r.io(DiskOp::kWrite, 0);
  ASSERT_TRUE(first.ok());
  for (int i = 0; i < 2; ++i) {
    // The bitmap page (PREFLUSH|FUA) and the data.
    EXPECT_EQ(r.disk(i).op(DiskOp::kWrite).ios, 2u);
    EXPECT_EQ(r.disk(i).fua_writes(), 1u);
    EXPECT_EQ(r.disk(i).flush_commands(), 1u);
  }
  // Serial: flush (5 us) + page write (10 us) before the data write (10 us).
  EXPECT_GE(first.latency(), 25 * kMicrosecond);
  IoResult second = r.io(DiskOp::kWrite, 8);  // same chunk: the bit is already set
  ASSERT_TRUE(second.ok());
  for (int i = 0; i < 2; ++i) EXPECT_EQ(r.disk(i).op(DiskOp::kWrite).ios, 3u);
  EXPECT_LT(second.latency(), 15 * kMicrosecond);
  EXPECT_GE(second.latency(), 10 * kMicrosecond);
  EXPECT_EQ(r.md->stats().bitmap_page_writes, 1u);
}

TEST(Raid1, WithoutABitmapAWriteCostsOneMemberWriteTime) {
  Rig r(raid1("none"), null_member(10 * kMicrosecond));
  IoResult w = r.io(DiskOp::kWrite, 0);
  EXPECT_GE(w.latency(), 10 * kMicrosecond);
  EXPECT_LT(w.latency(), 15 * kMicrosecond);
}

// A fast member and a slow write-mostly one: write-behind completes the host bio when the
// fast member is done and keeps the bitmap (behind_writes, the chunk's counter) until the slow
// one lands.
struct BehindRig : Rig {
  explicit BehindRig(HookPlacement hooks)
      : Rig(config(hooks), std::vector<DiskProfile>{null_member(10 * kMicrosecond),
                                                    null_member(2 * kMillisecond)}) {}
  static ArrayConfig config(HookPlacement hooks) {
    ArrayConfig c = raid1("bitmap");
    c.write_mostly = {1};
    c.max_write_behind = 256;
    c.hooks = hooks;
    c.daemon_sleep = 100 * kMicrosecond;
    return c;
  }
};

TEST(Raid1, WriteBehindCompletesEarlyAndCountsBehindWrites) {
  BehindRig r(HookPlacement::kPerPersonality);
  r.md->start();
  IoResult out;
  Time done_at = -1;
  int behind_when_done = -1;
  auto body = [&]() -> Task<void> {
    // Let the bit reach disk first, so this write's latency is the fast member's alone.
    co_await host_io(*r.md, r.m.cpu(0), DiskRequest{DiskOp::kWrite, 0, 8});
    out = co_await host_io(*r.md, r.m.cpu(0), DiskRequest{DiskOp::kWrite, 8, 8});
    done_at = r.sim.now();
    behind_when_done = r.md->bitmap().get_stats().behind_writes;
  };
  spawn(r.sim, body());
  r.sim.run_until(10 * kMillisecond);
  r.md->stop();
  r.sim.run();
  ASSERT_TRUE(out.ok());
  EXPECT_LT(out.latency(), 100 * kMicrosecond);  // not the slow member's 2 ms
  EXPECT_GE(behind_when_done, 1);
  EXPECT_EQ(r.md->bitmap().get_stats().behind_writes, 0);
  auto& rs = static_cast<Raid1&>(r.md->personality()).stats();
  EXPECT_EQ(rs.behind_writes, 2u);
}

// Whether, when the host bio of a behind write completes (the write-mostly copy still in
// flight), every bitmap startwrite has had its endwrite — i.e. whether the bitmap already
// treats the chunk as idle and lets its daemon clear the bit under the behind write.
bool released_when_host_completes(HookPlacement hooks) {
  BehindRig r(hooks);
  bool released = false;
  int behind = -1;
  auto body = [&]() -> Task<void> {
    co_await host_io(*r.md, r.m.cpu(0), DiskRequest{DiskOp::kWrite, 0, 8});
    behind = r.md->bitmap().get_stats().behind_writes;
    const auto& st = r.md->stats();
    released = st.bitmap_endwrites == st.bitmap_startwrites;
  };
  spawn(r.sim, body());
  r.sim.run();
  EXPECT_EQ(behind, 1);
  const auto& st = r.md->stats();
  EXPECT_EQ(st.bitmap_startwrites, 1u);  // once per bio either way for raid1
  EXPECT_EQ(st.bitmap_endwrites, 1u);
  return released;
}

TEST(Raid1, BeforeLinux614TheBitmapHoldsTheChunkUntilTheBehindWriteLands) {
  EXPECT_FALSE(released_when_host_completes(HookPlacement::kPerPersonality));
}

// 6.14 moved endwrite to md_end_clone_io, which runs when the host bio completes — before a
// behind write lands — so the bitmap may clear the chunk while the write-mostly copy is in
// flight. (Whether a crash can then lose the copy depends on per-member bitmap images: the
// crash checker's job.)
TEST(Raid1, From614OnTheBitmapReleasesTheChunkBeforeTheBehindWriteLands) {
  EXPECT_TRUE(released_when_host_completes(HookPlacement::kMdCore));
}

TEST(Raid1, SequentialReadsStayOnOneMemberRandomOnesSpread) {
  Rig r(raid1("none", 2), null_member(20 * kMicrosecond));
  testing::ArrayLoad seq{.op = DiskOp::kRead, .iodepth = 1, .sequential = true,
                         .duration = 1 * kMillisecond};
  testing::run_array_load(*r.md, seq);
  uint64_t a = r.disk(0).op(DiskOp::kRead).ios, b = r.disk(1).op(DiskOp::kRead).ios;
  EXPECT_GT(a + b, 30u);
  EXPECT_TRUE(a == 0 || b == 0) << a << " " << b;

  Rig q(raid1("none", 2), null_member(20 * kMicrosecond));
  testing::ArrayLoad rnd{.op = DiskOp::kRead, .iodepth = 16, .duration = 1 * kMillisecond};
  testing::run_array_load(*q.md, rnd);
  a = q.disk(0).op(DiskOp::kRead).ios;
  b = q.disk(1).op(DiskOp::kRead).ios;
  EXPECT_GT(a, (a + b) * 4 / 10);
  EXPECT_GT(b, (a + b) * 4 / 10);
}

TEST(Raid1, WriteMostlyMembersAreReadOnlyWhenNothingElseIs) {
  ArrayConfig c = raid1("none");
  c.write_mostly = {0};
  Rig r(c, null_member(10 * kMicrosecond));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(r.io(DiskOp::kRead, 8 * 97 * i).ok());
  EXPECT_EQ(r.disk(0).op(DiskOp::kRead).ios, 0u);
  EXPECT_EQ(r.disk(1).op(DiskOp::kRead).ios, 5u);
  r.md->member(1).disk->fail(0);
  EXPECT_TRUE(r.io(DiskOp::kRead, 0).ok());  // fails on 1, retried on write-mostly 0
  EXPECT_EQ(r.disk(0).op(DiskOp::kRead).ios, 1u);
  EXPECT_TRUE(r.md->member(1).faulty);
  EXPECT_TRUE(r.md->degraded());
  EXPECT_EQ(static_cast<Raid1&>(r.md->personality()).stats().read_retries, 1u);
}

TEST(Raid1, AReadOfAWriteMostlyMemberWaitsForBehindWrites) {
  BehindRig r(HookPlacement::kPerPersonality);
  Time read_done = -1, write_done = -1;
  // Behind write in flight on member 1 (2 ms); member 0 healthy; a read forced to member 1
  // (member 0 Faulty) must wait for the behind write.
  auto writer = [&]() -> Task<void> {
    co_await host_io(*r.md, r.m.cpu(0), DiskRequest{DiskOp::kWrite, 0, 8});
    IoResult w = co_await host_io(*r.md, r.m.cpu(0), DiskRequest{DiskOp::kWrite, 8, 8});
    write_done = r.sim.now();
    EXPECT_TRUE(w.ok());
    r.md->md_error(0);
    IoResult rd = co_await host_io(*r.md, r.m.cpu(1), DiskRequest{DiskOp::kRead, 8, 8});
    EXPECT_TRUE(rd.ok());
    read_done = r.sim.now();
  };
  spawn(r.sim, writer());
  r.sim.run();
  ASSERT_GT(write_done, 0);
  // The read could have taken 2 ms by itself; it must end after the behind write (issued at
  // about write_done - 10 us and taking 2 ms) and then its own 2 ms read.
  EXPECT_GE(read_done, write_done + 2 * kMillisecond + 1900 * kMicrosecond);
}

TEST(Raid1, AFailedMemberDegradesTheArrayAndWritesGoOn) {
  Rig r(raid1("bitmap"), null_member(10 * kMicrosecond));
  r.md->member(1).disk->fail(0);
  EXPECT_TRUE(r.io(DiskOp::kWrite, 0).ok());
  EXPECT_TRUE(r.md->degraded());
  EXPECT_EQ(r.md->failed_members(), 1);
  uint64_t before = r.disk(1).op(DiskOp::kWrite).ios;
  EXPECT_TRUE(r.io(DiskOp::kWrite, 8).ok());
  EXPECT_EQ(r.disk(1).op(DiskOp::kWrite).ios, before);  // Faulty members get nothing
  // The last member failing: raid1_error (6.12, fail_last_dev off) keeps it In_sync and fails
  // the array (MD_BROKEN), so md_submit_bio fails later writes before raid1 sees them.
  r.md->member(0).disk->fail(0);
  EXPECT_FALSE(r.io(DiskOp::kWrite, 16).ok());
  EXPECT_TRUE(r.md->broken());
  EXPECT_EQ(r.md->failed_members(), 1);
  EXPECT_FALSE(r.io(DiskOp::kRead, 16).ok());  // still tried: the disk itself is dead
  const uint64_t tried = r.disk(0).op(DiskOp::kWrite).ios;
  EXPECT_FALSE(r.io(DiskOp::kWrite, 24).ok());
  EXPECT_EQ(r.disk(0).op(DiskOp::kWrite).ios, tried);  // failed in md core
}

TEST(Raid1, WithFailLastDevTheLastMemberIsFailedAndWritesFailOnTheSubmitter) {
  ArrayConfig cfg = raid1("bitmap");
  cfg.fail_last_dev = true;
  Rig r(cfg, null_member(10 * kMicrosecond));
  r.md->md_error(1);
  EXPECT_FALSE(r.md->broken());
  r.md->md_error(0);
  EXPECT_TRUE(r.md->broken());
  EXPECT_EQ(r.md->failed_members(), 2);
  EXPECT_FALSE(r.io(DiskOp::kWrite, 0).ok());
  EXPECT_FALSE(r.io(DiskOp::kRead, 0).ok());  // no member left to read
}

TEST(Raid1, FlushGoesToEveryMember) {
  DiskProfile p = null_member(10 * kMicrosecond);
  p.null_disk.volatile_cache = true;
  p.null_disk.flush_ns = 30 * kMicrosecond;
  Rig r(raid1("none", 2), p);
  IoResult f = r.io(DiskOp::kFlush, 0, 0);
  ASSERT_TRUE(f.ok());
  EXPECT_GE(f.latency(), 30 * kMicrosecond);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(r.disk(i).flush_commands(), 1u);
}

TEST(Raid1, RunsAreDeterministic) {
  auto once = [] {
    Rig r(raid1("bitmap", 2), null_member(15 * kMicrosecond));
    testing::ArrayLoad l{.op = DiskOp::kWrite, .iodepth = 8, .duration = 2 * kMillisecond,
                         .write_percent = 70};
    auto res = testing::run_array_load(*r.md, l);
    return std::make_pair(res.ios, res.latency.percentile(99.0));
  };
  EXPECT_EQ(once(), once());
}

}  // namespace
}  // namespace mdsim
