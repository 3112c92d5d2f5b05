// llbitmap's on-disk format (version-6 superblock, chunksize in sectors, states from byte 1024),
// its defaults, and the variant's persisted image: round trips, agreement with
// persisted_dirty(), and only completed block writes reaching it.
#include "bitmaps/llbitmap_image.h"

#include <gtest/gtest.h>

#include "bitmaps/bitmap_testing.h"
#include "bitmaps/llbitmap.h"
#include "sim/random.h"

namespace mdsim {
namespace {

using testing::BitmapHost;

const BitmapVariant kLlbitmap{"llbitmap", "", &make_llbitmap};

BitmapGeometry small() {
  BitmapGeometry g;
  g.sync_size = Sector{1} << 24;  // 8 GiB
  g.chunk_bytes = 64 << 20;       // 128 chunks
  g.uuid[0] = 0xab;
  g.uuid[15] = 0xcd;
  return g;
}

TEST(LlbitmapImage, DefaultChunkSizeFollowsLlbitmapInit) {
  const Sector gib = Sector{1} << 21;
  EXPECT_EQ(llbitmap_default_chunk_sectors(100 << 11), 128u);  // 100 MiB: MIN_CHUNK_SIZE
  EXPECT_EQ(llbitmap_default_chunk_sectors(8 * gib), 128u);    // exactly 131072 chunks
  EXPECT_EQ(llbitmap_default_chunk_sectors(8 * gib + 1), 256u);
  EXPECT_EQ(llbitmap_default_chunk_sectors(1024 * gib), 16384u);  // 1 TiB: 8 MiB chunks
  EXPECT_EQ(llbitmap_default_chunk_bytes(1024 * gib), uint64_t{8} << 20);
  EXPECT_EQ(llbitmap_default_chunk_sectors(1024 * gib, 64 << 10), 32768u);
  BitmapGeometry g = llbitmap_default_geometry(16 * gib);
  EXPECT_EQ(g.chunk_bytes, 128u << 10);
  EXPECT_EQ(g.daemon_sleep, 30 * kSecond);
  EXPECT_EQ(g.chunks(), 131072u);
}

TEST(LlbitmapImage, EncodeDecodeRoundTrip) {
  BitmapSuper sb;
  sb.uuid = small().uuid;
  sb.events = 42;
  sb.sync_size = 1000;  // sectors
  sb.chunksize = 128;   // sectors
  sb.daemon_sleep = 30;
  sb.sectors_reserved = 256;
  std::vector<uint8_t> states(llbitmap_chunks(sb));
  ASSERT_EQ(states.size(), 8u);
  for (size_t i = 0; i < states.size(); ++i) states[i] = static_cast<uint8_t>(i % 5);
  std::vector<uint8_t> bytes = encode_llbitmap_image(sb, states);
  ASSERT_EQ(bytes.size(), 1024u + 8);
  EXPECT_EQ(bytes[4], 6);  // version 6, whatever sb.version said
  for (size_t i = 256; i < 1024; ++i) ASSERT_EQ(bytes[i], 0) << i;
  EXPECT_EQ(bytes[1024 + 3], kLlNeedSync);

  LlbitmapImage im = decode_llbitmap_image(bytes);
  ASSERT_TRUE(im.ok()) << im.error;
  EXPECT_EQ(im.states, states);
  EXPECT_EQ(im.sb.version, kLlbitmapVersion);
  EXPECT_EQ(im.sb.uuid, sb.uuid);
  EXPECT_EQ(im.sb.events, 42u);
  EXPECT_EQ(im.sb.chunksize, 128u);
  EXPECT_EQ(im.sb.sectors_reserved, 256u);
  std::array<uint64_t, kLlStateCount + 1> n = llbitmap_count_states(im.states);
  EXPECT_EQ(n[kLlUnwritten], 2u);
  EXPECT_EQ(n[kLlSyncing], 1u);
  EXPECT_EQ(n[kLlStateCount], 0u);
}

TEST(LlbitmapImage, DecodeRejectsOtherVersionsAndShortImages) {
  BitmapSuper sb;
  sb.sync_size = 1280;
  sb.chunksize = 128;
  std::vector<uint8_t> bytes = encode_llbitmap_image(sb, std::vector<uint8_t>(10, kLlClean));
  EXPECT_TRUE(decode_llbitmap_image(bytes).ok());
  std::vector<uint8_t> v4 = bytes;
  v4[4] = 4;  // a classic bitmap
  EXPECT_NE(decode_llbitmap_image(v4).error.find("version 4"), std::string::npos);
  std::vector<uint8_t> cut(bytes.begin(), bytes.end() - 1);
  EXPECT_NE(decode_llbitmap_image(cut).error.find("too short"), std::string::npos);
  std::vector<uint8_t> bad = bytes;
  bad[0] ^= 1;
  EXPECT_NE(decode_llbitmap_image(bad).error.find("magic"), std::string::npos);
}

TEST(LlbitmapImage, NewArrayIsPersistedWholeWithAVersion6Superblock) {
  BitmapHost host(kLlbitmap, small());
  LlbitmapImage im = decode_llbitmap_image(host.bitmap().disk_image());
  ASSERT_TRUE(im.ok()) << im.error;
  EXPECT_EQ(im.sb.chunksize, small().chunk_sectors());  // sectors, not bytes
  EXPECT_EQ(im.sb.sync_size, small().sync_size);
  EXPECT_EQ(im.sb.daemon_sleep, 5u);
  EXPECT_EQ(im.sb.sectors_reserved, 256u);  // 128 KiB: 32 pages are allocated
  EXPECT_EQ(im.sb.uuid, small().uuid);
  EXPECT_EQ(im.sb.events, 1u);
  ASSERT_EQ(im.states.size(), 128u);
  EXPECT_EQ(llbitmap_count_states(im.states)[kLlUnwritten], 128u);

  BitmapGeometry clean = small();
  clean.assume_clean = true;
  BitmapHost h2(kLlbitmap, clean);
  im = decode_llbitmap_image(h2.bitmap().disk_image());
  EXPECT_EQ(llbitmap_count_states(im.states)[kLlClean], 128u);
}

TEST(LlbitmapImage, PersistedDirtyAgreesWithTheDecodedImage) {
  BitmapGeometry g = small();
  g.sync_size = Sector{1} << 21;  // 1 GiB
  g.chunk_bytes = 64 << 10;       // 16384 chunks over 5 pages
  BitmapHost host(kLlbitmap, g);
  auto& bm = static_cast<Llbitmap&>(host.bitmap());
  Rng rng(7);
  for (int i = 0; i < 40; ++i) {
    Sector off = rng.below(g.chunks()) * g.chunk_sectors();
    host.write_start(off, 8);
    if (i % 3 == 0) host.write_end(off, 8);
    if (i % 5 == 0) host.unplug();
  }
  host.mddev().degraded = true;
  host.write_start(100 * g.chunk_sectors(), 8);  // NeedSync
  host.unplug();
  host.mddev().degraded = false;
  host.daemon_periods(3);
  LlbitmapImage im = decode_llbitmap_image(bm.disk_image());
  ASSERT_TRUE(im.ok()) << im.error;
  uint64_t dirty = 0;
  for (uint64_t c = 0; c < g.chunks(); ++c) {
    ASSERT_EQ(bm.persisted_dirty(c), llbitmap_needs_resync_after_reload(im.states[c])) << c;
    ASSERT_EQ(bm.persisted_state(c), im.states[c]);
    dirty += bm.persisted_dirty(c);
  }
  EXPECT_GT(dirty, 0u);
  EXPECT_LT(dirty, g.chunks());
  EXPECT_EQ(im.states[100], kLlNeedSync);
}

TEST(LlbitmapImage, OnlyCompletedBlockWritesReachTheDisk) {
  BitmapHost host(kLlbitmap, small());
  auto& bm = static_cast<Llbitmap&>(host.bitmap());
  host.write_start(3 * small().chunk_sectors(), 8);
  EXPECT_EQ(bm.state(3), kLlDirty);
  host.start([&](SyncExecutor& x) { return bm.unplug(x, host.io(), true); });
  host.sim().run_until(host.sim().now() + 10 * kMicrosecond);  // the write takes 20 us
  EXPECT_EQ(bm.persisted_state(3), kLlUnwritten);              // a crash now loses it
  EXPECT_FALSE(bm.persisted_dirty(3));
  host.settle();
  EXPECT_EQ(bm.persisted_state(3), kLlDirty);
  EXPECT_EQ(decode_llbitmap_image(bm.disk_image()).states[3], kLlDirty);
}

}  // namespace
}  // namespace mdsim
