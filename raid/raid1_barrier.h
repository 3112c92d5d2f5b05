// raid1's I/O barrier between resync and normal I/O (drivers/md/raid1.c and raid1.h, Linux
// 6.12; the bucketed design of 4.11's "RAID1: a new I/O barrier implementation to remove
// resync window").
//
// The array is cut into 64 MiB barrier units (BARRIER_UNIT_SECTOR_BITS 17) hashed into 1024
// buckets (BARRIER_BUCKETS_NR: one page of atomic_t; sector_to_idx = hash_long(sector >> 17,
// 10)). Per bucket: nr_pending (normal I/O in flight), nr_waiting (normal I/O waiting for the
// barrier), barrier (resync r1bios in flight).
//   - wait_barrier (writes): nr_pending++ and go on if the bucket has no barrier - the fast
//     path, no lock; else (resync_lock) nr_waiting++ and sleep until barrier == 0, then
//     nr_pending++, nr_waiting--.
//   - wait_read_barrier (reads): only array_frozen stops reads; nr_pending++.
//   - allow_barrier: nr_pending--, wake the waiters if there are any (wake_up_barrier).
//   - raise_barrier (resync, per r1bio): wait until nr_waiting == 0, barrier++, then wait until
//     nr_pending == 0 and barrier < RESYNC_DEPTH (32), or until the sync is interrupted
//     (-EINTR: barrier-- again); nr_sync_pending++.
//   - lower_barrier: barrier--, nr_sync_pending--, wake the waiters.
//   - close_sync: _wait_barrier + _allow_barrier on every bucket (waits out every barrier).
// One wait queue (conf->wait_barrier) serves all: a wake-up resumes each waiter whose
// condition holds then, and the waiter checks again when it runs (wait_event_lock_irq).
// Sleeping waiters hold no core. The fast path costs no event and no extra CPU (md_costs'
// pers_request stands for wait_barrier's atomics).
//
// Left out: array_frozen / freeze_array (raid1d's read-error handling, quiesce, reshape) and
// nr_queued; REQ_NOWAIT; the resync_lock's own cost and contention.
#pragma once

#include <array>
#include <coroutine>
#include <cstdint>

#include "raid/disk.h"
#include "sim/event.h"
#include "sim/simulator.h"
#include "sim/task.h"

namespace mdsim {

class Raid1Barrier {
 public:
  static constexpr int kUnitSectorBits = 17;  // BARRIER_UNIT_SECTOR_BITS: 64 MiB
  static constexpr Sector kUnitSectors = Sector{1} << kUnitSectorBits;
  static constexpr int kBucketBits = 10;      // BARRIER_BUCKETS_NR_BITS (4 KiB page / 4)
  static constexpr int kBuckets = 1 << kBucketBits;
  static constexpr int kResyncDepth = 32;     // RESYNC_DEPTH

  explicit Raid1Barrier(Simulator& sim) : sim_(&sim) {}
  Raid1Barrier(const Raid1Barrier&) = delete;
  Raid1Barrier& operator=(const Raid1Barrier&) = delete;

  // sector_to_idx: hash_long (hash_64: multiply by GOLDEN_RATIO_64, keep the top bits).
  static int sector_to_idx(Sector sector) {
    return static_cast<int>(((sector >> kUnitSectorBits) * 0x61C8864680B583EBull) >>
                            (64 - kBucketBits));
  }
  // align_to_barrier_unit_end: sectors from `start` (at most `sectors`) inside its unit.
  static Sector unit_end_sectors(Sector start, Sector sectors) {
    const Sector len = ((start / kUnitSectors) + 1) * kUnitSectors - start;
    return len < sectors ? len : sectors;
  }

  // wait_barrier's fast path: true (counted in nr_pending) when the bucket has no barrier;
  // false means the caller must give its core up and co_await wait_slow(idx).
  bool wait_fast(int idx) {
    if (barrier_[idx] != 0) [[unlikely]] return false;
    ++nr_pending_[idx];
    return true;
  }
  // wait_barrier's slow path: nr_waiting++, sleep until the bucket's barrier is down, then
  // counted in nr_pending.
  struct SlowWait;
  SlowWait wait_slow(int idx);
  // wait_read_barrier (no freeze modelled).
  void wait_read(int idx) { ++nr_pending_[idx]; }
  // allow_barrier.
  void allow(int idx) {
    --nr_pending_[idx];
    if (!waiters_.empty()) [[unlikely]] wake_up();
  }

  // raise_barrier: false if the sync was interrupted meanwhile (nothing raised then).
  Task<bool> raise(Sector sector_nr);
  void lower(Sector sector_nr);
  // close_sync: returns when no bucket has a barrier up.
  Task<void> close_sync();
  // MD_RECOVERY_INTR: raise() gives up from now on.
  void interrupt() {
    interrupted_ = true;
    wake_up();
  }

  int nr_pending(int idx) const { return nr_pending_[idx]; }
  int nr_waiting(int idx) const { return nr_waiting_[idx]; }
  int barrier(int idx) const { return barrier_[idx]; }
  int nr_sync_pending() const { return nr_sync_pending_; }

  struct Stats {
    uint64_t io_waits = 0;      // normal I/O that slept in wait_barrier
    Time io_wait_time = 0;      // and how long, in all
    uint64_t raise_waits = 0;   // raise_barrier calls that slept
    Time raise_wait_time = 0;
  };
  const Stats& stats() const { return stats_; }

  // A sleeper on conf->wait_barrier.
  enum class Cond : uint8_t { kNoBarrier, kNoWaiting, kResyncGo, kIdle };
  struct Waiter : WaitNode {
    Raid1Barrier* owner = nullptr;
    Cond cond = Cond::kNoBarrier;
    int idx = 0;
    Time since = 0;
    std::coroutine_handle<> handle;
  };
  struct SlowWait {
    Raid1Barrier* b;
    Waiter w;
    bool await_ready();
    void await_suspend(std::coroutine_handle<> h);
    void await_resume() const noexcept {}
  };
  struct CondWait {  // kNoWaiting / kResyncGo / kIdle for the resync side
    Raid1Barrier* b;
    Waiter w;
    bool await_ready() const { return b->holds(w); }
    void await_suspend(std::coroutine_handle<> h) { b->sleep(w, h); }
    void await_resume() const noexcept {}
  };

 private:
  bool holds(const Waiter& w) const;
  void sleep(Waiter& w, std::coroutine_handle<> h);
  // wake_up(&conf->wait_barrier): every waiter whose condition holds now is resumed (through
  // the event queue, where it checks again).
  void wake_up();
  static void recheck(void* waiter);

  Simulator* sim_;
  std::array<int, kBuckets> nr_pending_{};
  std::array<int, kBuckets> nr_waiting_{};
  std::array<int, kBuckets> barrier_{};
  int nr_sync_pending_ = 0;
  int barriers_up_ = 0;  // sum of barrier_ (close_sync)
  bool interrupted_ = false;
  WaitList waiters_;
  Stats stats_;
};

inline Raid1Barrier::SlowWait Raid1Barrier::wait_slow(int idx) {
  SlowWait s{this, {}};
  s.w.cond = Cond::kNoBarrier;
  s.w.idx = idx;
  return s;
}

}  // namespace mdsim
