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
  size_ = nr_stripes;
  blocked_limit_ = nr_stripes * 3 / 4;
  int bits = 1;
  while ((1 << bits) < 2 * nr_stripes) ++bits;
  buckets_.assign(size_t{1} << bits, nullptr);
  hash_shift_ = 64 - bits;
  for (int i = 0; i < nr_stripes; ++i) {
    StripeHead& sh = pool_.emplace_back();
    sh.hash = i % kNrStripeHashLocks;  // grow_one_stripe
    sh.dev.resize(static_cast<size_t>(disks));
    inactive_[static_cast<size_t>(sh.hash)].push_back(&sh);
  }
}

StripeHead* Raid5StripeCache::find_get(Sector sector) {
  StripeHead* sh = bucket(sector);
  while (sh != nullptr && sh->sector != sector) sh = sh->hash_next;
  if (sh == nullptr) return nullptr;
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
  if (sh->hashed) {  // remove_hash
    StripeHead** link = &bucket(sh->sector);
    while (*link != sh) link = &(*link)->hash_next;
    *link = sh->hash_next;
    sh->hash_next = nullptr;
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
  StripeHead*& head = bucket(sector);
  sh->hash_next = head;
  head = sh;
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
  return active_ < blocked_limit_;
}

bool Raid5StripeCache::block(int hash) {
  inactive_blocked_ = true;
  if (!may_proceed(hash)) return true;
  inactive_blocked_ = false;
  return false;
}

void Raid5StripeCache::sleep(Waiter* w, std::coroutine_handle<> h) {
  w->sim = sim_;
  w->handle = h;
  w->since = sim_->now();
  ++stats_.waits;
  ++waiting_;
  waiters_[static_cast<size_t>(w->hash)].push_back(w);
}

Task<void> Raid5StripeCache::wait_for_stripe(int hash) {
  if (block(hash)) co_await sleep(hash, nullptr, 0);
  unblocked();
}

void Raid5StripeCache::wake_waiters() {
  if (waiting_ == 0 || (inactive_blocked_ && active_ >= blocked_limit_)) return;
  for (int h = 0; h < kNrStripeHashLocks; ++h) {
    WaitList& list = waiters_[static_cast<size_t>(h)];
    if (list.empty() || inactive_[static_cast<size_t>(h)].empty()) continue;  // may_proceed
    int& woken = woken_[static_cast<size_t>(h)];
    while (woken < inactive(h) && !list.empty()) {
      auto* w = static_cast<Waiter*>(list.pop_front());
      ++woken;
      --waiting_;
      w->wake = &Raid5StripeCache::granted;
      if (w->cpu == nullptr || w->cpu->acquire_or_queue(w, /*irq=*/false)) {
        sim_->schedule_at(sim_->now(), &Raid5StripeCache::check_event, w);
      }
    }
  }
}

void Raid5StripeCache::granted(WaitNode* n) {
  // Called from inside the holder's release(): check from the event queue, at the grant.
  auto* w = static_cast<Waiter*>(n);
  w->cache->sim_->schedule_at(w->cache->sim_->now(), &Raid5StripeCache::check_event, w);
}

void Raid5StripeCache::check_event(void* p) {
  auto* w = static_cast<Waiter*>(p);
  Raid5StripeCache& c = *w->cache;
  const auto h = static_cast<size_t>(w->hash);
  --c.woken_[h];
  if (!c.may_proceed(w->hash)) {  // lost it meanwhile: asleep again, first in line
    if (w->cpu != nullptr) w->cpu->release();
    WaitList& list = c.waiters_[h];
    w->list = &list;
    w->prev = nullptr;
    w->next = list.head;
    (list.head != nullptr ? list.head->prev : list.tail) = w;
    list.head = w;
    ++list.size;
    ++c.waiting_;
    return;
  }
  c.inactive_blocked_ = false;
  c.stats_.wait_ns += c.sim_->now() - w->since;
  w->handle.resume();  // the waiter's frame may be gone afterwards
}

}  // namespace mdsim
