// A small simulated host for driving a bitmap variant in tests: a machine, the variant's
// modelled synchronisation, and a BitmapIo whose page writes take a fixed time. run() drives
// one operation to completion on a core.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "bitmaps/bitmap_ops.h"
#include "bitmaps/fixed_latency_io.h"
#include "bitmaps/registry.h"
#include "bitmaps/sim_sync.h"
#include "sim/testing.h"

namespace mdsim::testing {

using mdsim::FixedLatencyIo;

// A registered variant by name (the test fails if there is none).
inline const BitmapVariant& registered(const char* name) {
  const BitmapVariant* v = find_bitmap_variant(name);
  if (v == nullptr) {
    ADD_FAILURE() << "no bitmap variant " << name;
    v = find_bitmap_variant("none");
  }
  return *v;
}

// `chunks` chunks of `chunk_bytes` each.
inline BitmapGeometry chunked_geometry(uint64_t chunks = 128, uint64_t chunk_bytes = 64 << 20) {
  BitmapGeometry g;
  g.chunk_bytes = chunk_bytes;
  g.sync_size = chunks * chunk_bytes / 512;
  return g;
}

class BitmapHost {
 public:
  BitmapHost(const BitmapVariant& v, const BitmapGeometry& g, int cores = 4)
      : machine_(sim_, profile(1, cores)),
        bitmap_(v.make(g, &mddev_)),
        domain_(machine_, bitmap_->decls()),
        io_(sim_, 20 * kMicrosecond) {}

  Simulator& sim() { return sim_; }
  Machine& machine() { return machine_; }
  BitmapOps& bitmap() { return *bitmap_; }
  MddevView& mddev() { return mddev_; }
  FixedLatencyIo& io() { return io_; }

  // Runs op(executor) on core `cpu` to completion (holding the core, like kernel code).
  void run(const std::function<Task<void>(SyncExecutor&)>& op, int cpu = 0) {
    spawn(sim_, body(op, cpu));
    sim_.run();
  }
  // Starts op without waiting (returns after the simulation ran out of events).
  void start(const std::function<Task<void>(SyncExecutor&)>& op, int cpu = 0) {
    spawn(sim_, body(op, cpu));
  }
  void settle() { sim_.run(); }

  // Convenience wrappers.
  // write_start/write_end pass the write's cookie through (one outstanding cookie per
  // (offset, sectors); write_end of a write that was never started uses an empty cookie).
  void write_start(Sector off, uint64_t n, int cpu = 0) {
    WriteCookie& c = cookies_[{off, n}].emplace_back();
    run([&](SyncExecutor& x) { return bitmap_->startwrite_tracked(x, off, n, c); }, cpu);
  }
  void write_end(Sector off, uint64_t n, int cpu = 0) {
    WriteCookie c;
    auto it = cookies_.find({off, n});
    if (it != cookies_.end() && !it->second.empty()) {
      c = it->second.front();
      it->second.pop_front();
    }
    run([&](SyncExecutor& x) { return bitmap_->endwrite_tracked(x, off, n, c); }, cpu);
  }
  void unplug() {
    run([&](SyncExecutor& x) { return bitmap_->unplug(x, io_, true); });
  }
  void flush() {
    run([&](SyncExecutor& x) { return bitmap_->flush(x, io_); });
  }
  void daemon() {
    run([&](SyncExecutor& x) { return bitmap_->daemon_work(x, io_); });
  }
  // Lets `n` daemon_sleep periods pass, running the daemon at the end of each.
  void daemon_periods(int n) {
    for (int i = 0; i < n; ++i) {
      sim_.run_until(sim_.now() + bitmap_->daemon_sleep());
      daemon();
    }
  }
  bool start_sync(Sector off, Sector* blocks, bool degraded = false) {
    bool r = false;
    run([&](SyncExecutor& x) -> Task<void> {
      r = co_await bitmap_->start_sync(x, off, blocks, degraded);
    });
    return r;
  }

 private:
  Task<void> body(std::function<Task<void>(SyncExecutor&)> op, int cpu) {
    Cpu& c = machine_.cpu(cpu);
    KindId k = machine_.kind("bitmap");
    co_await c.acquire(k);
    SimExecutor x(domain_, c, k);
    co_await op(x);
    c.release();
  }

  Simulator sim_;
  Machine machine_;
  MddevView mddev_;
  std::unique_ptr<BitmapOps> bitmap_;
  SimSyncDomain domain_;
  FixedLatencyIo io_;
  std::map<std::pair<Sector, uint64_t>, std::deque<WriteCookie>> cookies_;
};

}  // namespace mdsim::testing
