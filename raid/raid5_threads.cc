// raid4/5/6 stripe lists and the threads that handle them (drivers/md/raid5.c, Linux 6.12):
// raid5_release_stripe (via conf->released_stripes and a raid5d wakeup), __release_stripe /
// do_release_stripe (handle_list, bitmap_list for STRIPE_BIT_DELAY stripes whose bm_seq is
// not written yet, or back to the inactive list), raid5_wakeup_stripe_thread (the worker
// group of sh->cpu's socket: its first worker, plus one more per MAX_STRIPE_BATCH queued),
// __get_priority_stripe, handle_active_stripes (up to MAX_STRIPE_BATCH per round), raid5d and
// raid5_do_work.
//
// raid5d, each round: release_stripe_list; if bitmap_list is not empty, close the batch
// (seq_flush++), run the bitmap unplug (the thread sleeps while the pages are written; its
// plug is flushed first, as schedule() does), mark it written (seq_write = seq_flush) and
// activate_bit_delay; then handle a batch of stripes. All stripes that reached bitmap_list
// before the unplug share one bitmap write: that is how STRIPE_BIT_DELAY amortises it.
// Threads are md threads / unbound workqueue workers: each wakeup runs on a core the way the
// scheduler would place it (the last core if idle, else the next idle core, raid5d anywhere,
// workers within their socket), charges thread_wakeup, and holds the core until the round
// ends, giving it up between batches to interrupts queued on it (cond_resched) and to the
// completion of host bios it ended (bio_endio runs inline in the kernel; here md core's
// completion work runs on that core before the thread goes on).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "raid/mddev.h"
#include "raid/raid5.h"

namespace mdsim {

void Raid5::wake(Thread& t) {
  t.pending = true;
  t.wake.trigger();
}

Task<void> Raid5::sleep(Thread& t) {
  if (!t.pending) co_await t.wake;
  t.pending = false;
  t.wake.reset();
}

void Raid5::release_stripe(StripeHead& sh) {
  if (sh.count > 1) {  // atomic_add_unless(&sh->count, -1, 1)
    --sh.count;
    return;
  }
  if (sh.on_release_list) {  // slow path
    release_stripe_locked(sh);
    return;
  }
  sh.on_release_list = true;
  released_.push_back(&sh);
  if (released_.size() == 1) wake(*raid5d_);  // llist_add returned "was empty"
}

int Raid5::release_stripe_list() {
  releasing_.swap(released_);
  const int n = static_cast<int>(releasing_.size());
  for (StripeHead* sh : releasing_) {
    sh->on_release_list = false;
    release_stripe_locked(*sh);
  }
  releasing_.clear();
  return n;
}

void Raid5::release_stripe_locked(StripeHead& sh) {
  if (sh.count <= 0) {
    std::fprintf(stderr, "mdsim: internal error: raid5 stripe %llu released at count %d\n",
                 static_cast<unsigned long long>(sh.sector), sh.count);
    std::abort();
  }
  if (--sh.count == 0) do_release_stripe(sh);
}

void Raid5::do_release_stripe(StripeHead& sh) {
  if (sh.handle) {
    if (sh.bit_delay && static_cast<int64_t>(sh.bm_seq - seq_write_) > 0) {
      bitmap_list_.push_back(&sh);
      ++stats_.bit_delayed;
      wake(*raid5d_);
      return;
    }
    sh.bit_delay = false;
    if (workers_.empty()) {
      handle_list_.push_back(&sh);
      wake(*raid5d_);
    } else {
      wakeup_stripe_thread(sh);
    }
    return;
  }
  cache_.put_inactive(&sh);
}

void Raid5::wakeup_stripe_thread(StripeHead& sh) {
  Machine& m = md().machine();
  int g = m.socket_of(sh.cpu);
  if (g >= static_cast<int>(group_lists_.size())) g = 0;
  R5StripeList& list = group_lists_[static_cast<size_t>(g)];
  if (sh.list == nullptr) {
    list.push_back(&sh);
    sh.group = g;
  }
  auto& ws = workers_[static_cast<size_t>(g)];
  ws[0]->working = true;  // at least one worker runs
  wake(*ws[0]);
  int more = list.size() / kMaxStripeBatch - 1;
  for (size_t i = 1; i < ws.size() && more > 0; ++i) {
    if (ws[i]->working) continue;
    ws[i]->working = true;
    wake(*ws[i]);
    --more;
  }
}

StripeHead* Raid5::get_priority_stripe(int group) {
  R5StripeList* list = &handle_list_;
  if (!workers_.empty()) {
    if (group >= 0) {
      list = &group_lists_[static_cast<size_t>(group)];
    } else {  // ANY_GROUP: the first group with work
      for (R5StripeList& l : group_lists_) {
        list = &l;
        if (!l.empty()) break;
      }
    }
  }
  StripeHead* sh = list->pop_front();
  if (sh == nullptr) return nullptr;
  sh->group = -1;
  if (sh->count != 0) {
    std::fprintf(stderr, "mdsim: internal error: raid5 stripe %llu on a list at count %d\n",
                 static_cast<unsigned long long>(sh->sector), sh->count);
    std::abort();
  }
  sh->count = 1;
  return sh;
}

Task<int> Raid5::handle_active_stripes(Ctx& ctx, int group) {
  StripeHead* batch[kMaxStripeBatch];
  int n = 0;
  while (n < kMaxStripeBatch) {
    StripeHead* sh = get_priority_stripe(group);
    if (sh == nullptr) break;
    batch[n++] = sh;
  }
  for (int i = 0; i < n; ++i) {
    const int r = handle_stripe_now(ctx, *batch[i]);
    if (r == kHandleAsync) {
      co_await handle_stripe(ctx, *batch[i]);
    } else if (r >= 0) {
      co_await run_io(ctx, *batch[i], r);
    }
  }
  co_await ctx.cpu->settle();
  for (int i = 0; i < n; ++i) release_stripe_locked(*batch[i]);
  co_return n;
}

Task<void> Raid5::handoff(Ctx& ctx, KindId kind) {
  Cpu& cpu = *ctx.cpu;
  if (ctx.endio.empty() && cpu.queued() == 0) co_return;
  co_await cpu.settle();
  cpu.release();
  for (R5HostBio* b : ctx.endio) {
    b->cpu = &cpu;
    b->done.trigger();
  }
  ctx.endio.clear();
  co_await md().sim().yield();  // the woken submitters take the core first (irq queue)
  co_await cpu.acquire(kind);
}

Cpu& Raid5::pick_core(int prev, int socket) const {
  Machine& m = md().machine();
  int lo = 0, n = m.num_cpus();
  if (socket >= 0) {
    lo = socket * m.profile().cores_per_socket;
    n = std::min(m.profile().cores_per_socket, m.num_cpus() - lo);
  }
  if (prev < lo || prev >= lo + n) prev = lo;
  for (int k = 0; k < n; ++k) {
    Cpu& c = m.cpu(lo + (prev - lo + k) % n);
    if (!c.busy() && c.queued() == 0) return c;
  }
  return m.cpu(prev);
}

Task<void> Raid5::raid5d() {
  Thread& t = *raid5d_;
  const KindId kind = md().kinds().raid_thread;
  Ctx ctx;
  ctx.plug = &t.plug;
  for (;;) {
    co_await sleep(t);
    Cpu& cpu = pick_core(t.core, -1);
    t.core = cpu.id();
    co_await cpu.acquire(kind);
    ctx.cpu = &cpu;
    ++stats_.raid5d_runs;
    co_await cpu.work(md().costs().thread_wakeup, kind);
    for (;;) {
      const int released = release_stripe_list();
      if (!bitmap_list_.empty()) {
        ++seq_flush_;  // close this batch
        if (!t.plug.empty()) co_await t.plug.flush(cpu);
        if (md().bitmap_enabled()) co_await md().bitmap_unplug(cpu);
        ++stats_.bitmap_batches;
        seq_write_ = seq_flush_;
        // activate_bit_delay: the list as it is now; a stripe whose bm_seq is still ahead
        // (its write arrived during this unplug) goes back on bitmap_list for the next one.
        std::vector<StripeHead*>& batch = releasing_;
        while (StripeHead* sh = bitmap_list_.pop_front()) batch.push_back(sh);
        for (StripeHead* sh : batch) {
          ++sh->count;
          release_stripe_locked(*sh);
        }
        batch.clear();
      }
      const int n = co_await handle_active_stripes(ctx, -1);
      stats_.raid5d_handled += static_cast<uint64_t>(n);
      if (n == 0 && released == 0) break;
      co_await handoff(ctx, kind);
    }
    if (!t.plug.empty()) co_await t.plug.flush(cpu);  // blk_finish_plug
    co_await handoff(ctx, kind);
    co_await cpu.settle();
    cpu.release();
  }
}

Task<void> Raid5::worker(Thread& t, int group) {
  const KindId kind = md().kinds().raid_thread;
  Ctx ctx;
  ctx.plug = &t.plug;
  for (;;) {
    co_await sleep(t);
    Cpu& cpu = pick_core(t.core, group);
    t.core = cpu.id();
    co_await cpu.acquire(kind);
    ctx.cpu = &cpu;
    ++stats_.worker_runs;
    co_await cpu.work(md().costs().thread_wakeup, kind);
    for (;;) {
      const int released = release_stripe_list();
      const int n = co_await handle_active_stripes(ctx, group);
      t.working = false;
      stats_.worker_handled += static_cast<uint64_t>(n);
      if (n == 0 && released == 0) break;
      co_await handoff(ctx, kind);
    }
    if (!t.plug.empty()) co_await t.plug.flush(cpu);
    co_await handoff(ctx, kind);
    co_await cpu.settle();
    cpu.release();
  }
}

}  // namespace mdsim
