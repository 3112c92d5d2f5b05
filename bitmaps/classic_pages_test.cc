// The classic md-bitmap's pages: counter pages allocated lazily and freed when idle, storage
// pages after the superblock, and the daemon's scan charged per counter it walks.
#include <gtest/gtest.h>

#include <vector>

#include "bitmaps/bitmap_testing.h"

namespace mdsim {
namespace {

using testing::BitmapHost;

const BitmapVariant& classic() { return testing::registered("bitmap"); }

BitmapGeometry geometry(uint64_t chunks, uint64_t chunk_bytes) {
  return testing::chunked_geometry(chunks, chunk_bytes);
}

TEST(ClassicBitmapPages, CounterPagesAreAllocatedLazilyAndFreedWhenIdle) {
  // 5000 chunks: 3 counter pages of 2048 counters.
  BitmapHost host(classic(), geometry(5000, 1 << 20));
  const Sector chunk = (1 << 20) / 512;
  BitmapStats s = host.bitmap().get_stats();
  EXPECT_EQ(s.pages, 3u);
  EXPECT_EQ(s.missing_pages, 3u);
  // 256 + 5000/8 = 881 bytes: one storage page.
  EXPECT_EQ(s.file_pages, 1u);
  host.write_start(2100 * chunk, 8);  // counter page 1
  EXPECT_EQ(host.bitmap().get_stats().missing_pages, 2u);
  host.write_start(2101 * chunk, 8);
  EXPECT_EQ(host.bitmap().get_stats().missing_pages, 2u);
  host.write_start(10 * chunk, 8);  // counter page 0
  EXPECT_EQ(host.bitmap().get_stats().missing_pages, 1u);
  host.unplug();
  host.write_end(2100 * chunk, 8);
  host.write_end(2101 * chunk, 8);
  for (int i = 0; i < 2; ++i) {
    host.sim().run_until(host.sim().now() + host.bitmap().daemon_sleep());
    host.daemon();
  }
  // Page 1's counters are all 0 again: md_bitmap_checkfree released it.
  EXPECT_EQ(host.bitmap().get_stats().missing_pages, 2u);
}

TEST(ClassicBitmapPages, StoragePagesFollowTheSuperblock) {
  // 32768 * 2 chunks: bits need 8192 bytes after the 256-byte superblock: 3 storage pages.
  BitmapHost host(classic(), geometry(65536, 1 << 20));
  EXPECT_EQ(host.bitmap().get_stats().file_pages, 3u);
  const Sector chunk = (1 << 20) / 512;
  // Chunk 30720 is at byte 256 + 3840 = 4096: the first bit of storage page 1.
  host.write_start(30720 * chunk, 8);
  host.unplug();
  EXPECT_EQ(host.io().writes(), 1u);
  EXPECT_TRUE(host.bitmap().persisted_dirty(30720));
  host.write_start(30719 * chunk, 8);  // the last bit of page 0
  host.write_start(65535 * chunk, 8);  // page 2
  host.unplug();
  EXPECT_EQ(host.io().writes(), 3u);
}

// The scan holds counts.lock for the counters it walks: every counter of a pending counter page,
// one step per page skipped ("bitmap.daemon_counter", 5 ns each by default).
TEST(ClassicBitmapPages, DaemonScanHoldGrowsWithTheCountersItWalks) {
  const Sector chunk = (1 << 20) / 512;
  auto scan_hold = [&](std::vector<uint64_t> chunks) {
    BitmapHost host(classic(), geometry(5000, 1 << 20));  // 3 counter pages
    for (uint64_t c : chunks) {
      host.write_start(c * chunk, 8);
      host.write_end(c * chunk, 8);
    }
    const LockClass& lc = host.machine().lock_stats().get("&bitmap->counts.lock");
    Time before = lc.side(LockSide::kWrite).hold.total;
    host.daemon_periods(1);  // 2 -> 1 everywhere: no page is freed
    return lc.side(LockSide::kWrite).hold.total - before;
  };
  Time one = scan_hold({10});         // page 0 walked (2048), pages 1 and 2 skipped
  Time two = scan_hold({10, 2100});   // pages 0 and 1 walked, page 2 skipped
  Time last = scan_hold({10, 4900});  // page 2 holds 5000 - 4096 = 904 counters
  EXPECT_GE(one, 2050 * 5);
  EXPECT_LT(one, 2050 * 5 + 500);
  EXPECT_GE(two, 4097 * 5);
  EXPECT_LT(two, 4097 * 5 + 500);
  EXPECT_GE(last, (2048 + 1 + 904) * 5);
  EXPECT_LT(last, (2048 + 1 + 904) * 5 + 500);
}

}  // namespace
}  // namespace mdsim
