// Queued spinlock model: see spinlock.h.
#include "sim/spinlock.h"

#include <cstdio>
#include <cstdlib>

namespace mdsim {

Spinlock::Spinlock(Machine& m, std::string_view lock_class, CacheLine* shared_line)
    : machine_(&m),
      class_(&m.lock_stats().get(lock_class)),
      own_line_(m),
      line_(shared_line != nullptr ? shared_line : &own_line_) {}

void Spinlock::LockAwaiter::await_suspend(std::coroutine_handle<> h) {
  Simulator& s = lock->machine_->sim();
  sim = &s;
  handle = h;
  requested = s.now();
  Time done = lock->try_lock(*cpu);
  if (done >= 0) {
    s.resume_at(done, h);
    return;
  }
  start_spinning(*lock->class_, LockSide::kWrite);
  lock->waiters_.push_back(this);
}

void Spinlock::queue(LockAwaiter& w, Cpu& cpu, void (*granted)(LockAwaiter*, Time)) {
  w.lock = this;
  w.cpu = &cpu;
  w.granted = granted;
  w.requested = machine_->sim().now();
  w.start_spinning(*class_, LockSide::kWrite);
  waiters_.push_back(&w);
}

Time Spinlock::try_lock(Cpu& cpu) {
  if (owner_ >= 0 || !waiters_.empty()) return -1;
  owner_ = cpu.id();
  Time done = line_->reserve(cpu.id());
  class_->acquired(LockSide::kWrite, cpu.id(), -1);
  acquired_at_ = done;
  return done;
}

void Spinlock::unlock(Cpu& cpu) {
  if (owner_ != cpu.id()) {
    std::fprintf(stderr, "mdsim: internal error: spin_unlock on cpu%d of a lock owned by %d\n",
                 cpu.id(), owner_);
    std::abort();
  }
  Simulator& s = machine_->sim();
  class_->released(LockSide::kWrite, s.now() - acquired_at_);
  line_->reserve(cpu.id());  // the release store
  auto* next = static_cast<LockAwaiter*>(waiters_.pop_front());
  if (next == nullptr) {
    owner_ = -1;
    return;
  }
  owner_ = next->cpu->id();
  Time done = line_->reserve(owner_);  // the head waiter pulls the line over
  class_->acquired(LockSide::kWrite, owner_, done - next->requested);
  acquired_at_ = done;
  if (next->granted != nullptr) {
    next->granted(next, done);
  } else {
    s.resume_at(done, next->handle);
  }
}

}  // namespace mdsim
