// Declared synchronisation: how a bitmap variant says what its operations lock, instead of
// taking locks itself.
//
// At creation a variant declares its locks, atomic cache lines, per-CPU refcounts, wait
// queues and named CPU costs (SyncDecls). Each operation is then a coroutine of steps:
//
//   co_await x.critical(counts_lock_, 0, Access::kExclusive, cost_update_, [&] { ...; });
//
// "under lock L in this mode, costing so much CPU, apply this state change". An executor runs
// the steps: the simulation executor (sim_sync.h) acquires the modelled locks on a modelled
// core in virtual time, charges the cost, then applies the change; the native executor
// (native_sync.h) applies the same change under real locks on real threads, for Google
// Benchmark. So a variant is one source of truth, tests can drive it without the simulator,
// and contention is a property of what the variant declares. Variant files include this
// header and sim/task.h (coroutines) only, never the engine.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/task.h"
#include "sim/time.h"

namespace mdsim {

// A non-owning reference to a callable (no allocation). A lambda written inside the co_await
// expression lives until that expression completes, across the suspension, so
// `co_await x.critical(..., [&] { ... })` is safe.
template <class R>
class FnRef {
 public:
  FnRef() = default;
  template <class F>
  FnRef(F& f) : obj_(&f), call_([](void* o) -> R { return (*static_cast<F*>(o))(); }) {}
  R operator()() const { return call_(obj_); }
  explicit operator bool() const { return call_ != nullptr; }

 private:
  void* obj_ = nullptr;
  R (*call_)(void*) = nullptr;
};

enum class LockKind { kSpinlock, kRwlock };
enum class Access { kExclusive, kShared };  // spin_lock or write_lock; read_lock

struct LockDecl {
  std::string name;  // lock_stat class name, e.g. "&bitmap->counts.lock"
  LockKind kind;
  int count;           // an array of locks (hashed locks); one lock_stat class for all
  int per_cache_line;  // how many of them share a 64-byte line (false sharing)
};
struct LineDecl {
  std::string name;
  int count;
};
struct RefDecl {
  std::string name;
  int count;
};
struct CostDecl {
  std::string name;  // machine-profile key, e.g. "bitmap.counter_update"
  Time default_ns;
};

using LockId = int;
using LineId = int;
using RefId = int;
using WaitId = int;
using CostId = int;

// What a variant declares; the executors build their objects from it.
class SyncDecls {
 public:
  LockId lock(std::string name, LockKind kind, int count = 1, int per_cache_line = 1);
  LineId line(std::string name, int count = 1);
  RefId percpu_ref(std::string name, int count = 1);
  WaitId wait_queue(std::string name);
  CostId cost(std::string name, Time default_ns);

  const std::vector<LockDecl>& locks() const { return locks_; }
  const std::vector<LineDecl>& lines() const { return lines_; }
  const std::vector<RefDecl>& refs() const { return refs_; }
  const std::vector<std::string>& wait_queues() const { return waits_; }
  const std::vector<CostDecl>& costs() const { return costs_; }

 private:
  std::vector<LockDecl> locks_;
  std::vector<LineDecl> lines_;
  std::vector<RefDecl> refs_;
  std::vector<std::string> waits_;
  std::vector<CostDecl> costs_;
};

// One step of an operation.
struct SyncStep {
  enum Kind {
    kCritical,    // under lock (id, index) in `access`: charge cost, run apply
    kAtomic,      // one RMW on line (id, index): charge cost, run apply
    kCompute,     // charge cost, run apply (no lock: per-CPU or already-exclusive state)
    kRefTryGet,   // percpu_ref_tryget_live on ref (id, index); result = success
    kRefPut,      // percpu_ref_put
    kRefKill,     // percpu_ref_kill, then wait until the count drops to zero
    kRefResurrect,
    kWait,        // wait on queue `id` until apply_bool() is true (checked after each wake)
    kWake,        // wake everyone waiting on queue `id`
  };
  Kind kind = kCompute;
  int id = 0;
  int index = 0;
  Access access = Access::kExclusive;
  CostId cost = -1;
  FnRef<void> apply;
  FnRef<bool> condition;
  uint64_t units = 1;  // the cost is per unit (e.g. per counter a scan walks)
  bool result = false;

  static SyncStep make(Kind k, int id = 0, int index = 0, Access a = Access::kExclusive,
                       CostId cost = -1) {
    SyncStep s;
    s.kind = k;
    s.id = id;
    s.index = index;
    s.access = a;
    s.cost = cost;
    return s;
  }
};

class SyncExecutor;

// The awaitable every step is.
class [[nodiscard]] SyncAwait {
 public:
  SyncAwait(SyncExecutor* x, SyncStep s) : x_(x), step_(s) {}
  bool await_ready();
  bool await_suspend(std::coroutine_handle<> h);
  bool await_resume() { return step_.result; }
  // Charges the step's cost `n` times: work proportional to what it walks.
  SyncAwait times(uint64_t n) && {
    step_.units = n;
    return std::move(*this);
  }

  // For executors that finish a step without a process of its own (SyncExecutor::suspend_fast).
  SyncExecutor* executor() const { return x_; }
  SyncStep& step() { return step_; }
  std::coroutine_handle<> waiter;  // the suspended caller
  void* fast_object = nullptr;     // executor's scratch: e.g. the lock it took

 private:
  SyncExecutor* x_;
  SyncStep step_;
  Task<void> inner_;
};

// Runs steps. One executor per calling context (a simulated core or a native thread).
class SyncExecutor {
 public:
  virtual ~SyncExecutor() = default;

  // Native executors do the whole step here and return true; the simulation returns false.
  virtual bool run_inline(SyncStep& s) = 0;
  // Whether run_inline may take a step of kind k at all (SyncAwait skips the call otherwise).
  bool may_run_inline(SyncStep::Kind k) const { return (inline_kinds_ >> k & 1u) != 0; }
  // The step as a process in virtual time (simulation only).
  virtual Task<void> run(SyncStep& s) = 0;
  // The simulation's shortcut for a step that needs no process (plain CPU work, a lock
  // nobody holds): books its time and arranges for the step to be applied and `a.waiter`
  // resumed when it ends, with the same timing and effects run() would have. Returns false
  // when the step needs run().
  virtual bool suspend_fast(SyncAwait& /*a*/) { return false; }

  template <class F>
  SyncAwait critical(LockId lock, int index, Access access, CostId cost, F&& apply) {
    SyncStep s = SyncStep::make(SyncStep::kCritical, lock, index, access, cost);
    s.apply = FnRef<void>(apply);
    return SyncAwait(this, s);
  }
  template <class F>
  SyncAwait atomic(LineId line, int index, CostId cost, F&& apply) {
    SyncStep s = SyncStep::make(SyncStep::kAtomic, line, index, Access::kExclusive, cost);
    s.apply = FnRef<void>(apply);
    return SyncAwait(this, s);
  }
  template <class F>
  SyncAwait compute(CostId cost, F&& apply) {
    SyncStep s = SyncStep::make(SyncStep::kCompute, 0, 0, Access::kExclusive, cost);
    s.apply = FnRef<void>(apply);
    return SyncAwait(this, s);
  }
  SyncAwait ref_tryget(RefId ref, int index) { return simple(SyncStep::kRefTryGet, ref, index); }
  SyncAwait ref_put(RefId ref, int index) { return simple(SyncStep::kRefPut, ref, index); }
  SyncAwait ref_kill(RefId ref, int index) { return simple(SyncStep::kRefKill, ref, index); }
  SyncAwait ref_resurrect(RefId ref, int index) {
    return simple(SyncStep::kRefResurrect, ref, index);
  }
  template <class F>
  SyncAwait wait(WaitId queue, F&& condition) {
    SyncStep s = SyncStep::make(SyncStep::kWait, queue);
    s.condition = FnRef<bool>(condition);
    return SyncAwait(this, s);
  }
  SyncAwait wake(WaitId queue) { return simple(SyncStep::kWake, queue, 0); }

  // Runs `io` (I/O the caller waits for, e.g. md_super_write + md_super_wait) sleeping: the
  // simulation gives the core up meanwhile, as the kernel's waits do.
  virtual Task<void> io_wait(Task<void> io) { co_await std::move(io); }

 protected:
  // One bit per SyncStep::Kind that run_inline may take; every kind unless narrowed.
  uint32_t inline_kinds_ = ~0u;

 private:
  SyncAwait simple(SyncStep::Kind k, int id, int index) {
    return SyncAwait(this, SyncStep::make(k, id, index));
  }
};

}  // namespace mdsim
