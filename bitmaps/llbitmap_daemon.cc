// `llbitmap` (Linux 6.18 md-llbitmap.c): the daemon (llbitmap_pending_timer_fn,
// md_llbitmap_daemon_fn, llbitmap_suspend_timeout, llbitmap_resume), unplug
// (llbitmap_unplug, llbitmap_unplug_fn, llbitmap_write_page), flushes (llbitmap_flush,
// __llbitmap_flush) and what the members hold. See llbitmap.h.
#include <algorithm>
#include <cstring>

#include "bitmaps/llbitmap.h"

namespace mdsim {

Task<void> Llbitmap::daemon_work(SyncExecutor& x, BitmapIo& io) {
  const int64_t now = tick_.fetch_add(1) + 1;  // one daemon_sleep has passed
  // llbitmap_pending_timer_fn: the timer fires once it is due; if the work is still running,
  // BITMAP_DAEMON_BUSY makes it rescan instead of queueing it again.
  if (timer_pending_.load() && now >= timer_due_.load()) {
    timer_pending_.store(false);
    if (daemon_running_) {
      daemon_busy_ = true;
      ++n_busy_;
    } else {
      co_await daemon_pass(x, io);
    }
  }
  // A __llbitmap_flush that cond_end_sync asked for (it has no BitmapIo).
  if (flush_pending_.exchange(false)) co_await write_blocks(x, io, take_all_blocks());
}

Task<void> Llbitmap::daemon_pass(SyncExecutor& x, BitmapIo& io) {
  if (degraded()) co_return;  // dirty bits are never cleared while degraded
  daemon_running_ = true;
  ++n_passes_;
  std::vector<BlockImage> cleaned;
  bool restart = false;
  do {
    restart = false;
    for (uint64_t pg = 0; pg < nr_pages_; ++pg) {
      PageCtl& p = pctl_[pg];
      const int idx = static_cast<int>(pg);
      bool flush = p.flags.fetch_and(static_cast<uint8_t>(~kPageFlush)) & kPageFlush;
      if (!flush && tick_.load() < p.expire.load()) {
        restart = true;  // written within barrier_idle: look again next time
        continue;
      }
      // llbitmap_suspend_timeout: freeze the page; new writers sleep on pctl->wait.
      p.dying.store(true);
      ++n_suspended_;
      co_await x.ref_kill(active_, idx);  // returns once in-flight writes dropped the ref
      uint8_t blocks = 0;
      uint64_t first = pg == 0 ? 0 : pg * kPageBytes - kLlbitmapDataOffset;
      uint64_t last = std::min(chunks_, (pg + 1) * kPageBytes - kLlbitmapDataOffset);
      uint64_t walk = last > first ? last - first : 1;
      co_await x.compute(cost_daemon_, [&] { blocks = daemon_clean(pg); }).times(walk);
      if (opts_.daemon_writes_cleaned) {
        for (uint32_t b = 0; b < kBlocksPerPage; ++b) {
          if (blocks & (1u << b)) cleaned.push_back(snapshot(pg, b));
        }
      }
      // llbitmap_resume.
      p.expire.store(kNever);
      co_await x.ref_resurrect(active_, idx);
      p.dying.store(false);
      co_await x.wake(page_wait(pg));
    }
  } while (std::exchange(daemon_busy_, false));
  if (restart) arm_timer(tick_.load() + 1);  // mod_timer(jiffies + daemon_sleep)
  daemon_running_ = false;
  if (!cleaned.empty()) co_await write_blocks(x, io, std::move(cleaned));
}

// The Daemon action over the chunks page `pg` holds; returns the blocks whose states changed.
uint8_t Llbitmap::daemon_clean(uint64_t pg) {
  uint64_t first = pg == 0 ? 0 : pg * kPageBytes - kLlbitmapDataOffset;
  uint64_t last = std::min(chunks_, (pg + 1) * kPageBytes - kLlbitmapDataOffset);
  uint8_t blocks = 0;
  for (uint64_t c = first; c < last; ++c) {
    uint8_t s = next(c, LlAction::kDaemon);
    if (s == kLlNone) continue;
    write(c, s);  // Clean: the page is not marked dirty
    ++n_cleaned_;
    blocks |= static_cast<uint8_t>(1u << (pos_of(c) % kPageBytes / kIoSize));
  }
  return blocks;
}

Task<void> Llbitmap::unplug(SyncExecutor& x, BitmapIo& io, bool /*sync: always waits*/) {
  bool dirty = false;  // llbitmap_dirty
  auto test_pages = [&] {
    dirty = flush_pending_.load();
    for (uint64_t pg = 0; pg < nr_pages_ && !dirty; ++pg) {
      dirty = pctl_[pg].flags.load() & kPageDirty;
    }
  };
  co_await x.compute(cost_flag_, test_pages).times(nr_pages_);
  if (!dirty) co_return;  // no wait at all, even for another unplug's writes in flight
  // The work runs on md_llbitmap_unplug_wq; the caller sleeps in wait_for_completion.
  co_await x.compute(cost_unplug_, [] {});
  std::vector<BlockImage> blocks;
  auto take = [&] {
    blocks = flush_pending_.exchange(false) ? take_all_blocks() : take_dirty_blocks();
  };
  co_await x.compute(cost_flag_, take).times(nr_pages_);
  co_await write_blocks(x, io, std::move(blocks));
}

Task<void> Llbitmap::flush(SyncExecutor& x, BitmapIo& io) {
  for (uint64_t pg = 0; pg < nr_pages_; ++pg) pctl_[pg].flags.fetch_or(kPageFlush);
  timer_pending_.store(false);  // timer_delete_sync, then the daemon work runs now
  if (!daemon_running_) co_await daemon_pass(x, io);
  flush_pending_.store(false);
  co_await write_blocks(x, io, take_all_blocks());
}

Llbitmap::BlockImage Llbitmap::snapshot(uint64_t page, uint32_t block) {
  BlockImage im{page, block, write_seq_.fetch_add(1) + 1, std::vector<uint8_t>(kIoSize)};
  uint64_t first = page * kPageBytes + block * kIoSize;
  for (uint64_t i = 0; i < kIoSize; ++i) im.bytes[i] = byte(first + i).load();
  return im;
}

std::vector<Llbitmap::BlockImage> Llbitmap::take_dirty_blocks() {
  std::vector<BlockImage> out;
  for (uint64_t pg = 0; pg < nr_pages_; ++pg) {
    PageCtl& p = pctl_[pg];
    if (!(p.flags.load() & kPageDirty)) continue;
    if (!(p.flags.fetch_and(static_cast<uint8_t>(~kPageDirty)) & kPageDirty)) continue;
    for (uint32_t b = 0; b < kBlocksPerPage; ++b) {  // llbitmap_write_page
      uint8_t bit = static_cast<uint8_t>(1u << b);
      if (p.dirty.fetch_and(static_cast<uint8_t>(~bit)) & bit) out.push_back(snapshot(pg, b));
    }
  }
  return out;
}

std::vector<Llbitmap::BlockImage> Llbitmap::take_all_blocks() {
  encode_super();
  std::vector<BlockImage> out;
  for (uint64_t pg = 0; pg < nr_pages_; ++pg) {
    pctl_[pg].flags.fetch_and(static_cast<uint8_t>(~kPageDirty));
    pctl_[pg].dirty.store(0);
    for (uint32_t b = 0; b < kBlocksPerPage; ++b) out.push_back(snapshot(pg, b));
  }
  return out;
}

Task<void> Llbitmap::write_blocks(SyncExecutor& x, BitmapIo& io, std::vector<BlockImage> blocks) {
  std::vector<uint64_t> pages;
  for (const BlockImage& b : blocks) pages.push_back(b.page);
  std::sort(pages.begin(), pages.end());
  pages.erase(std::unique(pages.begin(), pages.end()), pages.end());
  if (!pages.empty()) {
    pending_writes_.fetch_add(1);
    n_blocks_.fetch_add(blocks.size());
    n_pages_.fetch_add(pages.size());
    co_await io.write_pages(x, pages, true);  // md_write_metadata: PREFLUSH | FUA
    {
      // Completed: what a crash leaves now (a later-submitted write of a block wins).
      std::lock_guard<std::mutex> g(persist_mu_);
      for (const BlockImage& b : blocks) {
        uint64_t slot = b.page * kBlocksPerPage + b.block;
        if (b.seq < persisted_seq_[slot]) continue;
        persisted_seq_[slot] = b.seq;
        std::memcpy(&persisted_[b.page * kPageBytes + b.block * kIoSize], b.bytes.data(), kIoSize);
      }
    }
    persisted_changed();
    if (pending_writes_.fetch_sub(1) == 1) co_await x.wake(sb_wait_);
  }
  // md_super_wait: every metadata write in flight, this caller's or not.
  co_await x.wait(sb_wait_, [&] { return pending_writes_.load() == 0; });
}

// The superblock as llbitmap_update_sb writes it (chunksize in sectors), in page 0.
void Llbitmap::encode_super() {
  BitmapSuper sb;
  sb.version = kLlbitmapVersion;
  sb.uuid = geo_.uuid;
  sb.events = events();
  sb.events_cleared = 0;  // llbitmap never advances events_cleared
  sb.sync_size = geo_.sync_size;
  sb.chunksize = static_cast<uint32_t>(chunk_sectors_);
  sb.daemon_sleep = static_cast<uint32_t>(geo_.daemon_sleep / kSecond);
  sb.write_behind = static_cast<uint32_t>(geo_.max_write_behind);
  sb.sectors_reserved = static_cast<uint32_t>(nr_pages_ * kPageBytes / 512);
  std::array<uint8_t, kBitmapSuperBytes> b = encode_bitmap_super(sb);
  for (size_t i = 0; i < b.size(); ++i) byte(i).store(b[i]);
}

// Everything in memory is on disk (creation, load): no I/O modelled.
void Llbitmap::persist_all_now() {
  encode_super();
  {
    std::lock_guard<std::mutex> g(persist_mu_);
    for (uint64_t i = 0; i < nr_pages_ * kPageBytes; ++i) persisted_[i] = byte(i).load();
  }
  persisted_changed();
}

}  // namespace mdsim
