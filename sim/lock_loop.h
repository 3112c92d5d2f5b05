// The lock-loop scenario: T threads on the simulated cores loop "take the lock, hold it,
// release it, think" for a fixed simulated duration. It exercises the CPU, cache-line and lock
// models together, and its results have closed-form bounds to check them against:
// uncontended throughput T / (hold + think + acquire), saturated 1 / (hold + handoff).
#pragma once

#include <string>
#include <vector>

#include "sim/histogram.h"
#include "sim/machine.h"
#include "sim/random.h"

namespace mdsim {

struct LockLoopParams {
  std::string lock = "spinlock";  // spinlock | rwlock_read | rwlock_write | rwlock_mixed |
                                  // atomic | percpu_ref
  int threads = 0;                // 0: one per core
  Time hold_ns = 100;
  Time think_ns = 1000;
  bool think_exponential = true;  // exponential think times (else fixed)
  Time duration_ns = 2 * kMillisecond;
  int write_percent = 10;  // rwlock_mixed: share of write acquisitions
};

struct LockLoopResult {
  int threads = 0;
  uint64_t ops = 0;
  double ops_per_sec = 0;
  double theory_uncontended_ops_per_sec = 0;
  double theory_saturated_ops_per_sec = 0;
  double wait_share = 0;  // share of busy CPU time spent acquiring: spinning, line stalls
  LatencyHistogram acquire_latency;  // request -> acquired (or RMW done), ns
};

// The lock kinds run_lock_loop accepts.
const std::vector<std::string>& lock_loop_kinds();

// Runs the scenario on `m` (whose simulator must be fresh) and returns its measurements.
LockLoopResult run_lock_loop(Machine& m, const LockLoopParams& p, const RandomStreams& rs);

}  // namespace mdsim
