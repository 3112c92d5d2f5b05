// raid5 and the bitmap: raid5_bitmap_sector, where startwrite/endwrite are called before and
// from Linux 6.14, and STRIPE_BIT_DELAY batching of bitmap writes in raid5d.
#include <gtest/gtest.h>

#include <vector>

#include "raid/raid5.h"
#include "raid/raid5_testing.h"

namespace mdsim {
namespace {

using testing::raid5_config;
using testing::Raid5Rig;

// 4 members, 8 KiB chunk: a stripe holds 3 * 16 = 48 array sectors and 16 sectors per member.
TEST(Raid5Bitmap, BitmapSectorMapsWholeStripesToMemberSectors) {
  Raid5Rig r(raid5_config(4, 8192, "bitmap"));
  struct Case {
    Sector offset;
    uint64_t sectors;
    Sector want_offset;
    uint64_t want_sectors;
  };
  const Case cases[] = {
      {0, 96, 0, 32},    // the commit's 48 KiB example: stripes 0-1
      {10, 1, 0, 16},    // inside stripe 0
      {50, 10, 16, 16},  // inside stripe 1
      {40, 20, 0, 32},   // across the stripe 0/1 boundary
      {480, 48, 160, 16},
  };
  for (const Case& c : cases) {
    Sector off = c.offset;
    uint64_t n = c.sectors;
    r.r5().bitmap_sector(&off, &n);
    EXPECT_EQ(off, c.want_offset) << c.offset << "+" << c.sectors;
    EXPECT_EQ(n, c.want_sectors) << c.offset << "+" << c.sectors;
  }
  EXPECT_EQ(r.r5().bitmap_sectors(), r.md->member_sectors() / 16 * 16);
}

// Commit cd5fc653's example: a 48 KiB write on a 4-disk raid5 with 8 KiB chunks touches 12
// stripe_head blocks, so before 6.14 raid5 called startwrite 12 times; md core calls it once.
TEST(Raid5Bitmap, StartwriteOncePerBlockBefore614AndOncePerBioFrom614) {
  for (HookPlacement h : {HookPlacement::kPerPersonality, HookPlacement::kMdCore}) {
    ArrayConfig cfg = raid5_config(4, 8192, "bitmap");
    cfg.hooks = h;
    Raid5Rig r(cfg);
    ASSERT_TRUE(r.io(DiskOp::kWrite, 0, 96).ok());
    const uint64_t want = h == HookPlacement::kPerPersonality ? 12 : 1;
    EXPECT_EQ(r.md->stats().bitmap_startwrites, want);
    EXPECT_EQ(r.md->stats().bitmap_endwrites, want);
    EXPECT_EQ(r.r5().stats().full_stripe_writes, 4u);  // 2 stripes x 2 rows
  }
}

struct BatchResult {
  uint64_t batches, page_writes, delayed;
  bool ok;
};

// `n` first writes to distinct stripes in one bitmap chunk (stripe k's first row), all at
// once from n cores or one after another.
BatchResult first_writes(HookPlacement h, int n, bool concurrent) {
  ArrayConfig cfg = raid5_config(5, 64 * 1024, "bitmap");
  cfg.hooks = h;
  Raid5Rig r(cfg, 16);
  const Sector stripe = 4 * 64 * 1024 / 512;
  std::vector<DiskRequest> bios;
  for (int k = 0; k < n; ++k) bios.push_back({DiskOp::kWrite, stripe * static_cast<Sector>(k), 8});
  bool ok = true;
  if (concurrent) {
    for (const IoResult& res : r.run(bios)) ok &= res.ok();
  } else {
    for (const DiskRequest& b : bios) ok &= r.run({b})[0].ok();
  }
  return {r.r5().stats().bitmap_batches, r.md->stats().bitmap_page_writes,
          r.r5().stats().bit_delayed, ok};
}

// STRIPE_BIT_DELAY: every new write waits on bitmap_list for raid5d's next bitmap unplug;
// stripes that arrive together share one unplug and one page write.
TEST(Raid5Bitmap, ConcurrentFirstWritesShareOneBitmapBatch) {
  for (HookPlacement h : {HookPlacement::kPerPersonality, HookPlacement::kMdCore}) {
    SCOPED_TRACE(h == HookPlacement::kMdCore ? "6.14" : "pre-6.14");
    const BatchResult together = first_writes(h, 8, true);
    EXPECT_TRUE(together.ok);
    EXPECT_EQ(together.delayed, 8u);
    EXPECT_EQ(together.batches, 1u);
    EXPECT_EQ(together.page_writes, 1u);
    const BatchResult apart = first_writes(h, 8, false);
    EXPECT_TRUE(apart.ok);
    EXPECT_EQ(apart.delayed, 8u);
    EXPECT_EQ(apart.batches, 8u);  // one unplug each (only the first finds a dirty page)
    EXPECT_EQ(apart.page_writes, 1u);
  }
}

// The data waits for the bitmap: the first write to a chunk pays the page write before its
// rmw reads and writes; a later one in the same chunk waits only for an empty unplug.
TEST(Raid5Bitmap, TheFirstWriteToAChunkWaitsForTheBitmapPage) {
  Raid5Rig r(raid5_config(5, 64 * 1024, "bitmap"));
  const IoResult first = r.io(DiskOp::kWrite, 0);
  ASSERT_TRUE(first.ok());
  EXPECT_GE(first.latency(), 30 * kMicrosecond);  // page, reads, writes: 10 us each
  const uint64_t page_writes = r.md->stats().bitmap_page_writes;
  EXPECT_EQ(page_writes, 1u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(r.writes(i), i == 0 || i == 4 ? 2u : 1u) << i;
  const IoResult second = r.io(DiskOp::kWrite, 512 * 8);  // another row, same bitmap chunk
  ASSERT_TRUE(second.ok());
  EXPECT_GE(second.latency(), 20 * kMicrosecond);
  EXPECT_GE(first.latency() - second.latency(), 9 * kMicrosecond);  // the page write
  EXPECT_EQ(r.md->stats().bitmap_page_writes, page_writes);
  EXPECT_EQ(r.r5().stats().bitmap_batches, 2u);
}

}  // namespace
}  // namespace mdsim
