// raid4/5/6: member I/O of writes (rmw, rcw, full stripes) and reads (aligned, degraded),
// parity CPU, failures.
#include "raid/raid5.h"

#include <gtest/gtest.h>

#include "raid/raid5_testing.h"

namespace mdsim {
namespace {

using testing::raid5_config;
using testing::Raid5Rig;

// left-symmetric on 5 members: stripe 0 has P on member 4 and D0..D3 on members 0..3; stripe 1
// has P on member 3 and D0 on member 4 (the data continues after the parity).
TEST(Raid5, A4KWriteOn4Plus1IsTwoReadsAndTwoWrites) {
  Raid5Rig r(raid5_config(5));
  ASSERT_TRUE(r.io(DiskOp::kWrite, 0).ok());
  for (int i : {0, 4}) {
    EXPECT_EQ(r.reads(i), 1u) << "member " << i;
    EXPECT_EQ(r.writes(i), 1u) << "member " << i;
  }
  EXPECT_EQ(r.total(DiskOp::kRead), 2u);
  EXPECT_EQ(r.total(DiskOp::kWrite), 2u);
  EXPECT_EQ(r.r5().stats().rmw, 1u);
  EXPECT_EQ(r.r5().stats().rcw, 0u);
  // The next stripe: parity on member 3, D0 on member 4.
  const Sector chunk = 64 * 1024 / 512;
  ASSERT_TRUE(r.io(DiskOp::kWrite, 4 * chunk).ok());
  EXPECT_EQ(r.reads(3), 1u);
  EXPECT_EQ(r.reads(4), 2u);
  EXPECT_EQ(r.writes(3), 1u);
  EXPECT_EQ(r.writes(4), 2u);
  EXPECT_EQ(r.md->stats().writes, 2u);
}

// A full-stripe write of chunk * 4 bytes: every stripe_head is a full write (rcw, nothing to
// read); its 4 KiB member bios, issued in one raid5d pass, merge in the plug into one request
// per member.
TEST(Raid5, AFullStripeWriteIsFiveWritesAndNoReads) {
  Raid5Rig r(raid5_config(5));
  const uint32_t chunk = 64 * 1024 / 512;
  ASSERT_TRUE(r.io(DiskOp::kWrite, 0, 4 * chunk).ok());
  EXPECT_EQ(r.total(DiskOp::kRead), 0u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(r.writes(i), 1u) << "member " << i;
    EXPECT_EQ(r.disk(i).op(DiskOp::kWrite).bytes, 64u * 1024) << "member " << i;
  }
  const auto& st = r.r5().stats();
  EXPECT_EQ(st.full_stripe_writes, chunk / 8);  // one per 4 KiB row
  EXPECT_EQ(st.rmw, 0u);
  EXPECT_EQ(st.stripe_bios, 5u * chunk / 8);
  EXPECT_EQ(st.member_requests, 5u);
  EXPECT_EQ(r.md->stats().member_ios, 5u);
}

struct Choice {
  int disks, blocks, rmw_level;
  bool rmw;    // read-modify-write chosen (else reconstruct-write)
  int reads;   // member reads
  int writes;  // member writes
};

// handle_stripe_dirtying on one 4 KiB row (chunk 4 KiB, so n blocks are contiguous): rmw reads
// the old data and parity (n + 1), rcw the data not written (data_disks - n); rmw wins when
// cheaper, or on a tie under PARITY_PREFER_RMW.
TEST(Raid5, ReadModifyWriteOrReconstructWriteAsTheKernelChooses) {
  const Choice cases[] = {
      {4, 1, 1, false, 2, 2}, {4, 2, 1, false, 1, 3}, {4, 3, 1, false, 0, 4},
      {4, 1, 2, true, 2, 2},  {8, 1, 1, true, 2, 2},  {8, 2, 1, true, 3, 3},
      {8, 3, 1, false, 4, 4}, {8, 3, 2, true, 4, 4},  {8, 2, 0, false, 5, 3},
  };
  for (const Choice& c : cases) {
    ArrayConfig cfg = raid5_config(c.disks, 4096);
    cfg.rmw_level = c.rmw_level;
    Raid5Rig r(cfg);
    SCOPED_TRACE(::testing::Message()
                 << c.disks - 1 << "+1, " << c.blocks << " blocks, rmw_level " << c.rmw_level);
    ASSERT_TRUE(r.io(DiskOp::kWrite, 0, 8 * static_cast<uint32_t>(c.blocks)).ok());
    EXPECT_EQ(r.r5().stats().rmw, c.rmw ? 1u : 0u);
    EXPECT_EQ(r.r5().stats().rcw, c.rmw ? 0u : 1u);
    EXPECT_EQ(r.total(DiskOp::kRead), static_cast<uint64_t>(c.reads));
    EXPECT_EQ(r.total(DiskOp::kWrite), static_cast<uint64_t>(c.writes));
    // Stripe 0: parity on the last member, data blocks 0..n-1 on members 0..n-1. rmw reads
    // exactly what it writes; rcw reads exactly the other data members.
    for (int m = 0; m < c.disks; ++m) {
      const bool written = m < c.blocks || m == c.disks - 1;
      EXPECT_EQ(r.writes(m), written ? 1u : 0u) << "member " << m;
      EXPECT_EQ(r.reads(m), (c.rmw ? written : !written) ? 1u : 0u) << "member " << m;
    }
  }
}

// Parity CPU: parity_per_kib for every KiB of source blocks the xor reads.
TEST(Raid5, ParityCpuIsChargedPerKiBXored) {
  const MdCosts costs;
  {
    Raid5Rig r(raid5_config(8, 4096));  // 7+1 full stripe: xor of 7 data blocks
    ASSERT_TRUE(r.io(DiskOp::kWrite, 0, 7 * 8).ok());
    EXPECT_EQ(r.cpu_time(r.r5().kinds().parity), 7 * 4 * costs.parity_per_kib);
    EXPECT_EQ(r.cpu_time(r.r5().kinds().copy), 7 * 4 * costs.copy_per_kib);  // biodrain
  }
  {
    Raid5Rig r(raid5_config(8, 4096));  // 7+1, one block by rmw: prexor 2 blocks + xor 2
    ASSERT_TRUE(r.io(DiskOp::kWrite, 0).ok());
    EXPECT_EQ(r.cpu_time(r.r5().kinds().parity), 4 * 4 * costs.parity_per_kib);
  }
  {
    Raid5Rig r(raid5_config(8, 4096));  // reads go around the stripe cache: no parity work
    ASSERT_TRUE(r.io(DiskOp::kRead, 0, 64).ok());
    EXPECT_EQ(r.cpu_time(r.r5().kinds().parity), 0);
    EXPECT_EQ(r.cpu_time(r.r5().kinds().handle), 0);
  }
}

TEST(Raid5, ReadsGoStraightToTheDataMemberSplitAtChunks) {
  Raid5Rig r(raid5_config(5));
  const uint32_t chunk = 64 * 1024 / 512;
  ASSERT_TRUE(r.io(DiskOp::kRead, 8).ok());
  EXPECT_EQ(r.reads(0), 1u);
  ASSERT_TRUE(r.io(DiskOp::kRead, chunk - 8, 16).ok());  // crosses into D1
  EXPECT_EQ(r.reads(0), 2u);
  EXPECT_EQ(r.reads(1), 1u);
  EXPECT_EQ(r.total(DiskOp::kRead), 3u);
  EXPECT_EQ(r.r5().stats().aligned_reads, 3u);
  EXPECT_EQ(r.r5().stats().handle_passes, 0u);
}

TEST(Raid5, ADegradedReadReconstructsFromEverySurvivingMember) {
  Raid5Rig r(raid5_config(5));
  const Sector chunk = 64 * 1024 / 512;
  r.md->md_error(1);
  ASSERT_TRUE(r.io(DiskOp::kRead, chunk + 8).ok());  // D1 of stripe 0: on member 1
  for (int i : {0, 2, 3, 4}) EXPECT_EQ(r.reads(i), 1u) << "member " << i;
  EXPECT_EQ(r.reads(1), 0u);
  EXPECT_EQ(r.r5().stats().computes, 1u);
  // A block on a working member is read from it alone, through the cache (the array is
  // degraded): stripe 1's D0 is on member 4.
  ASSERT_TRUE(r.io(DiskOp::kRead, 4 * chunk + 8).ok());
  EXPECT_EQ(r.reads(4), 2u);
  EXPECT_EQ(r.total(DiskOp::kRead), 5u);
  EXPECT_EQ(r.r5().stats().aligned_reads, 0u);
  EXPECT_EQ(r.r5().stats().stripe_reads, 2u);
}

TEST(Raid5, DegradedWritesWorkAndASecondFailureFailsTheArray) {
  Raid5Rig r(raid5_config(5));
  r.md->md_error(0);
  // D0 (member 0, failed) overwritten: rcw from D1..D3, only the parity written.
  EXPECT_FALSE(r.md->broken());  // one failure: raid5 survives it
  ASSERT_TRUE(r.io(DiskOp::kWrite, 0).ok());
  EXPECT_EQ(r.total(DiskOp::kRead), 3u);
  EXPECT_EQ(r.writes(4), 1u);
  EXPECT_EQ(r.total(DiskOp::kWrite), 1u);
  EXPECT_EQ(r.r5().stats().rcw, 1u);
  // D1 of another stripe row: rmw (D1 and P), the failed member not involved.
  const Sector chunk = 64 * 1024 / 512;
  ASSERT_TRUE(r.io(DiskOp::kWrite, chunk + 64).ok());
  EXPECT_EQ(r.r5().stats().rmw, 1u);
  EXPECT_EQ(r.reads(0) + r.writes(0), 0u);
  // D2 of the first row (cached, all blocks up to date: no reads) on a member that fails now.
  r.md->member(2).disk->fail(0);
  EXPECT_FALSE(r.io(DiskOp::kWrite, 2 * chunk).ok());
  EXPECT_EQ(r.md->failed_members(), 2);  // raid5_error always fails the member
  EXPECT_TRUE(r.md->broken());             // has_failed: MD_BROKEN
  const uint64_t written = r.total(DiskOp::kWrite);
  EXPECT_FALSE(r.io(DiskOp::kWrite, 8 * 1000).ok());
  EXPECT_EQ(r.total(DiskOp::kWrite), written);  // failed in md_submit_bio
  EXPECT_FALSE(r.io(DiskOp::kRead, 2 * chunk + 64).ok());  // D2, second row: lost
  EXPECT_TRUE(r.io(DiskOp::kRead, 3 * chunk + 64).ok());   // D3 is on a working member
  EXPECT_EQ(r.r5().stripe_cache().active_stripes(), 0);
}

TEST(Raid5, DiscardIsNotSupported) {
  Raid5Rig r(raid5_config(5));
  EXPECT_EQ(r.io(DiskOp::kDiscard, 0, 1024).status, IoStatus::kNotSupported);
}

}  // namespace
}  // namespace mdsim
