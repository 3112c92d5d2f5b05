// raid5 stripe cache: hashing, LRU reuse, the 3/4 hysteresis of a blocked caller, who wakes
// and when it checks, exhaustion under load, worker threads, determinism.
#include "raid/raid5_stripe_cache.h"

#include <gtest/gtest.h>

#include <tuple>
#include <vector>

#include "raid/raid5_testing.h"
#include "sim/random.h"

namespace mdsim {
namespace {

using testing::raid5_config;
using testing::Raid5Rig;

// A row whose stripe_head comes from inactive list `hash` (the k-th such row).
Sector row(int hash, int k) { return (static_cast<Sector>(k) * kNrStripeHashLocks + hash) * 8; }

TEST(Raid5StripeCache, RowsHashOverEightListsAndReleasedStripesStayCached) {
  Simulator sim;
  Raid5StripeCache c(sim, 16, 5);
  EXPECT_EQ(Raid5StripeCache::hash_of(0), 0);
  EXPECT_EQ(Raid5StripeCache::hash_of(8), 1);
  EXPECT_EQ(Raid5StripeCache::hash_of(8 * 9), 1);
  for (int h = 0; h < kNrStripeHashLocks; ++h) EXPECT_EQ(c.inactive(h), 2);
  StripeHead* a = c.get_free(0);
  c.insert(a, row(0, 0));
  a->count = 1;
  StripeHead* b = c.get_free(0);
  c.insert(b, row(0, 1));
  b->count = 1;
  EXPECT_EQ(c.get_free(0), nullptr);  // hash 0 has no more, whatever the others have
  EXPECT_EQ(c.active_stripes(), 2);
  a->count = 0;
  c.put_inactive(a);
  b->count = 0;
  c.put_inactive(b);
  EXPECT_EQ(c.active_stripes(), 0);
  EXPECT_EQ(c.find_get(row(0, 1)), b);  // still cached
  EXPECT_EQ(c.active_stripes(), 1);
  EXPECT_EQ(c.get_free(0), a);                // the least recently released
  EXPECT_EQ(c.find_get(row(0, 0)), nullptr);  // recycled: no longer cached
  EXPECT_EQ(c.stats().hits, 1u);
}

Task<void> wait_and_flag(Raid5StripeCache* c, int hash, bool* got) {
  co_await c->wait_for_stripe(hash);
  *got = true;
}

// Takes every stripe_head of a 16-stripe cache, two per hash: result[h + 8 k] is on hash h.
std::vector<StripeHead*> take_two_per_hash(Raid5StripeCache& c) {
  std::vector<StripeHead*> held;
  for (int k = 0; k < 2; ++k) {
    for (int h = 0; h < kNrStripeHashLocks; ++h) {
      StripeHead* sh = c.get_free(h);
      if (sh == nullptr) return held;  // the caller's size check fails
      c.insert(sh, row(h, k));
      sh->count = 1;
      held.push_back(sh);
    }
  }
  return held;
}

// Once a caller blocked, it waits for its list to have a stripe AND fewer than 3/4 of the
// cache to be active (is_inactive_blocked).
TEST(Raid5StripeCache, ABlockedCallerWaitsUntilAQuarterIsFree) {
  Simulator sim;
  Raid5StripeCache c(sim, 16, 5);
  std::vector<StripeHead*> held = take_two_per_hash(c);
  ASSERT_EQ(held.size(), 2u * kNrStripeHashLocks);
  auto put = [&](int i) {
    held[static_cast<size_t>(i)]->count = 0;
    c.put_inactive(held[static_cast<size_t>(i)]);
    sim.run();
  };
  bool got = false;
  spawn(sim, wait_and_flag(&c, 0, &got));
  sim.run();
  EXPECT_FALSE(got);
  EXPECT_TRUE(c.inactive_blocked());
  EXPECT_EQ(c.get_free(1), nullptr);  // nobody else gets one meanwhile
  put(0);                             // hash 0 has one now, but 15 of 16 are active
  EXPECT_FALSE(got);
  EXPECT_EQ(c.get_free(0), nullptr);  // nor does a new caller: R5_INACTIVE_BLOCKED is set
  for (int i : {1, 2, 3}) put(i);     // 12 active: not below 12
  EXPECT_FALSE(got);
  put(4);
  EXPECT_TRUE(got);
  EXPECT_FALSE(c.inactive_blocked());
  EXPECT_EQ(c.stats().waits, 1u);
}

// A raid5_get_active_stripe caller on `cpu` that finds no free stripe_head for `hash` and
// sleeps; it records the stripe_head it takes and when.
Task<void> sleeper(Raid5StripeCache* c, Cpu* cpu, int hash, StripeHead** got, Time* at) {
  EXPECT_TRUE(c->block(hash));
  co_await c->sleep(hash, cpu, cpu->machine().kind("test"));  // returns holding cpu
  *got = c->get_free(hash);
  *at = cpu->machine().sim().now();
  c->unblocked();
  cpu->release();
}

Task<void> hold(Cpu* cpu, Time t) {
  co_await cpu->acquire(cpu->machine().kind("test"));
  co_await cpu->work(t, cpu->machine().kind("test"));
  cpu->release();
}

// The hash lock is held from the check of is_inactive_blocked to get_free_stripe, and the
// check runs when the woken caller is on its core again: a stripe_head put back wakes one
// sleeper (the longest waiting), which takes it once its busy core is free; the next sleeper
// waits for the next stripe_head without sleeping again.
TEST(Raid5StripeCache, AWakeupIsOneStripeHeadTakenOnTheSleepersCore) {
  Simulator sim;
  Machine m(sim, testing::profile(1, 2));
  Raid5StripeCache c(sim, 16, 5);
  std::vector<StripeHead*> held = take_two_per_hash(c);
  ASSERT_EQ(held.size(), 2u * kNrStripeHashLocks);
  auto put = [&](int i) {
    held[static_cast<size_t>(i)]->count = 0;
    c.put_inactive(held[static_cast<size_t>(i)]);
  };
  for (int i : {1, 2, 3, 4, 9}) put(i);  // 11 of 16 active, none on hash 0
  StripeHead* got[2] = {nullptr, nullptr};
  Time at[2] = {-1, -1};
  for (int w = 0; w < 2; ++w) spawn(sim, sleeper(&c, &m.cpu(0), 0, &got[w], &at[w]));
  spawn(sim, hold(&m.cpu(0), 1000));
  sim.run_until(1);
  EXPECT_EQ(c.stats().waits, 2u);
  put(0);
  sim.run_until(999);
  EXPECT_EQ(got[0], nullptr);  // woken, waiting for core 0
  sim.run();
  EXPECT_EQ(got[0], held[0]);
  EXPECT_EQ(at[0], 1000);
  EXPECT_EQ(got[1], nullptr);  // still asleep, not woken to find the list empty
  EXPECT_FALSE(c.inactive_blocked());
  put(8);
  sim.run();
  EXPECT_EQ(got[1], held[8]);
  EXPECT_EQ(c.stats().waits, 2u);  // nobody slept twice
}

Task<void> writer(Raid5Rig* r, int core, int n, uint64_t seed, int* done, int* failed) {
  Rng rng = RandomStreams(seed).stream("writer");
  const Sector blocks = r->md->array_sectors() / 8;
  for (int i = 0; i < n; ++i) {
    const DiskRequest q{DiskOp::kWrite, rng.below(blocks) * 8, 8};
    IoResult res = co_await testing::host_io(*r->md, r->m.cpu(core), q);
    ++*done;
    if (!res.ok()) ++*failed;
  }
}

// stripe_cache_size 16 and 64 concurrent writers: callers block in raid5_get_active_stripe,
// and every write still completes.
TEST(Raid5StripeCache, ExhaustionBlocksAndRecovers) {
  for (int size : {16, 256}) {
    ArrayConfig cfg = raid5_config(5);
    cfg.stripe_cache_size = size;
    Raid5Rig r(cfg, 16);
    int done = 0, failed = 0;
    for (int w = 0; w < 64; ++w) spawn(r.sim, writer(&r, w % 16, 8, 100 + w, &done, &failed));
    r.sim.run();
    EXPECT_EQ(done, 64 * 8);
    EXPECT_EQ(failed, 0);
    EXPECT_EQ(r.md->stats().writes, 64u * 8);
    const auto& st = r.r5().stripe_cache().stats();
    EXPECT_LE(st.max_active, size);
    EXPECT_EQ(r.r5().stripe_cache().active_stripes(), 0);
    if (size == 16) {
      EXPECT_GT(st.waits, 16u);
      EXPECT_GT(st.wait_ns, 0);
      EXPECT_EQ(st.max_active, 16);
    } else {
      EXPECT_EQ(st.waits, 0u);
      EXPECT_GE(st.max_active, 64);
    }
  }
}

// R5_UPTODATE blocks stay with a released stripe_head: rewriting a cached row reads nothing.
TEST(Raid5StripeCache, ARewriteOfACachedRowReadsNothing) {
  Raid5Rig r(raid5_config(5));
  ASSERT_TRUE(r.io(DiskOp::kWrite, 0).ok());
  EXPECT_EQ(r.total(DiskOp::kRead), 2u);
  ASSERT_TRUE(r.io(DiskOp::kWrite, 0).ok());
  EXPECT_EQ(r.total(DiskOp::kRead), 2u);
  EXPECT_EQ(r.total(DiskOp::kWrite), 4u);
  EXPECT_EQ(r.r5().stripe_cache().stats().hits, 1u);
}

TEST(Raid5StripeCache, GroupThreadWorkersHandleStripes) {
  ArrayConfig cfg = raid5_config(5);
  cfg.group_thread_cnt = 2;
  Raid5Rig r(cfg, 4, 2);
  std::vector<DiskRequest> bios;
  const Sector chunk = 64 * 1024 / 512;
  for (int k = 0; k < 32; ++k) bios.push_back({DiskOp::kWrite, 4 * chunk * k, 8});  // 32 rows
  for (const IoResult& res : r.run(bios)) EXPECT_TRUE(res.ok());
  const auto& st = r.r5().stats();
  EXPECT_EQ(r.total(DiskOp::kRead), 64u);
  EXPECT_EQ(r.total(DiskOp::kWrite), 64u);
  EXPECT_GT(st.worker_handled, 0u);
  EXPECT_EQ(st.worker_handled + st.raid5d_handled, st.handle_passes);
  EXPECT_GE(st.worker_runs, 2u);  // both sockets' groups
}

TEST(Raid5StripeCache, RunsAreDeterministic) {
  auto once = [] {
    ArrayConfig cfg = raid5_config(5, 64 * 1024, "bitmap");
    cfg.stripe_cache_size = 32;
    cfg.group_thread_cnt = 1;
    Raid5Rig r(cfg, 8);
    testing::ArrayLoad l{
        .op = DiskOp::kWrite, .iodepth = 32, .duration = 1 * kMillisecond, .write_percent = 70};
    auto res = testing::run_array_load(*r.md, l);
    return std::make_tuple(res.ios, res.latency.percentile(99.0), r.total(DiskOp::kRead),
                           r.total(DiskOp::kWrite), r.r5().stats().handle_passes);
  };
  const auto a = once();
  EXPECT_GT(std::get<0>(a), 100u);
  EXPECT_EQ(a, once());
}

}  // namespace
}  // namespace mdsim
