// `epoch` (epoch_bitmap.h): degraded writes, resync hooks, load after a crash, dirty_bits,
// stats, the image as Debian's mdadm reads it, and the write path on the native executor.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>

#include "bitmaps/bitmap_image.h"
#include "bitmaps/bitmap_testing.h"
#include "bitmaps/mdadm_testing.h"
#include "bitmaps/epoch_bitmap.h"
#include "bitmaps/native_sync.h"

namespace mdsim {
namespace {

using testing::BitmapHost;

const BitmapVariant& epoch_variant() { return testing::registered("epoch"); }

BitmapGeometry geometry() {
  BitmapGeometry g;
  g.chunk_bytes = 64 << 20;
  g.sync_size = 128 * g.chunk_bytes / 512;
  return g;
}

class EpochSync : public ::testing::Test {
 protected:
  BitmapHost host{epoch_variant(), geometry()};
  EpochBitmap& eb = dynamic_cast<EpochBitmap&>(host.bitmap());
  const Sector chunk = geometry().chunk_sectors();

  void end_sync(uint64_t c) {
    Sector blocks = 0;
    host.run([&](SyncExecutor& x) { return eb.end_sync(x, c * chunk, &blocks); });
    EXPECT_EQ(blocks, chunk);
  }
};

TEST_F(EpochSync, DegradedWriteNeedsSyncUntilResyncedThenCleans) {
  host.mddev().degraded = true;
  host.write_start(8 * chunk, 8);
  host.unplug();
  host.write_end(8 * chunk, 8);
  EXPECT_EQ(eb.state(8), EpochState::kNeedSync);
  Sector blocks = 0;
  EXPECT_TRUE(host.start_sync(8 * chunk, &blocks, /*degraded=*/true));  // needed, unchanged
  EXPECT_EQ(eb.state(8), EpochState::kNeedSync);
  host.mddev().degraded = false;
  host.daemon_periods(3);
  EXPECT_TRUE(host.bitmap().persisted_dirty(8));  // the daemon never cleans NeedSync
  EXPECT_TRUE(host.start_sync(8 * chunk + 16, &blocks));
  EXPECT_EQ(blocks, chunk - 16);
  EXPECT_EQ(eb.state(8), EpochState::kSyncing);
  EXPECT_TRUE(host.start_sync(8 * chunk, &blocks));  // Syncing answers "needed" too
  EXPECT_FALSE(host.start_sync(9 * chunk, &blocks));
  end_sync(8);
  EXPECT_EQ(eb.state(8), EpochState::kDirty);
  EXPECT_FALSE(host.start_sync(8 * chunk, &blocks));
  host.daemon_periods(2);
  EXPECT_FALSE(host.bitmap().persisted_dirty(8));
}

// A write whose chunk a pass picked (it aged while the write was in flight) ends degraded:
// NeedSync beats the pass's Cleaning -> Clean.
TEST_F(EpochSync, ADegradedEndDuringTheDrainKeepsItsChunk) {
  host.write_start(4 * chunk, 8);
  host.unplug();
  host.daemon();  // Dirty -> Idle, the write in flight
  host.daemon();  // Idle -> Cleaning, flip; the drain waits for the write
  ASSERT_TRUE(eb.draining(0));
  ASSERT_EQ(eb.state(4), EpochState::kCleaning);
  host.mddev().degraded = true;  // a member failed under the write
  host.write_end(4 * chunk, 8);  // NeedSync, then the put ends the drain
  EXPECT_FALSE(eb.draining(0));
  EXPECT_EQ(eb.state(4), EpochState::kNeedSync);
  EXPECT_EQ(eb.counters().cleaned, 0u);
  host.mddev().degraded = false;
  host.daemon_periods(3);
  EXPECT_TRUE(host.bitmap().persisted_dirty(4));
}

TEST_F(EpochSync, LoadedDirtyChunksNeedResyncAndCloseSyncEndsThem) {
  std::vector<uint8_t> image = host.bitmap().disk_image();
  image[256] = 0x06;  // chunks 1 and 2 dirty
  BitmapHost h(epoch_variant(), geometry());
  auto& b = dynamic_cast<EpochBitmap&>(h.bitmap());
  h.bitmap().load_image(image);
  EXPECT_EQ(h.bitmap().get_stats().dirty_chunks, 2u);
  EXPECT_TRUE(h.bitmap().persisted_dirty(1));
  EXPECT_EQ(b.state(1), EpochState::kNeedSync);
  Sector blocks = 0;
  EXPECT_TRUE(h.start_sync(chunk, &blocks));
  EXPECT_TRUE(h.start_sync(2 * chunk, &blocks));
  EXPECT_FALSE(h.start_sync(3 * chunk, &blocks));
  h.run([&](SyncExecutor& x) { return b.close_sync(x); });
  EXPECT_EQ(b.state(1), EpochState::kDirty);
  EXPECT_FALSE(h.start_sync(chunk, &blocks));
  h.daemon_periods(2);
  EXPECT_FALSE(h.bitmap().persisted_dirty(1));
  EXPECT_FALSE(h.bitmap().persisted_dirty(2));
}

TEST_F(EpochSync, CondEndSyncEndsChunksWhollyBelowTheSector) {
  host.bitmap().dirty_bits(1, 3);
  Sector blocks = 0;
  for (uint64_t c = 1; c <= 3; ++c) EXPECT_TRUE(host.start_sync(c * chunk, &blocks));
  host.run([&](SyncExecutor& x) { return eb.cond_end_sync(x, 0, false); });
  host.run([&](SyncExecutor& x) { return eb.cond_end_sync(x, 3 * chunk - 8, false); });
  EXPECT_EQ(eb.state(1), EpochState::kDirty);
  EXPECT_EQ(eb.state(2), EpochState::kSyncing);  // not wholly below the sector
  host.run([&](SyncExecutor& x) { return eb.cond_end_sync(x, 4 * chunk, true); });
  EXPECT_EQ(eb.state(2), EpochState::kDirty);
  EXPECT_EQ(eb.state(3), EpochState::kDirty);
}

TEST_F(EpochSync, DirtyBitsAreWrittenByTheNextUnplug) {
  host.bitmap().dirty_bits(10, 12);
  EXPECT_EQ(eb.state(11), EpochState::kNeedSync);
  EXPECT_FALSE(host.bitmap().persisted_dirty(11));
  host.unplug();
  for (uint64_t c = 10; c <= 12; ++c) EXPECT_TRUE(host.bitmap().persisted_dirty(c));
  EXPECT_EQ(host.bitmap().get_stats().page_writes, 1u);
}

TEST_F(EpochSync, UnplugWritesOnlyWhenABitWasSet) {
  host.write_start(0, 8);
  host.unplug();
  host.unplug();
  host.write_start(8, 8);  // same chunk, already Dirty
  host.unplug();
  EXPECT_EQ(host.io().writes(), 1u);
  BitmapStats s = host.bitmap().get_stats();
  EXPECT_EQ(s.page_writes, 1u);
  EXPECT_EQ(s.dirty_chunks, 1u);
  EXPECT_EQ(s.pages, 1u);
  EXPECT_EQ(s.file_pages, 1u);
  EXPECT_EQ(s.missing_pages, 0u);
}

// A second first write in a 64-chunk line dirties the whole line in the same RMW, so later
// first writes there need no page write; the daemon cleans what stays unwritten.
TEST_F(EpochSync, ASecondFirstWriteInALineInfectsItAndTheDaemonCleansTheRest) {
  host.write_start(64 * chunk, 8);  // line 1's first: only chunk 64
  host.unplug();
  EXPECT_EQ(host.bitmap().get_stats().dirty_chunks, 1u);
  host.write_start(70 * chunk, 8);  // line 1's second: all of 64..127
  host.unplug();
  EXPECT_EQ(host.bitmap().get_stats().dirty_chunks, 64u);
  EXPECT_EQ(eb.counters().infected, 62u);
  uint64_t writes = host.io().writes();
  host.write_start(100 * chunk, 8);  // already Dirty: no page write
  host.unplug();
  EXPECT_EQ(host.io().writes(), writes);
  EXPECT_TRUE(host.bitmap().persisted_dirty(127));
  for (uint64_t c : {64, 70, 100}) host.write_end(c * chunk, 8);
  host.daemon_periods(2);  // the written and the infected alike
  EXPECT_EQ(host.bitmap().get_stats().dirty_chunks, 0u);
  EXPECT_FALSE(host.bitmap().persisted_dirty(127));
}

TEST_F(EpochSync, DegradedFirstWritesDoNotInfect) {
  host.mddev().degraded = true;
  host.write_start(64 * chunk, 8);
  host.write_start(70 * chunk, 8);
  EXPECT_EQ(host.bitmap().get_stats().dirty_chunks, 2u);
  EXPECT_EQ(eb.counters().infected, 0u);
}

TEST_F(EpochSync, DiskImageIsReadByMdadm) {
  host.mddev().events = 12;
  host.write_start(100 * chunk, 8);
  host.unplug();
  host.write_end(100 * chunk, 8);
  host.daemon_periods(2);  // 100 is cleaned: events_cleared 12 goes out with page 0
  host.write_start(63 * chunk + chunk - 8, 16);  // chunks 63, 64 (two lines), in flight
  host.unplug();
  std::vector<uint8_t> img = host.bitmap().disk_image();
  ASSERT_EQ(img.size(), 256u + 16u);
  BitmapSuper sb = read_bitmap_super(img);
  ASSERT_TRUE(sb.ok()) << sb.error;
  EXPECT_EQ(sb.version, 4u);
  EXPECT_EQ(sb.events, 12u);
  EXPECT_EQ(sb.events_cleared, 12u);
  EXPECT_EQ(sb.chunks(), 128u);
  EXPECT_EQ(count_dirty_bits(bitmap_image_bits(img), 128), 2u);

  std::string out;
  ASSERT_TRUE(testing::mdadm_examine_bitmap(img, &out));
  EXPECT_NE(out.find("Bitmap : 128 bits (chunks), 2 dirty"), std::string::npos) << out;
  EXPECT_NE(out.find("Events Cleared : 12"), std::string::npos) << out;
}

void drive(Task<void> t) {
  auto h = t.handle();
  h.resume();  // native steps complete inline
  ASSERT_TRUE(t.done());
}

// The same variant on real threads: every step completes inline, refs balance.
TEST(EpochNative, ThreadsRunTheWritePathInline) {
  MddevView mddev;
  EpochBitmap b(geometry(), &mddev);
  NativeSyncDomain d(b.decls(), 4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      NativeExecutor x(d, t);
      for (int i = 0; i < 2000; ++i) {
        Sector off = static_cast<Sector>((i * 7 + t) % 128) * geometry().chunk_sectors();
        WriteCookie ck;
        drive(b.startwrite_tracked(x, off, 8, ck));
        drive(b.endwrite_tracked(x, off, 8, ck));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(b.get_stats().dirty_chunks, 128u);
  for (int i = 0; i < 2; ++i) {
    NativeSyncDomain::Ref& r = d.ref(0, i);  // "epoch->active" is the only ref array
    uint32_t sum = 0;
    for (int t = 0; t < 4; ++t) sum += r.per_thread[static_cast<size_t>(t)].words[0].load();
    EXPECT_EQ(sum, 0u);
  }
}

}  // namespace
}  // namespace mdsim
