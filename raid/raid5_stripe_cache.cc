// The raid4/5/6 stripe cache: see raid5_stripe_cache.h.
#include "raid/raid5_stripe_cache.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace mdsim {

Raid5StripeCache::Raid5StripeCache(Simulator& sim, int nr_stripes, int disks) : sim_(&sim) {
  if (nr_stripes < kNrStripeHashLocks || disks < 2) {
    std::fprintf(stderr, "mdsim: internal error: raid5 stripe cache of %d stripes, %d disks\n",
                 nr_stripes, disks);
    std::abort();
  }
  hash_.reserve(static_cast<size_t>(nr_stripes) * 2);
  for (int i = 0; i < nr_stripes; ++i) {
    StripeHead& sh = pool_.emplace_back();
    sh.hash = i % kNrStripeHashLocks;  // grow_one_stripe
    sh.dev.resize(static_cast<size_t>(disks));
    inactive_[static_cast<size_t>(sh.hash)].push_back(&sh);
  }
}

StripeHead* Raid5StripeCache::find_get(Sector sector) {
  auto it = hash_.find(sector);
  if (it == hash_.end()) return nullptr;
  StripeHead* sh = it->second;
  if (sh->count == 0) {
    if (!sh->handle) {
      ++active_;
      stats_.max_active = std::max(stats_.max_active, active_);
    }
    if (sh->list != nullptr) sh->list->remove(sh);
    sh->group = -1;
  }
  ++sh->count;
  ++stats_.hits;
  return sh;
}

StripeHead* Raid5StripeCache::get_free(int hash) {
  if (inactive_blocked_) return nullptr;
  StripeHead* sh = inactive_[static_cast<size_t>(hash)].pop_front();
  if (sh == nullptr) return nullptr;
  if (sh->hashed) {
    hash_.erase(sh->sector);
    sh->hashed = false;
  }
  ++active_;
  stats_.max_active = std::max(stats_.max_active, active_);
  ++stats_.inits;
  return sh;
}

void Raid5StripeCache::insert(StripeHead* sh, Sector sector) {
  sh->sector = sector;
  sh->hashed = true;
  hash_[sector] = sh;
}

void Raid5StripeCache::put_inactive(StripeHead* sh) {
  if (sh->count != 0 || sh->list != nullptr) {
    std::fprintf(stderr, "mdsim: internal error: raid5 stripe %llu released with count %d\n",
                 static_cast<unsigned long long>(sh->sector), sh->count);
    std::abort();
  }
  --active_;
  inactive_[static_cast<size_t>(sh->hash)].push_back(sh);
  wake_waiters();
}

bool Raid5StripeCache::may_proceed(int hash) const {
  if (inactive_[static_cast<size_t>(hash)].empty()) return false;
  if (!inactive_blocked_) return true;
  return active_ < size() * 3 / 4;
}

Task<void> Raid5StripeCache::wait_for_stripe(int hash) {
  const Time t0 = sim_->now();
  ++stats_.waits;
  inactive_blocked_ = true;
  while (!may_proceed(hash)) co_await Waiter{this, hash, {}};
  inactive_blocked_ = false;
  stats_.wait_ns += sim_->now() - t0;
  wake_waiters();
}

void Raid5StripeCache::wake_waiters() {
  for (int h = 0; h < kNrStripeHashLocks; ++h) {
    WaitList& w = waiters_[static_cast<size_t>(h)];
    if (w.empty() || !may_proceed(h)) continue;
    for (int n = inactive(h); n > 0 && !w.empty(); --n) {
      WaitNode* node = w.pop_front();
      node->wake(node);
    }
  }
}

}  // namespace mdsim
