// Simulation speed of whole arrays (the goal: >= 1 M simulated host I/Os per wall
// second on one core for raid1 and raid10, 500 k for raid5 4+1): 4 KiB random writes from 16
// jobs x iodepth 32 on a 16-core machine, NVMe members (the default 980 PRO profile), the
// classic bitmap. items_per_second = simulated host I/Os per wall-clock second.
#include <benchmark/benchmark.h>

#include "raid/md_testing.h"
#include "sim/testing.h"

namespace mdsim {
namespace {

DiskProfile nvme_member() {
  DiskProfile p;
  p.model = "nvme";
  p.nr_hw_queues = 16;
  p.queue_depth = 1023;
  p.capacity_bytes = 1000204886016;
  return p;
}

void run(benchmark::State& state, const char* level, int disks, const char* bitmap) {
  uint64_t ios = 0, events = 0;
  for (auto _ : state) {
    Simulator sim;
    Machine m(sim, testing::profile(2, 8));
    ArrayConfig c;
    c.level = level;
    c.raid_disks = disks;
    c.bitmap = bitmap;
    auto md = testing::make_array(m, c, nvme_member());
    testing::ArrayLoad l{.op = DiskOp::kWrite, .iodepth = 16 * 32,
                         .duration = 20 * kMillisecond};
    ios += testing::run_array_load(*md, l).ios;
    events += sim.events_fired();
  }
  state.SetItemsProcessed(static_cast<int64_t>(ios));
  state.counters["events_per_io"] = static_cast<double>(events) / static_cast<double>(ios);
  state.counters["sim_iops"] = benchmark::Counter(
      static_cast<double>(ios) / (0.020 * static_cast<double>(state.iterations())));
}

void BM_Raid1RandWrite(benchmark::State& state) { run(state, "raid1", 2, "bitmap"); }
BENCHMARK(BM_Raid1RandWrite)->Unit(benchmark::kMillisecond);
void BM_Raid1RandWriteNoBitmap(benchmark::State& state) { run(state, "raid1", 2, "none"); }
BENCHMARK(BM_Raid1RandWriteNoBitmap)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mdsim
