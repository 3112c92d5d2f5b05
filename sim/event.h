// One-shot events with many waiters, and the intrusive FIFO wait list that the lock and CPU
// models also use. Waiting never allocates: the wait node lives in the awaiting frame.
#pragma once

#include <coroutine>

#include "sim/simulator.h"

namespace mdsim {

struct WaitList;

// A waiter. `wake` is called when the waiter is taken off its list by the list's owner.
struct WaitNode {
  WaitNode* prev = nullptr;
  WaitNode* next = nullptr;
  WaitList* list = nullptr;
  void (*wake)(WaitNode*) = nullptr;
};

// FIFO of WaitNodes.
struct WaitList {
  WaitNode* head = nullptr;
  WaitNode* tail = nullptr;
  size_t size = 0;

  bool empty() const { return head == nullptr; }
  void push_back(WaitNode* n) {
    n->list = this;
    n->next = nullptr;
    n->prev = tail;
    if (tail != nullptr) {
      tail->next = n;
    } else {
      head = n;
    }
    tail = n;
    ++size;
  }
  void remove(WaitNode* n) {
    if (n->prev != nullptr) {
      n->prev->next = n->next;
    } else {
      head = n->next;
    }
    if (n->next != nullptr) {
      n->next->prev = n->prev;
    } else {
      tail = n->prev;
    }
    n->prev = n->next = nullptr;
    n->list = nullptr;
    --size;
  }
  WaitNode* pop_front() {
    WaitNode* n = head;
    if (n != nullptr) remove(n);
    return n;
  }
};

// A waiter that resumes a coroutine through the event queue at the current time.
struct ResumeNode : WaitNode {
  Simulator* sim = nullptr;
  std::coroutine_handle<> handle;
  ResumeNode() { wake = &wake_fn; }
  static void wake_fn(WaitNode* n) {
    auto* r = static_cast<ResumeNode*>(n);
    r->sim->resume_at(r->sim->now(), r->handle);
  }
};

// A one-shot event: coroutines `co_await event` until trigger(); afterwards awaiting it does
// not suspend. Waiters resume in the order they began waiting, each through the event queue
// at the trigger time (so a trigger never runs waiter code re-entrantly).
class Event {
 public:
  explicit Event(Simulator& sim) : sim_(&sim) {}
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  bool triggered() const { return triggered_; }
  size_t waiters() const { return waiters_.size; }
  Simulator& sim() const { return *sim_; }

  // Wakes every waiter. Triggering an already triggered event does nothing.
  void trigger() {
    if (triggered_) return;
    triggered_ = true;
    while (WaitNode* n = waiters_.pop_front()) n->wake(n);
  }
  // Re-arms a triggered event that nobody waits on.
  void reset() { triggered_ = false; }

  // For join.h: registers a custom waiter.
  void add_waiter(WaitNode* n) { waiters_.push_back(n); }

  struct Awaiter {
    Event* ev;
    ResumeNode node;
    bool await_ready() const noexcept { return ev->triggered_; }
    void await_suspend(std::coroutine_handle<> h) {
      node.sim = ev->sim_;
      node.handle = h;
      ev->waiters_.push_back(&node);
    }
    void await_resume() const noexcept {}
  };
  Awaiter operator co_await() { return Awaiter{this, {}}; }

 private:
  Simulator* sim_;
  WaitList waiters_;
  bool triggered_ = false;
};

}  // namespace mdsim
