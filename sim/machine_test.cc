// CPU model (queueing, irq priority, accounting), topology costs and percpu_ref kill/release.
#include "sim/machine.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/percpu_ref.h"
#include "sim/task.h"
#include "sim/testing.h"

namespace mdsim {
namespace {

using testing::profile;

Task<void> job(Cpu& cpu, KindId kind, Time start, Time cost, bool irq, std::vector<std::string>& log,
               std::string name) {
  Simulator& sim = cpu.machine().sim();
  co_await sim.delay(start);
  co_await cpu.acquire(kind, irq);
  log.push_back(name + "+" + std::to_string(sim.now()));
  co_await sim.delay(cost);
  cpu.release();
}

TEST(Cpu, WorkOnOneCoreSerialisesIrqFirstThenFifo) {
  Simulator sim;
  Machine m(sim, profile(1, 2));
  KindId k = m.kind("work");
  std::vector<std::string> log;
  Cpu& c = m.cpu(0);
  spawn(sim, job(c, k, 0, 100, false, log, "a"));
  spawn(sim, job(c, k, 10, 100, false, log, "b"));
  spawn(sim, job(c, k, 20, 100, true, log, "irq"));  // queued after b, runs before it
  spawn(sim, job(m.cpu(1), k, 10, 100, false, log, "other"));  // another core: in parallel
  sim.run();
  EXPECT_EQ(log, (std::vector<std::string>{"a+0", "other+10", "irq+100", "b+200"}));
  EXPECT_EQ(c.busy_time(), 300);
  EXPECT_EQ(c.time_in(k), 300);
  EXPECT_EQ(m.cpu(1).busy_time(), 100);
  EXPECT_DOUBLE_EQ(c.utilisation(), 1.0);
  EXPECT_NEAR(m.cpu(1).utilisation(), 100.0 / 300.0, 1e-12);
}

Task<void> kinds(Cpu& cpu, Machine& m) {
  co_await cpu.acquire(m.kind("a"));
  co_await cpu.work(30, m.kind("b"));
  co_await cpu.work(50, m.kind("c"));
  co_await cpu.work(20, m.kind("b"));
  cpu.release();
  co_await m.sim().delay(100);  // idle: not charged
}

TEST(Cpu, TimeIsChargedToTheCurrentKind) {
  Simulator sim;
  Machine m(sim, profile(1, 1));
  spawn(sim, kinds(m.cpu(0), m));
  sim.run();
  EXPECT_EQ(m.cpu(0).time_in(m.kind("a")), 0);
  EXPECT_EQ(m.cpu(0).time_in(m.kind("b")), 50);
  EXPECT_EQ(m.cpu(0).time_in(m.kind("c")), 50);
  EXPECT_EQ(m.cpu(0).busy_time(), 100);
  EXPECT_DOUBLE_EQ(m.cpu(0).utilisation(), 0.5);
  EXPECT_EQ(m.kind_names()[static_cast<size_t>(m.kind("c"))], "c");
}

Task<void> charged(Cpu& cpu, Machine& m, Time* settled_at) {
  co_await cpu.acquire(m.kind("a"));
  co_await cpu.work(10, m.kind("a"));
  cpu.charge(30, m.kind("b"));
  cpu.charge(50, m.kind("c"));
  cpu.charge(0, m.kind("c"));
  co_await cpu.settle();
  *settled_at = m.sim().now();
  co_await cpu.work(20, m.kind("b"));
  co_await cpu.settle();  // nothing owed: no wait
  cpu.release();
}

TEST(Cpu, ChargedWorkIsBookedToItsKindsAndPassesInOneWait) {
  Simulator sim;
  Machine m(sim, profile(1, 1));
  Time settled_at = -1;
  spawn(sim, charged(m.cpu(0), m, &settled_at));
  sim.run();
  EXPECT_EQ(settled_at, 90);
  EXPECT_EQ(sim.now(), 110);
  EXPECT_EQ(m.cpu(0).time_in(m.kind("a")), 10);
  EXPECT_EQ(m.cpu(0).time_in(m.kind("b")), 50);
  EXPECT_EQ(m.cpu(0).time_in(m.kind("c")), 50);
  EXPECT_EQ(m.cpu(0).busy_time(), 110);
  // spawn's first step, work(10), the settle and work(20): zero-cost waits add no events.
  EXPECT_EQ(sim.events_fired(), 4u);
}

// release_charged: the core stays busy for the charged work without an event of its own;
// takers arriving meanwhile get it when the work ends (irq first), later ones at once.
Task<void> charge_and_leave(Cpu& cpu, KindId k, Time cost) {
  co_await cpu.acquire(k);
  cpu.charge(cost, k);
  cpu.release_charged();
}

TEST(Cpu, ReleaseChargedKeepsTheCoreBusyUntilTheWorkIsDone) {
  Simulator sim;
  Machine m(sim, profile(1, 1));
  KindId k = m.kind("work");
  std::vector<std::string> log;
  Cpu& c = m.cpu(0);
  spawn(sim, charge_and_leave(c, k, 100));
  sim.run();
  EXPECT_EQ(sim.events_fired(), 1u);  // only the spawn
  EXPECT_EQ(c.busy_time(), 100);      // booked, although the clock stands at 0
  EXPECT_TRUE(c.busy());
  sim.run_until(100);
  EXPECT_FALSE(c.busy());
  EXPECT_EQ(c.busy_time(), 100);

  spawn(sim, charge_and_leave(c, k, 100));                // 100..200, then given up
  spawn(sim, job(c, k, 30, 10, false, log, "task"));      // queued at 130
  spawn(sim, job(c, k, 50, 10, true, log, "irq"));        // queued at 150, goes first
  spawn(sim, job(c, k, 250, 10, false, log, "late"));     // core free since 220: at once
  sim.run();
  EXPECT_EQ(log, (std::vector<std::string>{"irq+200", "task+210", "late+350"}));
  EXPECT_EQ(c.busy_time(), 100 + 100 + 30);
  EXPECT_EQ(c.time_in(k), 230);
}

TEST(Machine, TransferCostsFollowTopology) {
  Simulator sim;
  MachineProfile p = profile(2, 8);
  p.cores_per_ccx = 4;
  p.same_ccx_ns = 20;
  p.same_socket_ns = 100;
  Machine m(sim, p);
  EXPECT_EQ(m.num_cpus(), 16);
  EXPECT_EQ(m.transfer_ns(-1, 3), p.first_touch_ns);
  EXPECT_EQ(m.transfer_ns(3, 3), p.local_ns);
  EXPECT_EQ(m.transfer_ns(0, 3), 20);    // same CCX
  EXPECT_EQ(m.transfer_ns(0, 4), 100);   // same socket, other CCX
  EXPECT_EQ(m.transfer_ns(0, 8), p.cross_socket_ns);
  EXPECT_EQ(m.socket_of(15), 1);
}

Task<void> ref_user(Machine& m, PercpuRef& ref, Time start, Time hold, std::vector<std::string>& log,
                    std::string name) {
  Simulator& sim = m.sim();
  co_await sim.delay(start);
  Cpu& c = m.cpu(0);
  co_await c.acquire(m.kind("t"));
  bool ok = co_await ref.tryget_live(c);
  log.push_back(name + (ok ? " got@" : " refused@") + std::to_string(sim.now()));
  c.release();
  if (!ok) co_return;
  co_await sim.delay(hold);
  co_await c.acquire(m.kind("t"));
  co_await ref.put(c);
  c.release();
}

Task<void> killer(Machine& m, PercpuRef& ref, Time at, std::vector<std::string>& log) {
  co_await m.sim().delay(at);
  ref.kill();
  co_await ref.released();
  log.push_back("released@" + std::to_string(m.sim().now()));
  ref.resurrect();
}

TEST(PercpuRef, KillRefusesNewRefsAndReleasesAfterGraceAndLastPut) {
  Simulator sim;
  MachineProfile p = profile(1, 1);
  p.rcu_grace_ns = 1000;
  Machine m(sim, p);
  PercpuRef ref(m);
  std::vector<std::string> log;
  spawn(sim, ref_user(m, ref, 0, 5000, log, "early"));  // holds a ref until ~5000
  spawn(sim, killer(m, ref, 100, log));
  spawn(sim, ref_user(m, ref, 200, 10, log, "late"));  // after kill: refused
  sim.run();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0], "early got@80");  // first touch of the cpu's counter line
  EXPECT_EQ(log[1], "late refused@205");
  EXPECT_EQ(log[2].substr(0, 9), "released@");
  Time released = std::stol(log[2].substr(9));
  EXPECT_GE(released, 5080);  // not before the last put
  EXPECT_FALSE(ref.dead());
  EXPECT_EQ(ref.count(), 0);
}

}  // namespace
}  // namespace mdsim
