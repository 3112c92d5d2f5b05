// A BitmapIo whose page writes each take a fixed time (all pages of one call in parallel, as
// md_super_write to every member followed by md_super_wait): for tests and for scenarios that
// run a bitmap without the raid layer's disks.
#pragma once

#include "bitmaps/bitmap_ops.h"
#include "sim/simulator.h"

namespace mdsim {

class FixedLatencyIo : public BitmapIo {
 public:
  FixedLatencyIo(Simulator& sim, Time latency) : sim_(&sim), latency_(latency) {}
  Task<void> write_pages(SyncExecutor& x, std::span<const uint64_t> pages, bool) override {
    writes_ += pages.size();
    ++calls_;
    co_await x.io_wait(wait());
  }
  uint64_t writes() const { return writes_; }  // pages written
  uint64_t calls() const { return calls_; }    // write_pages calls (each waited for)

 private:
  Task<void> wait() { co_await sim_->delay(latency_); }

  Simulator* sim_;
  Time latency_;
  uint64_t writes_ = 0;
  uint64_t calls_ = 0;
};

}  // namespace mdsim
