// BioGroup: member completions handled as they arrive, in interrupt context on the issuing
// core (queued behind its holder, ahead of task takers), the last one keeping the core.
#include <gtest/gtest.h>

#include <array>

#include "raid/md_testing.h"
#include "sim/testing.h"

namespace mdsim {
namespace {

constexpr Time kDisk = 10 * kMicrosecond;

struct Rig {
  Simulator sim;
  Machine m{sim, testing::profile(1, 2)};
  std::unique_ptr<Mddev> md;
  Rig() {
    ArrayConfig c;
    c.level = "raid1";
    c.raid_disks = 3;
    md = testing::make_array(m, c, testing::null_member(kDisk));
  }
};

struct Seen {
  MdCompletion c;
  Time at = -1;
  bool held = false;
};

// Issues one write to every member from core 0 as a group and waits for it.
Task<void> writer(Rig& r, Seen* out) {
  Cpu& cpu = r.m.cpu(0);
  co_await cpu.acquire(r.md->kinds().md);
  std::array<MemberBio, 3> bios;
  BioGroup g;
  for (int i = 0; i < 3; ++i) {
    bios[static_cast<size_t>(i)].member = i;
    bios[static_cast<size_t>(i)].req = DiskRequest{DiskOp::kWrite, 64, 8};
    g.add(bios[static_cast<size_t>(i)]);
  }
  co_await r.md->issue(cpu, bios);
  cpu.release();
  out->c = co_await g;
  out->at = r.sim.now();
  out->held = out->c.cpu->busy();
  co_await out->c.cpu->settle();
  out->c.cpu->release();
}

// Holds core 0 as a task from `from` for `hold`.
Task<void> hog(Rig& r, Time from, Time hold, Time* got) {
  co_await r.sim.delay(from);
  co_await r.m.cpu(0).acquire(0);
  *got = r.sim.now();
  co_await r.sim.delay(hold);
  r.m.cpu(0).release();
}

TEST(BioGroup, CompletionsRunOnTheIssuingCoreAndTheLastKeepsIt) {
  Rig r;
  Seen s;
  spawn(r.sim, writer(r, &s));
  r.sim.run();
  const MdCosts& k = r.md->costs();
  ASSERT_NE(s.c.cpu, nullptr);
  EXPECT_EQ(s.c.cpu, &r.m.cpu(0));
  EXPECT_TRUE(s.held);
  EXPECT_TRUE(s.c.result.ok());
  // Issued one after another (member_submit each); completions queue on core 0 for
  // member_endio each, so the last one's turn comes two endio's after the first arrival (or
  // at its own arrival); the writer resumes then, the last endio charged but not settled.
  const Time first_done = k.member_submit + kDisk;
  EXPECT_EQ(s.c.result.submitted, k.member_submit);
  EXPECT_EQ(s.at, std::max(first_done + 2 * k.member_endio, 3 * k.member_submit + kDisk));
  EXPECT_EQ(r.m.cpu(0).time_in(r.md->kinds().endio), 3 * k.member_endio);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(r.md->member(i).nr_pending, 0);
}

TEST(BioGroup, ACompletionWaitsForTheHolderButGoesAheadOfTaskTakers) {
  Rig r;
  Seen s;
  Time hog_got = -1, second_got = -1;
  const Time hold = 50 * kMicrosecond;
  spawn(r.sim, writer(r, &s));
  // A task takes core 0 before the completions arrive and holds it past them; a second task
  // queues for the core after the completions have queued.
  spawn(r.sim, hog(r, 5 * kMicrosecond, hold, &hog_got));
  spawn(r.sim, hog(r, 20 * kMicrosecond, 1, &second_got));
  r.sim.run();
  EXPECT_EQ(hog_got, 5 * kMicrosecond);
  const Time freed = hog_got + hold;
  // The completions went first (irq), all three, then the writer's continuation on the
  // last one's core; only then the second task.
  const MdCosts& k = r.md->costs();
  EXPECT_EQ(s.at, freed + 2 * k.member_endio);
  EXPECT_GT(second_got, s.at);
}

}  // namespace
}  // namespace mdsim
