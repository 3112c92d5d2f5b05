// One running fio job clone (a fio thread: backend.c thread_main / do_io) for
// workloads/fio_runner.h: its core, its I/O source (generator or trace replay), its iodepth
// lanes, and the accounting into its FioJobResult. Internal to the runner.
#pragma once

#include <array>
#include <memory>
#include <optional>

#include "raid/mddev.h"
#include "sim/random.h"
#include "sim/task.h"
#include "workloads/fio_generator.h"
#include "workloads/fio_result.h"
#include "workloads/fio_runner.h"
#include "workloads/trace_replay.h"

namespace mdsim::internal {

struct FioClone {
  // Set up before the run.
  const FioJob* job = nullptr;
  Mddev* md = nullptr;
  Cpu* cpu = nullptr;
  const FioRunnerOptions* opt = nullptr;
  KindId submit_kind = 0, complete_kind = 0;
  bool async_engine = false;  // slat recorded
  std::optional<FioGenerator> gen;
  const Trace* trace = nullptr;  // read_iolog jobs
  Rng rate_rng{1};               // rate_process=poisson
  Time startdelay = 0;
  FioJobResult result;

  // While running.
  std::unique_ptr<TraceReplay> replay;
  Time start = 0, ramp_end = 0;
  Time limit = kTimeMax;  // no I/O is issued at or after this time
  Time end = 0;
  unsigned inflight = 0;
  bool stop = false;
  std::array<Time, kFioOps> next_issue{};  // rate pacing per direction
  std::array<uint64_t, kFioDdirs> win_bytes{}, win_ios{};
  Time win_start = 0;
};

// Runs the clone from now (after its startdelay) until it ends; fills c.result.
Task<void> run_fio_clone(FioClone& c);

}  // namespace mdsim::internal
