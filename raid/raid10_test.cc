// raid10: member I/O placement for n2, o2, f2, n3 through the I/O path, chunk splits, the
// bitmap before the data, read balancing, degraded operation, determinism.
//
// Geometry as in raid10_layout_test.cc: 64 KiB chunks (128 sectors) and 100-chunk members, so
// the f2 stride is 50 chunks (6400 sectors). The literal member sectors below are worked by
// hand from __raid10_find_phys (see that test's header); members add data_offset.
#include "raid/raid10.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "raid/md_testing.h"
#include "raid/null_disk.h"
#include "sim/testing.h"

namespace mdsim {
namespace {

using testing::host_io;
using testing::null_member;

constexpr Sector kChunk = 128;
constexpr Sector kMember = 100 * kChunk;
constexpr Sector kDataOffset = 262144;

// A null_blk-like member that logs every device command it starts.
struct Cmd {
  DiskOp op;
  Sector sector;
  uint32_t sectors;
  bool fua;
  Time at;
};
class RecordingDisk : public NullDisk {
 public:
  using NullDisk::NullDisk;
  std::vector<Cmd> log;

 protected:
  void start(DiskSlot* s) override {
    log.push_back(Cmd{s->cmd.op, s->cmd.sector, s->cmd.sectors, s->cmd.fua, now()});
    NullDisk::start(s);
  }
};

// (member, sector in the data area, sectors) of every data command of `op`.
using Placement = std::set<std::tuple<int, Sector, uint32_t>>;

struct Rig {
  Simulator sim;
  Machine m{sim, testing::profile(1, 4)};
  std::vector<RecordingDisk*> disks;
  std::unique_ptr<Mddev> md;

  Rig(const ArrayConfig& cfg, const DiskProfile& p) {
    std::vector<std::unique_ptr<Disk>> v;
    for (int i = 0; i < cfg.raid_disks; ++i) {
      const std::string name = std::string("d").append(std::to_string(i));
      auto d = std::make_unique<RecordingDisk>(sim, p, RandomStreams(1).stream(name), name);
      disks.push_back(d.get());
      v.push_back(std::move(d));
    }
    md = std::make_unique<Mddev>(m, cfg, std::move(v));
  }
  Raid10& pers() { return static_cast<Raid10&>(md->personality()); }
  IoResult io(DiskOp op, Sector sector, uint32_t sectors = 8) {
    IoResult out;
    auto body = [](Rig* r, DiskRequest q, IoResult* o) -> Task<void> {
      *o = co_await host_io(*r->md, r->m.cpu(0), q);
    };
    spawn(sim, body(this, DiskRequest{op, sector, sectors}, &out));
    sim.run();
    return out;
  }
  Placement data(DiskOp op) const {
    Placement p;
    for (size_t i = 0; i < disks.size(); ++i) {
      for (const Cmd& c : disks[i]->log) {
        if (c.op == op && c.sector >= kDataOffset) {
          p.emplace(static_cast<int>(i), c.sector - kDataOffset, c.sectors);
        }
      }
    }
    return p;
  }
  void clear_logs() {
    for (RecordingDisk* d : disks) d->log.clear();
  }
};

ArrayConfig raid10(const char* layout, int disks, const char* bitmap = "none") {
  ArrayConfig c;
  c.level = "raid10";
  c.layout = layout;
  c.raid_disks = disks;
  c.chunk_bytes = kChunk * 512;
  c.member_sectors = kMember;
  c.data_offset_sectors = kDataOffset;
  c.bitmap = bitmap;
  return c;
}

DiskProfile member(Time completion = 10 * kMicrosecond, bool rotational = false) {
  DiskProfile p = null_member(completion);
  if (rotational) p.model = "hdd";  // what raid10 reads as "not bdev_nonrot"
  return p;
}

Placement expect(std::initializer_list<std::pair<int, Sector>> copies, uint32_t sectors = 8) {
  Placement p;
  for (auto [d, s] : copies) p.emplace(d, s, sectors);
  return p;
}

struct Case {
  const char* layout;
  int disks;
  Sector sector;
  Placement copies;
};

TEST(Raid10, HandWorkedPlacementsThroughTheIoPath) {
  const std::vector<Case> cases = {
      {"n2", 4, 0, expect({{0, 0}, {1, 0}})},
      {"n2", 4, 1000, expect({{2, 488}, {3, 488}})},
      {"n2", 4, 5000, expect({{2, 2440}, {3, 2440}})},
      {"o2", 4, 200, expect({{1, 72}, {2, 200}})},
      {"o2", 4, 1000, expect({{3, 360}, {0, 488}})},
      {"f2", 4, 200, expect({{1, 72}, {2, 6472}})},
      {"f2", 4, 5000, expect({{3, 1160}, {0, 7560}})},
      {"n3", 3, 1000, expect({{0, 1000}, {1, 1000}, {2, 1000}})},
      {"n3", 5, 200, expect({{3, 72}, {4, 72}, {0, 200}})},
      {"n3", 5, 1000, expect({{1, 616}, {2, 616}, {3, 616}})},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.layout) + " on " + std::to_string(c.disks) + ", sector " +
                 std::to_string(c.sector));
    Rig r(raid10(c.layout, c.disks), member());
    ASSERT_TRUE(r.io(DiskOp::kWrite, c.sector).ok());
    EXPECT_EQ(r.data(DiskOp::kWrite), c.copies);
    EXPECT_TRUE(r.data(DiskOp::kRead).empty());
    r.clear_logs();
    ASSERT_TRUE(r.io(DiskOp::kRead, c.sector).ok());
    const Placement reads = r.data(DiskOp::kRead);
    ASSERT_EQ(reads.size(), 1u);  // one copy read
    EXPECT_TRUE(c.copies.count(*reads.begin()));
    EXPECT_TRUE(r.data(DiskOp::kWrite).empty());
  }
}

TEST(Raid10, EveryWriteLandsWhereFindPhysSaysOnEveryGeometry) {
  const std::vector<std::pair<const char*, int>> geos = {{"n2", 4}, {"o2", 4}, {"f2", 4}, {"n3", 3},
                                                         {"n3", 5}, {"n2", 5}, {"o3", 5}, {"f3", 5},
                                                         {"f4", 4}, {"n6", 6}};
  for (auto [layout, disks] : geos) {
    SCOPED_TRACE(std::string(layout) + " on " + std::to_string(disks));
    Rig r(raid10(layout, disks), member(2 * kMicrosecond));
    const Raid10Geometry& g = r.pers().geometry();
    const Sector blocks = r.md->array_sectors() / 8;
    for (uint64_t k = 0; k < 40; ++k) {
      const Sector s = (k * 7919 % blocks) * 8;
      r.clear_logs();
      ASSERT_TRUE(r.io(DiskOp::kWrite, s).ok());
      Placement want;
      for (const Raid10Copy& c : raid10_find_phys(g, s)) want.emplace(c.member, c.member_sector, 8);
      ASSERT_EQ(want.size(), static_cast<size_t>(g.copies()));
      EXPECT_EQ(r.data(DiskOp::kWrite), want) << "sector " << s;
    }
  }
}

TEST(Raid10, SizesFollowCalcSectorsAndTheBitmapCoversTheArray) {
  const std::vector<std::tuple<const char*, int, Sector>> sizes = {{"n2", 4, 200 * kChunk},
                                                                   {"o2", 4, 200 * kChunk},
                                                                   {"f2", 4, 200 * kChunk},
                                                                   {"n3", 3, 100 * kChunk},
                                                                   {"n3", 5, 166 * kChunk}};
  for (auto [layout, disks, want] : sizes) {
    Rig r(raid10(layout, disks, "bitmap"), member());
    EXPECT_EQ(r.md->array_sectors(), want) << layout << " on " << disks;
    EXPECT_EQ(r.md->bitmap().geometry().sync_size, want) << layout << " on " << disks;
  }
}

TEST(Raid10, ABioCrossingAChunkBoundaryIsSplitThere) {
  Rig r(raid10("n2", 4), member(10 * kMicrosecond));
  IoResult w = r.io(DiskOp::kWrite, 120, 16);
  ASSERT_TRUE(w.ok());
  // [120, 128) is chunk 0 on members 0 and 1; [128, 136) chunk 1 on members 2 and 3.
  EXPECT_EQ(r.data(DiskOp::kWrite), expect({{0, 120}, {1, 120}, {2, 0}, {3, 0}}));
  EXPECT_EQ(r.pers().stats().r10bios, 2u);
  EXPECT_EQ(r.pers().stats().splits, 1u);
  EXPECT_LT(w.latency(), 20 * kMicrosecond);  // the pieces run side by side
  r.clear_logs();
  ASSERT_TRUE(r.io(DiskOp::kRead, 120, 16).ok());
  EXPECT_EQ(r.data(DiskOp::kRead), expect({{0, 120}, {2, 0}}));

  // Three boundaries on f2: 8 + 128 + 128 + 8 sectors, each piece on both copies.
  Rig f(raid10("f2", 4), member());
  ASSERT_TRUE(f.io(DiskOp::kWrite, 120, 272).ok());
  const Placement p = f.data(DiskOp::kWrite);
  EXPECT_EQ(p.size(), 8u);
  uint64_t total = 0;
  for (auto [d, s, n] : p) {
    total += n;
    EXPECT_LE((s % kChunk) + n, kChunk) << "member " << d << " sector " << s;
  }
  EXPECT_EQ(total, 2u * 272);
  EXPECT_EQ(f.pers().stats().splits, 3u);
  EXPECT_EQ(f.md->stats().writes, 1u);
}

TEST(Raid10, DiscardsTakeTheWritePath) {
  Rig r(raid10("n2", 4), member());
  ASSERT_TRUE(r.io(DiskOp::kDiscard, 120, 16).ok());
  EXPECT_EQ(r.data(DiskOp::kDiscard), expect({{0, 120}, {1, 120}, {2, 0}, {3, 0}}));
  EXPECT_TRUE(r.data(DiskOp::kWrite).empty());
  EXPECT_EQ(r.md->stats().discards, 1u);
}

TEST(Raid10, WithNearCopiesOnEveryMemberNothingIsSplit) {
  Rig r(raid10("n3", 3), member());
  ASSERT_TRUE(r.io(DiskOp::kWrite, 100, 300).ok());
  EXPECT_EQ(r.data(DiskOp::kWrite), expect({{0, 100}, {1, 100}, {2, 100}}, 300));
  EXPECT_EQ(r.pers().stats().splits, 0u);
}

TEST(Raid10, TheFirstWriteToAChunkWritesTheBitmapPageToEveryMemberFirst) {
  DiskProfile p = member(10 * kMicrosecond);
  p.null_disk.volatile_cache = true;
  p.null_disk.flush_ns = 5 * kMicrosecond;
  Rig r(raid10("n2", 4, "bitmap"), p);
  IoResult first = r.io(DiskOp::kWrite, 0);
  ASSERT_TRUE(first.ok());
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE("member " + std::to_string(i));
    const std::vector<Cmd>& log = r.disks[static_cast<size_t>(i)]->log;
    const bool holds_copy = i < 2;  // sector 0 of n2 lives on members 0 and 1
    ASSERT_EQ(log.size(), holds_copy ? 3u : 2u);
    EXPECT_EQ(log[0].op, DiskOp::kFlush);  // PREFLUSH
    EXPECT_EQ(log[1].op, DiskOp::kWrite);  // the bitmap page, FUA
    EXPECT_TRUE(log[1].fua);
    EXPECT_EQ(log[1].sector, kBitmapStartSector);
    if (holds_copy) {
      EXPECT_EQ(log[2].sector, kDataOffset);
      EXPECT_GE(log[2].at, log[1].at + 10 * kMicrosecond);  // after the page landed
    }
  }
  EXPECT_GE(first.latency(), 25 * kMicrosecond);
  EXPECT_EQ(r.md->stats().bitmap_page_writes, 1u);
  r.clear_logs();
  IoResult second = r.io(DiskOp::kWrite, 1000);  // same bitmap chunk: no page write
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(r.md->stats().bitmap_page_writes, 1u);
  EXPECT_EQ(r.data(DiskOp::kWrite), expect({{2, 488}, {3, 488}}));
  EXPECT_LT(second.latency(), 15 * kMicrosecond);
}

// A bio split at a chunk boundary counts in the bitmap once per piece with either placement:
// before 6.14 per r10bio; from 6.14 md_clone_bio's startwrite runs from md_account_bio, which
// raid10_write_request calls for each piece it splits off (the rest re-enters md_submit_bio).
TEST(Raid10, BitmapHooksArePerPieceWithEitherPlacement) {
  for (HookPlacement h : {HookPlacement::kPerPersonality, HookPlacement::kMdCore}) {
    ArrayConfig c = raid10("o2", 4, "bitmap");
    c.hooks = h;
    Rig r(c, member());
    ASSERT_TRUE(r.io(DiskOp::kWrite, 120, 16).ok());
    EXPECT_EQ(r.pers().stats().splits, 1u);
    EXPECT_EQ(r.md->stats().bitmap_startwrites, 2u);
    EXPECT_EQ(r.md->stats().bitmap_endwrites, 2u);
  }
}

// Two reads of one sector, the second while the first is in flight: non-rotational members
// balance on pending I/O; rotational far layouts always take the lowest address (the first
// copy).
Placement two_concurrent_reads(const char* layout, Sector s, bool rotational) {
  Rig r(raid10(layout, 4), member(50 * kMicrosecond, rotational));
  auto body = [](Rig* r, int core, Sector s, Time wait) -> Task<void> {
    co_await r->sim.delay(wait);
    IoResult res = co_await host_io(*r->md, r->m.cpu(core), DiskRequest{DiskOp::kRead, s, 8});
    EXPECT_TRUE(res.ok());
  };
  spawn(r.sim, body(&r, 0, s, 0));
  spawn(r.sim, body(&r, 1, s, 5 * kMicrosecond));
  r.sim.run();
  Placement p;
  for (size_t i = 0; i < r.disks.size(); ++i) {
    for (const Cmd& c : r.disks[i]->log) p.emplace(static_cast<int>(i), c.sector - kDataOffset, 0);
  }
  EXPECT_EQ(r.md->stats().reads, 2u);
  return p;
}

TEST(Raid10, ReadBalanceByPendingOnSsdsAndLowestAddressOnFarLayoutHdds) {
  auto at = [](std::initializer_list<std::pair<int, Sector>> l) { return expect(l, 0); };
  EXPECT_EQ(two_concurrent_reads("n2", 0, false), at({{0, 0}, {1, 0}}));
  EXPECT_EQ(two_concurrent_reads("f2", 1000, false), at({{3, 232}, {0, 6632}}));
  EXPECT_EQ(two_concurrent_reads("f2", 1000, true), at({{3, 232}}));  // both on member 3
  EXPECT_EQ(two_concurrent_reads("o2", 1000, true), at({{3, 360}}));
}

// At QD1 nothing is pending: the fewest-pending rule (SSDs) and the idle-near-member rule
// (HDDs) both keep the first copy, so the second member of each n2 pair never reads.
TEST(Raid10, IdleArraysReadTheFirstCopy) {
  for (bool rotational : {false, true}) {
    SCOPED_TRACE(rotational ? "hdd" : "ssd");
    Rig r(raid10("n2", 4), member(20 * kMicrosecond, rotational));
    testing::ArrayLoad seq{
        .op = DiskOp::kRead, .iodepth = 1, .sequential = true, .duration = 1 * kMillisecond};
    testing::run_array_load(*r.md, seq);
    EXPECT_GT(r.disks[0]->log.size() + r.disks[2]->log.size(), 30u);
    EXPECT_EQ(r.disks[1]->log.size(), 0u);
    EXPECT_EQ(r.disks[3]->log.size(), 0u);
  }
}

// Far layouts on HDDs read the copy with the lowest address even when a member's head sits
// right at the other copy (the kernel keeps head_position, but ignores it for far > 1).
TEST(Raid10, FarLayoutsOnHddsIgnoreHeadPosition) {
  Rig r(raid10("f2", 4), member(10 * kMicrosecond, true));
  ASSERT_TRUE(r.io(DiskOp::kWrite, 1000).ok());  // heads: member 3 at 240, member 0 at 6640
  ASSERT_TRUE(r.io(DiskOp::kWrite, 360).ok());   // {2,104},{3,6504}: member 3 now at 6512
  EXPECT_EQ(r.md->member(3).head_position, 6512u);
  EXPECT_EQ(r.md->member(0).head_position, 6640u);
  r.clear_logs();
  ASSERT_TRUE(r.io(DiskOp::kRead, 1000).ok());  // {3,232} (6280 from its head), {0,6632} (8)
  EXPECT_EQ(r.data(DiskOp::kRead), expect({{3, 232}}));
}

TEST(Raid10, DegradedReadsAndWritesUseTheSurvivingCopy) {
  Rig r(raid10("n2", 4, "bitmap"), member());
  r.md->md_error(0);
  EXPECT_TRUE(r.md->degraded());
  ASSERT_TRUE(r.io(DiskOp::kRead, 0).ok());
  EXPECT_EQ(r.data(DiskOp::kRead), expect({{1, 0}}));
  r.clear_logs();
  ASSERT_TRUE(r.io(DiskOp::kWrite, 0).ok());
  EXPECT_EQ(r.data(DiskOp::kWrite), expect({{1, 0}}));
  EXPECT_TRUE(r.disks[0]->log.empty());  // Faulty: not even bitmap pages
  EXPECT_TRUE(r.pers().enough(-1));
  EXPECT_FALSE(r.pers().enough(1));  // chunk 0 would have no copy left
  EXPECT_TRUE(r.pers().enough(2));
  // Member 1 holds chunk 0's last copy: raid10_error (6.12, fail_last_dev off) keeps it
  // In_sync and fails the array (MD_BROKEN); md_submit_bio then fails every write, even to
  // chunks with both copies left, and reads go on.
  EXPECT_FALSE(r.md->broken());
  r.md->md_error(1);
  EXPECT_TRUE(r.md->broken());
  EXPECT_FALSE(r.md->member(1).faulty);
  r.clear_logs();
  EXPECT_TRUE(r.io(DiskOp::kRead, 0).ok());
  EXPECT_EQ(r.data(DiskOp::kRead), expect({{1, 0}}));
  EXPECT_FALSE(r.io(DiskOp::kWrite, 0).ok());
  EXPECT_FALSE(r.io(DiskOp::kWrite, 1000).ok());  // chunk 7 lives on members 2 and 3
  EXPECT_TRUE(r.io(DiskOp::kRead, 1000).ok());
  EXPECT_TRUE(r.data(DiskOp::kWrite).empty());  // the writes never reached a member
}

TEST(Raid10, WithFailLastDevTheLastCopyIsFailedToo) {
  ArrayConfig cfg = raid10("n2", 4, "bitmap");
  cfg.fail_last_dev = true;
  Rig r(cfg, member());
  r.md->md_error(0);
  r.md->md_error(1);
  EXPECT_TRUE(r.md->broken());
  EXPECT_TRUE(r.md->member(1).faulty);
  EXPECT_FALSE(r.io(DiskOp::kRead, 0).ok());      // no copy of chunk 0 left
  EXPECT_TRUE(r.io(DiskOp::kRead, 1000).ok());    // chunk 7: members 2 and 3
  EXPECT_FALSE(r.io(DiskOp::kWrite, 1000).ok());  // MD_BROKEN
}

TEST(Raid10, AFailedReadIsRetriedOnAnotherCopyAndFailsTheMember) {
  Rig r(raid10("f2", 4), member());
  r.disks[3]->fail(0);
  ASSERT_TRUE(r.io(DiskOp::kRead, 1000).ok());  // member 3 first (slot 0), then member 0
  EXPECT_TRUE(r.md->member(3).faulty);
  EXPECT_EQ(r.pers().stats().read_retries, 1u);
  // The failed disk never starts the command; the retry reads the far copy.
  EXPECT_EQ(r.data(DiskOp::kRead), expect({{0, 6632}}));
  EXPECT_EQ(r.disks[3]->stats().op(DiskOp::kRead).errors, 1u);
  EXPECT_EQ(r.disks[0]->stats().op(DiskOp::kRead).errors, 0u);
}

// raid10_end_read_request does not retry when failing the member would leave some data with
// no copy (_enough): f2 on 4 disks without member 2 loses data if member 3 goes too, so a read
// error on member 3 is returned, although this sector's far copy on member 0 is intact.
TEST(Raid10, AReadErrorIsNotRetriedWhenTheArrayCannotSpareTheMember) {
  Rig r(raid10("f2", 4), member());
  r.md->md_error(2);
  EXPECT_TRUE(r.pers().enough(-1));
  EXPECT_FALSE(r.pers().enough(3));
  r.disks[3]->fail(0);
  EXPECT_FALSE(r.io(DiskOp::kRead, 1000).ok());  // {3,232} fails; {0,6632} is not tried
  EXPECT_EQ(r.pers().stats().read_retries, 0u);
  EXPECT_TRUE(r.data(DiskOp::kRead).empty());
  // Nor is md_error called: member 3 stays In_sync and the array is not failed (MD_BROKEN),
  // so a write whose copies avoid member 3 still succeeds.
  EXPECT_FALSE(r.md->member(3).faulty);
  EXPECT_FALSE(r.md->broken());
  EXPECT_TRUE(r.io(DiskOp::kWrite, 0).ok());
}

TEST(Raid10, RunsAreDeterministic) {
  auto once = [] {
    Rig r(raid10("o2", 4, "bitmap"), member(15 * kMicrosecond));
    testing::ArrayLoad l{.op = DiskOp::kWrite,
                         .bs_sectors = 48,
                         .iodepth = 8,
                         .duration = 2 * kMillisecond,
                         .write_percent = 60};
    auto res = testing::run_array_load(*r.md, l);
    std::vector<uint64_t> per_disk;
    for (RecordingDisk* d : r.disks) per_disk.push_back(d->log.size());
    return std::make_tuple(res.ios, res.latency.percentile(99.0), per_disk,
                           r.pers().stats().splits);
  };
  auto a = once();
  EXPECT_GT(std::get<0>(a), 100u);
  EXPECT_EQ(a, once());
}

}  // namespace
}  // namespace mdsim
