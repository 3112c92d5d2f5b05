// Simulated I/Os per wall-clock second through the disk models: closed-loop random 4 KiB reads
// on one disk (raid/disk_testing.h: each worker takes a core, issues, releases it and waits for
// the completion), and the same through the convenience submit() (a pooled coroutine frame per
// request). items_per_second = simulated I/Os per wall second.
#include <benchmark/benchmark.h>

#include "raid/disk.h"
#include "raid/disk_testing.h"
#include "sim/testing.h"

namespace mdsim {
namespace {

DiskProfile profile_for(const char* model) {
  DiskProfile p;
  p.model = model;
  p.nr_hw_queues = 8;
  p.queue_depth = 1023;
  p.capacity_bytes = 1000204886016;
  return p;
}

void run_model(benchmark::State& state, const char* model, int qd) {
  uint64_t ios = 0;
  for (auto _ : state) {
    Simulator sim;
    Machine m(sim, testing::profile(1, 8));
    auto disk = make_disk(profile_for(model), sim, RandomStreams(1), "d0");
    auto res = testing::run_disk_load(m, *disk, {.iodepth = qd, .duration = 20 * kMillisecond});
    ios += res.ios;
  }
  state.SetItemsProcessed(static_cast<int64_t>(ios));
}

void BM_NvmeRandRead(benchmark::State& state) {
  run_model(state, "nvme", static_cast<int>(state.range(0)));
}
BENCHMARK(BM_NvmeRandRead)->ArgName("qd")->Arg(1)->Arg(32)->Arg(256)->Unit(benchmark::kMillisecond);

void BM_NullRandRead(benchmark::State& state) { run_model(state, "null", 32); }
BENCHMARK(BM_NullRandRead)->Unit(benchmark::kMillisecond);

Task<void> submitter(Simulator& sim, Disk& d, Cpu& cpu, Time end, uint64_t* ios, uint64_t seed) {
  Rng rng(seed);
  const Sector blocks = d.capacity_sectors() / 8;
  while (sim.now() < end) {
    IoResult r = co_await d.submit(cpu, DiskRequest{DiskOp::kRead, rng.below(blocks) * 8, 8});
    if (r.completed <= end) ++*ios;
  }
}

// The convenience path: one coroutine frame per request (from the frame pool).
void BM_NvmeRandReadSubmit(benchmark::State& state) {
  uint64_t ios = 0;
  for (auto _ : state) {
    Simulator sim;
    Machine m(sim, testing::profile(1, 8));
    auto disk = make_disk(profile_for("nvme"), sim, RandomStreams(1), "d0");
    for (int i = 0; i < 32; ++i) {
      spawn(sim, submitter(sim, *disk, m.cpu(i % 8), 20 * kMillisecond, &ios, i + 1));
    }
    sim.run();
  }
  state.SetItemsProcessed(static_cast<int64_t>(ios));
}
BENCHMARK(BM_NvmeRandReadSubmit)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mdsim
