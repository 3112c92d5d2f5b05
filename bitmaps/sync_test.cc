// Declared synchronisation run by both executors: same state changes, modelled contention in
// simulation, real exclusion natively.
#include "bitmaps/sync.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "bitmaps/native_sync.h"
#include "bitmaps/sim_sync.h"
#include "sim/random.h"
#include "sim/testing.h"

namespace mdsim {
namespace {

// A toy "variant": counters hashed over an array of spinlocks, plus a global rwlock.
struct Toy {
  SyncDecls decls;
  LockId hashed;
  LockId global;
  CostId cost;
  std::vector<long> counters = std::vector<long>(64, 0);

  explicit Toy(int per_line) {
    hashed = decls.lock("toy.hashed", LockKind::kSpinlock, 64, per_line);
    global = decls.lock("toy.global", LockKind::kRwlock);
    cost = decls.cost("toy.update", 20);
  }

  // "start_write": read-lock the global lock, then bump counter i under its hashed lock.
  Task<void> bump(SyncExecutor& x, int i) {
    co_await x.critical(global, 0, Access::kShared, -1, [] {});
    co_await x.critical(hashed, i, Access::kExclusive, cost, [&] { ++counters[i]; });
  }
};

Task<void> sim_worker(SimSyncDomain& d, Toy& toy, Cpu& cpu, int first, int n) {
  co_await cpu.acquire(cpu.machine().kind("bitmap"));
  SimExecutor x(d, cpu, cpu.machine().kind("bitmap"));
  for (int k = 0; k < n; ++k) co_await toy.bump(x, (first + k) % 64);
  cpu.release();
}

TEST(SimSync, StepsRunOnModelledLocksAndShowInLockStat) {
  Simulator sim;
  Machine m(sim, testing::profile(1, 8));
  Toy toy(1);
  SimSyncDomain d(m, toy.decls);
  for (int c = 0; c < 8; ++c) spawn(sim, sim_worker(d, toy, m.cpu(c), 0, 1000));
  sim.run();
  long total = 0;
  for (long v : toy.counters) total += v;
  EXPECT_EQ(total, 8000);
  const LockClass& hashed = m.lock_stats().get("toy.hashed");
  EXPECT_EQ(hashed.side(LockSide::kWrite).hold.nr, 8000u);
  EXPECT_GT(hashed.contentions(), 0u);  // all workers walk the same counters in step
  EXPECT_EQ(m.lock_stats().get("toy.global").side(LockSide::kRead).hold.nr, 8000u);
  EXPECT_GT(m.cpu(0).time_in(m.kind("bitmap")), 1000 * 20);  // the declared cost was charged
}

// times(n) charges the declared cost n times: work proportional to what a step walks.
TEST(SimSync, TimesMultipliesTheDeclaredCost) {
  Simulator sim;
  Machine m(sim, testing::profile(1, 1));
  Toy toy(1);
  SimSyncDomain d(m, toy.decls);
  int applied = 0;
  struct Body {
    static Task<void> run(SimSyncDomain& d, Toy& t, Cpu& cpu, int& applied) {
      co_await cpu.acquire(0);
      SimExecutor x(d, cpu, cpu.machine().kind("bitmap"));
      co_await x.compute(t.cost, [&] { ++applied; }).times(7);
      co_await x.critical(t.global, 0, Access::kExclusive, t.cost, [&] { ++applied; }).times(3);
      cpu.release();
    }
  };
  spawn(sim, Body::run(d, toy, m.cpu(0), applied));
  sim.run();
  EXPECT_EQ(applied, 2);  // applied once each, whatever the multiplier
  // 10 x 20 of declared work, plus the lock word's one first-touch cache-line cost.
  EXPECT_EQ(m.cpu(0).busy_time(), 10 * 20 + m.profile().first_touch_ns);
}

// Two cores using different locks: no logical contention, but 16 locks to a line bounce it.
Time two_cores_distinct_locks(int per_line) {
  Simulator sim;
  Machine m(sim, testing::profile(1, 2));
  Toy toy(per_line);
  SimSyncDomain d(m, toy.decls);
  struct Body {
    static Task<void> run(SimSyncDomain& d, Toy& t, Cpu& cpu, int lock) {
      co_await cpu.acquire(0);
      SimExecutor x(d, cpu, cpu.machine().kind("bitmap"));
      for (int k = 0; k < 1000; ++k) {
        co_await x.critical(t.hashed, lock, Access::kExclusive, t.cost, [&] { ++t.counters[lock]; });
      }
      cpu.release();
    }
  };
  spawn(sim, Body::run(d, toy, m.cpu(0), 0));
  spawn(sim, Body::run(d, toy, m.cpu(1), 1));
  sim.run();
  EXPECT_EQ(m.lock_stats().get("toy.hashed").contentions(), 0u);
  return sim.now();
}

// The executor's shortcut (one event per uncontended lock, RMW or CPU step, no process) must
// give what running every step as a process gives: same clock, CPU time by kind, lock_stat.
// Exactly so when nothing contends; under contention the two may order simultaneous events
// differently (the shortcut schedules a step's end earlier, so it wins ties), so the totals
// agree only closely there.
struct MixRun {
  Time end;
  std::vector<Time> busy, spin, bitmap, sync;
  std::string lock_stat;
  long total;
};

MixRun run_mix(bool fast, bool contended) {
  Simulator sim;
  Machine m(sim, testing::profile(1, 6));
  Toy toy(1);
  LineId line = toy.decls.line("toy.line", 6);
  SimSyncDomain d(m, toy.decls);
  struct Body {
    static Task<void> run(SimSyncDomain& d, Toy& t, LineId line, Cpu& cpu, bool fast,
                          bool contended, int seed) {
      Rng rng = RandomStreams(static_cast<uint64_t>(seed)).stream("mix");
      Machine& m = cpu.machine();
      for (int k = 0; k < 400; ++k) {
        co_await cpu.acquire(m.kind("submit"));
        cpu.charge(static_cast<Time>(rng.below(50)), m.kind("submit"));  // charged, unsettled
        SimExecutor x(d, cpu, m.kind("bitmap"), m.kind("sync"));
        x.set_fast_steps(fast);
        // Contended: a few hot locks for all; else a lock of its own per core.
        const int i = contended ? static_cast<int>(rng.below(3)) : cpu.id();
        co_await x.critical(t.hashed, i, Access::kExclusive, t.cost, [&] { ++t.counters[i]; });
        co_await x.compute(t.cost, [] {}).times(rng.below(3));
        co_await x.atomic(line, contended ? 0 : cpu.id(), t.cost, [] {});
        co_await x.critical(t.hashed, i, Access::kExclusive, t.cost, [&] { --t.counters[i]; });
        cpu.release();
        co_await m.sim().delay(static_cast<Time>(rng.below(200)));
      }
    }
  };
  for (int c = 0; c < 6; ++c) {
    spawn(sim, Body::run(d, toy, line, m.cpu(c), fast, contended, c + 1));
  }
  sim.run();
  MixRun r;
  r.end = sim.now();
  for (int c = 0; c < 6; ++c) {
    r.busy.push_back(m.cpu(c).busy_time());
    r.spin.push_back(m.cpu(c).time_in(m.kind_spin()));
    r.bitmap.push_back(m.cpu(c).time_in(m.kind("bitmap")));
    r.sync.push_back(m.cpu(c).time_in(m.kind("sync")));
  }
  r.lock_stat = m.lock_stats().to_text();
  r.total = 0;
  for (long v : toy.counters) r.total += v;
  return r;
}

// Three cores take one spinlock at the same instant: the shortcut queues the two losers
// without a process and books each section at its grant. Same clock, spin time, CPU time by
// kind and lock_stat as lock() processes give.
MixRun run_queue(bool fast) {
  Simulator sim;
  Machine m(sim, testing::profile(1, 3));
  Toy toy(1);
  SimSyncDomain d(m, toy.decls);
  struct Body {
    static Task<void> run(SimSyncDomain& d, Toy& t, Cpu& cpu, bool fast, Time* end) {
      Machine& m = cpu.machine();
      co_await cpu.acquire(m.kind("submit"));
      SimExecutor x(d, cpu, m.kind("bitmap"), m.kind("sync"));
      x.set_fast_steps(fast);
      co_await x.critical(t.hashed, 0, Access::kExclusive, t.cost, [&] { ++t.counters[0]; });
      co_await x.critical(t.hashed, 0, Access::kExclusive, t.cost, [&] { ++t.counters[0]; });
      *end = m.sim().now();
      cpu.release();
    }
  };
  std::vector<Time> ends(3, -1);
  for (int c = 0; c < 3; ++c) spawn(sim, Body::run(d, toy, m.cpu(c), fast, &ends[c]));
  sim.run();
  MixRun r;
  r.end = sim.now();
  for (int c = 0; c < 3; ++c) {
    r.busy.push_back(ends[c]);
    r.spin.push_back(m.cpu(c).time_in(m.kind_spin()));
    r.bitmap.push_back(m.cpu(c).time_in(m.kind("bitmap")));
    r.sync.push_back(m.cpu(c).time_in(m.kind("sync")));
  }
  r.lock_stat = m.lock_stats().to_text();
  r.total = toy.counters[0];
  return r;
}

TEST(SimSync, AQueuedFastSpinlockStepTimesExactlyLikeALockProcess) {
  MixRun fast = run_queue(true), slow = run_queue(false);
  EXPECT_EQ(fast.total, 6);
  EXPECT_EQ(fast.end, slow.end);
  EXPECT_EQ(fast.busy, slow.busy);  // each core's end
  EXPECT_EQ(fast.spin, slow.spin);
  EXPECT_EQ(fast.bitmap, slow.bitmap);
  EXPECT_EQ(fast.sync, slow.sync);
  EXPECT_EQ(fast.lock_stat, slow.lock_stat);
  EXPECT_GT(fast.spin[1] + fast.spin[2], 0);  // it was contended
}

TEST(SimSync, FastStepsTimeExactlyLikeStepsRunAsProcesses) {
  MixRun fast = run_mix(true, false), slow = run_mix(false, false);
  EXPECT_EQ(fast.total, 0);
  EXPECT_EQ(fast.end, slow.end);
  EXPECT_EQ(fast.busy, slow.busy);
  EXPECT_EQ(fast.spin, slow.spin);
  EXPECT_EQ(fast.bitmap, slow.bitmap);
  EXPECT_EQ(fast.sync, slow.sync);
  EXPECT_EQ(fast.lock_stat, slow.lock_stat);
  EXPECT_NE(fast.lock_stat.find("toy.hashed"), std::string::npos);
  EXPECT_GT(fast.bitmap[0], 400 * 3 * 20);  // three declared steps per round at least
}

TEST(SimSync, FastStepsTimeCloselyLikeStepsRunAsProcessesUnderContention) {
  MixRun fast = run_mix(true, true), slow = run_mix(false, true);
  EXPECT_EQ(fast.total, 0);
  auto near = [](double a, double b) { return std::abs(a - b) <= 0.03 * std::max(a, b); };
  EXPECT_TRUE(near(static_cast<double>(fast.end), static_cast<double>(slow.end)));
  Time fs = 0, ss = 0, fb = 0, sb = 0;
  for (size_t c = 0; c < 6; ++c) {
    fs += fast.spin[c];
    ss += slow.spin[c];
    fb += fast.bitmap[c];
    sb += slow.bitmap[c];
  }
  EXPECT_GT(ss, 0);  // it was contended
  EXPECT_TRUE(near(static_cast<double>(fs), static_cast<double>(ss))) << fs << " vs " << ss;
  EXPECT_EQ(fb, sb);  // the declared work is the same whatever the order
}

TEST(SimSync, LocksSharingACacheLineBounceIt) {
  Time separate = two_cores_distinct_locks(1);
  Time shared = two_cores_distinct_locks(16);
  EXPECT_GT(shared, separate + 1000 * 40);  // about a transfer per acquisition more
}

TEST(NativeSync, RealThreadsKeepTheStateConsistent) {
  Toy toy(4);
  const int threads = 4, per = 20000;
  NativeSyncDomain d(toy.decls, threads);
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      NativeExecutor x(d, t);
      for (int k = 0; k < per; ++k) {
        Task<void> op = toy.bump(x, k % 64);
        // Native steps complete inline: driving the coroutine once runs it to the end.
        op.handle().resume();
        ASSERT_TRUE(op.done());
      }
    });
  }
  for (auto& t : ts) t.join();
  long total = 0;
  for (long v : toy.counters) total += v;
  EXPECT_EQ(total, threads * per);
}

Task<void> ref_holder(SimSyncDomain& d, RefId r, Cpu& cpu, Time hold, bool& got) {
  co_await cpu.acquire(0);
  SimExecutor x(d, cpu, 0);
  got = co_await x.ref_tryget(r, 0);
  cpu.release();
  co_await cpu.machine().sim().delay(hold);
  co_await cpu.acquire(0);
  if (got) co_await x.ref_put(r, 0);
  cpu.release();
}

Task<void> ref_killer(SimSyncDomain& d, RefId r, Cpu& cpu, Time at, Time& done) {
  co_await cpu.machine().sim().delay(at);
  co_await cpu.acquire(0);
  SimExecutor x(d, cpu, 0);
  co_await x.ref_kill(r, 0);
  done = cpu.machine().sim().now();
  co_await x.ref_resurrect(r, 0);
  cpu.release();
}

TEST(SimSync, RefKillWaitsForInFlightHolders) {
  Simulator sim;
  Machine m(sim, testing::profile(1, 2));
  SyncDecls decls;
  RefId r = decls.percpu_ref("page.ref", 1);
  SimSyncDomain d(m, decls);
  bool early = false, late = true;
  Time killed = 0;
  spawn(sim, ref_holder(d, r, m.cpu(0), 100000, early));
  spawn(sim, ref_killer(d, r, m.cpu(1), 1000, killed));
  spawn(sim, ref_holder(d, r, m.cpu(0), 10, late));  // queued behind the first on cpu0: gets it
  sim.run();
  EXPECT_TRUE(early);
  EXPECT_TRUE(late);  // tried before the kill (t~80), so it got a ref
  EXPECT_GE(killed, 100000);
}

}  // namespace
}  // namespace mdsim
