// `epoch`: write-behind, the resync hooks (one chunk per start_sync/end_sync, as llbitmap),
// dirty_bits and stats. See epoch_bitmap.h.
#include <algorithm>

#include "bitmaps/epoch_bitmap.h"

namespace mdsim {

// ---- Write-behind (md_bitmap_start/end_behind_write, wait_behind_writes): an atomic and a
// wait queue, as llbitmap.

Task<void> EpochBitmap::start_behind_write(SyncExecutor& x) {
  co_await x.atomic(behind_line_, 0, cost_behind_, [&] { behind_writes_.fetch_add(1); });
}

Task<void> EpochBitmap::end_behind_write(SyncExecutor& x) {
  bool zero = false;
  co_await x.atomic(behind_line_, 0, cost_behind_,
                    [&] { zero = behind_writes_.fetch_sub(1) == 1; });  // atomic_dec_and_test
  if (zero) co_await x.wake(behind_wait_);
}

Task<void> EpochBitmap::wait_behind_writes(SyncExecutor& x) {
  if (behind_writes_.load() == 0) co_return;
  behind_waiters_.fetch_add(1);
  co_await x.wait(behind_wait_, [&] { return behind_writes_.load() == 0; });
  behind_waiters_.fetch_sub(1);
}

// ---- Resync: one chunk per call, as llbitmap_start_sync.

Task<bool> EpochBitmap::start_sync(SyncExecutor& x, Sector offset, Sector* blocks, bool degraded) {
  *blocks = chunk_sectors_ - offset % chunk_sectors_;
  const uint64_t c = offset / chunk_sectors_;
  if (c >= chunks_) co_return false;
  bool rv = false;
  co_await x.atomic(state_line_, line_of(c), cost_update_, [&] {
    EpochState s = state(c);
    if (s == EpochState::kSyncing) rv = true;
    if (s == EpochState::kNeedSync) {
      rv = true;
      if (!degraded) set_state(c, EpochState::kSyncing);  // don't change bits if degraded
    }
  });
  co_return rv;
}

Task<void> EpochBitmap::set_pending(SyncExecutor& x, uint64_t p) {
  Page& pg = page_[p];
  if (pg.flags.load() & kPending) co_return;
  co_await x.atomic(flags_line_, static_cast<int>(p), cost_flag_,
                    [&] { pg.flags.fetch_or(kPending); });
}

// Syncing -> Dirty for chunks [a, b): the resync of them finished; the daemon cleans them.
Task<void> EpochBitmap::end_sync_range(SyncExecutor& x, uint64_t a, uint64_t b) {
  b = std::min(b, chunks_);
  if (a >= b) co_return;
  std::vector<uint64_t> lines;
  co_await x
      .compute(cost_scan_,
               [&] {
                 for (uint64_t c = a; c < b; ++c) {
                   if (state(c) != EpochState::kSyncing) continue;
                   if (lines.empty() || lines.back() != c / kChunksPerLine)
                     lines.push_back(c / kChunksPerLine);
                 }
               })
      .times((b - a + kChunksPerLine - 1) / kChunksPerLine);
  for (uint64_t l : lines) {
    co_await x.atomic(state_line_, static_cast<int>(l), cost_update_, [&] {
      uint64_t end = std::min(b, (l + 1) * kChunksPerLine);
      for (uint64_t c = std::max(a, l * kChunksPerLine); c < end; ++c) {
        if (state(c) == EpochState::kSyncing) set_state(c, EpochState::kDirty);
      }
    });
    co_await set_pending(x, page_of(l * kChunksPerLine));
  }
}

Task<void> EpochBitmap::end_sync(SyncExecutor& x, Sector offset, Sector* blocks) {
  *blocks = chunk_sectors_ - offset % chunk_sectors_;
  const uint64_t c = offset / chunk_sectors_;
  co_await end_sync_range(x, c, c + 1);
}

Task<void> EpochBitmap::close_sync(SyncExecutor& x) { co_await end_sync_range(x, 0, chunks_); }

Task<void> EpochBitmap::cond_end_sync(SyncExecutor& x, Sector sector, bool /*force*/) {
  if (sector == 0) {
    last_end_sync_ = 0;
    co_return;
  }
  const uint64_t done = sector / chunk_sectors_;  // chunks wholly below `sector`
  co_await end_sync_range(x, std::min(last_end_sync_, done), done);
  last_end_sync_ = std::max(last_end_sync_, done);
}

// md_bitmap_dirty_bits: NEEDED, as the classic bitmap (not a coroutine: no cost modelled).
void EpochBitmap::dirty_bits(uint64_t s, uint64_t e) {
  for (uint64_t c = s; c <= e && c < chunks_; ++c) {
    set_state(c, EpochState::kNeedSync);
    page_[page_of(c)].flags.fetch_or(kNeedWrite);
  }
}

BitmapStats EpochBitmap::get_stats() const {
  BitmapStats s;
  s.events_cleared = events_cleared_.load();
  s.behind_writes = behind_writes_.load();
  s.behind_wait = behind_waiters_.load() > 0;
  s.missing_pages = 0;
  s.file_pages = pages_;
  s.sync_size = geo_.sync_size;
  s.pages = pages_;
  s.page_writes = page_writes_.load();
  for (uint64_t c = 0; c < chunks_; ++c) s.dirty_chunks += state(c) != EpochState::kClean;
  return s;
}

EpochCounters EpochBitmap::counters() const {
  EpochCounters c;
  c.flips = ctr_.flips.load();
  c.cleaned = ctr_.cleaned.load();
  c.rescued = ctr_.rescued.load();
  c.infected = ctr_.infected.load();
  c.tryget_retries = ctr_.tryget_retries.load();
  c.recheck_retries = ctr_.recheck_retries.load();
  c.write_waits = ctr_.write_waits.load();
  c.uncookied_waits = ctr_.uncookied_waits.load();
  return c;
}

}  // namespace mdsim
