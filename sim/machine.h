// The simulated machine: N cores in S sockets. Kernel work runs on a core and costs CPU time.
//
// A core runs one piece of work at a time, non-preemptively: a process takes the core
// (`co_await cpu.acquire(kind)`), spends time on it (`co_await cpu.work(cost, kind)`, lock
// waits, cache-line stalls), and gives it back (`cpu.release()`). Other processes wanting the
// core queue FIFO, interrupt-context work ahead of task work (it does not preempt the holder,
// like a spin_lock_irq section). A process spinning on a lock keeps its core busy, so lock
// contention turns into lost CPU time and queueing for the core, as on real hardware.
//
// Accounting: every instant a core is held is charged to a "kind" of work (interned names such
// as "think", "md_make_request", "lock_spin"), giving per-core utilisation and CPU time by kind.
#pragma once

#include <coroutine>
#include <string>
#include <string_view>
#include <vector>

#include "sim/event.h"
#include "sim/lock_stat.h"
#include "sim/machine_profile.h"
#include "sim/simulator.h"
#include "sim/task.h"

namespace mdsim {

using KindId = int;

class Machine;

// A taker of a core. `wake` runs when a release() grants it the core (by default: resume
// `handle` through the event queue at that time).
struct CpuWaiter : ResumeNode {
  KindId kind = 0;
};

class Cpu {
 public:
  Cpu(Machine& m, int id);
  Cpu(const Cpu&) = delete;
  Cpu& operator=(const Cpu&) = delete;

  int id() const { return id_; }
  int socket() const { return socket_; }
  Machine& machine() const { return *machine_; }
  bool busy() const { return held_ && !(lazy_until_ >= 0 && sim_->now() >= lazy_until_); }
  size_t queued() const { return task_waiters_.size + irq_waiters_.size; }

  struct AcquireAwaiter : CpuWaiter {
    Cpu* cpu;
    bool irq;
    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> h);
    void await_resume() const noexcept {}
  };
  // Takes this core, waiting FIFO behind other takers (irq takers first); charges `kind` from
  // then on.
  AcquireAwaiter acquire(KindId kind, bool irq = false) {
    AcquireAwaiter a;
    a.cpu = this;
    a.kind = kind;
    a.irq = irq;
    return a;
  }
  void release();
  // settle() then release() for a holder that has nothing more to do: the core stays busy
  // until the charged work is done (takers queue until then) but no event marks that unless
  // someone is waiting. The caller must not use the core afterwards.
  void release_charged();
  // For takers that are not coroutines: takes the core for `w` at once if it is free (true);
  // otherwise queues it (irq takers first) and returns false, and w->wake(w) runs when a
  // release() grants it.
  bool acquire_or_queue(CpuWaiter* w, bool irq);

  // Charges what follows to `kind` (the holder only).
  void set_kind(KindId kind) {
    if (kind == kind_) return;
    close_segment();
    kind_ = kind;
  }
  KindId kind() const { return kind_; }
  Time owed() const { return owed_; }  // charged and not yet settled
  // Resumes its awaiter `cost` ns later; ready at once (no event) when cost is 0.
  struct WorkAwaiter {
    Simulator* sim;
    Time cost;
    bool await_ready() const noexcept { return cost <= 0; }
    void await_suspend(std::coroutine_handle<> h) const { sim->resume_at(sim->now() + cost, h); }
    void await_resume() const noexcept {}
  };
  // Spends `cost` ns of CPU time on `kind` (the holder only). Zero cost takes no time and
  // lets no other event run first.
  WorkAwaiter work(Time cost, KindId kind) {
    set_kind(kind);
    return WorkAwaiter{sim_, cost};
  }
  // Deferred work, for hot paths: charge() books `cost` of `kind` at once without an event;
  // settle() then lets all the charged time pass in one wait. The holder must settle before
  // anything another process can see (a lock, an I/O, release()): charged work is only a
  // shorthand for consecutive work() calls.
  void charge(Time cost, KindId kind) {
    if (!held_ || lazy_until_ >= 0) [[unlikely]] not_held("charged");
    if (cost <= 0) return;
    close_segment();
    kind_slot(kind) += cost;
    busy_ += cost;
    owed_ += cost;
  }
  WorkAwaiter settle() { return WorkAwaiter{sim_, commit_owed()}; }
  // settle() for callers that schedule their own continuation: books the charged time as
  // passing from now and returns it (the caller must not touch anything visible before then).
  Time commit_owed() {
    const Time t = owed_;
    if (t > 0) {
      owed_ = 0;
      close_segment();
      seg_start_ = sim_->now() + t;  // the coming interval is booked already
    }
    return t;
  }
  // Takes the core, spends `cost` on `kind`, gives it back.
  Task<void> run(Time cost, KindId kind, bool irq = false);

  // Statistics, closed up to now.
  Time busy_time() const;
  Time time_in(KindId kind) const;
  double utilisation() const;

 private:
  friend class Machine;
  void grant(CpuWaiter* a);
  // Books the time since seg_start_ to the current kind (while held).
  void close_segment() const {
    if (!held_) return;
    const Time now = sim_->now();
    if (now <= seg_start_) return;  // inside settled time, already booked by charge()
    close_segment_slow(now);
  }
  void close_segment_slow(Time now) const;
  Time& kind_slot(KindId kind) const {
    if (static_cast<size_t>(kind) >= kind_time_.size()) [[unlikely]] grow_kinds(kind);
    return kind_time_[static_cast<size_t>(kind)];
  }
  void grow_kinds(KindId kind) const;
  [[noreturn]] void not_held(const char* what) const;
  // A release_charged() whose time has come: the core is free.
  void catch_up();
  static void lazy_release_event(void* cpu);

  Machine* machine_;
  Simulator* sim_;
  int id_;
  int socket_;
  bool held_ = false;
  Time lazy_until_ = -1;        // release_charged(): held until then, free after
  bool lazy_event_ = false;     // a takers' release event is scheduled at lazy_until_
  KindId kind_ = 0;
  mutable Time seg_start_ = 0;  // may lie ahead of now while charged work is settling
  Time owed_ = 0;                // charged and not yet settled
  mutable std::vector<Time> kind_time_;
  mutable Time busy_ = 0;
  WaitList irq_waiters_;
  WaitList task_waiters_;
};

class Machine {
 public:
  Machine(Simulator& sim, MachineProfile profile);
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;

  Simulator& sim() const { return *sim_; }
  const MachineProfile& profile() const { return profile_; }
  int num_cpus() const { return static_cast<int>(cpus_.size()); }
  Cpu& cpu(int i) { return *cpus_[static_cast<size_t>(i)]; }
  const Cpu& cpu(int i) const { return *cpus_[static_cast<size_t>(i)]; }
  int socket_of(int cpu) const { return cpu / profile_.cores_per_socket; }
  int ccx_of(int cpu) const {
    return profile_.cores_per_ccx > 0 ? cpu / profile_.cores_per_ccx : socket_of(cpu);
  }

  // Cost of an atomic RMW by `to` on a line last owned by `from` (-1: never touched).
  Time transfer_ns(int from, int to) const {
    if (from < 0) return profile_.first_touch_ns;
    if (from == to) return profile_.local_ns;
    const Place& a = place_[static_cast<size_t>(from)];
    const Place& b = place_[static_cast<size_t>(to)];
    if (a.socket != b.socket) return profile_.cross_socket_ns;
    if (a.ccx == b.ccx) return profile_.same_ccx_ns;
    return profile_.same_socket_ns;
  }

  // Interns a kind-of-work name; ids are dense and stable in order of first use.
  KindId kind(std::string_view name);
  const std::vector<std::string>& kind_names() const { return kind_names_; }
  // Profile cost of a named kind of kernel work (0 if the profile has none).
  Time cost(std::string_view name) const;

  LockStatRegistry& lock_stats() { return lock_stats_; }
  const LockStatRegistry& lock_stats() const { return lock_stats_; }

  // Well-known kinds.
  KindId kind_idle() const { return 0; }
  KindId kind_spin() const { return 1; }

 private:
  Simulator* sim_;
  MachineProfile profile_;
  // Each core's socket and CCX, so that transfer_ns (once per lock or atomic step) divides
  // nothing.
  struct Place {
    int socket;
    int ccx;
  };
  std::vector<Place> place_;
  std::vector<std::unique_ptr<Cpu>> cpus_;
  std::vector<std::string> kind_names_;
  LockStatRegistry lock_stats_;
};

}  // namespace mdsim
