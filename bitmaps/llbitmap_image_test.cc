// llbitmap's on-disk format (version-6 superblock, chunksize in sectors, states from byte 1024),
// its defaults, and the variant's persisted image: round trips, agreement with
// persisted_dirty(), only completed block writes reaching it, and loading an image with
// several dirty chunks in one 512-byte block (the kernel's order-dependent Reload infection).
#include "bitmaps/llbitmap_image.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "bitmaps/bitmap_testing.h"
#include "bitmaps/llbitmap.h"
#include "bitmaps/llbitmap_testing.h"
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

// Loading an image with several Dirty chunks in one 512-byte block. The expectations follow
// md-llbitmap.c (Linux 6.18; the same in later kernels, which add an `infect` argument):
//  - llbitmap_load: llbitmap_state_machine(llbitmap, 0, llbitmap->chunks - 1, action), one
//    walk in chunk order ("while (start <= end) { c = llbitmap_read(...); state =
//    state_machine[c][action]; ... llbitmap_write(llbitmap, state, start); start++; }").
//  - state_machine[BitDirty][BitmapActionReload] = BitNeedSync, the same for BitSyncing;
//    Unwritten, Clean and NeedSync give BitNone (nothing written).
//  - llbitmap_write: "if (state == BitDirty || state == BitNeedSync)
//    llbitmap_set_page_dirty(...)".
//  - llbitmap_set_page_dirty: "if (llbitmap->mddev->degraded) { set_bit(block, pctl->dirty);
//    return; }"; "if (test_and_set_bit(block, pctl->dirty)) { llbitmap_infect_dirty_bits();
//    return; }"; else scan the block, "if (pctl->state[pos] == BitDirty || pctl->state[pos] ==
//    BitNeedSync)" (pos != offset) infect. pctl->dirty is zero after the pages are read
//    (llbitmap_cache_pages / llbitmap_alloc_page_ctl zero the pctl).
//  - llbitmap_infect_dirty_bits: "case BitUnwritten: level_456 ? BitNeedSync : BitDirty;
//    case BitClean: BitDirty"; other states are left alone.
// So every Dirty/Syncing chunk of the image ends NeedSync; Clean/Unwritten chunks the walk has
// not reached when the block is infected are Dirty when it reaches them and reload to NeedSync;
// those it has passed stay Dirty (not resynced).
using testing::LlbitmapHost;

struct Span {
  uint64_t first, last;
  uint8_t state;
};

// ll_paged with --assume-clean: every chunk starts Clean.
BitmapGeometry clean_paged(bool raid456 = false) {
  BitmapGeometry g = testing::ll_paged();
  g.assume_clean = true;
  g.raid456 = raid456;
  return g;
}

// Loads t's own disk image with the `image` bytes set (bitmap_load after an unclean stop).
void load_with(LlbitmapHost& t, const std::map<uint64_t, uint8_t>& image, bool degraded = false) {
  std::vector<uint8_t> bytes = t.bm().disk_image();
  for (auto [c, s] : image) bytes[kLlbitmapDataOffset + c] = s;
  t.host.mddev().degraded = degraded;
  t.bm().load_image(bytes);
}

// Every chunk's state after the load: Clean unless a span says otherwise.
std::vector<uint8_t> expected_states(uint64_t chunks, const std::vector<Span>& spans) {
  std::vector<uint8_t> want(chunks, kLlClean);
  for (const Span& sp : spans) {
    for (uint64_t c = sp.first; c <= sp.last; ++c) want[c] = sp.state;
  }
  return want;
}

// Checks the states, then that resync (start_sync over every chunk) takes the NeedSync ones.
void expect_reloaded(LlbitmapHost& t, const std::vector<uint8_t>& want) {
  std::vector<uint64_t> synced, want_synced;
  for (uint64_t c = 0; c < want.size(); ++c) {
    ASSERT_EQ(int{t.state(c)}, int{want[c]}) << "chunk " << c;
    if (want[c] == kLlNeedSync) want_synced.push_back(c);
  }
  for (uint64_t c = 0; c < want.size(); ++c) {
    if (t.start_sync(c)) synced.push_back(c);
  }
  EXPECT_EQ(synced, want_synced);
}

// ll_paged: page 0 holds blocks 2..7 (chunks 0..511, 512..1023, ...), page 1 blocks 0..7
// (chunks 3072..3583, 3584..4095, ...).
// clang-format off
const std::map<uint64_t, uint8_t> kImage = {
    // Block 2 of page 0: two Dirty, with Clean, Unwritten and a NeedSync around them.
    {5, kLlUnwritten}, {20, kLlDirty}, {40, kLlDirty}, {45, kLlUnwritten}, {300, kLlNeedSync},
    // Block 3: one Dirty (no infection). Block 4: Dirty, then Syncing (the scan ignores it).
    {600, kLlUnwritten}, {700, kLlDirty}, {1100, kLlDirty}, {1130, kLlSyncing},
    // Block 5: a NeedSync ahead of the Dirty. Last chunk of page 0, first of page 1: one each.
    {1600, kLlNeedSync}, {1700, kLlDirty}, {3071, kLlDirty}, {3072, kLlDirty},
    // Page 1 block 1: its first and last chunks.
    {3584, kLlDirty}, {4095, kLlDirty}};
// clang-format on

TEST(LlbitmapReload, SeveralDirtyChunksInABlockInfectItInWalkOrder) {
  LlbitmapHost t(clean_paged());
  load_with(t, kImage);
  const uint64_t chunks = t.bm().chunks();
  // Block 2: 20 finds 40 Dirty and infects; 0..19 stay Dirty, 20..511 reload to NeedSync.
  // Block 4: 1100 finds no Dirty/NeedSync (1130 is Syncing), sets the block bit; 1130 finds the
  // bit set and infects: 1101..1129 are behind the walk.
  // Block 5: 1600 is NeedSync already (Reload: x, no write); 1700 finds it and infects.
  std::vector<Span> spans = {
      {0, 19, kLlDirty},         {20, 511, kLlNeedSync},    {600, 600, kLlUnwritten},
      {700, 700, kLlNeedSync},   {1024, 1535, kLlDirty},    {1100, 1100, kLlNeedSync},
      {1130, 1535, kLlNeedSync}, {1536, 1699, kLlDirty},    {1600, 1600, kLlNeedSync},
      {1700, 2047, kLlNeedSync}, {3071, 3072, kLlNeedSync}, {3584, 4095, kLlNeedSync}};
  std::vector<uint8_t> want = expected_states(chunks, spans);  // (Unwritten 5: Dirty too)
  // Loading writes nothing: the disk holds the image, and its dirty bytes say "resync".
  for (uint64_t c = 0; c < chunks; ++c) {
    ASSERT_EQ(t.bm().persisted_dirty(c), kImage.count(c) == 1 && kImage.at(c) != kLlUnwritten) << c;
  }
  // The reload marked the blocks it changed dirty (LLPageDirty, pctl->dirty): the next unplug
  // writes them, Dirty and NeedSync alike.
  t.host.unplug();
  for (uint64_t c = 0; c < chunks; ++c) {
    ASSERT_EQ(t.bm().persisted_dirty(c), want[c] == kLlDirty || want[c] == kLlNeedSync) << c;
  }
  expect_reloaded(t, want);
  // A second crash now: chunks 0..19 are Dirty on disk, so this time they are resynced too.
  load_with(t, {});
  for (uint64_t c = 0; c < 512; ++c) ASSERT_EQ(t.state(c), kLlNeedSync) << c;
  EXPECT_EQ(t.state(2048), kLlClean);  // a Reload, not a Stale load
}

TEST(LlbitmapReload, Raid456InfectsUnwrittenBehindTheWalkToNeedSync) {
  LlbitmapHost t(clean_paged(/*raid456=*/true));
  load_with(t, kImage);
  std::vector<uint8_t> want = expected_states(512, {{0, 19, kLlDirty}, {20, 511, kLlNeedSync}});
  want[5] = kLlNeedSync;  // llbitmap_infect_dirty_bits: Unwritten -> NeedSync on raid456
  expect_reloaded(t, want);
}

TEST(LlbitmapReload, DegradedArrayReloadsOnlyTheDirtyChunks) {
  LlbitmapHost t(clean_paged());
  load_with(t, kImage, /*degraded=*/true);
  t.host.mddev().degraded = false;  // then repaired: start_sync takes NeedSync only
  std::vector<uint8_t> want = expected_states(2048, {{5, 5, kLlUnwritten},
                                                     {20, 20, kLlNeedSync},
                                                     {40, 40, kLlNeedSync},
                                                     {45, 45, kLlUnwritten},
                                                     {300, 300, kLlNeedSync},
                                                     {600, 600, kLlUnwritten},
                                                     {700, 700, kLlNeedSync},
                                                     {1100, 1100, kLlNeedSync},
                                                     {1130, 1130, kLlNeedSync},
                                                     {1600, 1600, kLlNeedSync},
                                                     {1700, 1700, kLlNeedSync}});
  expect_reloaded(t, want);
}

}  // namespace
}  // namespace mdsim
