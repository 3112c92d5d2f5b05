// The classic md-bitmap (`bitmap`): counter states through start/end/daemon passes,
// COUNTER_MAX, NEEDED/RESYNC through start/end/close_sync, counts.lock acquisitions, and its
// disk image as mdadm reads it. Its pages: classic_pages_test.cc.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <regex>
#include <string>

#include "bitmaps/bitmap_image.h"
#include "bitmaps/bitmap_testing.h"
#include "bitmaps/mdadm_testing.h"

namespace mdsim {
namespace {

using testing::BitmapHost;

const BitmapVariant& classic() { return testing::registered("bitmap"); }

BitmapGeometry geometry(uint64_t chunks = 128, uint64_t chunk_bytes = 64 << 20) {
  return testing::chunked_geometry(chunks, chunk_bytes);
}

class ClassicBitmap : public ::testing::Test {
 protected:
  BitmapHost host{classic(), geometry()};
  const Sector chunk = geometry().chunk_sectors();

  void pass() {
    host.sim().run_until(host.sim().now() + host.bitmap().daemon_sleep());
    host.daemon();
  }
  bool mem_dirty_count(uint64_t n) { return host.bitmap().get_stats().dirty_chunks == n; }
};

TEST_F(ClassicBitmap, RegisteredWithItsDescription) {
  EXPECT_STREQ(classic().description,
               "classic md-bitmap: 16-bit counters under one global counts.lock");
  EXPECT_STREQ(host.bitmap().name(), "bitmap");
}

TEST_F(ClassicBitmap, CounterStatesThroughStartEndAndDaemonPasses) {
  // 0 -> startwrite: bit set in memory (page DIRTY), counter 3; nothing persisted yet.
  host.write_start(2 * chunk, 8);
  EXPECT_TRUE(mem_dirty_count(1));
  EXPECT_FALSE(host.bitmap().persisted_dirty(2));
  host.unplug();
  EXPECT_TRUE(host.bitmap().persisted_dirty(2));
  // A second write: counter n = 4. One ends: 3. Daemon passes leave it alone.
  host.write_start(2 * chunk + 8, 8);
  host.write_end(2 * chunk, 8);
  for (int i = 0; i < 3; ++i) pass();
  EXPECT_TRUE(mem_dirty_count(1));
  EXPECT_TRUE(host.bitmap().persisted_dirty(2));
  // The last one ends: counter 2 (page pending).
  host.write_end(2 * chunk + 8, 8);
  pass();  // 2 -> 1: the bit stays set in memory and on disk
  EXPECT_TRUE(mem_dirty_count(1));
  EXPECT_TRUE(host.bitmap().persisted_dirty(2));
  pass();  // 1 -> 0: the in-memory bit clears, storage page PENDING
  EXPECT_TRUE(mem_dirty_count(0));
  EXPECT_TRUE(host.bitmap().persisted_dirty(2));
  pass();  // PENDING -> NEEDWRITE, written: the persisted bit clears
  EXPECT_FALSE(host.bitmap().persisted_dirty(2));
}

TEST_F(ClassicBitmap, WriteAtOneGoesBackToTwo) {
  host.write_start(4 * chunk, 8);
  host.unplug();
  host.write_end(4 * chunk, 8);
  pass();                          // 2 -> 1
  host.write_start(4 * chunk, 8);  // 1 -> 2 -> 3, no new bit
  uint64_t writes = host.bitmap().get_stats().page_writes;
  host.unplug();
  EXPECT_EQ(host.bitmap().get_stats().page_writes, writes);  // page was not DIRTY again
  host.write_end(4 * chunk, 8);                              // 2
  pass();                                                    // 1
  EXPECT_TRUE(mem_dirty_count(1));
  pass();  // 0
  pass();  // written
  EXPECT_FALSE(host.bitmap().persisted_dirty(4));
}

// need_sync (an endwrite saw events_cleared < mddev->events) marks the superblock page
// NEEDWRITE at the start of the next pass, so a bit the scan then clears on that page is not
// left PENDING for a third pass: it is written by the same pass.
TEST_F(ClassicBitmap, NeedSyncWritesAClearedBitOnePassEarlier) {
  host.write_start(4 * chunk, 8);
  host.unplug();
  host.write_end(4 * chunk, 8);  // need_sync (events_cleared 0 < 1), counter 2
  pass();                        // superblock written; 4: 2 -> 1
  host.mddev().events = 5;
  host.write_start(9 * chunk, 8);
  host.unplug();                 // page 0 no longer DIRTY (the daemon stops at DIRTY pages)
  host.write_end(9 * chunk, 8);  // need_sync again (1 < 5)
  EXPECT_TRUE(host.bitmap().persisted_dirty(4));
  pass();  // page 0 NEEDWRITE, then 4: 1 -> 0 and the page is written in the same pass
  EXPECT_FALSE(host.bitmap().persisted_dirty(4));
  EXPECT_EQ(host.bitmap().get_stats().events_cleared, 5u);
}

TEST_F(ClassicBitmap, CounterMaxBlocksAWriterUntilAnEndwrite) {
  // 16381 writes take the counter from 0 to COUNTER_MAX (0 -> 3, then +1 each).
  host.run([&](SyncExecutor& x) -> Task<void> {
    for (int i = 0; i < 16381; ++i) co_await host.bitmap().startwrite(x, 6 * chunk, 8);
  });
  bool started = false;
  host.start(
      [&](SyncExecutor& x) -> Task<void> {
        co_await host.bitmap().startwrite(x, 6 * chunk, 8);
        started = true;
      },
      1);
  host.settle();
  EXPECT_FALSE(started);
  host.write_end(6 * chunk, 8);
  host.settle();
  EXPECT_TRUE(started);
}

TEST_F(ClassicBitmap, NeededAndResyncThroughStartEndAndCloseSync) {
  host.mddev().degraded = true;
  host.write_start(8 * chunk, 8);
  host.unplug();
  host.write_end(8 * chunk, 8);  // NEEDED | 2
  Sector blocks = 0;
  // A degraded resync answers "needed" but leaves NEEDED (no RESYNC): end_sync changes nothing.
  EXPECT_TRUE(host.start_sync(8 * chunk, &blocks, true));
  EXPECT_EQ(blocks, chunk);
  host.run([&](SyncExecutor& x) { return host.bitmap().end_sync(x, 8 * chunk, &blocks); });
  host.mddev().degraded = false;
  for (int i = 0; i < 3; ++i) pass();
  EXPECT_TRUE(host.bitmap().persisted_dirty(8));
  // Not degraded: NEEDED -> RESYNC (still "needed").
  EXPECT_TRUE(host.start_sync(8 * chunk + 16, &blocks));
  EXPECT_EQ(blocks, chunk - 16);
  EXPECT_TRUE(host.start_sync(8 * chunk, &blocks));  // RESYNC answers "needed" too
  // end_sync is md's abort path (bitmap_end_sync = __bitmap_end_sync(aborted = true)): RESYNC
  // goes back to NEEDED, so the chunk still needs resync and its bit stays.
  host.run([&](SyncExecutor& x) { return host.bitmap().end_sync(x, 8 * chunk, &blocks); });
  for (int i = 0; i < 3; ++i) pass();
  EXPECT_TRUE(host.bitmap().persisted_dirty(8));
  EXPECT_TRUE(host.start_sync(8 * chunk, &blocks));  // NEEDED -> RESYNC again
  // close_sync ends it (aborted = false): counter 2, pending; the bit clears 3 passes later.
  host.run([&](SyncExecutor& x) { return host.bitmap().close_sync(x); });
  EXPECT_FALSE(host.start_sync(8 * chunk, &blocks));
  for (int i = 0; i < 2; ++i) pass();
  EXPECT_TRUE(host.bitmap().persisted_dirty(8));
  pass();
  EXPECT_FALSE(host.bitmap().persisted_dirty(8));
}

TEST_F(ClassicBitmap, CloseSyncEndsEveryResync) {
  std::vector<uint8_t> image = host.bitmap().disk_image();
  image[256] = 0x06;  // chunks 1 and 2 dirty
  BitmapHost h(classic(), geometry());
  h.bitmap().load_image(image);
  EXPECT_EQ(h.bitmap().get_stats().dirty_chunks, 2u);
  Sector blocks = 0;
  EXPECT_TRUE(h.start_sync(chunk, &blocks));
  EXPECT_TRUE(h.start_sync(2 * chunk, &blocks));
  EXPECT_FALSE(h.start_sync(3 * chunk, &blocks));
  h.run([&](SyncExecutor& x) { return h.bitmap().close_sync(x); });
  EXPECT_FALSE(h.start_sync(chunk, &blocks));
  EXPECT_FALSE(h.start_sync(2 * chunk, &blocks));
  for (int i = 0; i < 3; ++i) {
    h.sim().run_until(h.sim().now() + h.bitmap().daemon_sleep());
    h.daemon();
  }
  EXPECT_FALSE(h.bitmap().persisted_dirty(1));
  EXPECT_FALSE(h.bitmap().persisted_dirty(2));
}

TEST_F(ClassicBitmap, MissingCounterPageIsNotNeededForItsWholeSpan) {
  Sector blocks = 0;
  EXPECT_FALSE(host.start_sync(5 * chunk, &blocks));
  EXPECT_EQ(blocks, 2048 * chunk - 5 * chunk);
}

TEST_F(ClassicBitmap, CountsLockIsTakenOncePerChunkAtStartAndAtEnd) {
  host.write_start(0, 8);  // allocates counter page 0 (the lock is dropped and retaken)
  const LockClass& lc = host.machine().lock_stats().get("&bitmap->counts.lock");
  EXPECT_EQ(lc.side(LockSide::kWrite).hold.nr, 2u);
  host.write_end(0, 8);
  uint64_t before = lc.side(LockSide::kWrite).hold.nr;
  Sector off = 3 * chunk + chunk - 8;  // chunks 3 and 4
  host.write_start(off, 16);
  EXPECT_EQ(lc.side(LockSide::kWrite).hold.nr - before, 2u);
  host.write_end(off, 16);
  EXPECT_EQ(lc.side(LockSide::kWrite).hold.nr - before, 4u);
  // The daemon's scan is one hold, however many counters it walks.
  before = lc.side(LockSide::kWrite).hold.nr;
  pass();
  EXPECT_EQ(lc.side(LockSide::kWrite).hold.nr - before, 1u);
}

TEST_F(ClassicBitmap, DegradedEndwriteKeepsEventsCleared) {
  host.mddev().events = 7;
  host.write_start(chunk, 8);
  host.write_end(chunk, 8);
  EXPECT_EQ(host.bitmap().get_stats().events_cleared, 7u);
  host.mddev().events = 9;
  host.mddev().degraded = true;
  host.write_start(chunk, 8);
  host.write_end(chunk, 8);
  EXPECT_EQ(host.bitmap().get_stats().events_cleared, 7u);
}

TEST_F(ClassicBitmap, DiskImageIsReadByMdadm) {
  host.mddev().events = 12;
  host.write_start(3 * chunk + chunk - 8, 16);  // chunks 3, 4
  host.write_start(100 * chunk, 8);
  host.unplug();
  host.write_end(100 * chunk, 8);
  pass();  // need_sync: events_cleared 12 written with the superblock page
  std::vector<uint8_t> img = host.bitmap().disk_image();
  ASSERT_EQ(img.size(), 256u + 16u);
  BitmapSuper sb = read_bitmap_super(img);
  ASSERT_TRUE(sb.ok()) << sb.error;
  EXPECT_EQ(sb.events, 12u);
  EXPECT_EQ(sb.events_cleared, 12u);
  EXPECT_EQ(sb.chunks(), 128u);
  EXPECT_EQ(count_dirty_bits(bitmap_image_bits(img), 128), 3u);

  std::string out;
  ASSERT_TRUE(testing::mdadm_examine_bitmap(img, &out));
  EXPECT_NE(out.find("Bitmap : 128 bits (chunks), 3 dirty"), std::string::npos) << out;
}

}  // namespace
}  // namespace mdsim
