// Engine throughput beyond the hold model: coroutine processes resumed through the queue,
// child-task calls, and the full lock-loop scenario (CPUs, cache lines, a contended spinlock).
#include <benchmark/benchmark.h>

#include "sim/lock_loop.h"
#include "sim/task.h"
#include "sim/testing.h"

namespace mdsim {
namespace {

Task<void> sleeper(Simulator& sim, int64_t n, Time d) {
  for (int64_t i = 0; i < n; ++i) co_await sim.delay(d);
}

// P processes each sleeping repeatedly: items = resumptions per second.
void BM_DelayLoop(benchmark::State& state) {
  const int64_t procs = state.range(0);
  const int64_t per = 200000 / procs;
  for (auto _ : state) {
    Simulator sim;
    for (int64_t p = 0; p < procs; ++p) spawn(sim, sleeper(sim, per, 10 + p % 7));
    sim.run();
  }
  state.SetItemsProcessed(state.iterations() * procs * per);
}
BENCHMARK(BM_DelayLoop)->ArgName("procs")->Arg(1)->Arg(1000);

Task<int> leaf(int v) { co_return v + 1; }

Task<void> caller(int64_t n, int64_t& sum) {
  for (int64_t i = 0; i < n; ++i) sum += co_await leaf(static_cast<int>(i & 7));
}

// Awaiting a child task that completes at once: items = child calls per second.
void BM_ChildCall(benchmark::State& state) {
  int64_t sum = 0;
  for (auto _ : state) {
    Simulator sim;
    spawn(sim, caller(100000, sum));
    sim.run();
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations() * 100000);
}
BENCHMARK(BM_ChildCall);

// The lock-loop scenario on 16 cores: items = simulator events per second.
void BM_LockLoop(benchmark::State& state) {
  uint64_t events = 0;
  for (auto _ : state) {
    Simulator sim;
    Machine m(sim, testing::profile(2, 8));
    LockLoopParams p;
    p.duration_ns = 5 * kMillisecond;
    run_lock_loop(m, p, RandomStreams(1));
    events += sim.events_fired();
  }
  state.SetItemsProcessed(static_cast<int64_t>(events));
}
BENCHMARK(BM_LockLoop);

}  // namespace
}  // namespace mdsim
