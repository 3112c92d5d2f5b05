// `epoch`: the daemon's cleaning pass (steps 1-5 of epoch_bitmap.h), unplug, and the page
// writes: at most one in flight per page, each a snapshot taken at submit that becomes the
// disk's content when it completes.
#include <algorithm>

#include "bitmaps/bitmap_image.h"
#include "bitmaps/epoch_bitmap.h"

namespace mdsim {

Task<void> EpochBitmap::daemon_work(SyncExecutor& x, BitmapIo& io) {
  std::vector<uint64_t> todo;
  co_await x
      .compute(cost_page_scan_,
               [&] {
                 for (uint64_t p = 0; p < pages_; ++p) {
                   if (!page_[p].busy && (page_[p].flags.load() & kPending)) todo.push_back(p);
                 }
               })
      .times(pages_);
  for (uint64_t p : todo) {
    Page& pg = page_[p];
    if (pg.busy) continue;  // an earlier daemon_work still drains it
    pg.busy = true;
    co_await clean_page(x, io, p);
    pg.busy = false;
  }
}

Task<void> EpochBitmap::clean_page(SyncExecutor& x, BitmapIo& io, uint64_t p) {
  Page& pg = page_[p];
  const uint64_t a = first_chunk(p), b = end_chunk(p);
  const int fl = static_cast<int>(p);
  // Pending is re-set below if work remains; a writer's Clean -> Dirty sets it after its
  // state change, so clearing it first loses nothing.
  co_await x.atomic(flags_line_, fl, cost_flag_, [&] { pg.flags.fetch_and(~kPending); });

  // (1) Age and pick: one RMW per line that changes (the scan reads every state byte).
  std::vector<uint64_t> lines;
  co_await x
      .compute(cost_scan_,
               [&] {
                 for (uint64_t c = a; c < b; ++c) {
                   EpochState s = state(c);
                   if (s != EpochState::kDirty && s != EpochState::kIdle) continue;
                   if (lines.empty() || lines.back() != c / kChunksPerLine)
                     lines.push_back(c / kChunksPerLine);
                 }
               })
      .times((b - a + kChunksPerLine - 1) / kChunksPerLine);
  std::vector<uint64_t> picked;  // lines with Cleaning chunks
  bool aged = false;
  for (uint64_t l : lines) {
    bool any = false;
    co_await x.atomic(state_line_, static_cast<int>(l), cost_update_, [&] {
      for (uint64_t c = l * kChunksPerLine; c < std::min(b, (l + 1) * kChunksPerLine); ++c) {
        EpochState s = state(c);
        if (s == EpochState::kIdle) {
          set_state(c, EpochState::kCleaning);
          any = true;
        } else if (s == EpochState::kDirty) {
          set_state(c, EpochState::kIdle);
          aged = true;
        }
      }
    });
    if (any) picked.push_back(l);
  }
  if (aged) co_await set_pending(x, p);
  if (picked.empty()) co_return;

  // (2) Flip, then kill the old epoch and wait for the writes that entered in it.
  int old = 0;
  co_await x.atomic(epoch_line_, fl, cost_update_, [&] {
    old = pg.epoch.load();
    pg.killed[old] = true;
    pg.epoch.store(static_cast<uint8_t>(1 - old), std::memory_order_release);
  });
  ctr_.flips.fetch_add(1, std::memory_order_relaxed);
  co_await x.ref_kill(ref_, ref_index(p, old));

  // (3) Chunks still Cleaning were not written since (1) and no write to them is in flight.
  uint64_t cleaned = 0;
  bool rest = false;  // Dirty or Idle left: the next pass has work here
  for (uint64_t l : picked) {
    co_await x.atomic(state_line_, static_cast<int>(l), cost_update_, [&] {
      uint64_t before = cleaned;
      for (uint64_t c = l * kChunksPerLine; c < std::min(b, (l + 1) * kChunksPerLine); ++c) {
        EpochState s = state(c);
        if (s == EpochState::kCleaning) {
          set_state(c, EpochState::kClean);
          ++cleaned;
        } else if (s == EpochState::kDirty || s == EpochState::kIdle) {
          rest = true;
        }
      }
      if (cleaned > before) pg.version.fetch_add(1);  // the content changed: a write is due
    });
  }
  if (rest) co_await set_pending(x, p);

  // (4) Write the page (page 0 too when the superblock's events_cleared moves).
  if (cleaned > 0) {
    ctr_.cleaned.fetch_add(cleaned, std::memory_order_relaxed);
    std::vector<Need> need;
    co_await x.compute(cost_read_, [&] {
      need.push_back({p, pg.version.load()});
      uint64_t ev = events();
      if (events_cleared_.exchange(ev) != ev && p != 0) {
        page_[0].version.fetch_add(1);
        need.push_back({0, page_[0].version.load()});
      }
    });
    co_await write_upto(x, io, std::move(need));
  }

  // (5) The old epoch is live again before the next pass flips back to it.
  co_await x.ref_resurrect(ref_, ref_index(p, old));
  pg.killed[old] = false;
  co_await x.wake(resurrect_wait_);
}

Task<void> EpochBitmap::unplug(SyncExecutor& x, BitmapIo& io, bool /*sync: both wait*/) {
  std::vector<Need> need;
  co_await x
      .compute(cost_page_scan_,
               [&] {
                 std::lock_guard<std::mutex> g(write_mu_);
                 for (uint64_t p = 0; p < pages_; ++p) {
                   uint64_t v = page_[p].set_version.load(std::memory_order_acquire);
                   if (page_[p].done_version < v) need.push_back({p, v});
                 }
               })
      .times(pages_);
  if (need.empty()) co_return;
  co_await write_upto(x, io, std::move(need));
}

// Until a snapshot at least need[i].version of each page has completed: claim pages with no
// write in flight and write them together; wait for pages whose write is in flight.
Task<void> EpochBitmap::write_upto(SyncExecutor& x, BitmapIo& io, std::vector<Need> need) {
  while (!need.empty()) {
    std::vector<uint64_t> batch;
    bool blocked = false;
    co_await x.compute(cost_read_, [&] {
      std::lock_guard<std::mutex> g(write_mu_);
      std::vector<Need> left;
      for (const Need& n : need) {
        Page& pg = page_[n.page];
        if (pg.done_version >= n.version) continue;
        if (pg.inflight) {
          blocked = true;
          left.push_back(n);
          continue;
        }
        pg.inflight = true;  // ours: the snapshot below is newer than n.version
        batch.push_back(n.page);
      }
      need = std::move(left);
    });
    if (!batch.empty()) {
      std::vector<Snapshot> snaps;
      co_await x
          .compute(cost_snapshot_,
                   [&] {
                     for (uint64_t p : batch) snaps.push_back(snapshot(p));
                   })
          .times(batch.size());
      page_writes_.fetch_add(batch.size());
      co_await io.write_pages(x, batch, true);
      complete(snaps);
      co_await x.wake(write_wait_);
    } else if (blocked) {
      ctr_.write_waits.fetch_add(1, std::memory_order_relaxed);
      co_await x.wait(write_wait_, [&] {
        std::lock_guard<std::mutex> g(write_mu_);
        for (const Need& n : need) {
          const Page& pg = page_[n.page];
          if (!pg.inflight || pg.done_version >= n.version) return true;
        }
        return false;
      });
    }
  }
}

// The page as it is in memory now: bit = not Clean; page 0 starts with the superblock.
EpochBitmap::Snapshot EpochBitmap::snapshot(uint64_t p) {
  Page& pg = page_[p];
  pg.flags.fetch_and(~kNeedWrite);  // test_and_clear_bit before the copy
  Snapshot s{p, pg.version.load(std::memory_order_acquire), {}};
  const size_t begin = p * kPageBytes;
  s.bytes.assign(std::min(image_bytes_, begin + kPageBytes) - begin, 0);
  if (p == 0) {
    sb_events_cleared_ = events_cleared_.load();
    std::vector<uint8_t> sb = encode_super();
    std::copy(sb.begin(), sb.end(), s.bytes.begin());
  }
  for (uint64_t c = first_chunk(p); c < end_chunk(p); ++c) {
    if (state(c) == EpochState::kClean) continue;
    s.bytes[kBitmapSuperBytes + c / 8 - begin] |= static_cast<uint8_t>(1u << (c % 8));
  }
  return s;
}

void EpochBitmap::complete(const std::vector<Snapshot>& snaps) {
  {
    std::lock_guard<std::mutex> g(write_mu_);
    for (const Snapshot& s : snaps) {
      Page& pg = page_[s.page];
      std::copy(s.bytes.begin(), s.bytes.end(),
                persisted_.begin() + static_cast<std::ptrdiff_t>(s.page * kPageBytes));
      pg.done_version = std::max(pg.done_version, s.version);
      pg.inflight = false;
    }
  }
  persisted_changed();
}

std::vector<uint8_t> EpochBitmap::encode_super() const {
  BitmapSuper sb;
  sb.uuid = geo_.uuid;
  sb.events = events();
  sb.events_cleared = sb_events_cleared_;
  sb.sync_size = geo_.sync_size;
  sb.chunksize = static_cast<uint32_t>(geo_.chunk_bytes);
  sb.daemon_sleep = static_cast<uint32_t>(geo_.daemon_sleep / kSecond);
  sb.write_behind = static_cast<uint32_t>(geo_.max_write_behind);
  std::array<uint8_t, kBitmapSuperBytes> b = encode_bitmap_super(sb);
  return std::vector<uint8_t>(b.begin(), b.end());
}

std::vector<uint8_t> EpochBitmap::disk_image() const {
  std::lock_guard<std::mutex> g(write_mu_);
  return persisted_;
}

bool EpochBitmap::persisted_dirty(uint64_t c) const {
  if (c >= chunks_) return false;
  std::lock_guard<std::mutex> g(write_mu_);
  return (persisted_[kBitmapSuperBytes + c / 8] >> (c % 8)) & 1;
}

}  // namespace mdsim
