// A cache line that cores update with atomic read-modify-writes (a lock word, an atomic
// counter, a refcount). The line is exclusive to one core at a time: an RMW waits until the
// line is free, then costs a transfer from the last owner (profile: local hit, same CCX, same
// socket, cross socket, first touch). N cores hammering one line therefore serialise at about
// one transfer per operation, which is how the kernel's shared atomics stop scaling.
#pragma once

#include <algorithm>
#include <cstdint>

#include "sim/machine.h"

namespace mdsim {

class CacheLine {
 public:
  explicit CacheLine(Machine& m) : machine_(&m) {}

  // Reserves the line for an RMW by `cpu` requested now; returns when the RMW completes.
  Time reserve(int cpu) {
    Simulator& sim = machine_->sim();
    Time start = std::max(sim.now(), free_at_);
    if (owner_ >= 0 && owner_ != cpu) ++bounces_;
    Time done = start + machine_->transfer_ns(owner_, cpu);
    free_at_ = done;
    owner_ = cpu;
    ++ops_;
    return done;
  }

  // Awaitable RMW: `co_await line.rmw(cpu)` resumes when the operation has completed. The
  // caller should hold `cpu` (its core stalls for the duration).
  Simulator::DelayAwaiter rmw(int cpu) {
    Time done = reserve(cpu);
    Simulator& sim = machine_->sim();
    return sim.delay(done - sim.now());
  }

  int owner() const { return owner_; }
  uint64_t ops() const { return ops_; }
  uint64_t bounces() const { return bounces_; }  // RMWs that pulled the line from another core
  Machine& machine() const { return *machine_; }

 private:
  Machine* machine_;
  int owner_ = -1;
  Time free_at_ = 0;
  uint64_t ops_ = 0;
  uint64_t bounces_ = 0;
};

// An atomic_t / atomic64_t on its own cache line.
class AtomicCounter {
 public:
  explicit AtomicCounter(Machine& m) : line_(m) {}
  // atomic_add_return: the value is updated when the RMW is issued (the line serialises).
  Simulator::DelayAwaiter add(Cpu& cpu, int64_t delta) {
    value_ += delta;
    return line_.rmw(cpu.id());
  }
  int64_t value() const { return value_; }
  const CacheLine& line() const { return line_; }

 private:
  CacheLine line_;
  int64_t value_ = 0;
};

}  // namespace mdsim
