// raid5_layout: literal tables for every md raid4/5/6 algorithm on 4 and 5 members, the
// inverse map, parity rotation, md's geometry checks, mdadm names and degraded-read plans.
//
// The tables were produced from the cases of raid5_compute_sector() (read in a 3.13-era
// raid5.c; unchanged in later copies seen) by a separate Python transliteration, not by this
// code, and checked by hand against the kernel's own comments: "Q D D D P" / "D D P Q D" for
// raid6 left/right layouts, rotating_n_restart starting "D D D P Q", rotating_n_continue "Q
// before P", the *_6 layouts being the raid5 layout on n-1 members with Q last, and against
// the well-known raid5 left/right (a)symmetric diagrams. Row k is stripe k; Dk is data chunk k
// of the stripe. Example by hand, raid5 left-symmetric, 4 disks, 64 KiB chunks, sector 1000:
// chunk 7 (offset 104), stripe 7/3 = 2, data index 1; pd = 3 - 2 = 1; member (1+1+1)%4 = 3;
// member sector 2*128 + 104 = 360.
#include "raid/raid5_layout.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>

namespace mdsim {
namespace {

using A = Raid5Algorithm;
constexpr Sector kChunk = 128;  // 64 KiB

struct SectorRow {
  Sector array_sector;
  int member;
  Sector member_sector;
};
struct Table {
  int level, disks;
  A algorithm;
  const char* rows;  // stripes 0..disks-1, separated by '|'
  std::vector<SectorRow> sectors;
};

// clang-format off
const std::vector<Table> kTables = {
    {4, 4, A::kParityN,
     "D0 D1 D2 P | D0 D1 D2 P | D0 D1 D2 P | D0 D1 D2 P",
     {{1000, 1, 360}, {5000, 0, 1672}, {12345, 0, 4153}, {45000, 0, 15048}}},
    {4, 5, A::kParityN,
     "D0 D1 D2 D3 P | D0 D1 D2 D3 P | D0 D1 D2 D3 P | D0 D1 D2 D3 P | D0 D1 D2 D3 P",
     {{1000, 3, 232}, {5000, 3, 1160}, {12345, 0, 3129}, {45000, 3, 11208}}},
    {5, 4, A::kLeftAsymmetric,
     "D0 D1 D2 P | D0 D1 P D2 | D0 P D1 D2 | P D0 D1 D2",
     {{1000, 2, 360}, {5000, 0, 1672}, {12345, 0, 4153}, {45000, 0, 15048}}},
    {5, 4, A::kRightAsymmetric,
     "P D0 D1 D2 | D0 P D1 D2 | D0 D1 P D2 | D0 D1 D2 P",
     {{1000, 1, 360}, {5000, 0, 1672}, {12345, 1, 4153}, {45000, 0, 15048}}},
    {5, 4, A::kLeftSymmetric,
     "D0 D1 D2 P | D1 D2 P D0 | D2 P D0 D1 | P D0 D1 D2",
     {{1000, 3, 360}, {5000, 3, 1672}, {12345, 0, 4153}, {45000, 3, 15048}}},
    {5, 4, A::kRightSymmetric,
     "P D0 D1 D2 | D2 P D0 D1 | D1 D2 P D0 | D0 D1 D2 P",
     {{1000, 0, 360}, {5000, 2, 1672}, {12345, 1, 4153}, {45000, 2, 15048}}},
    {5, 4, A::kParity0,
     "P D0 D1 D2 | P D0 D1 D2 | P D0 D1 D2 | P D0 D1 D2",
     {{1000, 2, 360}, {5000, 1, 1672}, {12345, 1, 4153}, {45000, 1, 15048}}},
    {5, 4, A::kParityN,
     "D0 D1 D2 P | D0 D1 D2 P | D0 D1 D2 P | D0 D1 D2 P",
     {{1000, 1, 360}, {5000, 0, 1672}, {12345, 0, 4153}, {45000, 0, 15048}}},
    {5, 5, A::kLeftAsymmetric,
     "D0 D1 D2 D3 P | D0 D1 D2 P D3 | D0 D1 P D2 D3 | D0 P D1 D2 D3 | P D0 D1 D2 D3",
     {{1000, 4, 232}, {5000, 4, 1160}, {12345, 1, 3129}, {45000, 4, 11208}}},
    {5, 5, A::kRightAsymmetric,
     "P D0 D1 D2 D3 | D0 P D1 D2 D3 | D0 D1 P D2 D3 | D0 D1 D2 P D3 | D0 D1 D2 D3 P",
     {{1000, 4, 232}, {5000, 3, 1160}, {12345, 0, 3129}, {45000, 4, 11208}}},
    {5, 5, A::kLeftSymmetric,
     "D0 D1 D2 D3 P | D1 D2 D3 P D0 | D2 D3 P D0 D1 | D3 P D0 D1 D2 | P D0 D1 D2 D3",
     {{1000, 2, 232}, {5000, 4, 1160}, {12345, 1, 3129}, {45000, 1, 11208}}},
    {5, 5, A::kRightSymmetric,
     "P D0 D1 D2 D3 | D3 P D0 D1 D2 | D2 D3 P D0 D1 | D1 D2 D3 P D0 | D0 D1 D2 D3 P",
     {{1000, 0, 232}, {5000, 3, 1160}, {12345, 0, 3129}, {45000, 1, 11208}}},
    {5, 5, A::kParity0,
     "P D0 D1 D2 D3 | P D0 D1 D2 D3 | P D0 D1 D2 D3 | P D0 D1 D2 D3 | P D0 D1 D2 D3",
     {{1000, 4, 232}, {5000, 4, 1160}, {12345, 1, 3129}, {45000, 4, 11208}}},
    {5, 5, A::kParityN,
     "D0 D1 D2 D3 P | D0 D1 D2 D3 P | D0 D1 D2 D3 P | D0 D1 D2 D3 P | D0 D1 D2 D3 P",
     {{1000, 3, 232}, {5000, 3, 1160}, {12345, 0, 3129}, {45000, 3, 11208}}},
    {6, 4, A::kLeftAsymmetric,
     "Q D0 D1 P | D0 D1 P Q | D0 P Q D1 | P Q D0 D1",
     {{1000, 3, 488}, {5000, 3, 2440}, {12345, 1, 6201}, {45000, 3, 22472}}},
    {6, 4, A::kRightAsymmetric,
     "P Q D0 D1 | D0 P Q D1 | D0 D1 P Q | Q D0 D1 P",
     {{1000, 2, 488}, {5000, 2, 2440}, {12345, 2, 6201}, {45000, 2, 22472}}},
    {6, 4, A::kLeftSymmetric,
     "Q D0 D1 P | D0 D1 P Q | D1 P Q D0 | P Q D0 D1",
     {{1000, 3, 488}, {5000, 3, 2440}, {12345, 1, 6201}, {45000, 3, 22472}}},
    {6, 4, A::kRightSymmetric,
     "P Q D0 D1 | D1 P Q D0 | D0 D1 P Q | Q D0 D1 P",
     {{1000, 2, 488}, {5000, 2, 2440}, {12345, 2, 6201}, {45000, 2, 22472}}},
    {6, 4, A::kParity0,
     "P Q D0 D1 | P Q D0 D1 | P Q D0 D1 | P Q D0 D1",
     {{1000, 3, 488}, {5000, 3, 2440}, {12345, 2, 6201}, {45000, 3, 22472}}},
    {6, 4, A::kParityN,
     "D0 D1 P Q | D0 D1 P Q | D0 D1 P Q | D0 D1 P Q",
     {{1000, 1, 488}, {5000, 1, 2440}, {12345, 0, 6201}, {45000, 1, 22472}}},
    {6, 4, A::kRotatingZeroRestart,
     "P Q D0 D1 | D0 P Q D1 | D0 D1 P Q | Q D0 D1 P",
     {{1000, 2, 488}, {5000, 2, 2440}, {12345, 2, 6201}, {45000, 2, 22472}}},
    {6, 4, A::kRotatingNRestart,
     "D0 D1 P Q | D0 P Q D1 | P Q D0 D1 | Q D0 D1 P",
     {{1000, 2, 488}, {5000, 2, 2440}, {12345, 0, 6201}, {45000, 2, 22472}}},
    {6, 4, A::kRotatingNContinue,
     "D0 D1 Q P | D1 Q P D0 | Q P D0 D1 | P D0 D1 Q",
     {{1000, 2, 488}, {5000, 2, 2440}, {12345, 0, 6201}, {45000, 2, 22472}}},
    {6, 4, A::kLeftAsymmetric6,
     "D0 D1 P Q | D0 P D1 Q | P D0 D1 Q | D0 D1 P Q",
     {{1000, 1, 488}, {5000, 2, 2440}, {12345, 0, 6201}, {45000, 2, 22472}}},
    {6, 4, A::kRightAsymmetric6,
     "P D0 D1 Q | D0 P D1 Q | D0 D1 P Q | P D0 D1 Q",
     {{1000, 2, 488}, {5000, 2, 2440}, {12345, 1, 6201}, {45000, 2, 22472}}},
    {6, 4, A::kLeftSymmetric6,
     "D0 D1 P Q | D1 P D0 Q | P D0 D1 Q | D0 D1 P Q",
     {{1000, 1, 488}, {5000, 0, 2440}, {12345, 0, 6201}, {45000, 0, 22472}}},
    {6, 4, A::kRightSymmetric6,
     "P D0 D1 Q | D1 P D0 Q | D0 D1 P Q | P D0 D1 Q",
     {{1000, 2, 488}, {5000, 0, 2440}, {12345, 1, 6201}, {45000, 0, 22472}}},
    {6, 4, A::kParity0_6,
     "P D0 D1 Q | P D0 D1 Q | P D0 D1 Q | P D0 D1 Q",
     {{1000, 2, 488}, {5000, 2, 2440}, {12345, 1, 6201}, {45000, 2, 22472}}},
    {6, 5, A::kLeftAsymmetric,
     "Q D0 D1 D2 P | D0 D1 D2 P Q | D0 D1 P Q D2 | D0 P Q D1 D2 | P Q D0 D1 D2",
     {{1000, 1, 360}, {5000, 0, 1672}, {12345, 0, 4153}, {45000, 0, 15048}}},
    {6, 5, A::kRightAsymmetric,
     "P Q D0 D1 D2 | D0 P Q D1 D2 | D0 D1 P Q D2 | D0 D1 D2 P Q | Q D0 D1 D2 P",
     {{1000, 1, 360}, {5000, 0, 1672}, {12345, 0, 4153}, {45000, 0, 15048}}},
    {6, 5, A::kLeftSymmetric,
     "Q D0 D1 D2 P | D0 D1 D2 P Q | D1 D2 P Q D0 | D2 P Q D0 D1 | P Q D0 D1 D2",
     {{1000, 0, 360}, {5000, 3, 1672}, {12345, 4, 4153}, {45000, 4, 15048}}},
    {6, 5, A::kRightSymmetric,
     "P Q D0 D1 D2 | D2 P Q D0 D1 | D1 D2 P Q D0 | D0 D1 D2 P Q | Q D0 D1 D2 P",
     {{1000, 0, 360}, {5000, 0, 1672}, {12345, 4, 4153}, {45000, 4, 15048}}},
    {6, 5, A::kParity0,
     "P Q D0 D1 D2 | P Q D0 D1 D2 | P Q D0 D1 D2 | P Q D0 D1 D2 | P Q D0 D1 D2",
     {{1000, 3, 360}, {5000, 2, 1672}, {12345, 2, 4153}, {45000, 2, 15048}}},
    {6, 5, A::kParityN,
     "D0 D1 D2 P Q | D0 D1 D2 P Q | D0 D1 D2 P Q | D0 D1 D2 P Q | D0 D1 D2 P Q",
     {{1000, 1, 360}, {5000, 0, 1672}, {12345, 0, 4153}, {45000, 0, 15048}}},
    {6, 5, A::kRotatingZeroRestart,
     "P Q D0 D1 D2 | D0 P Q D1 D2 | D0 D1 P Q D2 | D0 D1 D2 P Q | Q D0 D1 D2 P",
     {{1000, 1, 360}, {5000, 0, 1672}, {12345, 0, 4153}, {45000, 0, 15048}}},
    {6, 5, A::kRotatingNRestart,
     "D0 D1 D2 P Q | D0 D1 P Q D2 | D0 P Q D1 D2 | P Q D0 D1 D2 | Q D0 D1 D2 P",
     {{1000, 3, 360}, {5000, 2, 1672}, {12345, 0, 4153}, {45000, 0, 15048}}},
    {6, 5, A::kRotatingNContinue,
     "D0 D1 D2 Q P | D1 D2 Q P D0 | D2 Q P D0 D1 | Q P D0 D1 D2 | P D0 D1 D2 Q",
     {{1000, 4, 360}, {5000, 2, 1672}, {12345, 3, 4153}, {45000, 3, 15048}}},
    {6, 5, A::kLeftAsymmetric6,
     "D0 D1 D2 P Q | D0 D1 P D2 Q | D0 P D1 D2 Q | P D0 D1 D2 Q | D0 D1 D2 P Q",
     {{1000, 2, 360}, {5000, 0, 1672}, {12345, 0, 4153}, {45000, 0, 15048}}},
    {6, 5, A::kRightAsymmetric6,
     "P D0 D1 D2 Q | D0 P D1 D2 Q | D0 D1 P D2 Q | D0 D1 D2 P Q | P D0 D1 D2 Q",
     {{1000, 1, 360}, {5000, 0, 1672}, {12345, 1, 4153}, {45000, 0, 15048}}},
    {6, 5, A::kLeftSymmetric6,
     "D0 D1 D2 P Q | D1 D2 P D0 Q | D2 P D0 D1 Q | P D0 D1 D2 Q | D0 D1 D2 P Q",
     {{1000, 3, 360}, {5000, 3, 1672}, {12345, 0, 4153}, {45000, 3, 15048}}},
    {6, 5, A::kRightSymmetric6,
     "P D0 D1 D2 Q | D2 P D0 D1 Q | D1 D2 P D0 Q | D0 D1 D2 P Q | P D0 D1 D2 Q",
     {{1000, 0, 360}, {5000, 2, 1672}, {12345, 1, 4153}, {45000, 2, 15048}}},
    {6, 5, A::kParity0_6,
     "P D0 D1 D2 Q | P D0 D1 D2 Q | P D0 D1 D2 Q | P D0 D1 D2 Q | P D0 D1 D2 Q",
     {{1000, 2, 360}, {5000, 1, 1672}, {12345, 1, 4153}, {45000, 1, 15048}}},
};
// clang-format on

std::vector<std::vector<std::string>> parse_rows(const char* rows) {
  std::vector<std::vector<std::string>> out(1);
  std::istringstream in(rows);
  std::string tok;
  while (in >> tok) {
    if (tok == "|")
      out.emplace_back();
    else
      out.back().push_back(tok);
  }
  return out;
}

TEST(Raid5Layout, KernelTablesForEveryAlgorithm) {
  std::set<std::pair<int, int>> covered;
  for (const Table& t : kTables) {
    SCOPED_TRACE(::testing::Message() << "raid" << t.level << " " << t.disks << " disks "
                                      << raid5_algorithm_name(t.algorithm));
    covered.insert({t.level, static_cast<int>(t.algorithm)});
    const Raid5Geometry g{t.level, t.disks, kChunk, t.algorithm};
    ASSERT_EQ(g.validate(), "");
    const auto rows = parse_rows(t.rows);
    ASSERT_EQ(rows.size(), static_cast<size_t>(t.disks));
    for (Sector s = 0; s < rows.size(); ++s) {
      ASSERT_EQ(rows[s].size(), static_cast<size_t>(t.disks));
      const Raid5Parity p = raid5_stripe_parity(g, s);
      const std::vector<int> data = raid5_data_members(g, s);
      for (int m = 0; m < t.disks; ++m) {
        const std::string& tok = rows[s][m];
        const Raid5MemberRole role = raid5_member_role(g, s, m);
        if (tok == "P" || tok == "Q") {
          EXPECT_EQ(role.role, tok == "P" ? Raid5Role::kP : Raid5Role::kQ);
          EXPECT_EQ(tok == "P" ? p.pd_idx : p.qd_idx, m);
          EXPECT_EQ(raid5_compute_blocknr(g, m, s * kChunk + 5), std::nullopt);
          continue;
        }
        const int k = std::stoi(tok.substr(1));
        EXPECT_EQ(role.role, Raid5Role::kData);
        EXPECT_EQ(role.data_index, k);
        EXPECT_EQ(data[k], m);
        for (Sector off : {Sector{0}, Sector{1}, kChunk - 1}) {
          const Sector a = (s * g.data_disks() + k) * kChunk + off;
          const Raid5Location loc = raid5_compute_sector(g, a);
          EXPECT_EQ(loc.stripe, s);
          EXPECT_EQ(loc.data_index, k);
          EXPECT_EQ(loc.dd_idx, m) << "sector " << a;
          EXPECT_EQ(loc.member_sector, s * kChunk + off);
          EXPECT_EQ(loc.parity.pd_idx, p.pd_idx);
          EXPECT_EQ(loc.parity.qd_idx, p.qd_idx);
          EXPECT_EQ(raid5_compute_blocknr(g, m, s * kChunk + off), a);
        }
      }
      EXPECT_EQ(p.qd_idx >= 0, t.level == 6);
    }
    for (const SectorRow& r : t.sectors) {
      const Raid5Location loc = raid5_compute_sector(g, r.array_sector);
      EXPECT_EQ(loc.dd_idx, r.member) << "sector " << r.array_sector;
      EXPECT_EQ(loc.member_sector, r.member_sector) << "sector " << r.array_sector;
    }
  }
  for (A a : all_raid5_algorithms()) {  // every algorithm md accepts has a table
    for (int level : {5, 6}) {
      if (raid5_algorithm_valid(level, a)) {
        EXPECT_TRUE(covered.count({level, int(a)})) << int(a);
      }
    }
  }
}

std::vector<Raid5Geometry> all_geometries(Sector chunk) {
  std::vector<Raid5Geometry> out;
  for (int level : {4, 5, 6})
    for (A a : all_raid5_algorithms())
      for (int disks = level == 6 ? 4 : 2; disks <= 8; ++disks)
        if (raid5_algorithm_valid(level, a) && (level != 4 || a == A::kParityN))
          out.push_back({level, disks, chunk, a});
  return out;
}

// Every array sector of several stripes maps to a data block and back, and every data block
// of the members' first rows is hit exactly once.
TEST(Raid5Layout, InverseRoundTripsAndDataBlocksAreABijection) {
  constexpr Sector kSmallChunk = 8;
  constexpr Sector kStripes = 13;  // past a full rotation for up to 8 disks
  for (const Raid5Geometry& g : all_geometries(kSmallChunk)) {
    SCOPED_TRACE(::testing::Message() << "raid" << g.level << " " << g.raid_disks << " disks "
                                      << raid5_algorithm_name(g.algorithm));
    ASSERT_EQ(g.validate(), "");
    const Sector end = kStripes * g.stripe_data_sectors();
    for (Sector a = 0; a < end; ++a) {
      const Raid5Location loc = raid5_compute_sector(g, a);
      ASSERT_NE(loc.dd_idx, loc.parity.pd_idx);
      ASSERT_NE(loc.dd_idx, loc.parity.qd_idx);
      ASSERT_EQ(raid5_compute_blocknr(g, loc.dd_idx, loc.member_sector), a);
    }
    std::vector<int> hits(end, 0);
    int parity_blocks = 0;
    for (int m = 0; m < g.raid_disks; ++m) {
      for (Sector s = 0; s < kStripes * kSmallChunk; ++s) {
        const std::optional<Sector> a = raid5_compute_blocknr(g, m, s);
        if (!a)
          ++parity_blocks;
        else if (*a < end)
          ++hits[*a];
        else
          ADD_FAILURE() << "member " << m << " sector " << s << " -> " << *a;
      }
    }
    EXPECT_EQ(parity_blocks, int(kStripes * kSmallChunk) * g.max_degraded());
    for (Sector a = 0; a < end; ++a) ASSERT_EQ(hits[a], 1) << "array sector " << a;
  }
}

// Where P (and Q) go, stripe by stripe, as the algorithm's name says.
TEST(Raid5Layout, ParityRotatesAsTheAlgorithmSays) {
  for (const Raid5Geometry& g : all_geometries(kChunk)) {
    SCOPED_TRACE(::testing::Message() << "raid" << g.level << " " << g.raid_disks << " disks "
                                      << raid5_algorithm_name(g.algorithm));
    const int n = g.raid_disks;
    const bool q_last = int(g.algorithm) >= 16;
    const int m = q_last ? n - 1 : n;  // members P rotates over
    std::vector<int> p_count(n, 0);
    for (Sector s = 0; s < Sector(n * (n - 1) * 2); ++s) {
      const Raid5Parity p = raid5_stripe_parity(g, s);
      const int r = int(s % m);
      ++p_count[p.pd_idx];
      switch (g.level == 4 ? A::kParityN : g.algorithm) {
        case A::kLeftAsymmetric:
        case A::kLeftSymmetric:
        case A::kRotatingNContinue:
        case A::kLeftAsymmetric6:
        case A::kLeftSymmetric6:
          EXPECT_EQ(p.pd_idx, m - 1 - r);
          break;  // last member first, then one to the left
        case A::kRightAsymmetric:
        case A::kRightSymmetric:
        case A::kRotatingZeroRestart:
        case A::kRightAsymmetric6:
        case A::kRightSymmetric6:
          EXPECT_EQ(p.pd_idx, r);
          break;  // first member first, then one to the right
        case A::kRotatingNRestart:
          EXPECT_EQ(p.pd_idx, (2 * n - 2 - r) % n);
          break;
        case A::kParity0:
        case A::kParity0_6:
          EXPECT_EQ(p.pd_idx, 0);
          break;
        case A::kParityN:
          EXPECT_EQ(p.pd_idx, g.data_disks());
          break;
      }
      if (g.level != 6)
        EXPECT_EQ(p.qd_idx, -1);
      else if (q_last)
        EXPECT_EQ(p.qd_idx, n - 1);
      else if (g.algorithm == A::kRotatingNContinue)
        EXPECT_EQ(p.qd_idx, (p.pd_idx + n - 1) % n);
      else
        EXPECT_EQ(p.qd_idx, (p.pd_idx + 1) % n);
      EXPECT_EQ(p.ddf_layout, g.level == 6 && int(g.algorithm) >= 8 && int(g.algorithm) <= 10);
    }
    const bool rotating = g.level != 4 && g.algorithm != A::kParity0 &&
                          g.algorithm != A::kParityN && g.algorithm != A::kParity0_6;
    for (int i = 0; i < m && rotating; ++i) EXPECT_EQ(p_count[i], 2 * n * (n - 1) / m);
  }
}

TEST(Raid5Layout, MdadmNames) {
  EXPECT_EQ(parse_raid5_algorithm(5, "left-symmetric"), A::kLeftSymmetric);
  EXPECT_EQ(parse_raid5_algorithm(5, "default"), A::kLeftSymmetric);
  EXPECT_EQ(parse_raid5_algorithm(6, "rs"), A::kRightSymmetric);
  EXPECT_EQ(parse_raid5_algorithm(5, "parity-first"), A::kParity0);
  EXPECT_EQ(parse_raid5_algorithm(5, "ddf-N-restart"), A::kLeftAsymmetric);  // mdadm r5layout
  EXPECT_EQ(parse_raid5_algorithm(6, "ddf-N-restart"), A::kRotatingNRestart);
  EXPECT_EQ(parse_raid5_algorithm(5, "left-symmetric-6"), std::nullopt);
  EXPECT_EQ(parse_raid5_algorithm(6, "parity-first-6"), A::kParity0_6);
  EXPECT_EQ(parse_raid5_algorithm(6, "Left-Symmetric"), std::nullopt);
  EXPECT_EQ(parse_raid5_algorithm(1, "left-symmetric"), std::nullopt);
  for (A a : all_raid5_algorithms())
    EXPECT_EQ(parse_raid5_algorithm(6, raid5_algorithm_name(a)), a);
  EXPECT_EQ(raid5_algorithm_name(A::kRotatingNContinue), "ddf-N-continue");
}

TEST(Raid5Layout, GeometryChecksAndSizes) {
  const Raid5Geometry ok{};
  EXPECT_EQ(ok.validate(), "");
  EXPECT_EQ(ok.algorithm, A::kLeftSymmetric);
  auto with = [](auto f) {
    Raid5Geometry g;
    f(g);
    return g.validate();
  };
  EXPECT_EQ(with([](auto& g) { g.level = 7; }), "raid level not set to 4/5/6 (7)");
  EXPECT_EQ(with([](auto& g) { g.algorithm = A::kRotatingNContinue; }),
            "layout 10 (ddf-N-continue) not supported for raid5");
  EXPECT_EQ(with([](auto& g) { g.level = 6, g.raid_disks = 3; }),
            "not enough configured devices (3, minimum 4)");
  EXPECT_EQ(with([](auto& g) { g.raid_disks = 1; }),
            "not enough configured devices (1, minimum 2 for raid5)");
  EXPECT_EQ(with([](auto& g) { g.raid_disks = 2; }), "");
  const std::string bad_chunk =
      "invalid chunk size 12288: must be a power of two and a multiple of 4096 bytes";
  EXPECT_EQ(with([](auto& g) { g.chunk_sectors = 24; }), bad_chunk);  // 12 KiB
  for (Sector c : {Sector{0}, Sector{4}, Sector{12}})                 // 0, 2 KiB, 6 KiB
    EXPECT_NE(with([c](auto& g) { g.chunk_sectors = c; }), "");
  EXPECT_EQ(with([](auto& g) { g.chunk_sectors = 8; }), "");
  const Raid5Geometry r6{6, 5, kChunk, A::kLeftSymmetric};
  EXPECT_EQ(r6.data_disks(), 3);
  EXPECT_EQ(r6.stripe_data_sectors(), 3 * kChunk);
  EXPECT_EQ(r6.array_sectors(1000), 896u * 3);  // raid5_size: whole chunks only
  const Raid5Location loc = raid5_compute_sector(r6, 1000);
  EXPECT_EQ(raid5_stripe_head_sector(loc), 360u);
}

TEST(Raid5Layout, DegradedReadPlans) {
  using R = Raid5Recovery;
  auto plan = [](const Raid5Geometry& g, Sector s, int t, std::vector<int> f) {
    return raid5_degraded_read_plan(g, s, t, f);
  };
  auto v = [](std::initializer_list<int> l) { return std::vector<int>(l); };
  const Raid5Geometry r5{5, 4, kChunk, A::kLeftSymmetric};  // stripe 1: D1 D2 P D0
  Raid5ReadPlan p = plan(r5, 1, 0, {0});
  EXPECT_EQ(p.method, R::kXorP);
  EXPECT_EQ(p.sources, v({1, 2, 3}));
  EXPECT_EQ(p.kernel_reads, v({1, 2, 3}));
  p = plan(r5, 1, 3, {0});
  EXPECT_EQ(p.method, R::kDirect);
  EXPECT_EQ(p.sources, v({3}));
  p = plan(r5, 1, 2, {2});
  EXPECT_EQ(p.method, R::kRecomputeParity);
  EXPECT_EQ(p.sources, v({0, 1, 3}));
  EXPECT_EQ(plan(r5, 1, 0, {0, 1}).error, "2 members failed; raid5 survives 1");

  const Raid5Geometry r6{6, 5, kChunk, A::kLeftSymmetric};  // stripe 1: D0 D1 D2 P Q
  p = plan(r6, 1, 1, {1});
  EXPECT_EQ(p.method, R::kXorP);
  EXPECT_EQ(p.sources, v({0, 2, 3}));
  EXPECT_EQ(p.kernel_reads, v({0, 2, 3, 4}));  // md reads Q too
  p = plan(r6, 1, 1, {1, 4});
  EXPECT_EQ(p.method, R::kXorP);
  EXPECT_EQ(p.sources, v({0, 2, 3}));
  p = plan(r6, 1, 1, {3, 1});
  EXPECT_EQ(p.method, R::kDataViaQ);
  EXPECT_TRUE(p.uses_q && !p.uses_p);
  EXPECT_EQ(p.sources, v({0, 2, 4}));
  EXPECT_EQ(plan(r6, 1, 3, {1, 3}).sources, v({0, 2, 4}));  // P rebuilt after D1 via Q
  for (int t : {0, 2}) {
    p = plan(r6, 1, t, {0, 2});
    EXPECT_EQ(p.method, R::kTwoDataPQ);
    EXPECT_EQ(p.sources, v({1, 3, 4}));
    EXPECT_EQ(p.kernel_reads, v({1, 3, 4}));
  }
  p = plan(r6, 1, 4, {3, 4});
  EXPECT_EQ(p.method, R::kRecomputeParity);
  EXPECT_EQ(p.sources, v({0, 1, 2}));
  EXPECT_EQ(plan(r6, 0, 1, {0, 4}).method, R::kDirect);  // stripe 0: Q D0 D1 D2 P
  EXPECT_NE(plan(r6, 1, 0, {0, 1, 2}).error, "");
  EXPECT_NE(plan(r6, 1, 5, {0}).error, "");

  // Properties over every geometry, stripe and failure set md survives.
  for (const Raid5Geometry& g : all_geometries(kChunk)) {
    for (Sector s = 0; s < Sector(g.raid_disks); ++s) {
      for (int f1 = 0; f1 < g.raid_disks; ++f1) {
        for (int f2 = f1; f2 < g.raid_disks; ++f2) {
          if (f2 != f1 && g.level != 6) continue;
          const std::vector<int> failed = f1 == f2 ? v({f1}) : v({f1, f2});
          for (int t : failed) {
            const Raid5ReadPlan q = raid5_degraded_read_plan(g, s, t, failed);
            ASSERT_EQ(q.error, "");
            ASSERT_EQ(q.kernel_reads.size(), size_t(g.raid_disks) - failed.size());
            ASSERT_EQ(q.sources.size(), size_t(g.data_disks()));  // n data-sized unknowns
            for (int m : q.sources) {
              ASSERT_TRUE(m != f1 && m != f2);
              ASSERT_TRUE(std::count(q.kernel_reads.begin(), q.kernel_reads.end(), m));
            }
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace mdsim
