// The discrete-event simulator: a clock, the pending-event queue, and the bookkeeping that lets
// coroutine processes (sim/task.h) run on top of scheduled callbacks.
//
// Ordering contract: events fire in (time, priority, sequence) order, where sequence is the
// order in which they were scheduled. Lower priority values fire first at equal times. Nothing
// depends on addresses, hashing or wall time, so a run is a pure function of its inputs.
#pragma once

#include <coroutine>
#include <cstdint>

#include "sim/event_queue.h"
#include "sim/time.h"

namespace mdsim {

using Priority = uint8_t;
inline constexpr Priority kPrioHigh = 64;     // e.g. interrupt-context completions
inline constexpr Priority kPrioNormal = 128;  // the default
inline constexpr Priority kPrioLow = 192;     // e.g. statistics sampling

// Intrusive link for detached processes, so the simulator can destroy the frames of processes
// still suspended when it is torn down (no leaks, no dangling resumptions).
struct ProcessLink {
  ProcessLink* prev = nullptr;
  ProcessLink* next = nullptr;
  std::coroutine_handle<> frame;
};

class Simulator {
 public:
  Simulator() = default;
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;
  ~Simulator();

  Time now() const { return now_; }
  uint64_t events_fired() const { return fired_; }
  size_t pending() const { return queue_.size(); }

  // Schedules fn(ctx) at absolute time t >= now().
  void schedule_at(Time t, EventFn fn, void* ctx, Priority prio = kPrioNormal);
  void schedule_in(Time delay, EventFn fn, void* ctx, Priority prio = kPrioNormal) {
    schedule_at(now_ + delay, fn, ctx, prio);
  }
  // Resumes a suspended coroutine at time t.
  void resume_at(Time t, std::coroutine_handle<> h, Priority prio = kPrioNormal) {
    schedule_at(t, &resume_trampoline, h.address(), prio);
  }

  // Fires events until none is left or stop() is called.
  void run();
  // Fires every event with time <= t; then, unless stopped, the clock reads t.
  void run_until(Time t);
  void stop() { stopped_ = true; }
  bool stopped() const { return stopped_; }

  // Awaitable: `co_await sim.delay(d)` resumes the coroutine d ns later (d >= 0).
  struct DelayAwaiter {
    Simulator* sim;
    Time delay;
    Priority prio;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) const { sim->resume_at(sim->now_ + delay, h, prio); }
    void await_resume() const noexcept {}
  };
  DelayAwaiter delay(Time d, Priority prio = kPrioNormal) { return {this, d, prio}; }
  // Awaitable: lets every other event due now run first.
  DelayAwaiter yield() { return {this, 0, kPrioLow}; }

  // A crash: destroys every suspended process now, as teardown would. Their pending events are
  // dropped; the simulator cannot run again (run/run_until abort), but its clock and counters
  // stay readable. Objects the processes waited on may then be freed in any order.
  void halt();
  bool halted() const { return halted_; }

  // Detached-process registry (used by spawn in sim/task.h).
  void link_process(ProcessLink* p);
  void unlink_process(ProcessLink* p);
  size_t live_processes() const { return live_count_; }

 private:
  void check_not_halted() const;
  static void resume_trampoline(void* addr) {
    std::coroutine_handle<>::from_address(addr).resume();
  }

  EventQueue queue_;
  Time now_ = 0;
  uint64_t seq_ = 0;
  uint64_t fired_ = 0;
  bool stopped_ = false;
  bool halted_ = false;
  ProcessLink* live_ = nullptr;
  size_t live_count_ = 0;
};

}  // namespace mdsim
