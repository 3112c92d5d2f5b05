// raid1's I/O barrier: see raid1_barrier.h.
#include "raid/raid1_barrier.h"

#include <cstdio>
#include <cstdlib>

namespace mdsim {

bool Raid1Barrier::holds(const Waiter& w) const {
  switch (w.cond) {
    case Cond::kNoBarrier:  // _wait_barrier: !array_frozen && !barrier[idx]
      return barrier_[w.idx] == 0;
    case Cond::kNoWaiting:  // raise_barrier, first wait: !nr_waiting[idx]
      return nr_waiting_[w.idx] == 0 || interrupted_;
    case Cond::kResyncGo:  // raise_barrier, second wait
      return (nr_pending_[w.idx] == 0 && barrier_[w.idx] < kResyncDepth) || interrupted_;
    case Cond::kIdle:  // close_sync: every barrier down
      return barriers_up_ == 0;
  }
  return false;
}

void Raid1Barrier::sleep(Waiter& w, std::coroutine_handle<> h) {
  w.owner = this;
  w.handle = h;
  w.since = sim_->now();
  waiters_.push_back(&w);
}

void Raid1Barrier::wake_up() {
  WaitNode* n = waiters_.head;
  while (n != nullptr) {
    WaitNode* next = n->next;
    auto* w = static_cast<Waiter*>(n);
    if (holds(*w)) {
      waiters_.remove(w);
      sim_->schedule_at(sim_->now(), &Raid1Barrier::recheck, w);
    }
    n = next;
  }
}

// The woken waiter runs: its condition is checked again under resync_lock; if it no longer
// holds it sleeps again (at the back: wait queues are FIFO for new sleepers too).
void Raid1Barrier::recheck(void* waiter) {
  auto* w = static_cast<Waiter*>(waiter);
  Raid1Barrier* b = w->owner;
  if (!b->holds(*w)) {
    b->waiters_.push_back(w);
    return;
  }
  const Time waited = b->sim_->now() - w->since;
  if (w->cond == Cond::kNoBarrier) {
    ++b->nr_pending_[w->idx];
    --b->nr_waiting_[w->idx];
    b->stats_.io_wait_time += waited;
  } else {
    b->stats_.raise_wait_time += waited;
  }
  w->handle.resume();
}

bool Raid1Barrier::SlowWait::await_ready() {
  if (b->barrier_[w.idx] == 0) {  // lowered while the caller gave its core up
    ++b->nr_pending_[w.idx];
    return true;
  }
  // nr_waiting++ (the kernel's nr_pending++/-- pair nets out: it was never counted here).
  ++b->nr_waiting_[w.idx];
  ++b->stats_.io_waits;
  return false;
}

void Raid1Barrier::SlowWait::await_suspend(std::coroutine_handle<> h) { b->sleep(w, h); }

Task<bool> Raid1Barrier::raise(Sector sector_nr) {
  const int idx = sector_to_idx(sector_nr);
  CondWait first{this, {}};
  first.w.cond = Cond::kNoWaiting;
  first.w.idx = idx;
  bool slept = !first.await_ready();
  co_await first;
  if (interrupted_) co_return false;
  ++barrier_[idx];
  ++barriers_up_;
  CondWait second{this, {}};
  second.w.cond = Cond::kResyncGo;
  second.w.idx = idx;
  slept = slept || !second.await_ready();
  co_await second;
  if (slept) ++stats_.raise_waits;
  if (interrupted_) {
    --barrier_[idx];
    --barriers_up_;
    wake_up();
    co_return false;
  }
  ++nr_sync_pending_;
  co_return true;
}

void Raid1Barrier::lower(Sector sector_nr) {
  const int idx = sector_to_idx(sector_nr);
  if (barrier_[idx] <= 0) {
    std::fprintf(stderr, "mdsim: internal error: raid1 lower_barrier without a barrier (%d)\n",
                 idx);
    std::abort();
  }
  --barrier_[idx];
  --barriers_up_;
  --nr_sync_pending_;
  wake_up();
}

Task<void> Raid1Barrier::close_sync() {
  CondWait idle{this, {}};
  idle.w.cond = Cond::kIdle;
  co_await idle;
}

}  // namespace mdsim
