// Coroutine processes: delays, child tasks, events, joins and frame lifetimes. Run under the
// sanitizer build (./run_tests --asan) these also prove that no frame leaks.
#include "sim/task.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/event.h"
#include "sim/join.h"

namespace mdsim {
namespace {

using Log = std::vector<std::string>;

Task<void> sleeper(Simulator& sim, Log& log, std::string name, Time d) {
  co_await sim.delay(d);
  log.push_back(name + "@" + std::to_string(sim.now()));
}

TEST(Task, SpawnedProcessesInterleaveByTime) {
  Simulator sim;
  Log log;
  spawn(sim, sleeper(sim, log, "b", 20));
  spawn(sim, sleeper(sim, log, "a", 10));
  spawn(sim, sleeper(sim, log, "c", 20));
  EXPECT_EQ(sim.live_processes(), 3u);
  sim.run();
  EXPECT_EQ(log, (Log{"a@10", "b@20", "c@20"}));
  EXPECT_EQ(sim.live_processes(), 0u);
}

Task<int> add_later(Simulator& sim, int a, int b) {
  co_await sim.delay(5);
  co_return a + b;
}

Task<void> parent(Simulator& sim, std::vector<int>& out) {
  int x = co_await add_later(sim, 1, 2);
  int y = co_await add_later(sim, x, 10);
  out.push_back(x);
  out.push_back(y);
  out.push_back(static_cast<int>(sim.now()));
}

TEST(Task, AwaitingChildrenReturnsValuesInSequence) {
  Simulator sim;
  std::vector<int> out;
  spawn(sim, parent(sim, out));
  sim.run();
  EXPECT_EQ(out, (std::vector<int>{3, 13, 10}));
}

Task<int> immediate(int v) { co_return v; }

Task<void> many_immediate(int n, long& sum) {
  for (int i = 0; i < n; ++i) sum += co_await immediate(i);
}

TEST(Task, SymmetricTransferDoesNotGrowTheStack) {
  Simulator sim;
  long sum = 0;
  spawn(sim, many_immediate(1'000'000, sum));
  sim.run();
  EXPECT_EQ(sum, 499999500000L);
}

Task<void> waiter(Event& e, Log& log, std::string name) {
  co_await e;
  log.push_back(name + "@" + std::to_string(e.sim().now()));
}

TEST(Event, WakesAllWaitersInFifoOrderAtTriggerTime) {
  Simulator sim;
  Event e(sim);
  Log log;
  spawn(sim, waiter(e, log, "w1"));
  spawn(sim, waiter(e, log, "w2"));
  spawn(sim, waiter(e, log, "w3"));
  sim.run();
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(e.waiters(), 3u);
  struct Ctx {
    Event* e;
  } ctx{&e};
  sim.schedule_at(42, [](void* p) { static_cast<Ctx*>(p)->e->trigger(); }, &ctx);
  sim.run();
  EXPECT_EQ(log, (Log{"w1@42", "w2@42", "w3@42"}));
  // Awaiting a triggered event does not suspend.
  spawn(sim, waiter(e, log, "late"));
  sim.run();
  EXPECT_EQ(log.back(), "late@42");
}

Task<void> trigger_at(Simulator& sim, Event& e, Time t) {
  co_await sim.delay(t - sim.now());
  e.trigger();
}

Task<void> join_all(Simulator& sim, Log& log) {
  std::vector<Task<void>> kids;
  kids.push_back(sleeper(sim, log, "k30", 30));
  kids.push_back(sleeper(sim, log, "k10", 10));
  kids.push_back(sleeper(sim, log, "k20", 20));
  co_await all_of(std::move(kids));
  log.push_back("all@" + std::to_string(sim.now()));
}

TEST(Join, AllOfTasksWaitsForTheSlowest) {
  Simulator sim;
  Log log;
  spawn(sim, join_all(sim, log));
  sim.run();
  EXPECT_EQ(log, (Log{"k10@10", "k20@20", "k30@30", "all@30"}));
}

Task<void> join_any(Simulator& sim, Log& log) {
  std::vector<Task<void>> kids;
  kids.push_back(sleeper(sim, log, "k30", 30));
  kids.push_back(sleeper(sim, log, "k10", 10));
  int first = co_await any_of(sim, std::move(kids));
  log.push_back("any=" + std::to_string(first) + "@" + std::to_string(sim.now()));
}

TEST(Join, AnyOfTasksResumesOnFirstAndTheRestRunOnDetached) {
  Simulator sim;
  Log log;
  spawn(sim, join_any(sim, log));
  sim.run();
  EXPECT_EQ(log, (Log{"k10@10", "any=1@10", "k30@30"}));
  EXPECT_EQ(sim.live_processes(), 0u);
}

Task<void> join_events(Simulator& sim, Event& a, Event& b, Log& log) {
  std::vector<Event*> both{&a, &b};
  int i = co_await any_of(both);
  log.push_back("any=" + std::to_string(i) + "@" + std::to_string(sim.now()));
  co_await all_of(both);
  log.push_back("all@" + std::to_string(sim.now()));
}

TEST(Join, EventsAnyOfThenAllOf) {
  Simulator sim;
  Event a(sim), b(sim);
  Log log;
  spawn(sim, join_events(sim, a, b, log));
  spawn(sim, trigger_at(sim, b, 7));
  spawn(sim, trigger_at(sim, a, 9));
  sim.run();
  EXPECT_EQ(log, (Log{"any=1@7", "all@9"}));
  EXPECT_EQ(a.waiters(), 0u);  // the any_of node left a's list when b fired
}

Task<void> thrower(Simulator& sim) {
  co_await sim.delay(1);
  throw std::runtime_error("boom");
}

Task<void> catcher(Simulator& sim, std::string& caught) {
  try {
    co_await thrower(sim);
  } catch (const std::runtime_error& e) {
    caught = e.what();
  }
}

TEST(Task, ExceptionPropagatesToTheAwaitingParent) {
  Simulator sim;
  std::string caught;
  spawn(sim, catcher(sim, caught));
  sim.run();
  EXPECT_EQ(caught, "boom");
}

// Frames suspended forever are destroyed with the simulator, and their locals with them.
Task<void> stuck(Event& never, std::shared_ptr<int> token) {
  co_await never;
  ++*token;
}

Task<void> stuck_parent(Event& never, std::shared_ptr<int> token) {
  co_await stuck(never, token);
}

TEST(Task, SimulatorDestroysSuspendedFramesAndTheirChildren) {
  auto token = std::make_shared<int>(0);
  {
    Simulator sim;
    Event never(sim);
    spawn(sim, stuck_parent(never, token));
    spawn(sim, stuck(never, token));
    sim.run();
    EXPECT_EQ(sim.live_processes(), 2u);
    EXPECT_EQ(token.use_count(), 4);  // two frames of stuck + one of stuck_parent hold copies
  }
  EXPECT_EQ(token.use_count(), 1);
  EXPECT_EQ(*token, 0);
}

Task<void> sleeper(Simulator& sim, std::shared_ptr<int> token) {
  co_await sim.delay(100);
  ++*token;
}

// halt() is a crash: suspended processes and their pending events vanish at once, the clock
// stays readable, and running again is refused.
TEST(Task, HaltDestroysProcessesAndDropsTheirEvents) {
  auto token = std::make_shared<int>(0);
  Simulator sim;
  spawn(sim, sleeper(sim, token));
  spawn(sim, sleeper(sim, token));
  sim.run_until(50);
  EXPECT_EQ(token.use_count(), 3);
  sim.halt();
  EXPECT_TRUE(sim.halted());
  EXPECT_EQ(sim.live_processes(), 0u);
  EXPECT_EQ(sim.pending(), 0u);
  EXPECT_EQ(token.use_count(), 1);
  EXPECT_EQ(*token, 0);
  EXPECT_EQ(sim.now(), 50);
  EXPECT_DEATH(sim.run(), "run after halt");
}

TEST(Task, UnstartedTaskIsFreedByItsOwner) {
  auto token = std::make_shared<int>(0);
  Simulator sim;
  Event never(sim);
  {
    Task<void> t = stuck(never, token);
    EXPECT_EQ(token.use_count(), 2);
  }
  EXPECT_EQ(token.use_count(), 1);
}

}  // namespace
}  // namespace mdsim
