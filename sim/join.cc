// Event joins: see join.h.
#include "sim/join.h"

namespace mdsim {

Task<void> all_of(std::vector<Event*> events) {
  for (Event* e : events) co_await *e;
}

AnyOfEvents::AnyOfEvents(std::vector<Event*> events) : events_(std::move(events)) {}

bool AnyOfEvents::await_ready() {
  for (size_t i = 0; i < events_.size(); ++i) {
    if (events_[i]->triggered()) {
      fired_ = static_cast<int>(i);
      return true;
    }
  }
  return false;
}

void AnyOfEvents::await_suspend(std::coroutine_handle<> h) {
  handle_ = h;
  nodes_.resize(events_.size());
  for (size_t i = 0; i < events_.size(); ++i) {
    nodes_[i].owner = this;
    nodes_[i].index = static_cast<int>(i);
    nodes_[i].wake = &wake_fn;
    events_[i]->add_waiter(&nodes_[i]);
  }
}

void AnyOfEvents::wake_fn(WaitNode* n) {
  auto* node = static_cast<Node*>(n);
  AnyOfEvents* self = node->owner;
  if (self->fired_ >= 0) return;
  self->fired_ = node->index;
  Simulator& sim = self->events_[static_cast<size_t>(node->index)]->sim();
  sim.resume_at(sim.now(), self->handle_);
}

int AnyOfEvents::await_resume() {
  for (Node& n : nodes_) {
    if (n.list != nullptr) n.list->remove(&n);
  }
  return fired_;
}

}  // namespace mdsim
