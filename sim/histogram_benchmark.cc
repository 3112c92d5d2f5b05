// Benchmarks for LatencyHistogram: add() throughput (the simulator's hot path) and the cost
// of computing fio's default percentile list.
#include "sim/histogram.h"

#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

namespace mdsim {
namespace {

// Lognormal latencies around 200 us, precomputed so only add() is measured.
std::vector<Time> make_samples(size_t n) {
  std::mt19937_64 rng(1);
  std::lognormal_distribution<double> d(std::log(200.0 * kMicrosecond), 1.0);
  std::vector<Time> v(n);
  for (auto& x : v) x = static_cast<Time>(d(rng));
  return v;
}

void BM_HistogramAdd(benchmark::State& state) {
  const std::vector<Time> samples = make_samples(4096);
  LatencyHistogram h;
  size_t i = 0;
  for (auto _ : state) {
    h.add(samples[i]);
    i = (i + 1) & (samples.size() - 1);
  }
  benchmark::DoNotOptimize(h.count());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_HistogramAdd);

void BM_HistogramDefaultPercentiles(benchmark::State& state) {
  LatencyHistogram h;
  for (Time v : make_samples(100000)) h.add(v);
  for (auto _ : state) {
    auto r = h.default_percentiles();
    benchmark::DoNotOptimize(r.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_HistogramDefaultPercentiles);

}  // namespace
}  // namespace mdsim
