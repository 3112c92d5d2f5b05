// `llbitmap` (Linux 6.18 md-llbitmap.c): resync (llbitmap_start_sync, llbitmap_end_sync,
// llbitmap_close_sync, llbitmap_cond_end_sync, llbitmap_skip_sync_blocks,
// llbitmap_blocks_synced), loading (llbitmap_read_sb + llbitmap_load), llbitmap_dirty_bits,
// write-behind and llbitmap_get_stats. See llbitmap.h.
#include <algorithm>

#include "bitmaps/llbitmap.h"

namespace mdsim {

Task<bool> Llbitmap::start_sync(SyncExecutor& x, Sector offset, Sector* blocks,
                                bool /*degraded: the state machine reads mddev->degraded*/) {
  // One chunk per call ("it doesn't matter if md_do_sync() loop more times").
  *blocks = chunk_sectors_ - offset % chunk_sectors_;
  uint64_t p = chunk_of(offset);
  if (p >= chunks_) co_return false;
  // Unwritten, Clean (and Dirty unless degraded) answer None: resync skips them.
  uint8_t s = co_await state_machine_steps(x, p, p, LlAction::kStartsync);
  co_return s == kLlSyncing;
}

Task<void> Llbitmap::end_sync(SyncExecutor& x, Sector offset, Sector* blocks) {
  // "Something is wrong, sync_thread stop at @offset": Abortsync from there to the end.
  *blocks = chunk_sectors_ - offset % chunk_sectors_;
  uint64_t p = chunk_of(offset);
  if (p >= chunks_) co_return;
  auto apply = [&] { state_machine(p, chunks_ - 1, LlAction::kAbortsync); };
  co_await x.compute(cost_bulk_, apply).times(chunks_ - p);
}

Task<void> Llbitmap::close_sync(SyncExecutor& x) {
  // A full sync finished: let the daemon clear dirty bits at once, Syncing -> Dirty.
  for (uint64_t pg = 0; pg < nr_pages_; ++pg) pctl_[pg].expire.store(tick_.load());
  if (chunks_ == 0) co_return;
  auto apply = [&] { state_machine(0, chunks_ - 1, LlAction::kEndsync); };
  co_await x.compute(cost_bulk_, apply).times(chunks_);
}

Task<void> Llbitmap::cond_end_sync(SyncExecutor& x, Sector sector, bool force) {
  const int64_t now = tick_.load();
  if (sector == 0) {
    last_end_sync_ = now;
    co_return;
  }
  if (!force && now < last_end_sync_ + 1) co_return;  // at most once per daemon_sleep
  // (wait_event for recovery_active and curr_resync_completed are md core's.)
  uint64_t complete = (sector - sector % chunk_sectors_) / chunk_sectors_;
  if (complete > 0) {
    auto apply = [&] { state_machine(0, complete - 1, LlAction::kEndsync); };
    co_await x.compute(cost_bulk_, apply).times(complete);
  }
  flush_pending_.store(true);  // __llbitmap_flush, at the next unplug or daemon_work
  last_end_sync_ = now;
}

Sector Llbitmap::skip_sync_blocks(Sector offset, bool resync, bool requested) const {
  uint64_t p = chunk_of(offset);
  Sector blocks = chunk_sectors_ - offset % chunk_sectors_;
  if (p >= chunks_) return 0;
  uint8_t c = read(p);
  if (c == kLlUnwritten) return blocks;  // always skip unwritten blocks
  if (degraded()) return 0;
  if ((c == kLlClean || c == kLlDirty) && resync && !requested) return blocks;
  return 0;
}

bool Llbitmap::blocks_synced(Sector offset) const {
  uint64_t p = chunk_of(offset);
  if (p >= chunks_) return false;
  uint8_t c = read(p);
  return c == kLlClean || c == kLlDirty;
}

void Llbitmap::load_image(std::span<const uint8_t> image) {
  LlbitmapImage im = decode_llbitmap_image(image);
  bool ok = im.ok() && im.sb.chunksize == chunk_sectors_ && im.states.size() == chunks_ &&
            im.sb.uuid == geo_.uuid;
  for (uint64_t pg = 0; pg < nr_pages_; ++pg) {
    pctl_[pg].flags.store(0);
    pctl_[pg].dirty.store(0);
  }
  if (!ok) {
    // md would refuse this bitmap (llbitmap_read_sb fails); resync everything to be safe.
    for (uint64_t c = 0; c < chunks_; ++c) byte(pos_of(c)).store(kLlNeedSync);
    persist_all_now();
    return;
  }
  for (uint64_t c = 0; c < chunks_; ++c) byte(pos_of(c)).store(im.states[c]);
  persist_all_now();  // the image is what the members hold
  // llbitmap_read_sb: an out-of-date bitmap is stale (all but Unwritten need sync).
  LlAction a = im.sb.events < events() ? LlAction::kStale : LlAction::kReload;
  // llbitmap_load: one llbitmap_state_machine walk in chunk order, as the kernel does it, with
  // its order dependence (checked against 6.18 and later, llbitmap_image_test.cc
  // LlbitmapReload). Each Dirty/Syncing -> NeedSync goes through llbitmap_write ->
  // llbitmap_set_page_dirty, which infects the 512-byte block (llbitmap_infect_dirty_bits:
  // Clean -> Dirty, Unwritten -> Dirty, NeedSync on raid456) when another byte of it is Dirty
  // or NeedSync or the block's dirty bit is already set by an earlier reload in it. So in a
  // block with two dirty chunks, Clean/Unwritten chunks ahead of the walk are reloaded to
  // NeedSync (resynced) and those behind it are left Dirty (not resynced; cleaned later by the
  // daemon, or resynced after another crash once the block is written). Every Dirty/Syncing
  // chunk of the image still ends NeedSync: infection never touches Dirty, NeedSync or
  // Syncing, so nothing that needs sync is lost; only clean chunks are synced needlessly, and
  // Unwritten ones behind the walk become written. Degraded arrays never infect. In practice
  // the kernel's own images seldom show this: a second chunk dirtied in a block while the
  // first is still Dirty infects the whole block at runtime, and that block reaches the disk.
  if (chunks_ > 0) state_machine(0, chunks_ - 1, a);
}

void Llbitmap::dirty_bits(uint64_t s, uint64_t e) { state_machine(s, e, LlAction::kStartwrite); }

Task<void> Llbitmap::start_behind_write(SyncExecutor& x) {
  co_await x.atomic(behind_line_, 0, cost_behind_, [&] { behind_writes_.fetch_add(1); });
}

Task<void> Llbitmap::end_behind_write(SyncExecutor& x) {
  bool zero = false;  // atomic_dec_and_test, then wake_up(&behind_wait)
  co_await x.atomic(behind_line_, 0, cost_behind_,
                    [&] { zero = behind_writes_.fetch_sub(1) == 1; });
  if (zero) co_await x.wake(behind_wait_);
}

Task<void> Llbitmap::wait_behind_writes(SyncExecutor& x) {
  if (behind_writes_.load() == 0) co_return;
  behind_waiters_.fetch_add(1);
  co_await x.wait(behind_wait_, [&] { return behind_writes_.load() == 0; });
  behind_waiters_.fetch_sub(1);
}

BitmapStats Llbitmap::get_stats() const {
  BitmapStats s;
  s.events_cleared = 0;  // llbitmap never advances it
  s.behind_writes = behind_writes_.load();
  s.behind_wait = behind_waiters_.load() > 0;  // wq_has_sleeper
  s.missing_pages = 0;                         // every page is allocated up front
  s.file_pages = nr_pages_;
  s.pages = nr_pages_;
  s.sync_size = geo_.sync_size;
  s.page_writes = n_pages_.load();
  for (uint64_t c = 0; c < chunks_; ++c) {
    uint8_t st = read(c);
    s.dirty_chunks += st == kLlDirty || st == kLlNeedSync || st == kLlSyncing;
  }
  return s;
}

LlbitmapCounters Llbitmap::counters() const {
  LlbitmapCounters n;
  n.block_writes = n_blocks_.load();
  n.page_writes = n_pages_.load();
  n.infections = n_infect_.load();
  n.barrier_waits = n_barrier_waits_.load();
  n.daemon_passes = n_passes_;
  n.daemon_busy = n_busy_;
  n.pages_suspended = n_suspended_;
  n.chunks_cleaned = n_cleaned_;
  return n;
}

}  // namespace mdsim
