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
// another waiter has cleared the flag. wake_up(&conf->wait_for_stripe) wakes every waiter to
// re-check; the model wakes, per hash whose condition holds, as many waiters (first come first)
// as that list has stripe_heads: the ones that would win the re-check, without the herd.
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
#include <unordered_map>

#include "raid/raid5_stripe.h"
#include "sim/event.h"
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

  int size() const { return static_cast<int>(pool_.size()); }
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

  // raid5_get_active_stripe's sleep: sets R5_INACTIVE_BLOCKED, waits until
  // is_inactive_blocked(hash) holds, clears the flag. The caller holds no core.
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
  struct Waiter {
    Raid5StripeCache* cache;
    int hash;
    ResumeNode node;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
      node.sim = cache->sim_;
      node.handle = h;
      cache->waiters_[static_cast<size_t>(hash)].push_back(&node);
    }
    void await_resume() const noexcept {}
  };
  // After anything that may make a waiter's condition true (a stripe_head back on an
  // inactive list, R5_INACTIVE_BLOCKED cleared).
  void wake_waiters();

  Simulator* sim_;
  std::deque<StripeHead> pool_;                   // stable addresses
  std::unordered_map<Sector, StripeHead*> hash_;  // lookup only, never iterated
  R5StripeList inactive_[kNrStripeHashLocks];
  int active_ = 0;
  bool inactive_blocked_ = false;
  WaitList waiters_[kNrStripeHashLocks];
  Stats stats_;
};

}  // namespace mdsim
