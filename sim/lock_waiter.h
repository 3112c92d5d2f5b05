// What every modelled lock's waiter has in common: the core it spins on, its call site, when
// it asked, and the bookkeeping of contention (lock_stat, and charging the spin to the core).
#pragma once

#include "sim/event.h"
#include "sim/lock_stat.h"
#include "sim/machine.h"

namespace mdsim {

struct LockWaiter : ResumeNode {
  Cpu* cpu = nullptr;
  const char* site = "";
  Time requested = 0;
  KindId prev_kind = 0;
  bool contended = false;

  // The lock was unavailable: record the contention and spin (the core stays busy, charged
  // to lock_spin) until granted.
  void start_spinning(LockClass& cls, LockSide side) {
    contended = true;
    cls.contended(side, cpu->id(), site);
    prev_kind = cpu->kind();
    cpu->set_kind(cpu->machine().kind_spin());
  }
  // Called from await_resume: stop charging the spin.
  void stop_spinning() {
    if (contended) cpu->set_kind(prev_kind);
  }
};

}  // namespace mdsim
