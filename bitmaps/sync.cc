// Declared synchronisation: see sync.h.
#include "bitmaps/sync.h"

namespace mdsim {

LockId SyncDecls::lock(std::string name, LockKind kind, int count, int per_cache_line) {
  locks_.push_back({std::move(name), kind, count, per_cache_line});
  return static_cast<LockId>(locks_.size() - 1);
}

LineId SyncDecls::line(std::string name, int count) {
  lines_.push_back({std::move(name), count});
  return static_cast<LineId>(lines_.size() - 1);
}

RefId SyncDecls::percpu_ref(std::string name, int count) {
  refs_.push_back({std::move(name), count});
  return static_cast<RefId>(refs_.size() - 1);
}

WaitId SyncDecls::wait_queue(std::string name) {
  waits_.push_back(std::move(name));
  return static_cast<WaitId>(waits_.size() - 1);
}

CostId SyncDecls::cost(std::string name, Time default_ns) {
  costs_.push_back({std::move(name), default_ns});
  return static_cast<CostId>(costs_.size() - 1);
}

bool SyncAwait::await_ready() {
  return x_->may_run_inline(step_.kind) && x_->run_inline(step_);
}

bool SyncAwait::await_suspend(std::coroutine_handle<> h) {
  waiter = h;
  if (x_->suspend_fast(*this)) return true;
  inner_ = x_->run(step_);
  typename Task<void>::Awaiter a{inner_.handle()};
  return a.await_suspend(h);
}

}  // namespace mdsim
