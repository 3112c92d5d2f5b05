// The classic hold model (the peer benchmark ../shared/tools/ns3_hold.cc runs on ns-3): P
// pending events; each fired event schedules one new event at now + 1 + exponential(mean
// 1000 ns), truncated to whole nanoseconds. items_per_second = events fired per CPU second
// (Google Benchmark's default). BM_StorageMix guards the other regimes: sparse windows, delays
// over several levels, mixed priorities.
#include <benchmark/benchmark.h>

#include "sim/random.h"
#include "sim/simulator.h"

namespace mdsim {
namespace {

struct Hold {
  Simulator sim;
  Rng rng{42};
  int64_t left = 0;

  static void fire(void* ctx) {
    auto* h = static_cast<Hold*>(ctx);
    if (h->left == 0) return;
    --h->left;
    h->sim.schedule_in(static_cast<Time>(h->rng.exponential(1000.0)) + 1, &fire, h);
  }
};

void BM_Hold(benchmark::State& state) {
  const int64_t population = state.range(0);
  const int64_t batch = 3'000'000;
  Hold h;
  int64_t fired = 0;
  for (auto _ : state) {
    // Like ns-3's run: P initial events (untimed), then fire until the queue drains, which
    // counts the final P events that no longer reschedule.
    state.PauseTiming();
    for (int64_t i = 0; i < population; ++i) {
      h.sim.schedule_in(static_cast<Time>(h.rng.exponential(1000.0)) + 1, &Hold::fire, &h);
    }
    h.left = batch;
    uint64_t before = h.sim.events_fired();
    state.ResumeTiming();
    h.sim.run();
    fired += static_cast<int64_t>(h.sim.events_fired() - before);
  }
  state.SetItemsProcessed(fired);
}
BENCHMARK(BM_Hold)->ArgName("population")->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);

// A storage-like mix instead of one delay scale: each fired event schedules one event after a
// CPU-like (mean 200 ns), SSD-like (50 us) or disk-like (5 ms) delay, at one of three
// priorities, so entries spread over several levels of the queue and ties mix priorities.
struct Mix {
  Simulator sim;
  Rng rng{7};
  int64_t left = 0;

  void schedule() {
    uint64_t u = rng.below(10);
    double mean = u < 5 ? 200.0 : u < 9 ? 50'000.0 : 5'000'000.0;
    Priority prio = u == 0 ? kPrioHigh : u == 1 ? kPrioLow : kPrioNormal;
    sim.schedule_in(static_cast<Time>(rng.exponential(mean)), &fire, this, prio);
  }
  static void fire(void* ctx) {
    auto* m = static_cast<Mix*>(ctx);
    if (m->left == 0) return;
    --m->left;
    m->schedule();
  }
};

void BM_StorageMix(benchmark::State& state) {
  const int64_t population = state.range(0);
  Mix m;
  int64_t fired = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (int64_t i = 0; i < population; ++i) m.schedule();
    m.left = 3'000'000;
    uint64_t before = m.sim.events_fired();
    state.ResumeTiming();
    m.sim.run();
    fired += static_cast<int64_t>(m.sim.events_fired() - before);
  }
  state.SetItemsProcessed(fired);
}
BENCHMARK(BM_StorageMix)
    ->ArgName("population")
    ->Arg(1000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mdsim
