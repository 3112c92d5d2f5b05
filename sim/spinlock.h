// A queued spinlock modelled on qspinlock (kernel/locking/qspinlock.c, Linux 6.12): waiters
// queue FIFO (the MCS queue) and each spins on its own core, which stays busy ("lock_spin").
// Acquiring a free lock is one RMW on the lock word's cache line; a release with waiters hands
// the lock to the queue head, which pays a line transfer from the releasing core. Under
// saturation the lock therefore passes at one per (hold + handoff), handoff = local release
// store + one transfer, and the acquisitions and waits are recorded in lock_stat.
#pragma once

#include <coroutine>
#include <string_view>

#include "sim/cache_line.h"
#include "sim/event.h"
#include "sim/lock_stat.h"
#include "sim/lock_waiter.h"
#include "sim/machine.h"

namespace mdsim {

class Spinlock {
 public:
  // `lock_class` names the lock_stat class (several instances may share one class).
  // `shared_line`: the cache line the lock word lives on, when several locks share one (false
  // sharing); by default the lock has a line of its own.
  Spinlock(Machine& m, std::string_view lock_class, CacheLine* shared_line = nullptr);
  Spinlock(const Spinlock&) = delete;
  Spinlock& operator=(const Spinlock&) = delete;

  struct LockAwaiter : LockWaiter {
    Spinlock* lock;
    // Set by queue(): called at the grant (in the releaser's event) with the time the head
    // waiter owns the lock, instead of resuming `handle` then.
    void (*granted)(LockAwaiter* self, Time owned_from) = nullptr;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h);
    void await_resume() { stop_spinning(); }
  };
  // spin_lock: `co_await lock.lock(cpu)` with `cpu` held by the caller. `site` names the call
  // site for lock_stat's contention points (e.g. "md_bitmap_startwrite").
  LockAwaiter lock(Cpu& cpu, const char* site = "") {
    LockAwaiter a;
    a.lock = this;
    a.cpu = &cpu;
    a.site = site;
    return a;
  }
  // The uncontended spin_lock without a process: when the lock is free and nobody queues
  // for it, takes it for `cpu` (lock_stat counts the acquisition) and returns the time the
  // lock word's RMW completes, from which the holder owns it; otherwise returns -1 and
  // changes nothing (use lock()).
  Time try_lock(Cpu& cpu);
  // A contended spin_lock without a process: `w` (which must outlive the wait) queues FIFO
  // like lock()'s awaiter, spinning on `cpu` (lock_stat counts the contention), and
  // w.granted(&w, t) runs when a release hands the lock over, t being when it is owned.
  void queue(LockAwaiter& w, Cpu& cpu, void (*granted)(LockAwaiter*, Time));
  // spin_unlock: a release store; the caller does not wait.
  void unlock(Cpu& cpu);

  bool locked() const { return owner_ >= 0; }
  int owner() const { return owner_; }
  size_t waiters() const { return waiters_.size; }
  const LockClass& stats() const { return *class_; }
  const CacheLine& line() const { return *line_; }

 private:
  Machine* machine_;
  LockClass* class_;
  CacheLine own_line_;
  CacheLine* line_;
  int owner_ = -1;
  Time acquired_at_ = 0;
  WaitList waiters_;
};

}  // namespace mdsim
