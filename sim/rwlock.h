// A reader-writer spinlock modelled on qrwlock (kernel/locking/qrwlock.c, Linux 6.12).
//
// - read_lock: an atomic add on the lock word. It succeeds at once unless a writer holds the
//   lock or waits for it (the _QW_WAITING bit blocks new readers), in which case the reader
//   queues FIFO. Readers in interrupt context only wait for a writer that holds the lock.
// - read_unlock: an atomic sub; the caller's core stalls for the line (this is what makes
//   rwlock readers on many cores scale poorly even without writers: every acquire and release
//   bounces the one lock word).
// - write_lock: waits until no reader or writer holds it; queues FIFO behind earlier waiters.
// - On release, the queue head is granted; consecutive readers at the head all enter together.
// lock_stat keeps -R and -W rows for the class.
#pragma once

#include <coroutine>
#include <string_view>

#include "sim/cache_line.h"
#include "sim/event.h"
#include "sim/lock_stat.h"
#include "sim/lock_waiter.h"
#include "sim/machine.h"

namespace mdsim {

class RwLock {
 public:
  // `shared_line`: the cache line the lock word lives on, when several locks share one (false
  // sharing); by default the lock has a line of its own.
  RwLock(Machine& m, std::string_view lock_class, CacheLine* shared_line = nullptr);
  RwLock(const RwLock&) = delete;
  RwLock& operator=(const RwLock&) = delete;

  struct LockAwaiter : LockWaiter {
    RwLock* lock;
    bool write;
    bool irq;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h);
    void await_resume() { stop_spinning(); }
  };
  LockAwaiter read_lock(Cpu& cpu, const char* site = "", bool irq = false) {
    return make(cpu, site, false, irq);
  }
  LockAwaiter write_lock(Cpu& cpu, const char* site = "") { return make(cpu, site, true, false); }
  // read_unlock is an atomic RMW: await it.
  Simulator::DelayAwaiter read_unlock(Cpu& cpu);
  void write_unlock(Cpu& cpu);

  int readers() const { return readers_; }
  bool write_locked() const { return writer_ >= 0; }
  size_t waiters() const { return waiters_.size; }
  const LockClass& stats() const { return *class_; }
  const CacheLine& line() const { return *line_; }

 private:
  LockAwaiter make(Cpu& cpu, const char* site, bool write, bool irq) {
    LockAwaiter a;
    a.lock = this;
    a.cpu = &cpu;
    a.site = site;
    a.write = write;
    a.irq = irq;
    return a;
  }
  void grant(LockAwaiter* a);
  void grant_waiters();

  Machine* machine_;
  LockClass* class_;
  CacheLine own_line_;
  CacheLine* line_;
  int readers_ = 0;
  int writer_ = -1;
  Time write_acquired_at_ = 0;
  std::vector<Time> read_acquired_at_;  // per cpu: start of that cpu's read hold
  WaitList waiters_;
};

}  // namespace mdsim
