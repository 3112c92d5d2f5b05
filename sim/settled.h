// Awaiting a task after the core's charged work, without a coroutine frame of its own:
//
//   co_await Settled(cpu, child());   // same as: co_await cpu.settle(); co_await child();
//
// The child (lazy, like every Task) starts when the charged work has passed (one event if
// there is any), with the awaiting coroutine as its continuation. For hot wrappers that would
// otherwise be a coroutine just to settle first (Mddev's bitmap calls).
#pragma once

#include <coroutine>
#include <cstdint>
#include <utility>

#include "sim/machine.h"
#include "sim/task.h"

namespace mdsim {

class [[nodiscard]] Settled {
 public:
  // `done_counter`, if given, is incremented when the child has finished.
  Settled(Cpu& cpu, Task<void> child, uint64_t* done_counter = nullptr)
      : cpu_(&cpu), child_(std::move(child)), done_counter_(done_counter) {}

  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    waiter_ = h;
    const Time t = cpu_->commit_owed();
    if (t > 0) {
      Simulator& sim = cpu_->machine().sim();
      sim.schedule_at(sim.now() + t, &Settled::start_event, this);
      return true;
    }
    return start();
  }
  void await_resume() {
    child_.handle().promise().take();  // rethrows the child's exception
    if (done_counter_ != nullptr) ++*done_counter_;
  }

 private:
  // Runs the child until it first suspends; false if it finished meanwhile.
  bool start() { return Task<void>::Awaiter{child_.handle()}.await_suspend(waiter_); }
  static void start_event(void* self) {
    auto* s = static_cast<Settled*>(self);
    if (!s->start()) s->waiter_.resume();
  }

  Cpu* cpu_;
  Task<void> child_;
  uint64_t* done_counter_;
  std::coroutine_handle<> waiter_;
};

}  // namespace mdsim
