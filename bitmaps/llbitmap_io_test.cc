// The llbitmap variant's I/O and resync paths: dirty 512-byte sub-blocks and infection,
// unplug writing only dirty blocks (and waiting for every bitmap write in flight, or for none),
// resync skipping Unwritten chunks, end/close/cond_end_sync, and reload.
#include <gtest/gtest.h>

#include "bitmaps/llbitmap_testing.h"

namespace mdsim {
namespace {

using testing::ll_paged;
using testing::ll_small;
using testing::LlbitmapHost;

// ll_paged(): page 0 holds chunks 0..3071; block 2 is chunks 0..511, block 3 512..1023, ...
class LlbitmapBlocks : public ::testing::Test {
 protected:
  LlbitmapHost t{ll_paged()};
  Llbitmap& bm = t.bm();
  uint64_t blocks() { return bm.counters().block_writes; }
  uint64_t infections() { return bm.counters().infections; }
};

TEST_F(LlbitmapBlocks, UnplugWritesOnlyTheDirtyBlock) {
  t.write(0);
  EXPECT_EQ(blocks(), 1u);
  EXPECT_EQ(bm.counters().page_writes, 1u);
  EXPECT_EQ(infections(), 0u);
  EXPECT_EQ(bm.state(1), kLlUnwritten);
  EXPECT_EQ(bm.persisted_state(0), kLlDirty);
  EXPECT_EQ(t.host.io().writes(), 1u);  // BitmapIo sees page 0 once
}

TEST_F(LlbitmapBlocks, ASecondDirtyStateInABlockInfectsTheWholeBlock) {
  t.write(0);
  // The block was written (its bit is clear), but chunk 0 is Dirty: chunk 1 infects.
  t.write(1);
  EXPECT_EQ(infections(), 1u);
  EXPECT_EQ(blocks(), 2u);
  for (uint64_t c : {2u, 300u, 511u}) EXPECT_EQ(bm.state(c), kLlDirty) << c;
  EXPECT_EQ(bm.state(512), kLlUnwritten);  // block 3 untouched
  EXPECT_EQ(bm.persisted_state(511), kLlDirty);
  // Later writes anywhere in the block are free: no state change, no I/O.
  uint64_t writes = t.host.io().writes();
  t.write(300);
  t.write(17);
  EXPECT_EQ(t.host.io().writes(), writes);
  EXPECT_EQ(blocks(), 2u);
}

TEST_F(LlbitmapBlocks, TwoWritesBeforeTheUnplugInfectThroughTheDirtyBit) {
  t.host.write_start(t.at(512), 8);  // block 3, all Unwritten: no infection yet
  EXPECT_EQ(infections(), 0u);
  EXPECT_EQ(bm.state(600), kLlUnwritten);
  t.host.write_start(t.at(513), 8);  // test_and_set_bit finds the block's bit set
  EXPECT_EQ(infections(), 1u);
  EXPECT_EQ(bm.state(600), kLlDirty);
  EXPECT_EQ(bm.state(1023), kLlDirty);
  EXPECT_EQ(bm.state(1024), kLlUnwritten);
  t.host.unplug();
  EXPECT_EQ(blocks(), 1u);  // one block for both
}

TEST_F(LlbitmapBlocks, CleanStatesAreInfectedToo) {
  for (uint64_t c = 0; c < 512; ++c) bm.set_state_for_test(c, kLlClean);
  t.write(10);
  t.write(20);
  EXPECT_EQ(bm.state(400), kLlDirty);
}

TEST_F(LlbitmapBlocks, DegradedWritesNeverInfect) {
  t.host.mddev().degraded = true;
  t.host.write_start(t.at(1024), 8);
  t.host.write_start(t.at(1025), 8);
  EXPECT_EQ(bm.state(1024), kLlNeedSync);
  EXPECT_EQ(bm.state(1025), kLlNeedSync);
  EXPECT_EQ(bm.state(1026), kLlUnwritten);
  EXPECT_EQ(infections(), 0u);
}

TEST_F(LlbitmapBlocks, Raid456InfectionMakesUnwrittenNeedSync) {
  BitmapGeometry g = ll_paged();
  g.raid456 = true;
  LlbitmapHost r(g);
  r.write(0);
  r.write(1);
  EXPECT_EQ(r.state(0), kLlNeedSync);
  EXPECT_EQ(r.state(400), kLlNeedSync);
}

TEST_F(LlbitmapBlocks, BlocksOnSeveralPagesAreOneBitmapIoCall) {
  t.host.write_start(t.at(0), 8);
  t.host.write_start(t.at(1024), 8);  // page 0, block 4
  t.host.write_start(t.at(3072), 8);  // page 1, block 0
  t.host.unplug();
  EXPECT_EQ(blocks(), 3u);
  EXPECT_EQ(bm.counters().page_writes, 2u);
  EXPECT_EQ(t.host.io().calls(), 1u);
}

TEST_F(LlbitmapBlocks, UnplugWithNothingDirtyDoesNotWaitForAnotherUnplugsWrite) {
  // As llbitmap_unplug: llbitmap_dirty() false -> return, even while the block holding this
  // write's Dirty state is still being written by another unplug (md_super_wait is skipped).
  t.host.write_start(t.at(0), 8);
  bool first = false, second = false;
  t.host.start([&](SyncExecutor& x) -> Task<void> {
    co_await bm.unplug(x, t.host.io(), true);
    first = true;
  });
  t.host.sim().run_until(t.host.sim().now() + 5 * kMicrosecond);
  ASSERT_FALSE(first);
  t.host.start(
      [&](SyncExecutor& x) -> Task<void> {
        co_await bm.startwrite(x, t.at(0), 8);  // Dirty already: nothing to do
        co_await bm.unplug(x, t.host.io(), true);
        second = true;
      },
      1);
  t.host.sim().run_until(t.host.sim().now() + 1 * kMicrosecond);
  EXPECT_TRUE(second);
  EXPECT_FALSE(first);
  EXPECT_EQ(bm.persisted_state(0), kLlUnwritten);
  t.host.settle();
  EXPECT_TRUE(first);
}

TEST(LlbitmapSync, ResyncSkipsUnwrittenAndCleanChunks) {
  LlbitmapHost t;
  Llbitmap& bm = t.bm();
  Sector blocks = 0;
  EXPECT_FALSE(t.host.start_sync(t.at(3) + 8, &blocks));  // a new array: all Unwritten
  EXPECT_EQ(blocks, t.geo.chunk_sectors() - 8);
  EXPECT_EQ(bm.skip_sync_blocks(t.at(3), true, false), t.geo.chunk_sectors());
  EXPECT_EQ(bm.skip_sync_blocks(t.at(3), false, false), t.geo.chunk_sectors());  // recovery
  EXPECT_FALSE(bm.blocks_synced(t.at(3)));
  bm.set_state_for_test(4, kLlClean);
  EXPECT_FALSE(t.start_sync(4));
  EXPECT_EQ(bm.skip_sync_blocks(t.at(4), true, false), t.geo.chunk_sectors());
  EXPECT_EQ(bm.skip_sync_blocks(t.at(4), true, true), 0u);    // user-requested check/repair
  EXPECT_EQ(bm.skip_sync_blocks(t.at(4), false, false), 0u);  // recovery copies written data
  EXPECT_TRUE(bm.blocks_synced(t.at(4)));
  t.host.mddev().degraded = true;
  EXPECT_EQ(bm.skip_sync_blocks(t.at(4), true, false), 0u);
  EXPECT_EQ(bm.skip_sync_blocks(t.at(3), true, false), t.geo.chunk_sectors());
  EXPECT_EQ(bm.skip_sync_blocks(t.at(200), true, false), 0u);  // past the end
}

TEST(LlbitmapSync, StartEndCloseSync) {
  LlbitmapHost t;
  Llbitmap& bm = t.bm();
  for (uint64_t c : {2u, 3u, 4u}) bm.set_state_for_test(c, kLlNeedSync);
  for (uint64_t c : {2u, 3u, 4u}) EXPECT_TRUE(t.start_sync(c));
  EXPECT_EQ(bm.state(3), kLlSyncing);
  EXPECT_TRUE(t.start_sync(3));  // Syncing + Startsync: still Syncing, still "needed"
  t.end_sync(3);                 // aborted at chunk 3: 3 and 4 need sync again
  EXPECT_EQ(bm.state(2), kLlSyncing);
  EXPECT_EQ(bm.state(3), kLlNeedSync);
  EXPECT_EQ(bm.state(4), kLlNeedSync);
  t.close_sync();  // Syncing -> Dirty; the daemon may clean at its next pass
  EXPECT_EQ(bm.state(2), kLlDirty);
  EXPECT_EQ(bm.state(3), kLlNeedSync);
  t.host.daemon_periods(2);
  EXPECT_EQ(bm.state(2), kLlClean);
}

TEST(LlbitmapSync, CondEndSyncRecordsProgressOncePerDaemonSleepAndFlushes) {
  LlbitmapHost t;
  Llbitmap& bm = t.bm();
  for (uint64_t c = 0; c < 4; ++c) bm.set_state_for_test(c, kLlSyncing);
  t.cond_end_sync(0, false);
  t.cond_end_sync(t.at(2) + 5, false);  // within daemon_sleep of the start: nothing
  EXPECT_EQ(bm.state(0), kLlSyncing);
  t.cond_end_sync(t.at(2) + 5, true);  // chunks below chunk 2 are done
  EXPECT_EQ(bm.state(0), kLlDirty);
  EXPECT_EQ(bm.state(1), kLlDirty);
  EXPECT_EQ(bm.state(2), kLlSyncing);
  uint64_t before = bm.counters().block_writes;
  t.host.unplug();  // carries the __llbitmap_flush: every block of every page
  EXPECT_EQ(bm.counters().block_writes - before, bm.pages() * Llbitmap::kBlocksPerPage);
  EXPECT_EQ(bm.persisted_state(2), kLlSyncing);
}

TEST(LlbitmapSync, ReloadInfectsBlocksHoldingTwoDirtyChunks) {
  // As the kernel: Reload's NeedSync goes through llbitmap_set_page_dirty, so a block with a
  // second Dirty/NeedSync state is infected while loading, and the infected chunks after it
  // are then reloaded to NeedSync too.
  LlbitmapHost t(ll_paged());
  std::vector<uint8_t> image = t.bm().disk_image();
  image[kLlbitmapDataOffset + 600] = kLlDirty;
  image[kLlbitmapDataOffset + 2000] = kLlDirty;  // block 5 (1536..2047) alone
  image[kLlbitmapDataOffset + 2100] = kLlDirty;  // block 6 (2048..2559) with 2101
  image[kLlbitmapDataOffset + 2101] = kLlDirty;
  t.bm().load_image(image);
  EXPECT_EQ(t.state(600), kLlNeedSync);
  EXPECT_EQ(t.state(601), kLlUnwritten);
  EXPECT_EQ(t.state(2000), kLlNeedSync);
  EXPECT_EQ(t.state(2048), kLlDirty);  // infected before the scan reached it
  EXPECT_EQ(t.state(2100), kLlNeedSync);
  EXPECT_EQ(t.state(2559), kLlNeedSync);  // infected, then reloaded
  EXPECT_EQ(t.state(2560), kLlUnwritten);
  EXPECT_TRUE(t.start_sync(2559));
  EXPECT_FALSE(t.start_sync(2048));
}

TEST(LlbitmapSync, ABadImageResyncsEverything) {
  LlbitmapHost t;
  std::vector<uint8_t> image = t.bm().disk_image();
  image[4] = 4;  // a classic bitmap superblock
  t.bm().load_image(image);
  EXPECT_TRUE(t.start_sync(0));
  EXPECT_TRUE(t.bm().persisted_dirty(127));
}

TEST(LlbitmapSync, DirtyBitsAndDiscard) {
  LlbitmapHost t(ll_paged());
  t.bm().dirty_bits(10, 10);
  EXPECT_EQ(t.state(10), kLlDirty);
  EXPECT_EQ(t.state(11), kLlUnwritten);
  t.discard(10);
  EXPECT_EQ(t.state(10), kLlUnwritten);
  // 6.18's llbitmap_start_discard rounds the start up to a chunk but takes the end chunk
  // inclusively, so a partly covered last chunk is discarded too (later kernels align the
  // range first, llbitmap_encode_discard_range).
  t.bm().set_state_for_test(12, kLlDirty);
  t.bm().set_state_for_test(13, kLlDirty);
  t.host.run([&](SyncExecutor& x) -> Task<void> {
    co_await t.bm().start_discard(x, t.at(12) + 8, t.geo.chunk_sectors());
    co_await t.bm().end_discard(x, t.at(12) + 8, t.geo.chunk_sectors());
  });
  EXPECT_EQ(t.state(12), kLlDirty);
  EXPECT_EQ(t.state(13), kLlUnwritten);
}

}  // namespace
}  // namespace mdsim
