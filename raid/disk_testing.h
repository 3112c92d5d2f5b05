// A closed-loop fio-like load on one disk, for the disk tests and the benchmark: `iodepth`
// workers each keep one request in flight (worker i submits from core i modulo the machine's
// cores, holding it for the issue as submit_bio does), random (aligned to the block size, uniform
// over `span`) or sequential (one shared cursor), for `warmup` plus `duration` of simulated time.
// Requests that complete within the last `duration` are counted; those in flight at its end are
// drained, not counted. (The warm-up lets a write cache fill, so that the figures are the
// sustained ones.)
#pragma once

#include <memory>
#include <vector>

#include "raid/disk.h"
#include "sim/histogram.h"
#include "sim/machine.h"
#include "sim/task.h"

namespace mdsim::testing {

struct DiskLoad {
  DiskOp op = DiskOp::kRead;
  uint32_t bs_sectors = 8;
  int iodepth = 1;
  bool sequential = false;
  Time duration = 10 * kMillisecond;
  Sector span = 0;  // 0: the whole device
  Sector start = 0; // first sector of the region used
  bool fua = false;
  int write_percent = -1;  // >= 0: each request is a write with this probability, else a read
  uint64_t seed = 1;
  Time warmup = 0;  // load run before the measured window
};

struct LoadResult {
  uint64_t ios = 0;
  uint64_t bytes = 0;
  uint64_t errors = 0;
  Time duration = 0;
  LatencyHistogram latency;
  double iops() const { return static_cast<double>(ios) / to_seconds(duration); }
  double mbps() const { return static_cast<double>(bytes) / to_seconds(duration) / 1e6; }
};

namespace internal {

struct LoadState {
  Machine* machine;
  Disk* disk;
  DiskLoad load;
  Time begin;  // of the measured window
  Time end;
  Sector span;
  Sector cursor = 0;
  Rng rng;
  LoadResult result;
  KindId kind;
};

inline Task<void> load_worker(LoadState* st, int index) {
  Simulator& sim = st->machine->sim();
  Cpu& cpu = st->machine->cpu(index % st->machine->num_cpus());
  const uint32_t bs = st->load.bs_sectors;
  DiskIo io;
  while (sim.now() < st->end) {
    DiskRequest r;
    r.op = st->load.op;
    if (st->load.write_percent >= 0) {
      r.op = st->rng.below(100) < static_cast<uint64_t>(st->load.write_percent) ? DiskOp::kWrite
                                                                                 : DiskOp::kRead;
    }
    r.sectors = bs;
    r.fua = st->load.fua;
    if (st->load.sequential) {
      if (st->cursor + bs > st->span) st->cursor = 0;
      r.sector = st->load.start + st->cursor;
      st->cursor += bs;
    } else {
      r.sector = st->load.start + st->rng.below(st->span / bs) * bs;
    }
    co_await cpu.acquire(st->kind);
    co_await st->disk->issue(cpu, r, io);
    cpu.release();
    IoResult res = co_await io;
    if (res.completed > st->end || res.completed < st->begin) continue;
    if (!res.ok()) {
      ++st->result.errors;
      continue;
    }
    ++st->result.ios;
    st->result.bytes += r.bytes();
    st->result.latency.add(res.latency());
  }
}

}  // namespace internal

inline LoadResult run_disk_load(Machine& m, Disk& d, const DiskLoad& load) {
  Simulator& sim = m.sim();
  auto st = std::make_unique<internal::LoadState>(internal::LoadState{
      &m, &d, load, sim.now() + load.warmup, sim.now() + load.warmup + load.duration,
      load.span != 0 ? load.span : d.capacity_sectors() - load.start, 0,
      RandomStreams(load.seed).stream("load"), {}, m.kind("load")});
  st->result.duration = load.duration;
  for (int i = 0; i < load.iodepth; ++i) spawn(sim, internal::load_worker(st.get(), i));
  sim.run_until(st->end);
  sim.run();
  return std::move(st->result);
}

}  // namespace mdsim::testing
