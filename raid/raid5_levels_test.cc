// raid4 and raid6 through the raid5 personality, other layouts, and failures met mid-I/O.
#include <gtest/gtest.h>

#include "raid/raid5.h"
#include "raid/raid5_testing.h"

namespace mdsim {
namespace {

using testing::raid5_config;
using testing::Raid5Rig;

TEST(Raid5Levels, Raid4KeepsTheParityOnTheLastMember) {
  Raid5Rig r(raid5_config(5, 64 * 1024, "none", "raid4"));
  EXPECT_STREQ(r.r5().name(), "raid4");
  const Sector stripe = 4 * 64 * 1024 / 512;
  for (int k = 0; k < 3; ++k) ASSERT_TRUE(r.io(DiskOp::kWrite, stripe * k).ok());
  EXPECT_EQ(r.writes(4), 3u);  // every parity update on member 4
  EXPECT_EQ(r.writes(0), 3u);  // D0 of every stripe on member 0
  EXPECT_EQ(r.total(DiskOp::kWrite), 6u);
}

TEST(Raid5Levels, LeftAsymmetricRestartsTheDataAtMemberZero) {
  ArrayConfig cfg = raid5_config(5);
  cfg.layout = "left-asymmetric";
  Raid5Rig r(cfg);
  // Stripe 1: P on member 3, D0 on member 0 (left-symmetric would put D0 on member 4).
  ASSERT_TRUE(r.io(DiskOp::kWrite, 4 * 64 * 1024 / 512).ok());
  EXPECT_EQ(r.reads(0) + r.writes(0), 2u);
  EXPECT_EQ(r.reads(3) + r.writes(3), 2u);
  EXPECT_EQ(r.total(DiskOp::kRead) + r.total(DiskOp::kWrite), 4u);
}

// raid6 4+2 with 4 KiB chunks, left-symmetric: stripe 0 has P on member 5, Q on member 0 and
// D0..D3 on members 1..4. A one-block write ties (rmw reads D0, P, Q; rcw reads D1..D3) and
// goes rcw; a full stripe writes all six members.
TEST(Raid5Levels, Raid6UpdatesPAndQ) {
  {
    Raid5Rig r(raid5_config(6, 4096, "none", "raid6"));
    EXPECT_STREQ(r.r5().name(), "raid6");
    ASSERT_TRUE(r.io(DiskOp::kWrite, 0).ok());
    EXPECT_EQ(r.r5().stats().rcw, 1u);
    EXPECT_EQ(r.total(DiskOp::kRead), 3u);
    EXPECT_EQ(r.total(DiskOp::kWrite), 3u);
  }
  {
    ArrayConfig cfg = raid5_config(6, 4096, "none", "raid6");
    cfg.rmw_level = kParityPreferRmw;
    Raid5Rig r(cfg);
    ASSERT_TRUE(r.io(DiskOp::kWrite, 0).ok());
    EXPECT_EQ(r.r5().stats().rmw, 1u);
    EXPECT_EQ(r.total(DiskOp::kRead), 3u);
    EXPECT_EQ(r.reads(0) + r.reads(1) + r.reads(5), 3u);  // Q, D0 and P only
  }
  {
    Raid5Rig r(raid5_config(6, 4096, "none", "raid6"));
    ASSERT_TRUE(r.io(DiskOp::kWrite, 0, 32).ok());
    EXPECT_EQ(r.total(DiskOp::kRead), 0u);
    for (int i = 0; i < 6; ++i) EXPECT_EQ(r.writes(i), 1u) << i;
    EXPECT_EQ(r.r5().stats().full_stripe_writes, 1u);
  }
}

// raid6 survives two failures: a block of a failed member is computed from the four others
// (both missing blocks at once, ops_run_compute6_2); a third failure fails the array.
TEST(Raid5Levels, Raid6ReadsThroughTwoFailures) {
  Raid5Rig r(raid5_config(6, 4096, "none", "raid6"));
  r.md->md_error(0);
  r.md->md_error(1);
  ASSERT_TRUE(r.io(DiskOp::kRead, 0).ok());  // D0 of stripe 0: on member 1, with Q lost too
  for (int i = 2; i < 6; ++i) EXPECT_EQ(r.reads(i), 1u) << i;
  EXPECT_EQ(r.r5().stats().computes, 2u);
  // Stripe 5 (P on 0, Q on 1, both lost): D0 on member 2 by rcw from D1..D3, no parity.
  ASSERT_TRUE(r.io(DiskOp::kWrite, 8 * 4 * 5).ok());
  EXPECT_EQ(r.writes(2), 1u);
  EXPECT_EQ(r.r5().stats().rcw, 1u);
  r.md->md_error(2);
  // Stripe 9 (P on 2, Q on 3): D2 is on member 0, lost; D0 on member 4 is still readable.
  EXPECT_FALSE(r.io(DiskOp::kRead, 8 * 4 * 9 + 16).ok());
  EXPECT_TRUE(r.io(DiskOp::kRead, 8 * 4 * 9).ok());
  EXPECT_FALSE(r.io(DiskOp::kWrite, 8 * 4 * 9).ok());
}

// A chunk-aligned read that fails on its member: md_error, then the read is retried through
// the stripe cache, which reconstructs the block from the other members.
TEST(Raid5Levels, AFailedAlignedReadIsRetriedThroughTheCache) {
  Raid5Rig r(raid5_config(5));
  r.md->member(1).disk->fail(0);
  const IoResult res = r.io(DiskOp::kRead, 64 * 1024 / 512);  // D1 of stripe 0: member 1
  ASSERT_TRUE(res.ok());
  EXPECT_TRUE(r.md->member(1).faulty);
  EXPECT_EQ(r.r5().stats().aligned_reads, 1u);
  EXPECT_EQ(r.r5().stats().stripe_reads, 1u);
  EXPECT_EQ(r.r5().stats().computes, 1u);
  for (int i : {0, 2, 3, 4}) EXPECT_EQ(r.reads(i), 1u) << i;
}

// With the parity member failed a write reconstructs nothing it cannot write: rcw reads the
// other data (rmw would need the lost parity) and only the data block is written.
TEST(Raid5Levels, AWriteWithTheParityMemberFailedWritesTheDataOnly) {
  Raid5Rig r(raid5_config(5));
  r.md->md_error(4);  // stripe 0's parity
  ASSERT_TRUE(r.io(DiskOp::kWrite, 0).ok());
  EXPECT_EQ(r.r5().stats().rcw, 1u);
  EXPECT_EQ(r.total(DiskOp::kRead), 3u);
  EXPECT_EQ(r.writes(0), 1u);
  EXPECT_EQ(r.total(DiskOp::kWrite), 1u);
}

// Sub-page writes: the block is read first (need_this_block), then updated by rmw.
TEST(Raid5Levels, APartialBlockWriteReadsTheBlockFirst) {
  Raid5Rig r(raid5_config(5));
  ASSERT_TRUE(r.io(DiskOp::kWrite, 2, 1).ok());
  EXPECT_EQ(r.r5().stats().fill_reads, 1u);
  EXPECT_EQ(r.r5().stats().rmw_reads, 1u);  // the parity
  EXPECT_EQ(r.reads(0), 1u);
  EXPECT_EQ(r.reads(4), 1u);
  EXPECT_EQ(r.total(DiskOp::kWrite), 2u);
}

}  // namespace
}  // namespace mdsim
