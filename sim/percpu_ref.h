// A per-CPU reference count modelled on percpu_ref (lib/percpu-refcount.c, Linux 6.12).
//
// Live (percpu mode): get/put touch only the calling core's own counter line, so they cost a
// local hit and never bounce. kill(): tryget_live fails from then on; after an RCU grace
// period (profile rcu_grace_ns) the counter switches to atomic mode, where get/put are RMWs on
// one shared line, and the release event fires once the count reaches zero. resurrect() puts a
// released ref back in percpu mode (percpu_ref_resurrect). llbitmap's per-page barrier is
// built on this.
#pragma once

#include <string_view>

#include "sim/cache_line.h"
#include "sim/event.h"
#include "sim/machine.h"

namespace mdsim {

class PercpuRef {
 public:
  explicit PercpuRef(Machine& m);
  PercpuRef(const PercpuRef&) = delete;
  PercpuRef& operator=(const PercpuRef&) = delete;

  // percpu_ref_tryget_live: false once killed. Costs the operation's time on `cpu`.
  struct TryGetAwaiter {
    PercpuRef* ref;
    Cpu* cpu;
    bool ok = false;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h);
    bool await_resume() const noexcept { return ok; }
  };
  TryGetAwaiter tryget_live(Cpu& cpu) { return TryGetAwaiter{this, &cpu}; }
  Simulator::DelayAwaiter get(Cpu& cpu);
  Simulator::DelayAwaiter put(Cpu& cpu);

  // percpu_ref_kill: drops the initial reference; `released()` fires when the count is zero
  // after the switch to atomic mode.
  void kill();
  // percpu_ref_resurrect: requires a killed ref; re-takes the initial reference.
  void resurrect();
  Event& released() { return released_; }

  bool dead() const { return dead_; }
  bool atomic_mode() const { return atomic_; }
  int64_t count() const { return count_; }  // excluding the initial reference

 private:
  Time op_cost(Cpu& cpu);
  void maybe_release();
  static void switched(void* self);

  Machine* machine_;
  CacheLine atomic_line_;
  std::vector<CacheLine> percpu_lines_;
  Event released_;
  int64_t count_ = 0;
  bool dead_ = false;
  bool atomic_ = false;
  Time switch_at_ = 0;  // when the latest kill's grace period ends (stale callbacks ignored)
};

}  // namespace mdsim
