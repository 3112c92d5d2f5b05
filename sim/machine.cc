// CPU and machine models: see machine.h.
#include "sim/machine.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace mdsim {

Cpu::Cpu(Machine& m, int id)
    : machine_(&m), sim_(&m.sim()), id_(id), socket_(m.socket_of(id)) {}

bool Cpu::AcquireAwaiter::await_suspend(std::coroutine_handle<> h) {
  sim = cpu->sim_;
  handle = h;
  return !cpu->acquire_or_queue(this, irq);  // the core was free: continue at once
}

void Cpu::catch_up() {
  if (lazy_until_ < 0 || lazy_event_ || sim_->now() < lazy_until_) return;
  // The charged work was booked up to lazy_until_ (seg_start_): the core is idle since.
  lazy_until_ = -1;
  held_ = false;
}

void Cpu::lazy_release_event(void* p) {
  auto* cpu = static_cast<Cpu*>(p);
  cpu->lazy_event_ = false;
  cpu->lazy_until_ = -1;
  cpu->release();
}

void Cpu::release_charged() {
  if (!held_ || lazy_until_ >= 0) {
    std::fprintf(stderr, "mdsim: internal error: cpu%d released while free\n", id_);
    std::abort();
  }
  const Time t = commit_owed();
  if (t == 0) {
    release();
    return;
  }
  lazy_until_ = sim_->now() + t;
  if (!irq_waiters_.empty() || !task_waiters_.empty()) {  // takers already queued
    lazy_event_ = true;
    sim_->schedule_at(lazy_until_, &Cpu::lazy_release_event, this);
  }
}

bool Cpu::acquire_or_queue(CpuWaiter* w, bool irq) {
  catch_up();
  if (!held_) {
    grant(w);
    return true;
  }
  (irq ? irq_waiters_ : task_waiters_).push_back(w);
  if (lazy_until_ >= 0 && !lazy_event_) {  // given up already: hand over when its work ends
    lazy_event_ = true;
    sim_->schedule_at(lazy_until_, &Cpu::lazy_release_event, this);
  }
  return false;
}

void Cpu::grant(CpuWaiter* a) {
  held_ = true;
  kind_ = a->kind;
  seg_start_ = sim_->now();
}

void Cpu::close_segment_slow(Time now) const {
  // A core given up by release_charged() (lazy_until_ = seg_start_ then) is free since
  // lazy_until_: nothing to book.
  if (lazy_until_ >= 0 && now > lazy_until_) now = lazy_until_;
  if (now <= seg_start_) return;
  const Time d = now - seg_start_;
  kind_slot(kind_) += d;
  busy_ += d;
  seg_start_ = now;
}

void Cpu::grow_kinds(KindId kind) const {
  kind_time_.resize(std::max(static_cast<size_t>(kind) + 1, size_t{32}), 0);
}

void Cpu::not_held(const char* what) const {
  std::fprintf(stderr, "mdsim: internal error: cpu%d %s while free\n", id_, what);
  std::abort();
}

void Cpu::release() {
  if (!held_ || lazy_until_ >= 0) {
    std::fprintf(stderr, "mdsim: internal error: cpu%d released while free\n", id_);
    std::abort();
  }
  if (owed_ != 0) {
    std::fprintf(stderr, "mdsim: internal error: cpu%d released with unsettled work\n", id_);
    std::abort();
  }
  close_segment();
  held_ = false;
  WaitNode* n = irq_waiters_.pop_front();
  if (n == nullptr) n = task_waiters_.pop_front();
  if (n == nullptr) return;
  auto* a = static_cast<CpuWaiter*>(n);
  grant(a);
  a->wake(a);  // resumes the new holder through the queue, at now
}

Task<void> Cpu::run(Time cost, KindId kind, bool irq) {
  co_await acquire(kind, irq);
  co_await sim_->delay(cost);
  release();
}

Time Cpu::busy_time() const {
  close_segment();
  return busy_;
}

Time Cpu::time_in(KindId kind) const {
  close_segment();
  return static_cast<size_t>(kind) < kind_time_.size() ? kind_time_[static_cast<size_t>(kind)]
                                                        : 0;
}

double Cpu::utilisation() const {
  Time now = sim_->now();
  return now > 0 ? static_cast<double>(busy_time()) / static_cast<double>(now) : 0.0;
}

Machine::Machine(Simulator& sim, MachineProfile profile)
    : sim_(&sim), profile_(std::move(profile)) {
  if (profile_.sockets < 1 || profile_.cores_per_socket < 1) {
    std::fprintf(stderr, "mdsim: internal error: machine needs at least one core\n");
    std::abort();
  }
  kind_names_ = {"idle", "lock_spin"};
  int n = profile_.cores();
  for (int i = 0; i < n; ++i) place_.push_back(Place{socket_of(i), ccx_of(i)});
  cpus_.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) cpus_.push_back(std::make_unique<Cpu>(*this, i));
}


KindId Machine::kind(std::string_view name) {
  for (size_t i = 0; i < kind_names_.size(); ++i) {
    if (kind_names_[i] == name) return static_cast<KindId>(i);
  }
  kind_names_.emplace_back(name);
  return static_cast<KindId>(kind_names_.size() - 1);
}

Time Machine::cost(std::string_view name) const {
  auto it = profile_.costs.find(std::string(name));
  return it == profile_.costs.end() ? 0 : it->second;
}

}  // namespace mdsim
