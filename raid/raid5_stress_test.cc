// raid4/5/6 under random mixed I/O (unaligned, multi-stripe, overlapping) with a member failing
// mid-run, across levels, hook placements, worker threads and cache sizes: every bio ends,
// every stripe_head goes back to the cache, every bitmap startwrite has its endwrite.
#include <gtest/gtest.h>

#include <string>

#include "raid/raid5_testing.h"
#include "sim/random.h"

namespace mdsim {
namespace {

using testing::raid5_config;
using testing::Raid5Rig;

struct Tally {
  int done = 0, failed = 0;
};

Task<void> client(Raid5Rig* r, int core, int n, uint64_t seed, Sector span, Tally* t) {
  Rng rng = RandomStreams(seed).stream("client");
  for (int i = 0; i < n; ++i) {
    DiskRequest q;
    q.op = rng.below(100) < 60 ? DiskOp::kWrite : DiskOp::kRead;
    q.sectors = static_cast<uint32_t>(1 + rng.below(rng.below(4) == 0 ? 512 : 16));
    q.sector = rng.below(span - q.sectors);
    IoResult res = co_await testing::host_io(*r->md, r->m.cpu(core), q);
    ++t->done;
    if (!res.ok()) ++t->failed;
  }
}

Task<void> fail_later(Raid5Rig* r, Time at, int member) {
  co_await r->sim.delay(at);
  r->md->member(member).disk->fail(0);
}

TEST(Raid5Stress, RandomMixedIoWithAFailureAlwaysDrains) {
  const char* levels[] = {"raid5", "raid6", "raid4"};
  for (int k = 0; k < 12; ++k) {
    const char* level = levels[k % 3];
    const int disks = level == std::string("raid6") ? 6 : k % 2 == 0 ? 5 : 4;
    ArrayConfig cfg = raid5_config(disks, k % 4 < 2 ? 16 * 1024 : 64 * 1024,
                                   k % 5 == 4 ? "none" : "bitmap", level);
    cfg.hooks = k % 2 == 0 ? HookPlacement::kPerPersonality : HookPlacement::kMdCore;
    cfg.group_thread_cnt = k % 3 == 1 ? 2 : 0;
    cfg.stripe_cache_size = k % 4 == 3 ? 17 : 256;
    cfg.rmw_level = k % 3;
    SCOPED_TRACE(::testing::Message() << "case " << k << ": " << level << " " << disks);
    Raid5Rig r(cfg, 4, 2);
    Tally t;
    const Sector span = 64 * 1024 * 2;  // 64 MiB: collisions and cache hits
    for (int c = 0; c < 16; ++c) spawn(r.sim, client(&r, c % 8, 30, 1000 * k + c, span, &t));
    const bool second = k % 4 == 1;  // raid5 then loses the array, raid6 survives
    spawn(r.sim, fail_later(&r, 150 * kMicrosecond, k % disks));
    if (second) spawn(r.sim, fail_later(&r, 400 * kMicrosecond, (k + 2) % disks));
    r.sim.run_until(2 * kSecond);
    EXPECT_EQ(t.done, 16 * 30);
    const int lost = r.md->failed_members();
    EXPECT_GE(lost, 1);
    if (lost > r.r5().geometry().max_degraded()) {
      EXPECT_GT(t.failed, 0);
    } else {
      EXPECT_EQ(t.failed, 0);
      // Degraded reads (or partial writes) of the lost member's blocks were reconstructed
      // (raid4's last member holds only parity).
      if (r.r5().geometry().level != 4) {
        EXPECT_GT(r.r5().stats().computes, 0u);
      }
    }
    EXPECT_EQ(r.r5().stripe_cache().active_stripes(), 0);
    EXPECT_EQ(r.md->stats().bitmap_startwrites, r.md->stats().bitmap_endwrites);
    EXPECT_EQ(r.r5().stats().handle_passes,
              r.r5().stats().raid5d_handled + r.r5().stats().worker_handled);
  }
}

}  // namespace
}  // namespace mdsim
