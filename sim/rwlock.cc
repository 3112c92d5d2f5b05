// qrwlock model: see rwlock.h.
#include "sim/rwlock.h"

#include <cstdio>
#include <cstdlib>

namespace mdsim {

RwLock::RwLock(Machine& m, std::string_view lock_class, CacheLine* shared_line)
    : machine_(&m),
      class_(&m.lock_stats().get(lock_class)),
      own_line_(m),
      line_(shared_line != nullptr ? shared_line : &own_line_),
      read_acquired_at_(static_cast<size_t>(m.num_cpus()), 0) {}

void RwLock::LockAwaiter::await_suspend(std::coroutine_handle<> h) {
  Simulator& s = lock->machine_->sim();
  sim = &s;
  handle = h;
  requested = s.now();
  bool free_now = write ? (lock->writer_ < 0 && lock->readers_ == 0 && lock->waiters_.empty())
                        : (lock->writer_ < 0 && (irq || lock->waiters_.empty()));
  if (free_now) {
    lock->grant(this);
    return;
  }
  start_spinning(*lock->class_, write ? LockSide::kWrite : LockSide::kRead);
  lock->waiters_.push_back(this);
}

// Takes the lock for `a` now; `a` resumes when its RMW on the lock word completes.
void RwLock::grant(LockAwaiter* a) {
  int cpu = a->cpu->id();
  if (a->write) {
    writer_ = cpu;
  } else {
    ++readers_;
  }
  Time done = line_->reserve(cpu);
  LockSide side = a->write ? LockSide::kWrite : LockSide::kRead;
  class_->acquired(side, cpu, a->contended ? done - a->requested : -1);
  if (a->write) {
    write_acquired_at_ = done;
  } else {
    read_acquired_at_[static_cast<size_t>(cpu)] = done;
  }
  a->sim->resume_at(done, a->handle);
}

void RwLock::grant_waiters() {
  while (!waiters_.empty()) {
    auto* head = static_cast<LockAwaiter*>(waiters_.head);
    if (head->write) {
      if (writer_ >= 0 || readers_ > 0) return;
      waiters_.pop_front();
      grant(head);
      return;
    }
    if (writer_ >= 0) return;
    waiters_.pop_front();
    grant(head);  // and keep going: consecutive readers enter together
  }
}

Simulator::DelayAwaiter RwLock::read_unlock(Cpu& cpu) {
  if (readers_ <= 0) {
    std::fprintf(stderr, "mdsim: internal error: read_unlock of an rwlock with no readers\n");
    std::abort();
  }
  Simulator& s = machine_->sim();
  class_->released(LockSide::kRead, s.now() - read_acquired_at_[static_cast<size_t>(cpu.id())]);
  --readers_;
  Time done = line_->reserve(cpu.id());
  if (readers_ == 0) grant_waiters();
  return s.delay(done - s.now());
}

void RwLock::write_unlock(Cpu& cpu) {
  if (writer_ != cpu.id()) {
    std::fprintf(stderr, "mdsim: internal error: write_unlock on cpu%d, writer is %d\n",
                 cpu.id(), writer_);
    std::abort();
  }
  Simulator& s = machine_->sim();
  class_->released(LockSide::kWrite, s.now() - write_acquired_at_);
  writer_ = -1;
  line_->reserve(cpu.id());  // the release store
  grant_waiters();
}

}  // namespace mdsim
