// The raid4/5/6 stripe cache (drivers/md/raid5.c, Linux 6.12): a fixed pool of stripe_heads
// (stripe_cache_size of them), a hash from member sector to the cached stripe_head, one inactive
// (LRU) list per hash lock, the active_stripes count, and the wait_for_stripe queue that
// raid5_get_active_stripe sleeps on when the cache has no free stripe_head for its hash.
//
// Mirrors grow_one_stripe (stripe i goes to inactive list i % NR_STRIPE_HASH_LOCKS),
// stripe_hash_locks_hash (sector >> STRIPE_SHIFT & 7), find_get_stripe (a cached stripe_head is
// taken off whatever list holds it; active_stripes counts it again unless STRIPE_HANDLE said it
// never stopped being active), get_free_stripe (the head of the hash's inactive list, unhashed),
// and is_inactive_blocked's hysteresis: once a caller blocked (R5_INACTIVE_BLOCKED) it waits
// until its inactive list is non-empty and fewer than 3/4 of the stripe_heads are active, or
// another waiter has cleared the flag.
// raid5_get_active_stripe checks that condition and takes its stripe_head under the hash lock
// it holds throughout (wait_event_lock_irq re-takes it before each check), so a caller that
// finds the condition true gets a stripe_head from that list, and one that finds it false goes
// back to sleep without touching R5_INACTIVE_BLOCKED. A woken caller checks only once it runs
// again on its core. wake_up(&conf->wait_for_stripe) wakes every waiter; the model wakes, per
// hash whose condition holds, as many waiters (first come first) as that list has stripe_heads
// not already promised to woken ones: the ones that would win, without the herd. Each takes its
// core (as a task) and checks there; one that lost meanwhile (a new caller took the stripe_head
// or blocked the cache) sleeps again at the head of the queue.
// A released stripe_head stays hashed on its inactive list with its R5_UPTODATE blocks, so a
// later request for the same row finds it (a cache hit) until get_free_stripe recycles it.
//
// Left out: growing past stripe_cache_size (6.x raid5d grows the cache by one stripe_head per
// pass after a failed allocation, R5_ALLOC_MORE / grow_one_stripe, and a shrinker takes it back
// to stripe_cache_size under memory pressure: the model is that pressure, a fixed pool), the
// per-hash spinlocks and device_lock as modelled locks (no lock contention is charged here),
// quiesce, and the r5c journal's cache usage checks. The kernel's sysfs refuses sizes <= 16;
// the model accepts 8 and up (tests use 16).
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "raid/raid5_stripe.h"
#include "sim/event.h"
#include "sim/machine.h"
#include "sim/task.h"

namespace mdsim {

inline constexpr int kNrStripeHashLocks = 8;  // NR_STRIPE_HASH_LOCKS

class Raid5StripeCache {
 public:
  // `nr_stripes` stripe_heads of `disks` blocks each, all inactive and unhashed.
  Raid5StripeCache(Simulator& sim, int nr_stripes, int disks);
  Raid5StripeCache(const Raid5StripeCache&) = delete;
  Raid5StripeCache& operator=(const Raid5StripeCache&) = delete;

  // stripe_hash_locks_hash: the inactive list a row's stripe_head comes from.
  static int hash_of(Sector sector) {
    return static_cast<int>((sector / kRaid5StripeSectors) % kNrStripeHashLocks);
  }

  int size() const { return size_; }
  int active_stripes() const { return active_; }
  int inactive(int hash) const { return inactive_[static_cast<size_t>(hash)].size(); }
  bool inactive_blocked() const { return inactive_blocked_; }

  // find_get_stripe: the stripe_head caching `sector` with one more reference, taken off the
  // list it was on; nullptr if the row is not cached.
  StripeHead* find_get(Sector sector);
  // get_free_stripe: the least recently released stripe_head of the hash's inactive list,
  // unhashed and counted active (the caller sets it up and calls insert); nullptr if none or
  // R5_INACTIVE_BLOCKED is set.
  StripeHead* get_free(int hash);
  void insert(StripeHead* sh, Sector sector);  // insert_hash
  // A stripe_head whose last reference went and which needs no handling: back on its inactive
  // list (still hashed), one fewer active, and wake_up(&conf->wait_for_stripe).
  void put_inactive(StripeHead* sh);

  // raid5_get_active_stripe after find_get and get_free failed: sets R5_INACTIVE_BLOCKED and
  // makes wait_event's first check of is_inactive_blocked(hash); false if that holds already
  // (the flag is cleared again and the caller goes on), true if the caller must sleep().
  bool block(int hash);

  // A caller asleep in raid5_get_active_stripe, in the awaiting coroutine's frame.
  struct Waiter : CpuWaiter {
    Raid5StripeCache* cache = nullptr;
    Cpu* cpu = nullptr;  // the core it runs on again (nullptr: none to take)
    int hash = 0;
    Time since = 0;
  };
  struct SleepAwaiter {
    Waiter w;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) { w.cache->sleep(&w, h); }
    void await_resume() const noexcept {}
  };
  // Sleeps on wait_for_stripe until woken with is_inactive_blocked(hash) true on `cpu`
  // (taken with `kind` and held on return; none if nullptr); R5_INACTIVE_BLOCKED is then
  // cleared and the hash's inactive list is non-empty: the caller takes its stripe_head and
  // then calls unblocked().
  SleepAwaiter sleep(int hash, Cpu* cpu, KindId kind) {
    SleepAwaiter a;
    a.w.cache = this;
    a.w.cpu = cpu;
    a.w.hash = hash;
    a.w.kind = kind;
    return a;
  }
  // After a caller cleared R5_INACTIVE_BLOCKED and took its stripe_head: wakes the waiters
  // whose condition that makes true.
  void unblocked() { wake_waiters(); }
  // block(), sleep() and unblocked() for a caller holding no core (tests).
  Task<void> wait_for_stripe(int hash);
  // is_inactive_blocked: whether a blocked caller for `hash` may go on.
  bool may_proceed(int hash) const;

  struct Stats {
    uint64_t hits = 0;   // find_get found the row cached
    uint64_t inits = 0;  // get_free handed out a stripe_head for a new row
    uint64_t waits = 0;  // callers that slept in wait_for_stripe
    Time wait_ns = 0;    // total time they slept
    int max_active = 0;  // most stripe_heads active at once
  };
  const Stats& stats() const { return stats_; }

 private:
  void sleep(Waiter* w, std::coroutine_handle<> h);
  // After anything that may make a waiter's condition true (a stripe_head back on an
  // inactive list, R5_INACTIVE_BLOCKED cleared).
  void wake_waiters();
  static void granted(WaitNode* w);  // a woken waiter got its core
  static void check_event(void* w);  // ... and checks its condition there
  // The hash chain of `sector` (Fibonacci hashing of the row number).
  StripeHead*& bucket(Sector sector) {
    return buckets_[static_cast<size_t>((sector >> 3) * 0x9E3779B97F4A7C15ull >> hash_shift_)];
  }

  Simulator* sim_;
  std::deque<StripeHead> pool_;  // stable addresses
  int size_ = 0;
  int blocked_limit_ = 0;  // max_nr_stripes * 3 / 4
  // conf->stripe_hashtbl: chains through StripeHead::hash_next, lookup only, never iterated.
  std::vector<StripeHead*> buckets_;
  int hash_shift_ = 64;
  int waiting_ = 0;  // waiters on every hash's list
  R5StripeList inactive_[kNrStripeHashLocks];
  int active_ = 0;
  bool inactive_blocked_ = false;
  WaitList waiters_[kNrStripeHashLocks];
  int woken_[kNrStripeHashLocks] = {};  // woken waiters that have not checked yet, per hash
  Stats stats_;
};

}  // namespace mdsim
