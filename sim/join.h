// Joins: wait for all or any of several child tasks or events.
//
//   co_await all_of(std::move(tasks));          // every child finished
//   int i = co_await any_of(sim, std::move(tasks));  // first child finished; the rest run on,
//                                                   // detached, and free themselves
//   std::vector<Event*> evs{&e1, &e2};  co_await all_of(evs);  int j = co_await any_of(evs);
//
// (Pass events as a named vector: a braced list is ambiguous with the task overloads, and g++ 12
// miscompiles initializer_list temporaries inside a co_await expression.)
// Children start in order, each running to its first suspension before the next starts.
#pragma once

#include <cstddef>
#include <vector>

#include "sim/event.h"
#include "sim/task.h"

namespace mdsim {

namespace internal {

class TaskJoin {
 public:
  TaskJoin(Simulator* sim, std::vector<Task<void>> tasks, bool any)
      : sim_(sim), tasks_(std::move(tasks)) {
    joiner_.any = any;
  }
  TaskJoin(TaskJoin&&) = default;
  ~TaskJoin() {
    // any_of: children still running become detached processes.
    for (auto& t : tasks_) {
      if (t.valid() && !t.done() && sim_ != nullptr) detach(*sim_, t.release());
    }
  }

  bool await_ready() const noexcept { return tasks_.empty(); }
  bool await_suspend(std::coroutine_handle<> h) {
    joiner_.remaining = static_cast<int>(tasks_.size());
    for (size_t i = 0; i < tasks_.size(); ++i) {
      auto& p = tasks_[i].handle().promise();
      p.joiner = &joiner_;
      p.join_index = static_cast<int>(i);
      tasks_[i].handle().resume();
    }
    bool finished = joiner_.any ? joiner_.first_done >= 0 : joiner_.remaining == 0;
    if (finished) return false;
    joiner_.waiter = h;
    return true;
  }
  int await_resume() {
    for (auto& t : tasks_) {
      if (t.done()) t.handle().promise().take();  // rethrows a child's exception
    }
    return joiner_.first_done;
  }

 private:
  Simulator* sim_;
  std::vector<Task<void>> tasks_;
  Joiner joiner_;
};

}  // namespace internal

inline internal::TaskJoin all_of(std::vector<Task<void>> tasks) {
  return internal::TaskJoin(nullptr, std::move(tasks), false);
}
// Resumes when the first child finishes and yields its index.
inline internal::TaskJoin any_of(Simulator& sim, std::vector<Task<void>> tasks) {
  return internal::TaskJoin(&sim, std::move(tasks), true);
}

// Waits for every event.
Task<void> all_of(std::vector<Event*> events);

// Waits for the first of several events; yields its index (the lowest index if several had
// already been triggered).
class AnyOfEvents {
 public:
  explicit AnyOfEvents(std::vector<Event*> events);
  AnyOfEvents(AnyOfEvents&&) = default;
  bool await_ready();
  void await_suspend(std::coroutine_handle<> h);
  int await_resume();

 private:
  struct Node : WaitNode {
    AnyOfEvents* owner;
    int index;
  };
  static void wake_fn(WaitNode* n);

  std::vector<Event*> events_;
  std::vector<Node> nodes_;
  std::coroutine_handle<> handle_;
  int fired_ = -1;
};

inline AnyOfEvents any_of(std::vector<Event*> events) { return AnyOfEvents(std::move(events)); }

}  // namespace mdsim
