// The simulation executor for declared synchronisation (see sync.h): a variant's locks,
// lines, refcounts and wait queues become sim/ models, and each step runs in virtual time on
// the calling context's core.
#pragma once

#include <memory>
#include <vector>

#include "bitmaps/sync.h"
#include "sim/cache_line.h"
#include "sim/event.h"
#include "sim/machine.h"
#include "sim/percpu_ref.h"
#include "sim/rwlock.h"
#include "sim/spinlock.h"

namespace mdsim {

// The modelled objects of one bitmap instance, built lazily from its declarations (a hashed
// array of 65536 locks only costs what is touched).
class SimSyncDomain {
 public:
  SimSyncDomain(Machine& m, const SyncDecls& decls);
  SimSyncDomain(const SimSyncDomain&) = delete;
  SimSyncDomain& operator=(const SimSyncDomain&) = delete;
  ~SimSyncDomain();

  Machine& machine() const { return *machine_; }
  Spinlock& spinlock(LockId id, int index);
  RwLock& rwlock(LockId id, int index);
  CacheLine& line(LineId id, int index);
  PercpuRef& ref(RefId id, int index);
  WaitList& wait_queue(WaitId id) { return waits_[static_cast<size_t>(id)]; }
  // The profile's value for the cost's name if it has one, else the declared default.
  Time cost(CostId id) const { return id < 0 ? 0 : costs_[static_cast<size_t>(id)]; }
  const SyncDecls& decls() const { return *decls_; }

 private:
  struct LockArray {
    std::vector<std::unique_ptr<Spinlock>> spin;
    std::vector<std::unique_ptr<RwLock>> rw;
    std::vector<std::unique_ptr<CacheLine>> lines;  // one per per_cache_line locks
  };
  CacheLine& lock_line(LockId id, int index);

  Machine* machine_;
  const SyncDecls* decls_;
  std::vector<LockArray> locks_;
  std::vector<std::vector<std::unique_ptr<CacheLine>>> lines_;
  std::vector<std::vector<std::unique_ptr<PercpuRef>>> refs_;
  std::vector<WaitList> waits_;
  std::vector<Time> costs_;
};

// Runs steps on one modelled core, which the caller holds; CPU time is charged to `kind`.
// With `acquire_kind` >= 0, taking locks and the cache-line RMWs of atomic and percpu_ref
// steps are charged to it instead (spinning is always the machine's lock_spin kind), so a
// scenario can report the share of CPU time a variant's synchronisation costs.
class SimExecutor : public SyncExecutor {
 public:
  SimExecutor(SimSyncDomain& d, Cpu& cpu, KindId kind, KindId acquire_kind = -1)
      : d_(&d), cpu_(&cpu), kind_(kind), acquire_kind_(acquire_kind < 0 ? kind : acquire_kind) {
    inline_kinds_ = 1u << SyncStep::kCompute;  // run_inline takes only free CPU work
  }
  // Plain CPU work that takes no time is done on the spot.
  bool run_inline(SyncStep& s) override;
  Task<void> run(SyncStep& s) override;
  // Without a process: CPU work (kCompute), an RMW (kAtomic) and a spinlock critical section
  // (kCritical, with no charged work pending) become one event at the step's end; a contended
  // spinlock queues without a process too, and its grant books the section then.
  bool suspend_fast(SyncAwait& a) override;
  // Tests: every step as a process (to compare the shortcut against).
  void set_fast_steps(bool on) { fast_ = on; }
  Task<void> io_wait(Task<void> io) override;
  Cpu& cpu() const { return *cpu_; }

 private:
  // Books `acquire` ns of acquire_kind_ then `cost` of kind_ (after any charged work) and
  // schedules finish_fast at their end.
  void book_fast(SyncAwait& a, Time acquire, Time cost);
  static void finish_fast(void* awaiter);
  static void granted_fast(Spinlock::LockAwaiter* w, Time owned_from);

  // The contended spinlock step this core spins for (a core spins for one lock at a time).
  struct SpinWait : Spinlock::LockAwaiter {
    SimExecutor* x = nullptr;
    SyncAwait* a = nullptr;  // non-null while queued
  };
  SpinWait spin_;

  SimSyncDomain* d_;
  Cpu* cpu_;
  KindId kind_;
  KindId acquire_kind_;
  bool fast_ = true;
};

}  // namespace mdsim
