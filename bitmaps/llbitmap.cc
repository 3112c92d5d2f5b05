// `llbitmap` (Linux 6.18 md-llbitmap.c): construction, the state machine on the pages, dirty
// sub-blocks and infection, the per-page barrier and the write path. See llbitmap.h for what
// is modelled and what is not; the daemon, unplug and flushes are in llbitmap_daemon.cc, the
// sync operations, load and stats in llbitmap_sync.cc.
#include "bitmaps/llbitmap.h"

#include <algorithm>

#include "bitmaps/registry.h"

namespace mdsim {
namespace {

uint64_t pages_for(uint64_t chunks, uint64_t space_bytes) {
  uint64_t used = (chunks + kLlbitmapDataOffset + Llbitmap::kPageBytes - 1) / Llbitmap::kPageBytes;
  uint64_t reserved = (space_bytes + Llbitmap::kPageBytes - 1) / Llbitmap::kPageBytes;
  return std::max(used, reserved);  // llbitmap_alloc_pages
}

}  // namespace

Llbitmap::Llbitmap(const BitmapGeometry& g, const MddevView* m, const LlbitmapOptions& o)
    : BitmapOps(g, m),
      opts_(o),
      chunks_(g.chunks()),
      chunk_sectors_(std::max<Sector>(g.chunk_sectors(), 1)),
      nr_pages_(pages_for(chunks_, o.space_bytes)),
      idle_ticks_(g.daemon_sleep > 0 ? (o.barrier_idle + g.daemon_sleep - 1) / g.daemon_sleep : 0),
      mem_(new std::atomic<uint8_t>[nr_pages_ * kPageBytes]),
      pctl_(new PageCtl[nr_pages_]),
      persisted_(nr_pages_ * kPageBytes, 0),
      persisted_seq_(nr_pages_ * kBlocksPerPage, 0) {
  const int pages = static_cast<int>(nr_pages_);
  active_ = decls_.percpu_ref("llbitmap_page_ctl->active", pages);
  state_line_ = decls_.line("llbitmap_page_ctl->state", pages * static_cast<int>(kPageBytes / 64));
  expire_line_ = decls_.line("llbitmap_page_ctl->expire", pages);  // with flags, active
  dirty_line_ = decls_.line("llbitmap_page_ctl->dirty", pages);
  behind_line_ = decls_.line("llbitmap->behind_writes");
  page_wait0_ = decls_.wait_queue("llbitmap_page_ctl->wait");
  for (int i = 1; i < pages; ++i) decls_.wait_queue("llbitmap_page_ctl->wait");
  behind_wait_ = decls_.wait_queue("llbitmap->behind_wait");
  sb_wait_ = decls_.wait_queue("mddev->sb_wait");
  cost_read_ = decls_.cost("llbitmap.state_read", 2);
  cost_store_ = decls_.cost("llbitmap.state_store", 5);
  cost_bitop_ = decls_.cost("llbitmap.page_bitop", 5);
  cost_expire_ = decls_.cost("llbitmap.expire_store", 2);
  cost_scan_ = decls_.cost("llbitmap.block_scan_line", 20);  // per 64 states
  cost_timer_ = decls_.cost("llbitmap.mod_timer", 100);
  cost_unplug_ = decls_.cost("llbitmap.unplug_work", 3 * kMicrosecond);  // queue_work + wait
  cost_flag_ = decls_.cost("llbitmap.page_flag_test", 2);                // per page
  cost_daemon_ = decls_.cost("llbitmap.daemon_state", 1);                // per chunk
  cost_bulk_ = decls_.cost("llbitmap.bulk_state", 2);                    // per chunk
  cost_behind_ = decls_.cost("bitmap.behind_atomic", 10);
  for (uint64_t i = 0; i < nr_pages_ * kPageBytes; ++i) mem_[i].store(0);
  // llbitmap_init: BitmapActionInit (every chunk Unwritten, or Clean with --assume-clean), then
  // __llbitmap_flush writes every page before the array runs.
  uint8_t init = g.assume_clean ? kLlClean : kLlUnwritten;
  for (uint64_t c = 0; c < chunks_; ++c) byte(pos_of(c)).store(init);
  persist_all_now();
}

std::unique_ptr<Llbitmap> make_llbitmap_with(const BitmapGeometry& g, const MddevView* m,
                                             const LlbitmapOptions& o) {
  return std::make_unique<Llbitmap>(g, m, o);
}

std::unique_ptr<BitmapOps> make_llbitmap(const BitmapGeometry& g, const MddevView* m) {
  return std::make_unique<Llbitmap>(g, m);
}

void Llbitmap::arm_timer(int64_t due) {
  if (!timer_pending_.exchange(true)) timer_due_.store(due);  // !timer_pending -> mod_timer
}

uint8_t Llbitmap::state_machine(uint64_t start, uint64_t end, LlAction a) {
  if (start >= chunks_) return kLlNone;
  end = std::min(end, chunks_ - 1);
  uint8_t state = kLlNone;
  for (uint64_t c = start; c <= end; ++c) {
    state = next(c, a);
    if (state == kLlNone) continue;
    write(c, state);
    if (state == kLlDirty) arm_timer(tick_.load() + 2);
  }
  return state;
}

void Llbitmap::write(uint64_t c, uint8_t s) {
  byte(pos_of(c)).store(s, std::memory_order_relaxed);
  if (s == kLlDirty || s == kLlNeedSync) set_page_dirty(pos_of(c));
}

void Llbitmap::set_page_dirty(uint64_t pos) {
  uint64_t page = pos / kPageBytes;
  uint64_t block = pos % kPageBytes / kIoSize;
  PageCtl& p = pctl_[page];
  p.flags.fetch_or(kPageDirty);
  uint8_t bit = static_cast<uint8_t>(1u << block);
  bool was = p.dirty.fetch_or(bit) & bit;
  if (degraded()) return;  // degraded: dirty bits are never cleared, so never infect
  if (was || other_dirty(page, block, pos)) infect(page, block);
}

bool Llbitmap::other_dirty(uint64_t page, uint64_t block, uint64_t pos) const {
  uint64_t first = page * kPageBytes + block * kIoSize;
  for (uint64_t q = first; q < first + kIoSize; ++q) {
    if (q == pos) continue;
    uint8_t s = byte(q).load(std::memory_order_relaxed);
    if (s == kLlDirty || s == kLlNeedSync) return true;
  }
  return false;
}

void Llbitmap::infect(uint64_t page, uint64_t block) {
  n_infect_.fetch_add(1);
  uint64_t first = page * kPageBytes + block * kIoSize;
  for (uint64_t q = first; q < first + kIoSize; ++q) {
    uint8_t s = byte(q).load(std::memory_order_relaxed);
    // Bytes past the last chunk are infected too, as in the kernel (they are never read).
    if (s == kLlUnwritten) byte(q).store(geo_.raid456 ? kLlNeedSync : kLlDirty);
    if (s == kLlClean) byte(q).store(kLlDirty);
  }
}

Task<uint8_t> Llbitmap::state_machine_steps(SyncExecutor& x, uint64_t start, uint64_t end,
                                            LlAction a) {
  if (start >= chunks_) co_return kLlNone;
  end = std::min(end, chunks_ - 1);
  uint8_t state = kLlNone;
  for (uint64_t c = start; c <= end; ++c) {
    co_await x.compute(cost_read_, [&] { state = next(c, a); });
    if (state == kLlNone) continue;  // e.g. Dirty + Startwrite: a read, no line transfer
    co_await x.atomic(state_line_, static_cast<int>(pos_of(c) / 64), cost_store_,
                      [&] { byte(pos_of(c)).store(state, std::memory_order_relaxed); });
    if (state == kLlDirty || state == kLlNeedSync) co_await set_page_dirty_steps(x, pos_of(c));
    if (state == kLlDirty && !timer_pending_.load()) {
      co_await x.compute(cost_timer_, [&] { arm_timer(tick_.load() + 2); });
    }
  }
  co_return state;
}

Task<void> Llbitmap::set_page_dirty_steps(SyncExecutor& x, uint64_t pos) {
  const uint64_t page = pos / kPageBytes;
  const uint64_t block = pos % kPageBytes / kIoSize;
  const int idx = static_cast<int>(page);
  PageCtl& p = pctl_[page];
  if (!(p.flags.load() & kPageDirty)) {  // test_bit, then set_bit
    co_await x.atomic(expire_line_, idx, cost_bitop_, [&] { p.flags.fetch_or(kPageDirty); });
  }
  const uint8_t bit = static_cast<uint8_t>(1u << block);
  bool was = false;
  co_await x.atomic(dirty_line_, idx, cost_bitop_, [&] { was = p.dirty.fetch_or(bit) & bit; });
  if (degraded()) co_return;
  if (was) {
    co_await x.compute(cost_scan_, [&] { infect(page, block); }).times(kLinesPerBlock);
    co_return;
  }
  auto scan = [&] {
    if (other_dirty(page, block, pos)) infect(page, block);
  };
  co_await x.compute(cost_scan_, scan).times(kLinesPerBlock);
}

Task<void> Llbitmap::raise_barrier(SyncExecutor& x, uint64_t page) {
  const int idx = static_cast<int>(page);
  PageCtl& p = pctl_[page];
  for (;;) {
    if (co_await x.ref_tryget(active_, idx)) {
      co_await x.atomic(expire_line_, idx, cost_expire_,
                        [&] { p.expire.store(tick_.load() + 1 + idle_ticks_); });
      co_return;
    }
    n_barrier_waits_.fetch_add(1);
    co_await x.wait(page_wait(page), [&] { return !p.dying.load(); });
  }
}

// The chunk range of a write (llbitmap_start_write) or discard (llbitmap_start_discard: only
// whole chunks); false if it starts past the bitmap. The end is clamped as the state machine
// clamps it, so start and end take and drop the same page refs.
bool Llbitmap::range(Sector offset, uint64_t sectors, bool discard, uint64_t* start,
                     uint64_t* end) const {
  if (sectors == 0) return false;
  *start = discard ? (offset + chunk_sectors_ - 1) / chunk_sectors_ : chunk_of(offset);
  *end = chunk_of(offset + sectors - 1);
  if (*start >= chunks_ || *start > *end) return false;
  *end = std::min(*end, chunks_ - 1);
  return true;
}

Task<void> Llbitmap::startwrite(SyncExecutor& x, Sector offset, uint64_t sectors) {
  uint64_t start = 0, end = 0;
  if (!range(offset, sectors, false, &start, &end)) co_return;
  for (uint64_t pg = page_of_chunk(start); pg <= page_of_chunk(end); ++pg) {
    co_await raise_barrier(x, pg);
  }
  co_await state_machine_steps(x, start, end, LlAction::kStartwrite);
}

Task<void> Llbitmap::endwrite(SyncExecutor& x, Sector offset, uint64_t sectors) {
  uint64_t start = 0, end = 0;
  if (!range(offset, sectors, false, &start, &end)) co_return;
  for (uint64_t pg = page_of_chunk(start); pg <= page_of_chunk(end); ++pg) {
    co_await x.ref_put(active_, static_cast<int>(pg));  // llbitmap_release_barrier
  }
}

Task<void> Llbitmap::start_discard(SyncExecutor& x, Sector offset, uint64_t sectors) {
  uint64_t start = 0, end = 0;
  if (!range(offset, sectors, true, &start, &end)) co_return;
  for (uint64_t pg = page_of_chunk(start); pg <= page_of_chunk(end); ++pg) {
    co_await raise_barrier(x, pg);
  }
  co_await state_machine_steps(x, start, end, LlAction::kDiscard);
}

Task<void> Llbitmap::end_discard(SyncExecutor& x, Sector offset, uint64_t sectors) {
  uint64_t start = 0, end = 0;
  if (!range(offset, sectors, true, &start, &end)) co_return;
  for (uint64_t pg = page_of_chunk(start); pg <= page_of_chunk(end); ++pg) {
    co_await x.ref_put(active_, static_cast<int>(pg));
  }
}

uint8_t Llbitmap::state(uint64_t c) const { return c < chunks_ ? read(c) : kLlNone; }

uint8_t Llbitmap::persisted_state(uint64_t c) const {
  if (c >= chunks_) return kLlNone;
  std::lock_guard<std::mutex> g(persist_mu_);
  return persisted_[pos_of(c)];
}

bool Llbitmap::persisted_dirty(uint64_t c) const {
  return c < chunks_ && llbitmap_needs_resync_after_reload(persisted_state(c));
}

std::vector<uint8_t> Llbitmap::disk_image() const {
  std::lock_guard<std::mutex> g(persist_mu_);
  auto end = persisted_.begin() + static_cast<std::ptrdiff_t>(pos_of(chunks_));
  return std::vector<uint8_t>(persisted_.begin(), end);
}

}  // namespace mdsim
