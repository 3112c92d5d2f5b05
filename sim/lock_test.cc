// Lock and cache-line models against theory, FIFO order, rwlock semantics and lock_stat.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/cache_line.h"
#include "sim/lock_loop.h"
#include "sim/rwlock.h"
#include "sim/spinlock.h"
#include "sim/task.h"
#include "sim/testing.h"

namespace mdsim {
namespace {

using testing::profile;

LockLoopResult loop(const std::string& lock, int sockets, int cores, int threads, Time hold,
                    Time think, bool exponential = false) {
  Simulator sim;
  Machine m(sim, profile(sockets, cores));
  LockLoopParams p;
  p.lock = lock;
  p.threads = threads;
  p.hold_ns = hold;
  p.think_ns = think;
  p.think_exponential = exponential;
  p.duration_ns = 2 * kMillisecond;
  return run_lock_loop(m, p, RandomStreams(1));
}

TEST(SpinlockTheory, UncontendedThroughputIsThreadsOverCycle) {
  // One thread: nothing to contend with; cycle = local acquire + hold + think.
  LockLoopResult one = loop("spinlock", 1, 1, 1, 100, 1000);
  EXPECT_NEAR(one.ops_per_sec, 1e9 / (5 + 100 + 1000), 0.01 * one.ops_per_sec);
  // Four threads that rarely meet: near 4 / (hold + think), a little below from collisions.
  LockLoopResult four = loop("spinlock", 1, 4, 4, 100, 100000, true);
  double ideal = 4e9 / (100 + 100000);
  EXPECT_GT(four.ops_per_sec, 0.97 * ideal);
  EXPECT_LT(four.ops_per_sec, 1.03 * ideal);
}

TEST(SpinlockTheory, SaturatedThroughputApproachesOneOverHoldPlusHandoff) {
  // Same socket: handoff = release store (5 ns) + one transfer (45 ns).
  double bound = 1e9 / (100 + 5 + 45);
  double prev = 0;
  for (int n : {2, 4, 8, 16}) {
    LockLoopResult r = loop("spinlock", 1, n, n, 100, 1000);
    EXPECT_LE(r.ops_per_sec, bound * 1.001) << n;
    EXPECT_GE(r.ops_per_sec, prev * 0.99) << n;  // grows (or holds) with N
    prev = r.ops_per_sec;
  }
  EXPECT_GT(prev, 0.98 * bound);
  // Saturated: each thread's cycle stretches to N * (hold + handoff); the rest of it beyond
  // hold + think is spinning.
  LockLoopResult r16 = loop("spinlock", 1, 16, 16, 100, 1000);
  EXPECT_NEAR(r16.wait_share, 1.0 - 1100.0 / (16 * 150.0), 0.02);
  EXPECT_LT(loop("spinlock", 1, 1, 1, 100, 1000).wait_share, 0.01);  // only the local RMW
  EXPECT_NEAR(r16.ops_per_sec, r16.theory_saturated_ops_per_sec,
              0.02 * r16.theory_saturated_ops_per_sec);
}

TEST(SpinlockTheory, CrossSocketHandoffsCostMore) {
  // Two threads with no think time hand the lock back and forth: every handoff is a same-socket
  // transfer (45 ns) on a 1x2 machine and a cross-socket one (120 ns) on a 2x1 machine.
  LockLoopResult same = loop("spinlock", 1, 2, 2, 100, 0);
  LockLoopResult cross = loop("spinlock", 2, 1, 2, 100, 0);
  EXPECT_NEAR(same.ops_per_sec, 1e9 / (100 + 5 + 45), 0.01 * 1e9 / 150);
  EXPECT_NEAR(cross.ops_per_sec, 1e9 / (100 + 5 + 120), 0.01 * 1e9 / 225);
  EXPECT_NEAR(cross.ops_per_sec, cross.theory_saturated_ops_per_sec,
              0.01 * cross.theory_saturated_ops_per_sec);
}

TEST(SpinlockTheory, RandomArrivalsOnTwoSocketsHandOffAcrossSocketsHalfTheTime) {
  // Exponential think times: the next owner is any other core, so on 2x32 cores about half
  // the handoffs cross sockets; the bound uses the mean over all pairs.
  LockLoopResult r = loop("spinlock", 2, 32, 64, 100, 1000, true);
  double pairs = (31 * 45.0 + 32 * 120.0) / 63;
  EXPECT_NEAR(r.theory_saturated_ops_per_sec, 1e9 / (100 + 5 + pairs), 1.0);
  EXPECT_NEAR(r.ops_per_sec, r.theory_saturated_ops_per_sec,
              0.03 * r.theory_saturated_ops_per_sec);
}

TEST(AtomicTheory, HammeredCounterCostsAboutOneTransferPerOperation) {
  LockLoopResult r = loop("atomic", 1, 16, 16, 0, 0);
  EXPECT_NEAR(r.ops_per_sec, 1e9 / 45, 0.02 * 1e9 / 45);
  LockLoopResult solo = loop("atomic", 1, 1, 1, 0, 0);
  EXPECT_NEAR(solo.ops_per_sec, 1e9 / 5, 0.02 * 1e9 / 5);  // local hits only
}

TEST(PercpuRefTheory, GetPutScaleLinearly) {
  LockLoopResult r1 = loop("percpu_ref", 1, 1, 1, 100, 1000);
  LockLoopResult r16 = loop("percpu_ref", 1, 16, 16, 100, 1000);
  EXPECT_NEAR(r16.ops_per_sec, 16 * r1.ops_per_sec, 0.01 * 16 * r1.ops_per_sec);
  EXPECT_NEAR(r16.wait_share, r1.wait_share, 1e-3);  // local RMWs only, however many cores
}

// --- FIFO order and rwlock semantics, driven by hand ------------------------------------------

Task<void> take_spin(Machine& m, Spinlock& l, int cpu, Time start, Time hold,
                     std::vector<int>& order) {
  Simulator& sim = m.sim();
  co_await sim.delay(start);
  Cpu& c = m.cpu(cpu);
  co_await c.acquire(m.kind("t"));
  co_await l.lock(c);
  order.push_back(cpu);
  co_await c.work(hold, m.kind("t"));
  l.unlock(c);
  c.release();
}

TEST(Spinlock, WaitersAcquireInRequestOrder) {
  Simulator sim;
  Machine m(sim, profile(1, 8));
  Spinlock l(m, "fifo");
  std::vector<int> order;
  // cpu 0 takes it first; the others request while it is held, in the order 5, 2, 7, 1.
  spawn(sim, take_spin(m, l, 0, 0, 1000, order));
  spawn(sim, take_spin(m, l, 5, 10, 10, order));
  spawn(sim, take_spin(m, l, 2, 20, 10, order));
  spawn(sim, take_spin(m, l, 7, 30, 10, order));
  spawn(sim, take_spin(m, l, 1, 40, 10, order));
  sim.run();
  EXPECT_EQ(order, (std::vector<int>{0, 5, 2, 7, 1}));
  const LockSideStats& w = l.stats().side(LockSide::kWrite);
  EXPECT_EQ(w.hold.nr, 5u);
  EXPECT_EQ(w.wait.nr, 4u);  // contentions
  EXPECT_EQ(w.hold.min, 10);
  EXPECT_EQ(w.hold.max, 1000);
  // cpu0 acquires at 80 (first touch), releases at 1080; each handoff is the release store
  // (5) plus a transfer (45): cpu5 gets it at 1130, cpu2 at 1190, cpu7 at 1250, cpu1 at 1310.
  // The longest wait is cpu1's, requested at 40.
  EXPECT_EQ(w.wait.min, 1130 - 10);
  EXPECT_EQ(w.wait.max, 1310 - 40);
  EXPECT_EQ(w.wait.total, (1130 - 10) + (1190 - 20) + (1250 - 30) + (1310 - 40));
}

struct Span {
  int cpu;
  bool write;
  Time from, to;
};

Task<void> take_rw(Machine& m, RwLock& l, int cpu, bool write, Time start, Time hold,
                   std::vector<Span>& spans) {
  Simulator& sim = m.sim();
  co_await sim.delay(start);
  Cpu& c = m.cpu(cpu);
  co_await c.acquire(m.kind("t"));
  if (write) {
    co_await l.write_lock(c);
  } else {
    co_await l.read_lock(c);
  }
  Time from = sim.now();
  co_await c.work(hold, m.kind("t"));
  spans.push_back({cpu, write, from, sim.now()});
  if (write) {
    l.write_unlock(c);
  } else {
    co_await l.read_unlock(c);
  }
  c.release();
}

bool overlap(const Span& a, const Span& b) { return a.from < b.to && b.from < a.to; }

TEST(RwLock, ReadersOverlapWritersExcludeAndQueuedWritersBlockNewReaders) {
  Simulator sim;
  Machine m(sim, profile(1, 8));
  RwLock l(m, "rw");
  std::vector<Span> spans;
  spawn(sim, take_rw(m, l, 0, false, 0, 1000, spans));    // reader
  spawn(sim, take_rw(m, l, 1, false, 100, 1000, spans));  // reader: overlaps the first
  spawn(sim, take_rw(m, l, 2, true, 200, 500, spans));    // writer: waits for both readers
  spawn(sim, take_rw(m, l, 3, false, 300, 100, spans));   // reader behind the waiting writer
  sim.run();
  ASSERT_EQ(spans.size(), 4u);
  auto find = [&](int cpu) {
    for (const Span& s : spans) {
      if (s.cpu == cpu) return s;
    }
    return Span{};
  };
  EXPECT_TRUE(overlap(find(0), find(1)));
  EXPECT_FALSE(overlap(find(2), find(0)));
  EXPECT_FALSE(overlap(find(2), find(1)));
  EXPECT_FALSE(overlap(find(2), find(3)));
  EXPECT_GT(find(3).from, find(2).to);  // the late reader entered after the writer
  EXPECT_EQ(l.stats().side(LockSide::kRead).hold.nr, 3u);
  EXPECT_EQ(l.stats().side(LockSide::kWrite).hold.nr, 1u);
  EXPECT_EQ(l.stats().side(LockSide::kWrite).wait.nr, 1u);
  EXPECT_EQ(l.stats().side(LockSide::kRead).wait.nr, 1u);
}

TEST(RwLock, ReadersFromManyCoresStillSerialiseOnTheLockWord) {
  // Pure readers never wait for each other logically, but every acquire and release is an RMW
  // on one line: throughput is bounded by 1 / (2 transfers).
  LockLoopResult r = loop("rwlock_read", 1, 16, 16, 0, 0);
  EXPECT_NEAR(r.ops_per_sec, 1e9 / 90, 0.03 * 1e9 / 90);
  EXPECT_GT(r.wait_share, 0.9);  // no spinning, but the cores stall on the lock word
}

TEST(LockStat, TextMatchesTheKernelLayout) {
  Simulator sim;
  Machine m(sim, profile(1, 4));
  Spinlock l(m, "&bitmap->counts.lock");
  std::vector<int> order;
  spawn(sim, take_spin(m, l, 0, 0, 1000, order));
  spawn(sim, take_spin(m, l, 1, 10, 10, order));
  sim.run();
  std::string text = m.lock_stats().to_text();
  EXPECT_EQ(text.rfind("lock_stat version 0.4\n", 0), 0u);
  EXPECT_NE(text.find("                              class name    con-bounces    contentions"),
            std::string::npos);
  // Row: 20-wide right-aligned name + ':', then con-bounces 1, contentions 1, waittime in us.
  EXPECT_NE(text.find("            &bitmap->counts.lock:             1              1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("1.00"), std::string::npos);  // the 1000 ns hold, as 1.00 us
}

}  // namespace
}  // namespace mdsim
