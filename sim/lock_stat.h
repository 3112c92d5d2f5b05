// /proc/lock_stat-style statistics, per lock class, and the kernel's text format.
//
// Semantics follow kernel/locking/lockdep.c (__lock_contended, __lock_acquired, lock_release;
// lock_stat version 0.4, Linux 6.12): a class aggregates every lock instance of that class
// (e.g. all hashed bmclocks); waittime is recorded only for contended acquisitions, from the
// request to the acquisition; holdtime from the acquisition to the release; con-bounces count
// contentions and acq-bounces acquisitions where the lock was last acquired on another CPU.
// Read (-R) and write (-W) sides of rwlocks are kept apart. Contention points are the call
// sites (named by the caller) at which acquisitions had to wait; the top four are printed.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/time.h"

namespace mdsim {

struct LockTime {
  uint64_t nr = 0;
  Time min = 0;
  Time max = 0;
  Time total = 0;
  void add(Time t) {
    if (nr == 0 || t < min) min = t;
    if (t > max) max = t;
    total += t;
    ++nr;
  }
  Time avg() const { return nr ? total / static_cast<Time>(nr) : 0; }
};

enum class LockSide { kWrite = 0, kRead = 1 };

struct LockSideStats {
  uint64_t con_bounces = 0;
  uint64_t acq_bounces = 0;
  LockTime wait;  // contentions = wait.nr
  LockTime hold;  // acquisitions = hold.nr
};

class LockClass {
 public:
  explicit LockClass(std::string name) : name_(std::move(name)) {}
  const std::string& name() const { return name_; }

  // A request on `cpu` found the lock unavailable, at call site `site` (may be empty).
  void contended(LockSide side, int cpu, std::string_view site);
  // The lock was acquired on `cpu` after waiting `wait` (-1: not contended).
  void acquired(LockSide side, int cpu, Time wait);
  void released(LockSide side, Time hold);

  const LockSideStats& side(LockSide s) const { return sides_[static_cast<int>(s)]; }
  uint64_t contentions() const { return sides_[0].wait.nr + sides_[1].wait.nr; }
  // Call sites by number of contentions, most first (ties by name), at most `n`.
  std::vector<std::pair<std::string, uint64_t>> top_sites(size_t n) const;

 private:
  std::string name_;
  std::array<LockSideStats, 2> sides_;
  int last_cpu_ = -1;  // lockdep's lock->cpu: where the lock was last acquired
  std::map<std::string, uint64_t, std::less<>> sites_;
};

class LockStatRegistry {
 public:
  // The class of that name, created on first use. References stay valid.
  LockClass& get(std::string_view name);
  // Classes sorted like /proc/lock_stat: by contentions, most first (ties by name).
  std::vector<const LockClass*> sorted() const;
  // The /proc/lock_stat text (header and one or two rows per class that was acquired).
  std::string to_text() const;

 private:
  std::vector<std::unique_ptr<LockClass>> classes_;
};

}  // namespace mdsim
