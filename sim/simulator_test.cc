// Simulator ordering, tie-breaking, run_until and determinism.
#include "sim/simulator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/random.h"

namespace mdsim {
namespace {

struct Recorder {
  Simulator* sim;
  std::vector<std::pair<Time, int>> log;
};

struct Tag {
  Recorder* r;
  int id;
  static void fire(void* p) {
    auto* t = static_cast<Tag*>(p);
    t->r->log.push_back({t->r->sim->now(), t->id});
  }
};

TEST(Simulator, FiresInTimeThenPriorityThenSequenceOrder) {
  Simulator sim;
  Recorder r{&sim, {}};
  std::vector<Tag> tags;
  tags.reserve(8);
  for (int i = 0; i < 8; ++i) tags.push_back({&r, i});
  sim.schedule_at(10, &Tag::fire, &tags[0]);
  sim.schedule_at(5, &Tag::fire, &tags[1]);
  sim.schedule_at(10, &Tag::fire, &tags[2], kPrioHigh);  // outranks tag 0 at t=10
  sim.schedule_at(10, &Tag::fire, &tags[3]);             // after tag 0: same priority, later
  sim.schedule_at(10, &Tag::fire, &tags[4], kPrioLow);
  sim.schedule_at(0, &Tag::fire, &tags[5]);
  sim.run();
  std::vector<std::pair<Time, int>> want = {{0, 5}, {5, 1}, {10, 2}, {10, 0}, {10, 3}, {10, 4}};
  EXPECT_EQ(r.log, want);
  EXPECT_EQ(sim.events_fired(), 6u);
  EXPECT_EQ(sim.now(), 10);
}

TEST(Simulator, EventsScheduledAtNowRunAfterThoseAlreadyDue) {
  Simulator sim;
  Recorder r{&sim, {}};
  Tag late{&r, 99};
  struct Ctx {
    Simulator* sim;
    Tag* late;
    Recorder* r;
  } ctx{&sim, &late, &r};
  Tag other{&r, 1};
  sim.schedule_at(
      3,
      [](void* p) {
        auto* c = static_cast<Ctx*>(p);
        c->r->log.push_back({c->sim->now(), 0});
        c->sim->schedule_in(0, &Tag::fire, c->late);
      },
      &ctx);
  sim.schedule_at(3, &Tag::fire, &other);
  sim.run();
  std::vector<std::pair<Time, int>> want = {{3, 0}, {3, 1}, {3, 99}};
  EXPECT_EQ(r.log, want);
}

TEST(Simulator, RunUntilStopsAtTheBoundaryAndAllowsSchedulingBeforeTheNextEvent) {
  Simulator sim;
  Recorder r{&sim, {}};
  Tag a{&r, 1}, b{&r, 2}, c{&r, 3};
  sim.schedule_at(100, &Tag::fire, &a);
  sim.schedule_at(1000, &Tag::fire, &b);
  sim.run_until(500);
  EXPECT_EQ(sim.now(), 500);
  ASSERT_EQ(r.log.size(), 1u);
  sim.schedule_at(600, &Tag::fire, &c);  // before the pending t=1000 event
  sim.run_until(1000);                   // inclusive
  std::vector<std::pair<Time, int>> want = {{100, 1}, {600, 3}, {1000, 2}};
  EXPECT_EQ(r.log, want);
  EXPECT_EQ(sim.pending(), 0u);
}

TEST(Simulator, StopEndsRunAfterTheCurrentEvent) {
  Simulator sim;
  int fired = 0;
  struct Ctx {
    Simulator* sim;
    int* fired;
  } ctx{&sim, &fired};
  auto fn = [](void* p) {
    auto* c = static_cast<Ctx*>(p);
    if (++*c->fired == 3) c->sim->stop();
  };
  for (int i = 0; i < 10; ++i) sim.schedule_at(i, fn, &ctx);
  sim.run();
  EXPECT_EQ(fired, 3);
  EXPECT_EQ(sim.pending(), 7u);
}

TEST(SimulatorDeathTest, SchedulingInThePastAborts) {
  Simulator sim;
  sim.run_until(100);
  EXPECT_DEATH(sim.schedule_at(50, [](void*) {}, nullptr), "scheduled in the past");
}

// A random workload run twice from the same seed gives the identical trace; another seed
// gives a different one.
std::string random_trace(uint64_t seed) {
  Simulator sim;
  RandomStreams streams(seed);
  struct Node {
    Simulator* sim;
    Rng rng;
    int id;
    int left;
    std::string* out;
    static void fire(void* p) {
      auto* n = static_cast<Node*>(p);
      *n->out += std::to_string(n->sim->now()) + ":" + std::to_string(n->id) + " ";
      if (--n->left > 0) {
        auto prio = static_cast<Priority>(n->rng.below(3) * 64 + 64);
        n->sim->schedule_in(static_cast<Time>(n->rng.below(50)), &fire, n, prio);
      }
    }
  };
  std::string out;
  std::vector<Node> nodes;
  nodes.reserve(20);
  for (int i = 0; i < 20; ++i) nodes.push_back({&sim, streams.stream("node", i), i, 50, &out});
  for (auto& n : nodes) sim.schedule_at(0, &Node::fire, &n);
  sim.run();
  return out;
}

TEST(Simulator, SameSeedSameTraceOtherSeedOtherTrace) {
  std::string a = random_trace(7);
  EXPECT_EQ(a, random_trace(7));
  EXPECT_NE(a, random_trace(8));
}

}  // namespace
}  // namespace mdsim
