// The ScalaRAID RFC (`scalaraid`): its counter/lock mapping, its locks (mlock read in the I/O
// paths, write in the daemon; bmclocks packed 16 to a line), and what the remapping does to the
// write-intent invariant. The tests assert what the model does; comments say where that breaks
// the invariant (see scalaraid_bitmap.cc for the interleavings).
#include <gtest/gtest.h>

#include <stdexcept>

#include "bitmaps/bitmap_image.h"
#include "bitmaps/bitmap_testing.h"
#include "bitmaps/scalaraid_map.h"

namespace mdsim {
namespace {

using testing::BitmapHost;

const BitmapVariant& scalaraid() { return testing::registered("scalaraid"); }

BitmapGeometry geometry(uint64_t chunks = 128, uint64_t chunk_bytes = 64 << 20) {
  return testing::chunked_geometry(chunks, chunk_bytes);
}

constexpr Sector kChunk = (64 << 20) / 512;  // 131072 sectors, 16384 blocks of 4 KiB

TEST(ScalaraidMap, ConsecutiveBlocksGoToConsecutiveCountersAndChunkStartsToCounterZero) {
  ScalaraidMap m(128, kChunk);  // 2^21 blocks: counter = block mod 128
  for (Sector b = 0; b < 300; ++b) EXPECT_EQ(m.counter_of(b * 8), b % 128) << b;
  EXPECT_EQ(m.counter_of(7), 0u);  // sectors of one block share it
  EXPECT_EQ(m.counter_of(kChunk), 0u);
  EXPECT_EQ(m.counter_of(kChunk + 8), 1u);
  for (uint64_t c = 0; c < 128; ++c) EXPECT_EQ(m.counter_of(c * kChunk), 0u) << c;
  EXPECT_EQ(m.lock_of(kChunk + 8 * 77), 77u);  // lock = counter
  EXPECT_EQ(m.locks_allocated(), 128u);
  EXPECT_EQ(m.lock_ids(), 128u);
}

TEST(ScalaraidMap, LockIdsOutrunTheBmclocksArray) {
  // 100 chunks: counters wrap at 128, so lock ids 100..127 index past bmclocks[100].
  ScalaraidMap odd(100, kChunk);
  EXPECT_EQ(odd.locks_allocated(), 100u);
  EXPECT_EQ(odd.lock_ids(), 128u);
  EXPECT_EQ(odd.lock_of(127 * 8), 127u);
  // 2^17 chunks of 4 KiB: counter = chunk, but only 65536 locks are allocated.
  ScalaraidMap big(uint64_t{1} << 17, 8);
  EXPECT_EQ(big.locks_allocated(), 65536u);
  EXPECT_EQ(big.lock_of(100000 * 8), 100000u);
  EXPECT_THROW(ScalaraidMap(128, 4), std::invalid_argument);   // 2 KiB chunks
  EXPECT_THROW(ScalaraidMap(128, 24), std::invalid_argument);  // not a power of two
}

TEST(Scalaraid, RegisteredWithItsDescription) {
  EXPECT_STREQ(scalaraid().description,
               "ScalaRAID RFC: rwlock mlock + per-counter bmclocks, scattered counters");
  BitmapHost host(scalaraid(), geometry());
  EXPECT_STREQ(host.bitmap().name(), "scalaraid");
}

TEST(Scalaraid, MlockIsReadHeldInTheIoPathsAndWriteHeldByTheDaemon) {
  BitmapHost host(scalaraid(), geometry());
  const LockClass& mlock = host.machine().lock_stats().get("&bitmap->counts.mlock");
  const LockClass& bmclock = host.machine().lock_stats().get("bmclock");
  host.write_start(0, 8);  // first touch: bmclock, allocation under the read lock, bmclock
  EXPECT_EQ(mlock.side(LockSide::kRead).hold.nr, 3u);
  EXPECT_EQ(bmclock.side(LockSide::kWrite).hold.nr, 2u);
  host.write_end(0, 8);
  EXPECT_EQ(mlock.side(LockSide::kRead).hold.nr, 4u);
  EXPECT_EQ(bmclock.side(LockSide::kWrite).hold.nr, 3u);
  EXPECT_EQ(mlock.side(LockSide::kWrite).hold.nr, 0u);
  host.daemon_periods(1);
  EXPECT_EQ(mlock.side(LockSide::kWrite).hold.nr, 1u);  // one write hold across the scan
  EXPECT_EQ(bmclock.side(LockSide::kWrite).hold.nr, 3u);
}

// Sixteen 4-byte bmclocks share a 64-byte line: a lock another core used last costs a line
// transfer even though the lock itself is not contended.
TEST(Scalaraid, NeighbouringBmclocksShareACacheLine) {
  auto second_write_ns = [](Sector other) {
    BitmapHost host(scalaraid(), geometry());
    host.write_start(8, 8, 1);    // core 1 owns line 0 (locks 0-15) ...
    host.write_start(128, 8, 1);  // ... and line 1 (locks 16-31); counter page allocated
    host.write_start(0, 8, 0);    // core 0 takes lock 0: line 0 moves to core 0
    Time t0 = host.sim().now();
    host.write_start(other, 8, 1);
    return host.sim().now() - t0;
  };
  Time same_line = second_write_ns(8);     // lock 1: line 0, now on core 0
  Time other_line = second_write_ns(128);  // lock 16: line 1, still on core 1
  EXPECT_GT(same_line, other_line);
}

// The reviewers' scenario, end to end. VIOLATION of the write-intent invariant: the daemon
// clears chunk 1's on-disk bit while W1, a write to chunk 1, is in flight, and a crash then
// leaves a bitmap after which resync skips chunk 1.
TEST(Scalaraid, DaemonClearsTheBitOfAChunkWithAWriteInFlight) {
  BitmapHost host(scalaraid(), geometry());
  host.write_start(kChunk, 8);      // W0: block 16384 -> counter 0, sets chunk 1's bit
  host.write_start(kChunk + 8, 8);  // W1: block 16385 -> counter 1
  host.unplug();
  EXPECT_TRUE(host.bitmap().persisted_dirty(1));
  host.write_end(kChunk, 8);  // W0 done: counter 0 = 2; W1 stays in flight
  host.daemon_periods(1);     // scan j=0: counter 0 2 -> 1; j=1: 1 -> 0, chunk 1's bit cleared
  EXPECT_FALSE(host.bitmap().persisted_dirty(1));           // with W1 in flight: the violation
  std::vector<uint8_t> image = host.bitmap().disk_image();  // crash here
  EXPECT_EQ(count_dirty_bits(bitmap_image_bits(image), 128), 0u);
  BitmapHost rebooted(scalaraid(), geometry());
  rebooted.bitmap().load_image(image);
  Sector blocks = 0;
  EXPECT_FALSE(rebooted.start_sync(kChunk, &blocks));  // W1's chunk is not resynced
  EXPECT_EQ(blocks, 2048 * kChunk - kChunk);           // no counter page: nothing NEEDED
}

// No daemon needed. VIOLATION: W1 to chunk 1 finds counter 1 held by W0 (chunk 0) and sets no
// bit, so chunk 1 is clean on disk while W1 is in flight. (A crash here would still resync
// chunk 1: chunk 0's bit loads onto counter 0, which every chunk-aligned resync offset reads.)
TEST(Scalaraid, ASharedCounterSetsNoBitForTheSecondChunk) {
  BitmapHost host(scalaraid(), geometry());
  host.write_start(8, 8);           // W0: block 1 of chunk 0 -> counter 1, chunk 0's bit
  host.write_start(kChunk + 8, 8);  // W1: block 16385 of chunk 1 -> counter 1, 3 -> 4
  host.unplug();
  EXPECT_TRUE(host.bitmap().persisted_dirty(0));
  EXPECT_FALSE(host.bitmap().persisted_dirty(1));  // W1 in flight: the violation
  EXPECT_EQ(host.bitmap().get_stats().dirty_chunks, 1u);
}

// With 4097 chunks the counter ids wrap at 8192 but only 3 counter pages (6144 counters)
// exist: get_counter returns NULL and startwrite gives up. VIOLATION: the write goes out with
// no bit at all.
TEST(Scalaraid, CountersPastTheLastPageLeaveTheWriteUnprotected) {
  BitmapHost host(scalaraid(), geometry(4097));
  host.write_start(6144 * 8, 8);  // block 6144 of chunk 0 -> counter 6144, page 3 of 3
  host.unplug();
  EXPECT_FALSE(host.bitmap().persisted_dirty(0));
  EXPECT_EQ(host.bitmap().get_stats().dirty_chunks, 0u);
}

// Why Conformance.BitsClearAfterWritesEndAndDaemonPeriodsPass fails for scalaraid: the scan
// reads counter 0 for every chunk and clears chunk 1's bit, never chunk 5's. Not a safety
// violation (a bit that never clears only costs resync), but bits leak.
TEST(Scalaraid, OnlyChunkOnesBitIsEverCleared) {
  BitmapHost host(scalaraid(), geometry());
  host.write_start(5 * kChunk, 8);  // block 81920 -> counter 0, chunk 5's bit
  host.unplug();
  host.write_end(5 * kChunk, 8);
  host.daemon_periods(4);
  EXPECT_TRUE(host.bitmap().persisted_dirty(5));
  EXPECT_EQ(host.bitmap().get_stats().dirty_chunks, 1u);
}

// Why Conformance.AfterACrashDirtyChunksNeedResyncAndCleanOnesDoNot fails for scalaraid: every
// loaded bit and every chunk-aligned resync offset lands on counter 0, so one dirty chunk makes
// resync visit them all (safe, but a full resync).
TEST(Scalaraid, AfterACrashOneDirtyChunkMakesEveryChunkNeedResync) {
  BitmapHost host(scalaraid(), geometry());
  host.write_start(11 * kChunk, 8);
  host.unplug();
  std::vector<uint8_t> image = host.bitmap().disk_image();
  BitmapHost rebooted(scalaraid(), geometry());
  rebooted.bitmap().load_image(image);
  Sector blocks = 0;
  EXPECT_TRUE(rebooted.start_sync(11 * kChunk, &blocks));  // counter 0: NEEDED -> RESYNC
  EXPECT_TRUE(rebooted.start_sync(20 * kChunk, &blocks));  // counter 0 again: RESYNC
  EXPECT_TRUE(rebooted.start_sync(0, &blocks));
}

}  // namespace
}  // namespace mdsim
