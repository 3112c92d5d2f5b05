// The classic bitmap's write-out path (ClassicCounters, classic_counters.h): the daemon's
// clearing pass (md_bitmap_daemon_work, Linux 6.12), the storage pages __bitmap_unplug and the
// daemon write, their content as submitted, and what the members hold once the writes complete.
//
// How many passes a bit takes to clear on disk, after the last endwrite left the counter at 2
// (its counter page pending): pass 1 scans 2 -> 1; pass 2 scans 1 -> 0, clears the in-memory
// bit and marks the storage page PENDING; pass 3 turns PENDING into NEEDWRITE before its scan
// and writes the page after it. So the persisted bit clears on the third pass (2-3 periods
// after the last write), or earlier if an unplug writes the page for another chunk's new bit.
#include <algorithm>

#include "bitmaps/bitmap_image.h"
#include "bitmaps/classic_counters.h"

#include <cstring>

namespace mdsim {
namespace {

constexpr uint8_t kPageDirty = 1;      // BITMAP_PAGE_DIRTY
constexpr uint8_t kPagePending = 2;    // BITMAP_PAGE_PENDING
constexpr uint8_t kPageNeedWrite = 4;  // BITMAP_PAGE_NEEDWRITE

}  // namespace

// The part of md_bitmap_daemon_work before counts.lock: skipped while allclean; storage pages
// PENDING now are written by this pass; need_sync puts events_cleared into the superblock.
bool ClassicCounters::daemon_begin() {
  if (allclean_) return false;
  allclean_ = true;
  for (uint64_t i = 0; i < file_pages_; ++i) {
    if (attrs_[i].fetch_and(static_cast<uint8_t>(~kPagePending)) & kPagePending)
      attrs_[i].fetch_or(kPageNeedWrite);
  }
  if (need_sync_) {
    need_sync_ = false;
    sb_events_cleared_ = events_cleared_;
    attrs_[0].fetch_or(kPageNeedWrite);
  }
  return true;
}

// The scan md_bitmap_daemon_work runs holding counts.lock: for every chunk j, whose page
// (j / 2048) is checked for `pending` when the scan enters it (a page not pending is skipped
// whole, a pending one loses the flag), the counter get_counter(j << chunkshift) finds:
// 1 -> 0 (md_bitmap_count_page(-1), which may free the counter page; then the on-disk bit of
// chunk j is cleared), 2 -> 1 (its page pending again). A missing counter page skips the rest
// of the chunk's page. NEEDED/RESYNC make a counter > 2: left alone.
uint64_t ClassicCounters::daemon_scan_locked() {
  uint64_t walked = 0;
  uint64_t nextpage = 0;
  for (uint64_t j = 0; j < chunks_; ++j) {
    ++walked;
    Sector block = j * chunk_sectors_;
    if (j == nextpage) {
      nextpage += kCountersPerPage;
      CounterPage& p = bp_[j / kCountersPerPage];
      if (!p.pending) {
        j |= kCountersPerPage - 1;
        continue;
      }
      p.pending = false;
    }
    Sector blocks = 0;
    BitmapCounter* bmc = get_counter(block, &blocks);
    if (!bmc) {
      j |= kCountersPerPage - 1;
      continue;
    }
    if (*bmc == 1 && !need_sync_) {
      *bmc = 0;
      count_page(block, -1);
      file_clear_bit(block);
    } else if (*bmc != 0 && *bmc <= 2) {
      *bmc = 1;
      set_pending(block);
      allclean_ = false;
    }
  }
  return walked;
}

// What daemon_scan_locked walks if nothing changes before it runs: one per page skipped, every
// chunk of a pending page whose first counter is there (counter pages freed during the scan
// end it early, so this may overcount them).
uint64_t ClassicCounters::daemon_scan_units() const {
  uint64_t units = 0;
  for (uint64_t pg = 0; pg < counter_pages_; ++pg) {
    uint64_t first = pg * kCountersPerPage;
    uint64_t id = counter_of(first * chunk_sectors_);
    bool present = id / kCountersPerPage < counter_pages_ && bp_[id / kCountersPerPage].map;
    units += bp_[pg].pending && present ? std::min(kCountersPerPage, chunks_ - first) : 1;
  }
  return units;
}

ClassicCounters::Batch ClassicCounters::unplug_collect(uint64_t events) {
  Batch b;
  for (uint64_t i = 0; i < file_pages_; ++i) {
    uint8_t old = attrs_[i].fetch_and(static_cast<uint8_t>(~(kPageDirty | kPageNeedWrite)));
    if (old & (kPageDirty | kPageNeedWrite)) {
      attrs_[i].fetch_and(static_cast<uint8_t>(~kPagePending));
      b.pages.push_back(i);
    }
  }
  b.images = snapshot(b.pages, events);
  return b;
}

// The daemon writes NEEDWRITE pages in order and stops at the first DIRTY page: the
// superblock (page 0) must not be overtaken, and bitmap_unplug writes the rest.
ClassicCounters::Batch ClassicCounters::daemon_collect(uint64_t events) {
  Batch b;
  for (uint64_t i = 0; i < file_pages_; ++i) {
    if (attrs_[i].load() & kPageDirty) break;
    if (attrs_[i].fetch_and(static_cast<uint8_t>(~kPageNeedWrite)) & kPageNeedWrite)
      b.pages.push_back(i);
  }
  b.images = snapshot(b.pages, events);
  return b;
}

// The content of each page as submitted (page 0 carries the superblock).
std::vector<ClassicCounters::PageImage> ClassicCounters::snapshot(
    const std::vector<uint64_t>& pages, uint64_t events) {
  std::vector<PageImage> out;
  for (uint64_t p : pages) {
    PageImage im{p, ++write_seq_, std::vector<uint8_t>(kBitmapPageBytes)};
    // A plain copy of the page, as write_sb_page hands the live page to the block layer while
    // other CPUs may set bits in it (std::atomic<uint8_t> is a plain byte: static_assert).
    static_assert(sizeof(std::atomic<uint8_t>) == 1 && std::atomic<uint8_t>::is_always_lock_free);
    std::memcpy(im.bytes.data(), static_cast<const void*>(&mem_[p * kBitmapPageBytes]),
                kBitmapPageBytes);
    if (p == 0) {
      std::array<uint8_t, kBitmapSuperBytes> sb = encode_super(events);
      std::copy(sb.begin(), sb.end(), im.bytes.begin());
    }
    out.push_back(std::move(im));
  }
  page_writes_.fetch_add(pages.size());
  return out;
}

// The writes completed: their content is now what a crash leaves (a later-submitted write of
// the same page wins whatever the completion order).
void ClassicCounters::complete(const Batch& b) {
  std::lock_guard<std::mutex> g(persist_mu_);
  for (const PageImage& im : b.images) {
    if (im.seq < persisted_seq_[im.page]) continue;
    persisted_seq_[im.page] = im.seq;
    std::copy(im.bytes.begin(), im.bytes.end(),
              persisted_.begin() + static_cast<std::ptrdiff_t>(im.page * kBitmapPageBytes));
  }
}

}  // namespace mdsim
