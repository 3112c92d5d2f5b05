// Simulation executor: see sim_sync.h.
#include "bitmaps/sim_sync.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

namespace mdsim {

namespace {

[[noreturn]] void bad_index(const char* what, int id, int index) {
  std::fprintf(stderr, "mdsim: internal error: %s %d has no index %d\n", what, id, index);
  std::abort();
}

template <class T, class Make>
T& lazy(std::vector<std::unique_ptr<T>>& v, int index, const char* what, int id, Make make) {
  if (index < 0 || static_cast<size_t>(index) >= v.size()) bad_index(what, id, index);
  auto& slot = v[static_cast<size_t>(index)];
  if (!slot) slot = make();
  return *slot;
}

}  // namespace

SimSyncDomain::SimSyncDomain(Machine& m, const SyncDecls& decls) : machine_(&m), decls_(&decls) {
  for (const LockDecl& l : decls.locks()) {
    LockArray a;
    size_t n = static_cast<size_t>(l.count);
    size_t per = static_cast<size_t>(std::max(1, l.per_cache_line));
    if (l.kind == LockKind::kSpinlock) a.spin.resize(n);
    if (l.kind == LockKind::kRwlock) a.rw.resize(n);
    a.lines.resize((n + per - 1) / per);
    locks_.push_back(std::move(a));
  }
  for (const LineDecl& l : decls.lines()) lines_.emplace_back(static_cast<size_t>(l.count));
  for (const RefDecl& r : decls.refs()) refs_.emplace_back(static_cast<size_t>(r.count));
  waits_.resize(decls.wait_queues().size());
  for (const CostDecl& c : decls.costs()) {
    auto it = m.profile().costs.find(c.name);
    costs_.push_back(it == m.profile().costs.end() ? c.default_ns : it->second);
  }
}

SimSyncDomain::~SimSyncDomain() = default;

CacheLine& SimSyncDomain::lock_line(LockId id, int index) {
  const LockDecl& d = decls_->locks()[static_cast<size_t>(id)];
  int per = std::max(1, d.per_cache_line);
  return lazy(locks_[static_cast<size_t>(id)].lines, index / per, "lock line", id,
              [&] { return std::make_unique<CacheLine>(*machine_); });
}

Spinlock& SimSyncDomain::spinlock(LockId id, int index) {
  const LockDecl& d = decls_->locks()[static_cast<size_t>(id)];
  return lazy(locks_[static_cast<size_t>(id)].spin, index, "spinlock", id, [&] {
    return std::make_unique<Spinlock>(*machine_, d.name, &lock_line(id, index));
  });
}

RwLock& SimSyncDomain::rwlock(LockId id, int index) {
  const LockDecl& d = decls_->locks()[static_cast<size_t>(id)];
  return lazy(locks_[static_cast<size_t>(id)].rw, index, "rwlock", id, [&] {
    return std::make_unique<RwLock>(*machine_, d.name, &lock_line(id, index));
  });
}

CacheLine& SimSyncDomain::line(LineId id, int index) {
  return lazy(lines_[static_cast<size_t>(id)], index, "line", id,
              [&] { return std::make_unique<CacheLine>(*machine_); });
}

PercpuRef& SimSyncDomain::ref(RefId id, int index) {
  return lazy(refs_[static_cast<size_t>(id)], index, "percpu_ref", id,
              [&] { return std::make_unique<PercpuRef>(*machine_); });
}

namespace {

// Suspends on a wait queue until woken (kernel wait_event's sleep).
struct QueueWait : ResumeNode {
  WaitList* q;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    handle = h;
    q->push_back(this);
  }
  void await_resume() const noexcept {}
};

}  // namespace

bool SimExecutor::run_inline(SyncStep& s) {
  if (!fast_ || s.kind != SyncStep::kCompute || cpu_->owed() != 0) return false;
  if (d_->cost(s.cost) * static_cast<Time>(s.units) != 0) return false;
  cpu_->set_kind(kind_);
  if (s.apply) s.apply();
  return true;
}

bool SimExecutor::suspend_fast(SyncAwait& a) {
  if (!fast_) return false;
  SyncStep& s = a.step();
  const Time cost = d_->cost(s.cost) * static_cast<Time>(s.units);
  const Time now = d_->machine().sim().now();
  switch (s.kind) {
    case SyncStep::kCompute:
      book_fast(a, 0, cost);
      return true;
    case SyncStep::kAtomic:
      if (cpu_->owed() != 0) return false;  // the RMW happens after the charged work
      book_fast(a, d_->line(s.id, s.index).reserve(cpu_->id()) - now, cost);
      return true;
    case SyncStep::kCritical: {
      if (cpu_->owed() != 0) return false;
      if (d_->decls().locks()[static_cast<size_t>(s.id)].kind != LockKind::kSpinlock) {
        return false;
      }
      Spinlock& l = d_->spinlock(s.id, s.index);
      const Time done = l.try_lock(*cpu_);
      if (done < 0) {
        // Contended: spin in the lock's queue; the grant books the section (granted_fast).
        if (spin_.a != nullptr) return false;
        spin_.x = this;
        spin_.a = &a;
        a.fast_object = &l;
        cpu_->set_kind(acquire_kind_);
        l.queue(spin_, *cpu_, &SimExecutor::granted_fast);
        return true;
      }
      a.fast_object = &l;
      book_fast(a, done - now, cost);
      return true;
    }
    default:
      return false;
  }
}

void SimExecutor::book_fast(SyncAwait& a, Time acquire, Time cost) {
  Cpu& cpu = *cpu_;
  if (acquire > 0) {
    cpu.set_kind(acquire_kind_);
    cpu.charge(acquire, acquire_kind_);
  }
  cpu.charge(cost, kind_);
  cpu.set_kind(kind_);
  Simulator& sim = d_->machine().sim();
  sim.schedule_at(sim.now() + cpu.commit_owed(), &SimExecutor::finish_fast, &a);
}

// The releaser handed the lock over (in its event): the waiter spins on through the handoff
// until owned_from, as a resumed lock() would, then runs the section; one event at its end.
void SimExecutor::granted_fast(Spinlock::LockAwaiter* w, Time owned_from) {
  auto* sw = static_cast<SpinWait*>(w);
  SimExecutor& x = *sw->x;
  SyncAwait& a = *std::exchange(sw->a, nullptr);
  Cpu& cpu = *x.cpu_;
  cpu.charge(owned_from - cpu.machine().sim().now(), cpu.kind());  // still spinning
  sw->stop_spinning();
  const SyncStep& s = a.step();
  x.book_fast(a, 0, x.d_->cost(s.cost) * static_cast<Time>(s.units));
}

void SimExecutor::finish_fast(void* awaiter) {
  auto& a = *static_cast<SyncAwait*>(awaiter);
  SyncStep& s = a.step();
  if (s.apply) s.apply();
  if (a.fast_object != nullptr) {
    static_cast<Spinlock*>(a.fast_object)->unlock(static_cast<SimExecutor*>(a.executor())->cpu());
  }
  a.waiter.resume();
}

Task<void> SimExecutor::run(SyncStep& s) {
  Cpu& cpu = *cpu_;
  Time cost = d_->cost(s.cost) * static_cast<Time>(s.units);
  co_await cpu.settle();  // steps begin after the caller's charged work
  switch (s.kind) {
    case SyncStep::kCritical: {
      cpu.set_kind(acquire_kind_);
      const LockDecl& decl = d_->decls().locks()[static_cast<size_t>(s.id)];
      if (decl.kind == LockKind::kSpinlock) {
        Spinlock& l = d_->spinlock(s.id, s.index);
        co_await l.lock(cpu);
        co_await cpu.work(cost, kind_);
        s.apply();
        l.unlock(cpu);
      } else if (s.access == Access::kShared) {
        RwLock& l = d_->rwlock(s.id, s.index);
        co_await l.read_lock(cpu);
        co_await cpu.work(cost, kind_);
        s.apply();
        cpu.set_kind(acquire_kind_);
        co_await l.read_unlock(cpu);
        cpu.set_kind(kind_);
      } else {
        RwLock& l = d_->rwlock(s.id, s.index);
        co_await l.write_lock(cpu);
        co_await cpu.work(cost, kind_);
        s.apply();
        l.write_unlock(cpu);
      }
      break;
    }
    case SyncStep::kAtomic:
      cpu.set_kind(acquire_kind_);
      co_await d_->line(s.id, s.index).rmw(cpu.id());
      co_await cpu.work(cost, kind_);
      s.apply();
      break;
    case SyncStep::kCompute:
      co_await cpu.work(cost, kind_);
      if (s.apply) s.apply();
      break;
    case SyncStep::kRefTryGet:
      cpu.set_kind(acquire_kind_);
      s.result = co_await d_->ref(s.id, s.index).tryget_live(cpu);
      cpu.set_kind(kind_);
      break;
    case SyncStep::kRefPut:
      cpu.set_kind(acquire_kind_);
      co_await d_->ref(s.id, s.index).put(cpu);
      cpu.set_kind(kind_);
      break;
    case SyncStep::kRefKill: {
      PercpuRef& r = d_->ref(s.id, s.index);
      r.kill();
      // Sleeping: give the core back while the grace period and in-flight holders drain.
      cpu.release();
      co_await r.released();
      co_await cpu.acquire(kind_);
      break;
    }
    case SyncStep::kRefResurrect:
      d_->ref(s.id, s.index).resurrect();
      break;
    case SyncStep::kWait:
      while (!s.condition()) {
        cpu.release();  // wait_event sleeps
        QueueWait w;
        w.sim = &d_->machine().sim();
        w.q = &d_->wait_queue(s.id);
        co_await w;
        co_await cpu.acquire(kind_);
      }
      break;
    case SyncStep::kWake: {
      WaitList& q = d_->wait_queue(s.id);
      while (WaitNode* n = q.pop_front()) n->wake(n);
      break;
    }
  }
}

Task<void> SimExecutor::io_wait(Task<void> io) {
  cpu_->release();
  co_await std::move(io);
  co_await cpu_->acquire(kind_);
}

}  // namespace mdsim
