// The operations of md's classic bitmap (struct bitmap_operations of drivers/md/md-bitmap.c,
// Linux 6.12, with 6.14's write-behind split, see bitmap_ops.h) over ClassicCounters, with the
// locking left to the variant. A variant built on it (`bitmap`, `scalaraid`) declares its locks
// and says, through ClassicLocking, which of them each critical section holds:
//   - every counter update (startwrite, endwrite, start_sync, end_sync per chunk) holds
//     `counter_lock[counter_lock_index(offset)]`, after taking `outer` shared if there is one;
//   - the daemon's scan holds `scan_lock` in `scan_access`, charged per counter it walks;
//   - a missing counter page is allocated with the counter lock dropped (md_bitmap_checkpage),
//     with `outer` still read-held if `alloc_under_outer`.
// Declared steps cannot nest (sync.h), so an `outer` read hold is a step of its own just before
// the counter step: it models the rwlock's acquire/release traffic and a writer excluding new
// readers, but a writer arriving in between is not held off by it (see scalaraid_bitmap.cc).
//
// Write-behind (md_bitmap_start/end_behind_write, md_bitmap_wait_behind_writes) is an atomic
// and a wait queue outside every counter lock, as in the kernel.
#pragma once

#include <atomic>
#include <memory>

#include "bitmaps/bitmap_ops.h"
#include "bitmaps/classic_counters.h"

namespace mdsim {

struct ClassicLocking {
  LockId counter_lock = -1;
  LockId outer = -1;  // an rwlock read-held around counter updates; -1: none
  LockId scan_lock = -1;
  Access scan_access = Access::kExclusive;
  bool alloc_under_outer = false;
};

class ClassicFamily : public BitmapOps {
 public:
  ClassicFamily(const BitmapGeometry& g, const MddevView* m,
                std::unique_ptr<ClassicCounters> counts);

  void load_image(std::span<const uint8_t> image) override { counts_->load_image(image); }
  Task<void> startwrite(SyncExecutor& x, Sector offset, uint64_t sectors) override;
  Task<void> endwrite(SyncExecutor& x, Sector offset, uint64_t sectors) override;
  Task<void> start_behind_write(SyncExecutor& x) override;
  Task<void> end_behind_write(SyncExecutor& x) override;
  Task<void> wait_behind_writes(SyncExecutor& x) override;
  Task<bool> start_sync(SyncExecutor& x, Sector offset, Sector* blocks, bool degraded) override;
  Task<void> end_sync(SyncExecutor& x, Sector offset, Sector* blocks) override;
  Task<void> close_sync(SyncExecutor& x) override;
  Task<void> cond_end_sync(SyncExecutor& x, Sector sector, bool force) override;
  Task<void> unplug(SyncExecutor& x, BitmapIo& io, bool sync) override;
  Task<void> daemon_work(SyncExecutor& x, BitmapIo& io) override;
  void dirty_bits(uint64_t s, uint64_t e) override { counts_->dirty_bits(s, e); }
  BitmapStats get_stats() const override;
  std::vector<uint8_t> disk_image() const override { return counts_->disk_image(); }
  bool persisted_dirty(uint64_t c) const override { return counts_->persisted_dirty(c); }

 protected:
  // The variant's constructor calls this once it has declared its locks.
  void set_locking(const ClassicLocking& l) { locking_ = l; }
  // Which element of counter_lock guards the counter `offset` maps to (0: a single lock).
  virtual int counter_lock_index(Sector /*offset*/) const { return 0; }
  const ClassicCounters& counts() const { return *counts_; }

 private:
  struct Noop {
    void operator()() const {}
  };
  bool degraded() const { return mddev_ && mddev_->degraded; }
  uint64_t events() const { return mddev_ ? mddev_->events : 1; }
  // __bitmap_end_sync for the chunk at `offset`, under the counter locks.
  Task<void> end_sync_one(SyncExecutor& x, Sector offset, Sector* blocks, bool aborted);
  Task<void> write(SyncExecutor& x, BitmapIo& io, const ClassicCounters::Batch& b);

  std::unique_ptr<ClassicCounters> counts_;
  ClassicLocking locking_;
  Noop noop_;
  Sector last_end_sync_ = 0;

  std::atomic<int> behind_writes_{0};
  std::atomic<int> behind_writes_used_{0};
  std::atomic<int> behind_waiters_{0};

  WaitId overflow_wait_;
  LineId behind_line_;
  WaitId behind_wait_;
  CostId cost_counter_;
  CostId cost_alloc_;
  CostId cost_scan_counter_;
  CostId cost_page_test_;
  CostId cost_behind_;
};

}  // namespace mdsim
