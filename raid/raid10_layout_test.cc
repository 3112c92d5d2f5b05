// raid10_layout: literal copy tables for n2, n3, f2, o2 (and far sets) on 4 and 5 members,
// round trips through raid10_find_virt, distinct members per copy, md's sizes and checks.
//
// The tables are worked by hand from __raid10_find_phys() (raid10.c as stored, 3.13 to 4.x)
// with 64 KiB chunks (128 sectors) and 100-chunk members, so calc_sectors() gives a far stride
// of 50 chunks (6400 sectors). E.g. n2 on 5 disks, sector 1000: chunk 7, offset 104; slot
// 7*2 = 14 -> row 14/5 = 2, member 14%5 = 4 at 2*128+104 = 360; the second near copy wraps to
// member 0 one row down, 488.
#include "raid/raid10_layout.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

namespace mdsim {
namespace {

constexpr Sector kChunk = 128;
constexpr Sector kMember = 100 * kChunk;

struct Case {
  const char* layout;
  int disks;
  Sector array_sector;
  std::vector<Raid10Copy> copies;  // md's slot order
};

// clang-format off
const std::vector<Case> kCases = {
    {"n2", 4, 0, {{0, 0}, {1, 0}}},
    {"n2", 4, 200, {{2, 72}, {3, 72}}},
    {"n2", 4, 1000, {{2, 488}, {3, 488}}},
    {"n2", 4, 5000, {{2, 2440}, {3, 2440}}},
    {"n2", 5, 0, {{0, 0}, {1, 0}}},
    {"n2", 5, 200, {{2, 72}, {3, 72}}},
    {"n2", 5, 1000, {{4, 360}, {0, 488}}},          // odd count: a copy wraps to the next row
    {"n2", 5, 5000, {{3, 1928}, {4, 1928}}},
    {"n3", 4, 0, {{0, 0}, {1, 0}, {2, 0}}},
    {"n3", 4, 200, {{3, 72}, {0, 200}, {1, 200}}},
    {"n3", 4, 1000, {{1, 744}, {2, 744}, {3, 744}}},
    {"n3", 4, 5000, {{1, 3720}, {2, 3720}, {3, 3720}}},
    {"n3", 5, 0, {{0, 0}, {1, 0}, {2, 0}}},
    {"n3", 5, 200, {{3, 72}, {4, 72}, {0, 200}}},
    {"n3", 5, 1000, {{1, 616}, {2, 616}, {3, 616}}},
    {"n3", 5, 5000, {{2, 2952}, {3, 2952}, {4, 2952}}},
    {"f2", 4, 0, {{0, 0}, {1, 6400}}},
    {"f2", 4, 200, {{1, 72}, {2, 6472}}},
    {"f2", 4, 1000, {{3, 232}, {0, 6632}}},
    {"f2", 4, 5000, {{3, 1160}, {0, 7560}}},
    {"f2", 5, 0, {{0, 0}, {1, 6400}}},
    {"f2", 5, 200, {{1, 72}, {2, 6472}}},
    {"f2", 5, 1000, {{2, 232}, {3, 6632}}},
    {"f2", 5, 5000, {{4, 904}, {0, 7304}}},
    {"o2", 4, 0, {{0, 0}, {1, 128}}},
    {"o2", 4, 200, {{1, 72}, {2, 200}}},
    {"o2", 4, 1000, {{3, 360}, {0, 488}}},
    {"o2", 4, 5000, {{3, 2312}, {0, 2440}}},
    {"o2", 5, 0, {{0, 0}, {1, 128}}},
    {"o2", 5, 200, {{1, 72}, {2, 200}}},
    {"o2", 5, 1000, {{2, 360}, {3, 488}}},
    {"o2", 5, 5000, {{4, 1800}, {0, 1928}}},
};
// clang-format on

Raid10Geometry geometry(uint32_t layout, int disks, Sector chunk = kChunk,
                        Sector member = kMember) {
  return Raid10Geometry{layout, disks, chunk, member};
}

TEST(Raid10Layout, HandWorkedCopyTables) {
  for (const Case& c : kCases) {
    const std::optional<uint32_t> layout = parse_raid10_layout(c.layout);
    ASSERT_TRUE(layout);
    const Raid10Geometry g = geometry(*layout, c.disks);
    ASSERT_EQ(g.validate(), "");
    EXPECT_EQ(raid10_find_phys(g, c.array_sector), c.copies)
        << c.layout << " on " << c.disks << " disks, sector " << c.array_sector;
    for (const Raid10Copy& k : c.copies)
      EXPECT_EQ(raid10_find_virt(g, k.member, k.member_sector), c.array_sector);
  }
}

// Far sets (layout bit 18): 5 members in sets [0 1] [2 3 4]; far copies shift within a set,
// "[A B] [C D E]" over "[B A] [E C D]" as raid10.c's header comment draws it.
TEST(Raid10Layout, FarSets) {
  const Raid10Geometry g = geometry(raid10_layout_word(1, 2, false, 2), 5);
  ASSERT_EQ(g.validate(), "");
  EXPECT_EQ(g.far_set_size(), 2);
  const int far_member[5] = {1, 0, 3, 4, 2};  // where chunk k's far copy lands
  for (int k = 0; k < 5; ++k) {
    const Sector a = k * kChunk + 10;
    const std::vector<Raid10Copy> want = {{k, 10}, {far_member[k], 6410}};
    EXPECT_EQ(raid10_find_phys(g, a), want) << "chunk " << k;
    EXPECT_EQ(raid10_find_virt(g, far_member[k], 6410), a);
  }
}

TEST(Raid10Layout, SizesFollowCalcSectors) {
  struct Size {
    const char* layout;
    int disks;
    Sector member_chunks, dev_chunks, stride_chunks, array_chunks;
  };
  const Size sizes[] = {
      {"n2", 4, 100, 100, 100, 200}, {"n2", 5, 101, 101, 101, 252}, {"n3", 4, 100, 100, 100, 133},
      {"n3", 5, 100, 100, 100, 166}, {"f2", 4, 100, 100, 50, 200},  {"f2", 5, 101, 100, 50, 250},
      {"o2", 5, 100, 100, 1, 250},   {"f3", 4, 100, 99, 33, 132},
  };
  for (const Size& s : sizes) {
    const Raid10Geometry g =
        geometry(*parse_raid10_layout(s.layout), s.disks, kChunk, s.member_chunks * kChunk);
    SCOPED_TRACE(::testing::Message() << s.layout << " on " << s.disks);
    EXPECT_EQ(g.dev_sectors(), s.dev_chunks * kChunk);
    if (g.far_copies() > 1) {
      EXPECT_EQ(g.stride(), s.stride_chunks * kChunk);
    }
    EXPECT_EQ(g.array_sectors(), s.array_chunks * kChunk);
  }
}

// Two corners where md 6.12's __raid10_find_phys puts two chunks' copies on the same member
// sector (and raid10_find_virt disagrees with it); mdsim models md as it is.
//  - offset + near > 1 with raid_disks % near_copies != 0: a near copy that wraps to the next
//    row moves one chunk down, into the far-copy row of the same row group.
//  - far sets with near > 1 and a ragged last set: a copy in the set before the last one
//    whose member + near_copies passes the last set's start is wrapped inside the last set.
// mdadm creates neither (its names give near-only, far-only or offset-only layouts).
bool collides_in_md(const Raid10Geometry& g) {
  const int nc = g.near_copies(), disks = g.raid_disks;
  if (g.far_offset() && nc > 1 && disks % nc != 0) return true;
  const int fss = g.far_set_size();
  return g.far_copies() > 1 && nc > 1 && g.far_set_mode() != 0 && disks % fss != 0 &&
         disks / fss >= 2;
}

TEST(Raid10Layout, KernelCollisionsAreModelled) {
  // n2 o2 on 5 disks, 8-sector chunks: chunk 2's wrapped near copy has its far copy at (2, 16),
  // which is also chunk 3's second near copy.
  const Raid10Geometry o = geometry(raid10_layout_word(2, 2, true), 5, 8, 24 * 8);
  ASSERT_EQ(o.validate(), "");
  EXPECT_EQ(raid10_find_phys(o, 16), (std::vector<Raid10Copy>{{4, 0}, {1, 8}, {0, 8}, {2, 16}}));
  EXPECT_EQ(raid10_find_phys(o, 24), (std::vector<Raid10Copy>{{1, 16}, {3, 24}, {2, 16}, {4, 24}}));
  // n2 f2 with far sets of 4 on 9 disks ([0-3] [4-8]): chunk 1's copy on member 3 and chunk 4's
  // copy on member 8 both put their far copy on member 5.
  const Raid10Geometry f = geometry(raid10_layout_word(2, 2, false, 2), 9, 8, 24 * 8);
  ASSERT_EQ(f.validate(), "");
  EXPECT_EQ(raid10_find_phys(f, 8)[3], (Raid10Copy{5, f.stride()}));
  EXPECT_EQ(raid10_find_phys(f, 32)[1], (Raid10Copy{5, f.stride()}));
  EXPECT_TRUE(collides_in_md(o) && collides_in_md(f));
}

// Every array sector's copies sit on distinct members inside the used area, map back to it, and
// no member sector holds two things.
TEST(Raid10Layout, RoundTripAndDistinctMembers) {
  constexpr Sector kSmallChunk = 8;
  std::vector<uint32_t> layouts;
  for (int c = 2; c <= 4; ++c) {
    layouts.push_back(raid10_layout_word(c, 1));
    layouts.push_back(raid10_layout_word(1, c));
    layouts.push_back(raid10_layout_word(1, c, true));
    layouts.push_back(raid10_layout_word(1, c, false, 2));
    layouts.push_back(raid10_layout_word(1, c, true, 2));
  }
  layouts.push_back(raid10_layout_word(2, 2));
  layouts.push_back(raid10_layout_word(2, 2, true));
  layouts.push_back(raid10_layout_word(2, 2, false, 2));
  for (uint32_t layout : layouts) {
    for (int disks = 2; disks <= 9; ++disks) {
      for (Sector member_chunks : {Sector{24}, Sector{25}}) {
        const Raid10Geometry g = geometry(layout, disks, kSmallChunk, member_chunks * kSmallChunk);
        if (g.copies() > disks) continue;
        if (collides_in_md(g)) continue;  // see KernelCollisionsAreModelled
        SCOPED_TRACE(::testing::Message() << raid10_layout_name(layout) << " on " << disks
                                          << " disks, member " << member_chunks << " chunks");
        ASSERT_EQ(g.validate(), "");
        ASSERT_LE(g.dev_sectors(), g.member_sectors);
        std::map<std::pair<int, Sector>, Sector> used;
        std::vector<Raid10Copy> copies(g.copies());
        for (Sector a = 0; a < g.array_sectors(); ++a) {
          raid10_find_phys(g, a, copies);
          std::set<int> members;
          for (const Raid10Copy& c : copies) {
            members.insert(c.member);
            ASSERT_LT(c.member_sector, g.dev_sectors()) << "sector " << a;
            ASSERT_EQ(raid10_find_virt(g, c.member, c.member_sector), a);
            ASSERT_TRUE(used.emplace(std::pair(c.member, c.member_sector), a).second);
          }
          ASSERT_EQ(members.size(), copies.size()) << "sector " << a;
        }
      }
    }
  }
}

TEST(Raid10Layout, NamesAndLayoutWords) {
  EXPECT_EQ(parse_raid10_layout("n2"), 0x102u);
  EXPECT_EQ(parse_raid10_layout("f2"), 0x201u);
  EXPECT_EQ(parse_raid10_layout("o2"), 0x10201u);
  EXPECT_EQ(parse_raid10_layout("n3"), 0x103u);
  EXPECT_EQ(parse_raid10_layout("n200"), 0x100u + 200);
  for (const char* bad : {"", "n", "x2", "n0", "n201", "f2x", "N2", "near2"})
    EXPECT_EQ(parse_raid10_layout(bad), std::nullopt) << bad;
  EXPECT_EQ(kRaid10DefaultLayout, 0x102u);
  EXPECT_EQ(raid10_layout_name(0x102), "n2");
  EXPECT_EQ(raid10_layout_name(0x10201), "o2");
  EXPECT_EQ(raid10_layout_name(0x301), "f3");
  EXPECT_EQ(raid10_layout_name(0x202), "0x202");
  EXPECT_EQ(raid10_layout_name(raid10_layout_word(1, 2, false, 2)), "0x40201");
  const Raid10Geometry o2 = geometry(0x10201, 4);
  EXPECT_EQ(o2.near_copies(), 1);
  EXPECT_EQ(o2.far_copies(), 2);
  EXPECT_TRUE(o2.far_offset());
  EXPECT_EQ(o2.far_set_size(), 4);
  EXPECT_EQ(geometry(raid10_layout_word(2, 2, false, 1), 8).far_set_size(), 4);  // disks/fc
}

TEST(Raid10Layout, GeometryChecks) {
  auto check = [](uint32_t layout, int disks, Sector chunk = kChunk, Sector member = kMember) {
    return geometry(layout, disks, chunk, member).validate();
  };
  EXPECT_EQ(check(0x102, 2), "");
  EXPECT_EQ(check(0x102, 3, kChunk, 0), "");  // near layouts need no member size
  EXPECT_EQ(check(0x80102, 4), "unsupported raid10 layout: 0x   80102 (bits above 18 set)");
  EXPECT_EQ(check(0x102, 4, 4),
            "chunk size must be at least PAGE_SIZE(4096) and be a power of 2 (got 2048 bytes)");
  EXPECT_NE(check(0x102, 4, 24), "");  // 12 KiB
  EXPECT_EQ(check(0x60201, 4), "unsupported raid10 layout: 0x   60201 (far-set mode 3)");
  EXPECT_EQ(check(0x101, 4), "unsupported raid10 layout: 0x     101 (fewer than 2 copies)");
  EXPECT_EQ(check(0x002, 4), "unsupported raid10 layout: 0x       2 (fewer than 2 copies)");
  EXPECT_EQ(check(0x103, 2), "unsupported raid10 layout: 0x     103 (more copies than raid_disks)");
  EXPECT_EQ(check(0x202, 3), "unsupported raid10 layout: 0x     202 (more copies than raid_disks)");
  EXPECT_NE(check(0x201, 4, kChunk, 0), "");
}

}  // namespace
}  // namespace mdsim
