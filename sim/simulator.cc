// Simulator main loop and process registry: see simulator.h.
#include "sim/simulator.h"

#include <cstdio>
#include <cstdlib>

namespace mdsim {

namespace {
constexpr uint64_t kSeqMask = (uint64_t{1} << 56) - 1;
}

Simulator::~Simulator() { halt(); }

void Simulator::halt() {
  // Destroy the frames of processes that never finished. Destroying a frame destroys the
  // child tasks it owns, so only roots are tracked. Pending queue entries are dropped unrun.
  halted_ = true;
  while (live_ != nullptr) {
    ProcessLink* p = live_;
    unlink_process(p);
    p->frame.destroy();
  }
  while (!queue_.empty()) queue_.pop();
}

void Simulator::check_not_halted() const {
  if (halted_) [[unlikely]] {
    std::fprintf(stderr, "mdsim: internal error: simulator run after halt()\n");
    std::abort();
  }
}

void Simulator::schedule_at(Time t, EventFn fn, void* ctx, Priority prio) {
  if (t < now_) [[unlikely]] {
    std::fprintf(stderr, "mdsim: internal error: event scheduled in the past (%lld < %lld)\n",
                 static_cast<long long>(t), static_cast<long long>(now_));
    std::abort();
  }
  uint64_t ord = (uint64_t{prio} << 56) | (seq_++ & kSeqMask);
  queue_.push(t, ord, fn, ctx);
}

void Simulator::run() {
  check_not_halted();
  stopped_ = false;
  while (!queue_.empty() && !stopped_) {
    EventEntry e = queue_.pop();
    now_ = e.time;
    ++fired_;
    e.fn(e.ctx);
  }
}

void Simulator::run_until(Time t) {
  check_not_halted();
  stopped_ = false;
  EventEntry e;
  while (!stopped_ && queue_.pop_until(t, &e)) {
    now_ = e.time;
    ++fired_;
    e.fn(e.ctx);
  }
  if (!stopped_ && now_ < t) now_ = t;
}

void Simulator::link_process(ProcessLink* p) {
  p->prev = nullptr;
  p->next = live_;
  if (live_ != nullptr) live_->prev = p;
  live_ = p;
  ++live_count_;
}

void Simulator::unlink_process(ProcessLink* p) {
  if (p->prev != nullptr) {
    p->prev->next = p->next;
  } else {
    live_ = p->next;
  }
  if (p->next != nullptr) p->next->prev = p->prev;
  p->prev = p->next = nullptr;
  --live_count_;
}

}  // namespace mdsim
