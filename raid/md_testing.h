// Test helpers for arrays: build one from a disk profile, and drive it with a closed-loop
// fio-like load (iodepth workers, each submitting from a core and waiting for its bio).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "raid/disk.h"
#include "raid/md_resync.h"
#include "raid/mddev.h"
#include "sim/histogram.h"
#include "sim/machine.h"
#include "sim/random.h"
#include "sim/task.h"
#include "sim/testing.h"

namespace mdsim::testing {

// A null_blk-like member with a fixed completion time and no volatile cache.
inline DiskProfile null_member(Time completion_ns, uint64_t capacity_bytes = uint64_t{1} << 36) {
  DiskProfile p;
  p.model = "null";
  p.capacity_bytes = capacity_bytes;
  p.queue_depth = 1024;
  p.null_disk.completion_ns = completion_ns;
  return p;
}

// A brd-like member: its copy (per_io_ns + per_kib_ns per KiB) runs on the submitting core.
inline DiskProfile ramdisk_member(Time per_io_ns, Time per_kib_ns,
                                  uint64_t capacity_bytes = uint64_t{1} << 30) {
  DiskProfile p;
  p.model = "ramdisk";
  p.capacity_bytes = capacity_bytes;
  p.queue_depth = 0;
  p.ramdisk.per_io_ns = per_io_ns;
  p.ramdisk.per_kib_ns = per_kib_ns;
  return p;
}

inline std::vector<std::unique_ptr<Disk>> make_members(Simulator& sim,
                                                       const std::vector<DiskProfile>& ps,
                                                       uint64_t seed = 1) {
  std::vector<std::unique_ptr<Disk>> v;
  for (size_t i = 0; i < ps.size(); ++i) {
    std::string name = "d";
    name += std::to_string(i);
    v.push_back(make_disk(ps[i], sim, RandomStreams(seed), name));
  }
  return v;
}

inline std::unique_ptr<Mddev> make_array(Machine& m, const ArrayConfig& cfg,
                                         const DiskProfile& member) {
  std::vector<DiskProfile> ps(static_cast<size_t>(cfg.raid_disks), member);
  return std::make_unique<Mddev>(m, cfg, make_members(m.sim(), ps));
}

// One host bio from `cpu` at the current time; returns its result.
inline Task<IoResult> host_io(Mddev& md, Cpu& cpu, DiskRequest r, KindId kind) {
  co_await cpu.acquire(kind);
  co_return co_await md.submit(cpu, r);
}
inline Task<IoResult> host_io(Mddev& md, Cpu& cpu, DiskRequest r) {
  return host_io(md, cpu, r, md.machine().kind("test_submit"));
}

struct ArrayLoad {
  DiskOp op = DiskOp::kWrite;
  uint32_t bs_sectors = 8;
  int iodepth = 1;
  bool sequential = false;
  Time duration = 1 * kMillisecond;
  int write_percent = -1;  // >= 0: mixed, each bio a write with this probability
  uint64_t seed = 1;
};

struct ArrayLoadResult {
  uint64_t ios = 0, errors = 0;
  LatencyHistogram latency;
};

namespace internal {

struct ArrayLoadState {
  Mddev* md;
  ArrayLoad load;
  Time end;
  Sector cursor = 0;
  Rng rng;
  ArrayLoadResult result;
};

inline Task<void> array_worker(ArrayLoadState* st, int index) {
  Mddev& md = *st->md;
  Simulator& sim = md.sim();
  Cpu& cpu = md.machine().cpu(index % md.machine().num_cpus());
  const uint32_t bs = st->load.bs_sectors;
  const Sector blocks = md.array_sectors() / bs;
  const KindId kind = md.machine().kind("test_submit");
  while (sim.now() < st->end) {
    DiskRequest r;
    r.op = st->load.op;
    if (st->load.write_percent >= 0) {
      r.op = st->rng.below(100) < static_cast<uint64_t>(st->load.write_percent) ? DiskOp::kWrite
                                                                                 : DiskOp::kRead;
    }
    r.sectors = bs;
    if (st->load.sequential) {
      if (st->cursor + bs > md.array_sectors()) st->cursor = 0;
      r.sector = st->cursor;
      st->cursor += bs;
    } else {
      r.sector = st->rng.below(blocks) * bs;
    }
    co_await cpu.acquire(kind);  // host_io without its frame
    IoResult res = co_await md.submit(cpu, r);
    if (res.completed > st->end) continue;
    if (!res.ok()) {
      ++st->result.errors;
      continue;
    }
    ++st->result.ios;
    st->result.latency.add(res.latency());
  }
}

}  // namespace internal

// Drives an array with `load` step by step: start() spawns the workers (each runs until
// stop_at, the load's duration after start unless changed), run_for() advances the clock, and
// finish() stops the array's daemon and drains. A benchmark can so keep one warm array running
// across its iterations.
class ArrayLoadDriver {
 public:
  ArrayLoadDriver(Mddev& md, const ArrayLoad& load)
      : md_(&md),
        st_(std::make_unique<internal::ArrayLoadState>(internal::ArrayLoadState{
            &md, load, md.sim().now() + load.duration, 0, RandomStreams(load.seed).stream("load"),
            {}})) {
    md.start();
    for (int i = 0; i < load.iodepth; ++i) spawn(md.sim(), internal::array_worker(st_.get(), i));
  }
  void run_for(Time d) { md_->sim().run_until(md_->sim().now() + d); }
  void run_to_end() { md_->sim().run_until(st_->end); }
  ArrayLoadResult finish() {
    run_to_end();
    md_->stop();
    md_->sim().run();
    return std::move(st_->result);
  }
  const ArrayLoadResult& result() const { return st_->result; }

 private:
  Mddev* md_;
  std::unique_ptr<internal::ArrayLoadState> st_;
};

// Runs `load` for its duration, then stops the array's daemon and drains.
inline ArrayLoadResult run_array_load(Mddev& md, const ArrayLoad& load) {
  ArrayLoadDriver d(md, load);
  return d.finish();
}

// A raid1 array of `disks` members of `member_sectors` each, with a resync of `kind`.
inline ArrayConfig resync_array(ResyncKind kind, const char* bitmap = "none", int disks = 2,
                                Sector member_sectors = Sector{1} << 17) {
  ArrayConfig c;
  c.level = "raid1";
  c.raid_disks = disks;
  c.bitmap = bitmap;
  c.member_sectors = member_sectors;
  c.resync.kind = kind;
  return c;
}

// A simulator, a 4-core machine and an array on null_blk-like members of `member_ns`.
struct NullArrayRig {
  Simulator sim;
  Machine m{sim, profile(1, 4)};
  std::unique_ptr<Mddev> md;
  explicit NullArrayRig(const ArrayConfig& cfg, Time member_ns = 20 * kMicrosecond)
      : md(make_array(m, cfg, null_member(member_ns))) {}
  const DiskOpStats& op(int member, DiskOp o) const {
    return md->member(member).disk->stats().op(o);
  }
};

// Starts the array (its sync thread with it) and runs the simulation until the sync has
// finished (or `limit`), then stops the array and drains. Returns the sync's timeline.
inline const ResyncTimeline& run_resync(Mddev& md, Time limit = 3600 * kSecond) {
  md.start();
  Simulator& sim = md.sim();
  while (!md.resync()->finished() && sim.now() < limit) {
    sim.run_until(sim.now() + 50 * kMillisecond);
  }
  md.stop();
  sim.run();
  return md.resync()->timeline();
}

}  // namespace mdsim::testing
