// Coroutine processes: Task<T>, awaiting a child, and spawning detached processes.
//
// A Task is lazy: its body starts when it is awaited (`co_await child()`, run directly from
// the awaiter with no scheduler round trip; a child that suspends later resumes its parent by
// symmetric transfer) or when it is spawned (`spawn(sim, task())`, first step scheduled at
// now). An awaited task's frame is owned by the Task object and freed when that object goes
// away; a spawned task owns itself and frees its frame when its body ends. Frames of spawned
// tasks still suspended when the Simulator is destroyed are destroyed by it, so nothing leaks.
//
// Exceptions: simulation code reports modelled failures as data, not exceptions; an exception
// escaping a task is rethrown into the awaiting parent, and aborts the run for a spawned task.
#pragma once

#include <coroutine>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <utility>

#include "sim/frame_pool.h"
#include "sim/simulator.h"

namespace mdsim {

template <class T>
class Task;

namespace internal {

// Shared completion target for all_of/any_of joins (sim/join.h).
struct Joiner {
  int remaining = 0;
  int first_done = -1;  // index of the first child to finish (any_of)
  bool any = false;     // any_of: resume the waiter on the first completion
  std::coroutine_handle<> waiter;
};

struct PromiseBase {
  std::coroutine_handle<> continuation;  // awaiting parent, if any
  Simulator* detached_sim = nullptr;     // set when spawned: the frame owns itself
  ProcessLink link;
  Joiner* joiner = nullptr;
  int join_index = 0;
  bool done = false;
  bool starting_inline = false;  // being run from its awaiter's await_suspend
  std::exception_ptr error;

  std::suspend_always initial_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { error = std::current_exception(); }

  static void* operator new(std::size_t n) { return FramePool::allocate(n); }
  static void operator delete(void* p, std::size_t n) { FramePool::deallocate(p, n); }

  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      PromiseBase& p = h.promise();
      p.done = true;
      if (p.detached_sim != nullptr) {
        if (p.error) report_detached_error(p.error);
        p.detached_sim->unlink_process(&p.link);
        h.destroy();
        return std::noop_coroutine();
      }
      if (p.joiner != nullptr) {
        Joiner* j = p.joiner;
        if (j->first_done < 0) j->first_done = p.join_index;
        --j->remaining;
        if (j->waiter && (j->any || j->remaining == 0)) {
          auto w = j->waiter;
          j->waiter = nullptr;
          return w;
        }
        return std::noop_coroutine();
      }
      // Finished inside the awaiter's await_suspend: that call returns and the parent just
      // continues, so a loop over children that finish at once never grows the stack (even
      // where symmetric transfer is not a tail call, as under AddressSanitizer).
      if (p.continuation && !p.starting_inline) return p.continuation;
      return std::noop_coroutine();
    }
    void await_resume() const noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }

  [[noreturn]] static void report_detached_error(std::exception_ptr e) noexcept {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      std::fprintf(stderr, "mdsim: internal error: exception in a spawned process: %s\n",
                   ex.what());
    } catch (...) {
      std::fprintf(stderr, "mdsim: internal error: unknown exception in a spawned process\n");
    }
    std::abort();
  }
};

template <class T>
struct Promise : PromiseBase {
  std::optional<T> value;
  Task<T> get_return_object();
  template <class U>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
  T take() {
    if (error) std::rethrow_exception(error);
    return std::move(*value);
  }
};

template <>
struct Promise<void> : PromiseBase {
  Task<void> get_return_object();
  void return_void() noexcept {}
  void take() {
    if (error) std::rethrow_exception(error);
  }
};

}  // namespace internal

template <class T = void>
class [[nodiscard]] Task {
 public:
  using promise_type = internal::Promise<T>;
  using Handle = std::coroutine_handle<promise_type>;

  Task() = default;
  explicit Task(Handle h) : h_(h) {}
  Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { reset(); }

  bool valid() const { return static_cast<bool>(h_); }
  bool done() const { return h_ && h_.promise().done; }

  struct Awaiter {
    Handle h;
    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> caller) {
      auto& p = h.promise();
      p.continuation = caller;
      p.starting_inline = true;
      h.resume();
      p.starting_inline = false;
      return !p.done;  // finished already: do not suspend the caller at all
    }
    T await_resume() { return h.promise().take(); }
  };
  Awaiter operator co_await() && noexcept { return Awaiter{h_}; }

  // For sim/join.h and spawn: give up ownership of the frame.
  Handle release() { return std::exchange(h_, {}); }
  Handle handle() const { return h_; }

 private:
  void reset() {
    if (h_) h_.destroy();
    h_ = {};
  }
  Handle h_;
};

namespace internal {
template <class T>
Task<T> Promise<T>::get_return_object() {
  return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Task<void> Promise<void>::get_return_object() {
  return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}

// Hands a started or unstarted frame to the simulator's detached registry.
template <class P>
void detach(Simulator& sim, std::coroutine_handle<P> h) {
  P& p = h.promise();
  p.detached_sim = &sim;
  p.joiner = nullptr;
  p.link.frame = h;
  sim.link_process(&p.link);
}
}  // namespace internal

// Starts `task` as an independent process; its first step runs at now() (after events already
// due now), and its frame is freed when it finishes or when `sim` is destroyed.
template <class T>
void spawn(Simulator& sim, Task<T> task, Priority prio = kPrioNormal) {
  auto h = task.release();
  if (!h) return;
  internal::detach(sim, h);
  sim.resume_at(sim.now(), h, prio);
}

}  // namespace mdsim
