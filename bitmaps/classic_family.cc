// The classic bitmap's operations over its counters, with the variant's locking: see
// classic_family.h. Each operation names the md-bitmap.c (Linux 6.12) function it models.
#include "bitmaps/classic_family.h"

#include <algorithm>

namespace mdsim {

using Start = ClassicCounters::Start;

ClassicFamily::ClassicFamily(const BitmapGeometry& g, const MddevView* m,
                             std::unique_ptr<ClassicCounters> counts)
    : BitmapOps(g, m), counts_(std::move(counts)) {
  overflow_wait_ = decls_.wait_queue("bitmap->overflow_wait");
  behind_line_ = decls_.line("bitmap->behind_writes");
  behind_wait_ = decls_.wait_queue("bitmap->behind_wait");
  cost_counter_ = decls_.cost("bitmap.counter_update", 30);
  cost_alloc_ = decls_.cost("bitmap.page_alloc", 400);
  cost_scan_counter_ = decls_.cost("bitmap.daemon_counter", 5);  // per counter the scan walks
  cost_page_test_ = decls_.cost("bitmap.page_attr_test", 15);    // per storage page tested
  cost_behind_ = decls_.cost("bitmap.behind_atomic", 10);
}

// bitmap_startwrite: per chunk, the counter locks, then 0 -> on-disk bit + 2, 1 -> 2, ++.
// A missing counter page is allocated with the counter lock dropped and the chunk retried
// (two acquisitions on first touch); at COUNTER_MAX the writer sleeps on overflow_wait.
Task<void> ClassicFamily::startwrite(SyncExecutor& x, Sector offset, uint64_t sectors) {
  std::unique_ptr<BitmapCounter[]> fresh;
  auto alloc = [&] { fresh = ClassicCounters::alloc_page(); };
  while (sectors > 0) {
    Sector blocks = 0;
    Start r = Start::kDone;
    if (locking_.outer >= 0) co_await x.critical(locking_.outer, 0, Access::kShared, -1, noop_);
    co_await x.critical(locking_.counter_lock, counter_lock_index(offset), Access::kExclusive,
                        cost_counter_,
                        [&] { r = counts_->startwrite_locked(offset, &blocks, fresh); });
    if (r == Start::kNoCounter) co_return;
    if (r == Start::kAlloc) {
      if (locking_.alloc_under_outer) {
        co_await x.critical(locking_.outer, 0, Access::kShared, cost_alloc_, alloc);
      } else {
        co_await x.compute(cost_alloc_, alloc);
      }
      continue;
    }
    if (r == Start::kFull) {
      co_await x.wait(overflow_wait_, [&] { return counts_->below_max(offset); });
      continue;
    }
    offset += blocks;
    sectors -= std::min<uint64_t>(sectors, blocks);
  }
}

// bitmap_endwrite: per chunk, the counter locks; never sleeps.
Task<void> ClassicFamily::endwrite(SyncExecutor& x, Sector offset, uint64_t sectors) {
  while (sectors > 0) {
    Sector blocks = 0;
    ClassicCounters::End e;
    if (locking_.outer >= 0) co_await x.critical(locking_.outer, 0, Access::kShared, -1, noop_);
    co_await x.critical(
        locking_.counter_lock, counter_lock_index(offset), Access::kExclusive, cost_counter_,
        [&] { e = counts_->endwrite_locked(offset, &blocks, degraded(), events()); });
    if (e.missing) co_return;
    if (e.wake) co_await x.wake(overflow_wait_);
    offset += blocks;
    sectors -= std::min<uint64_t>(sectors, blocks);
  }
}

Task<void> ClassicFamily::start_behind_write(SyncExecutor& x) {
  co_await x.atomic(behind_line_, 0, cost_behind_, [&] {
    int n = behind_writes_.fetch_add(1) + 1;
    int seen = behind_writes_used_.load();
    while (n > seen && !behind_writes_used_.compare_exchange_weak(seen, n)) {
    }
  });
}

Task<void> ClassicFamily::end_behind_write(SyncExecutor& x) {
  bool zero = false;
  co_await x.atomic(behind_line_, 0, cost_behind_,
                    [&] { zero = behind_writes_.fetch_sub(1) == 1; });  // atomic_dec_and_test
  if (zero) co_await x.wake(behind_wait_);
}

Task<void> ClassicFamily::wait_behind_writes(SyncExecutor& x) {
  if (behind_writes_.load() == 0) co_return;
  behind_waiters_.fetch_add(1);
  co_await x.wait(behind_wait_, [&] { return behind_writes_.load() == 0; });
  behind_waiters_.fetch_sub(1);
}

// bitmap_start_sync: __bitmap_start_sync repeated until at least PAGE_SIZE >> 9 sectors are
// covered; the answers are or-ed.
Task<bool> ClassicFamily::start_sync(SyncExecutor& x, Sector offset, Sector* blocks,
                                     bool degraded) {
  bool rv = false;
  *blocks = 0;
  while (*blocks < kBitmapPageBytes / 512) {
    Sector b1 = 0;
    if (locking_.outer >= 0) co_await x.critical(locking_.outer, 0, Access::kShared, -1, noop_);
    co_await x.critical(locking_.counter_lock, counter_lock_index(offset), Access::kExclusive,
                        cost_counter_,
                        [&] { rv |= counts_->start_sync_locked(offset, &b1, degraded); });
    offset += b1;
    *blocks += b1;
  }
  co_return rv;
}

Task<void> ClassicFamily::end_sync_one(SyncExecutor& x, Sector offset, Sector* blocks,
                                       bool aborted) {
  if (locking_.outer >= 0) co_await x.critical(locking_.outer, 0, Access::kShared, -1, noop_);
  co_await x.critical(locking_.counter_lock, counter_lock_index(offset), Access::kExclusive,
                      cost_counter_, [&] { counts_->end_sync_locked(offset, blocks, aborted); });
}

// bitmap_end_sync: md calls it only for a resync that stopped short (raid1/raid10/raid5
// sync_request at max_sector with curr_resync < max_sector), so it is __bitmap_end_sync with
// aborted = true: RESYNC -> NEEDED, the chunk stays to be resynced.
Task<void> ClassicFamily::end_sync(SyncExecutor& x, Sector offset, Sector* blocks) {
  co_await end_sync_one(x, offset, blocks, true);
}

// bitmap_close_sync: __bitmap_end_sync(aborted = false) across [0, resync_max_sectors).
Task<void> ClassicFamily::close_sync(SyncExecutor& x) {
  Sector sector = 0;
  while (sector < geo_.sync_size) {
    Sector blocks = 0;
    co_await end_sync_one(x, sector, &blocks, false);
    sector += blocks;
  }
}

// bitmap_cond_end_sync: __bitmap_end_sync(aborted = false) below `sector` rounded down to a
// chunk. The kernel walks from 0 each time, at most once per daemon_sleep unless forced, after
// waiting for recovery_active to drain; here the caller paces it, and the walk resumes where
// the previous call stopped (ending sync again below it changes nothing) until sector 0 resets.
Task<void> ClassicFamily::cond_end_sync(SyncExecutor& x, Sector sector, bool /*force*/) {
  if (sector == 0) {
    last_end_sync_ = 0;
    co_return;
  }
  sector -= sector % counts_->chunk_sectors();
  Sector s = std::min(last_end_sync_, sector);
  while (s < sector && s < geo_.sync_size) {
    Sector blocks = 0;
    co_await end_sync_one(x, s, &blocks, false);
    s += blocks;
  }
  last_end_sync_ = std::max(last_end_sync_, s);
}

Task<void> ClassicFamily::write(SyncExecutor& x, BitmapIo& io, const ClassicCounters::Batch& b) {
  if (b.pages.empty()) co_return;
  co_await io.write_pages(x, b.pages, true);
  counts_->complete(b);
  persisted_changed();
}

// __bitmap_unplug (sync and async both wait): every DIRTY or NEEDWRITE storage page is
// written with PREFLUSH|FUA to every member; no counter lock.
Task<void> ClassicFamily::unplug(SyncExecutor& x, BitmapIo& io, bool /*sync*/) {
  ClassicCounters::Batch b;
  co_await x.compute(cost_page_test_, [&] { b = counts_->unplug_collect(events()); })
      .times(counts_->file_pages());
  if (!b.pages.empty()) co_await write(x, io, b);
}

// bitmap_daemon_work: the storage-page pass, the scan under the variant's scan lock (charged
// per counter walked), then the NEEDWRITE pages. The kernel leaves the daemon's writes in
// flight until its next md_bitmap_wait_writes; here they are waited for where issued.
Task<void> ClassicFamily::daemon_work(SyncExecutor& x, BitmapIo& io) {
  if (counts_->allclean()) co_return;
  bool run = false;
  co_await x.compute(cost_page_test_, [&] { run = counts_->daemon_begin(); })
      .times(counts_->file_pages());
  if (!run) co_return;
  co_await x
      .critical(locking_.scan_lock, 0, locking_.scan_access, cost_scan_counter_,
                [&] { counts_->daemon_scan_locked(); })
      .times(counts_->daemon_scan_units());
  ClassicCounters::Batch b;
  co_await x.compute(cost_page_test_, [&] { b = counts_->daemon_collect(events()); })
      .times(counts_->file_pages());
  co_await write(x, io, b);
}

BitmapStats ClassicFamily::get_stats() const {
  BitmapStats s = counts_->stats();
  s.behind_writes = behind_writes_.load();
  s.behind_wait = behind_waiters_.load() > 0;
  return s;
}

}  // namespace mdsim
