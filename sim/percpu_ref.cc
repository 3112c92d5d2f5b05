// percpu_ref model: see percpu_ref.h.
#include "sim/percpu_ref.h"

#include <cstdio>
#include <cstdlib>

namespace mdsim {

PercpuRef::PercpuRef(Machine& m) : machine_(&m), atomic_line_(m), released_(m.sim()) {
  percpu_lines_.reserve(static_cast<size_t>(m.num_cpus()));
  for (int i = 0; i < m.num_cpus(); ++i) percpu_lines_.emplace_back(m);
}

Time PercpuRef::op_cost(Cpu& cpu) {
  CacheLine& line = atomic_ ? atomic_line_ : percpu_lines_[static_cast<size_t>(cpu.id())];
  return line.reserve(cpu.id()) - machine_->sim().now();
}

void PercpuRef::TryGetAwaiter::await_suspend(std::coroutine_handle<> h) {
  Simulator& s = ref->machine_->sim();
  ok = !ref->dead_;
  Time cost = ref->op_cost(*cpu);
  if (ok) ++ref->count_;
  s.resume_at(s.now() + cost, h);
}

Simulator::DelayAwaiter PercpuRef::get(Cpu& cpu) {
  ++count_;
  return machine_->sim().delay(op_cost(cpu));
}

Simulator::DelayAwaiter PercpuRef::put(Cpu& cpu) {
  if (count_ <= 0) {
    std::fprintf(stderr, "mdsim: internal error: percpu_ref put below zero\n");
    std::abort();
  }
  --count_;
  Time cost = op_cost(cpu);
  maybe_release();
  return machine_->sim().delay(cost);
}

void PercpuRef::kill() {
  if (dead_) {
    std::fprintf(stderr, "mdsim: internal error: percpu_ref killed twice\n");
    std::abort();
  }
  dead_ = true;
  Simulator& s = machine_->sim();
  switch_at_ = s.now() + machine_->profile().rcu_grace_ns;
  s.schedule_at(switch_at_, &PercpuRef::switched, this);
}

void PercpuRef::switched(void* self) {
  auto* r = static_cast<PercpuRef*>(self);
  if (!r->dead_ || r->machine_->sim().now() != r->switch_at_) return;
  r->atomic_ = true;
  r->maybe_release();
}

void PercpuRef::maybe_release() {
  if (dead_ && atomic_ && count_ == 0) released_.trigger();
}

void PercpuRef::resurrect() {
  if (!dead_) {
    std::fprintf(stderr, "mdsim: internal error: percpu_ref resurrected while live\n");
    std::abort();
  }
  dead_ = false;
  atomic_ = false;
  released_.reset();
}

}  // namespace mdsim
