// The lock-loop scenario: see lock_loop.h.
#include "sim/lock_loop.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "sim/cache_line.h"
#include "sim/percpu_ref.h"
#include "sim/rwlock.h"
#include "sim/spinlock.h"
#include "sim/task.h"

namespace mdsim {

const std::vector<std::string>& lock_loop_kinds() {
  // Order matches lock_loop.cc's Kind enum.
  static const std::vector<std::string> kinds = {"spinlock",     "rwlock_read", "rwlock_write",
                                                 "rwlock_mixed", "atomic",      "percpu_ref"};
  return kinds;
}

namespace {

// The lock kind, resolved from its name once rather than compared as a string per operation.
enum class Kind { kSpinlock, kRwRead, kRwWrite, kRwMixed, kAtomic, kPercpuRef };

Kind kind_of(const std::string& name) {
  const auto& names = lock_loop_kinds();  // same order as Kind
  auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) {
    std::fprintf(stderr, "mdsim: internal error: unknown lock kind %s\n", name.c_str());
    std::abort();
  }
  return static_cast<Kind>(it - names.begin());
}

struct Shared {
  Machine* m;
  Kind kind;
  LockLoopParams p;
  Time end;
  std::unique_ptr<Spinlock> spin;
  std::unique_ptr<RwLock> rw;
  std::unique_ptr<AtomicCounter> counter;
  std::unique_ptr<PercpuRef> ref;
  KindId k_acquire, k_hold, k_think;
  bool share_cores;
  uint64_t ops = 0;
  LatencyHistogram latency;
};

Task<void> thread_body(Shared& s, Cpu& cpu, Rng rng) {
  Simulator& sim = s.m->sim();
  co_await cpu.acquire(s.k_think);
  while (sim.now() < s.end) {
    Time t0 = sim.now();
    cpu.set_kind(s.k_acquire);  // the lock-word RMW and any queueing for its line
    if (s.kind == Kind::kSpinlock) {
      co_await s.spin->lock(cpu, "lock_loop");
      s.latency.add(sim.now() - t0);
      co_await cpu.work(s.p.hold_ns, s.k_hold);
      s.spin->unlock(cpu);
    } else if (s.kind == Kind::kAtomic) {
      co_await s.counter->add(cpu, 1);
      s.latency.add(sim.now() - t0);
    } else if (s.kind == Kind::kPercpuRef) {
      bool ok = co_await s.ref->tryget_live(cpu);
      s.latency.add(sim.now() - t0);
      co_await cpu.work(s.p.hold_ns, s.k_hold);
      cpu.set_kind(s.k_acquire);
      if (ok) co_await s.ref->put(cpu);
    } else {
      bool write = s.kind == Kind::kRwWrite ||
                   (s.kind == Kind::kRwMixed &&
                    rng.below(100) < static_cast<uint64_t>(s.p.write_percent));
      co_await (write ? s.rw->write_lock(cpu, "lock_loop") : s.rw->read_lock(cpu, "lock_loop"));
      s.latency.add(sim.now() - t0);
      co_await cpu.work(s.p.hold_ns, s.k_hold);
      if (write) {
        s.rw->write_unlock(cpu);
      } else {
        cpu.set_kind(s.k_acquire);  // read_unlock is an RMW too
        co_await s.rw->read_unlock(cpu);
      }
    }
    ++s.ops;
    Time think = s.p.think_exponential
                     ? static_cast<Time>(rng.exponential(static_cast<double>(s.p.think_ns)))
                     : s.p.think_ns;
    co_await cpu.work(think, s.k_think);
    if (s.share_cores) {  // more threads than cores: let the others on this core run
      cpu.release();
      co_await cpu.acquire(s.k_think);
    }
  }
  cpu.release();
}

// Mean line transfer between consecutive owners under saturation. With fixed think times the
// symmetric threads queue in a fixed rotation over the cores 0, 1, ..., n-1, 0, ...; with
// random think times the next owner is any other core, uniformly.
double mean_transfer(const Machine& m, int cores, bool rotation) {
  if (cores < 2) return static_cast<double>(m.profile().local_ns);
  double sum = 0;
  for (int a = 0; a < cores; ++a) {
    if (rotation) {
      sum += static_cast<double>(m.transfer_ns(a, (a + 1) % cores));
      continue;
    }
    for (int b = 0; b < cores; ++b) {
      if (a != b) sum += static_cast<double>(m.transfer_ns(a, b)) / (cores - 1);
    }
  }
  return sum / cores;
}

}  // namespace

LockLoopResult run_lock_loop(Machine& m, const LockLoopParams& p, const RandomStreams& rs) {
  Shared s;
  s.m = &m;
  s.kind = kind_of(p.lock);
  s.p = p;
  s.end = m.sim().now() + p.duration_ns;
  s.spin = std::make_unique<Spinlock>(m, "lock_loop.spinlock");
  s.rw = std::make_unique<RwLock>(m, "lock_loop.rwlock");
  s.counter = std::make_unique<AtomicCounter>(m);
  s.ref = std::make_unique<PercpuRef>(m);
  s.k_acquire = m.kind("lock_acquire");
  s.k_hold = m.kind("lock_hold");
  s.k_think = m.kind("think");
  int threads = p.threads > 0 ? p.threads : m.num_cpus();
  s.share_cores = threads > m.num_cpus();
  for (int i = 0; i < threads; ++i) {
    spawn(m.sim(), thread_body(s, m.cpu(i % m.num_cpus()), rs.stream("lock_loop.thread", i)));
  }
  m.sim().run();

  LockLoopResult r;
  r.threads = threads;
  r.ops = s.ops;
  r.ops_per_sec = static_cast<double>(s.ops) / to_seconds(p.duration_ns);
  int cores = std::min(threads, m.num_cpus());
  double xfer = mean_transfer(m, cores, !p.think_exponential);
  double local = static_cast<double>(m.profile().local_ns);
  double hold = static_cast<double>(p.hold_ns);
  double think = static_cast<double>(p.think_ns);
  double per_op_lines = 1;  // lock-word RMWs per operation
  double hold_in_cycle = hold;
  if (s.kind == Kind::kAtomic) {
    hold_in_cycle = 0;
  } else if (s.kind == Kind::kRwRead || s.kind == Kind::kPercpuRef) {
    per_op_lines = 2;  // acquire and release are both RMWs
  }
  double uncontended = hold_in_cycle + think + local * per_op_lines;
  r.theory_uncontended_ops_per_sec = threads * 1e9 / uncontended;
  if (s.kind == Kind::kPercpuRef || threads < 2) {
    r.theory_saturated_ops_per_sec = r.theory_uncontended_ops_per_sec;  // nothing contends
  } else if (s.kind == Kind::kAtomic || s.kind == Kind::kRwRead) {
    r.theory_saturated_ops_per_sec = 1e9 / (xfer * per_op_lines);
  } else {
    r.theory_saturated_ops_per_sec = 1e9 / (hold + local + xfer);
  }
  Time spin = 0, busy = 0;
  for (int i = 0; i < m.num_cpus(); ++i) {
    spin += m.cpu(i).time_in(m.kind_spin()) + m.cpu(i).time_in(s.k_acquire);
    busy += m.cpu(i).busy_time();
  }
  r.wait_share = busy > 0 ? static_cast<double>(spin) / static_cast<double>(busy) : 0;
  r.acquire_latency = s.latency;
  return r;
}

}  // namespace mdsim
