// The classic bitmap's counters, storage pages and persisted image: see classic_counters.h.
// Function comments name the md-bitmap.c (Linux 6.12) function each method models.
#include "bitmaps/classic_counters.h"

#include <algorithm>

#include "bitmaps/bitmap_image.h"

namespace mdsim {
namespace {

constexpr uint8_t kPageDirty = 1;      // BITMAP_PAGE_DIRTY
constexpr uint8_t kPagePending = 2;    // BITMAP_PAGE_PENDING
constexpr uint8_t kPageNeedWrite = 4;  // BITMAP_PAGE_NEEDWRITE

BitmapCounter count_of(BitmapCounter b) { return b & kCounterMax; }  // COUNTER()
// Chunk c's bit lives at byte 256 + c/8 of the bitmap area (after the superblock).
uint64_t byte_of(uint64_t c) { return kBitmapSuperBytes + c / 8; }

}  // namespace

ClassicCounters::ClassicCounters(const BitmapGeometry& g, uint64_t events)
    : geo_(g),
      chunks_(g.chunks()),
      chunk_sectors_(std::max<Sector>(g.chunk_sectors(), 1)),
      chunk_shift_(std::has_single_bit(chunk_sectors_) ? std::countr_zero(chunk_sectors_) : -1),
      counter_pages_((chunks_ + kCountersPerPage - 1) / kCountersPerPage),
      file_pages_((byte_of(chunks_ + 7) + kBitmapPageBytes - 1) / kBitmapPageBytes),
      bp_(counter_pages_),
      missing_pages_(counter_pages_),
      mem_(new std::atomic<uint8_t>[file_pages_ * kBitmapPageBytes]),
      attrs_(new std::atomic<uint8_t>[file_pages_]),
      persisted_(file_pages_ * kBitmapPageBytes, 0),
      persisted_seq_(file_pages_, 0) {
  for (uint64_t i = 0; i < file_pages_ * kBitmapPageBytes; ++i) mem_[i].store(0);
  for (uint64_t i = 0; i < file_pages_; ++i) attrs_[i].store(0);
  // The superblock as mdadm --create wrote it: no bits set, events_cleared 0.
  std::array<uint8_t, kBitmapSuperBytes> sb = encode_super(events);
  std::copy(sb.begin(), sb.end(), persisted_.begin());
}

std::unique_ptr<BitmapCounter[]> ClassicCounters::alloc_page() {
  return std::unique_ptr<BitmapCounter[]>(new BitmapCounter[kCountersPerPage]());
}

// md_bitmap_get_counter(create = 0). The missing-page span is the rest of 2048 chunks from
// `offset`, whatever counter_of() maps to (the kernel shifts by chunkshift + 11).
BitmapCounter* ClassicCounters::get_counter(Sector offset, Sector* blocks) {
  uint64_t id = counter_of(offset);
  uint64_t page = id / kCountersPerPage;
  Sector csize = chunk_sectors_;
  if (page < counter_pages_ && !bp_[page].map) csize *= kCountersPerPage;
  *blocks = csize - (chunk_shift_ >= 0 ? offset & (csize - 1) : offset % csize);
  if (page >= counter_pages_ || !bp_[page].map) return nullptr;
  return &bp_[page].map[id % kCountersPerPage];
}

// bitmap_startwrite's body for one chunk; get_counter(create = 1) via md_bitmap_checkpage.
ClassicCounters::Start ClassicCounters::startwrite_locked(Sector offset, Sector* blocks,
                                                          std::unique_ptr<BitmapCounter[]>& fresh) {
  uint64_t page = counter_of(offset) / kCountersPerPage;
  if (page < counter_pages_ && !bp_[page].map) {
    if (!fresh) return Start::kAlloc;
    bp_[page].map = std::move(fresh);
    --missing_pages_;
  }
  BitmapCounter* bmc = get_counter(offset, blocks);
  if (!bmc) return Start::kNoCounter;
  if (count_of(*bmc) == kCounterMax) return Start::kFull;
  if (*bmc == 0) {
    file_set_bit(offset);
    count_page(offset, 1);
  }
  if (*bmc <= 1) *bmc = 2;
  ++*bmc;
  return Start::kDone;
}

// bitmap_endwrite's body (6.14 semantics: mddev->degraded instead of the success flag).
ClassicCounters::End ClassicCounters::endwrite_locked(Sector offset, Sector* blocks, bool degraded,
                                                      uint64_t events) {
  End e;
  BitmapCounter* bmc = get_counter(offset, blocks);
  if (!bmc) {
    e.missing = true;
    return e;
  }
  if (!degraded) {
    if (events_cleared_ < events) {
      events_cleared_ = events;
      need_sync_ = true;
    }
  } else {
    *bmc |= kCounterNeeded;
  }
  e.wake = count_of(*bmc) == kCounterMax;
  if (count_of(*bmc) == 0) {
    ++unbalanced_endwrites_;  // no matching startwrite (the kernel would underflow)
    return e;
  }
  --*bmc;
  if (*bmc <= 2) {
    set_pending(offset);
    allclean_ = false;
  }
  return e;
}

// __bitmap_start_sync: NEEDED or RESYNC -> needed; NEEDED -> RESYNC unless degraded.
bool ClassicCounters::start_sync_locked(Sector offset, Sector* blocks, bool degraded) {
  BitmapCounter* bmc = get_counter(offset, blocks);
  if (!bmc) return false;
  if (*bmc & kCounterResync) return true;
  if (!(*bmc & kCounterNeeded)) return false;
  if (!degraded) *bmc = static_cast<BitmapCounter>((*bmc | kCounterResync) & ~kCounterNeeded);
  return true;
}

// __bitmap_end_sync: RESYNC cleared; aborted -> NEEDED again, else pending when <= 2.
void ClassicCounters::end_sync_locked(Sector offset, Sector* blocks, bool aborted) {
  BitmapCounter* bmc = get_counter(offset, blocks);
  if (!bmc || !(*bmc & kCounterResync)) return;
  *bmc &= static_cast<BitmapCounter>(~kCounterResync);
  if (!(*bmc & kCounterNeeded) && aborted) {
    *bmc |= kCounterNeeded;
  } else if (*bmc <= 2) {
    set_pending(offset);
    allclean_ = false;
  }
}

bool ClassicCounters::below_max(Sector offset) const {
  uint64_t id = counter_of(offset);
  uint64_t page = id / kCountersPerPage;
  if (page >= counter_pages_ || !bp_[page].map) return true;
  return count_of(bp_[page].map[id % kCountersPerPage]) < kCounterMax;
}

// md_bitmap_count_page, then md_bitmap_checkfree: the page is freed when its count hits 0.
void ClassicCounters::count_page(Sector offset, int inc) {
  CounterPage& p = bp_[counter_of(offset) / kCountersPerPage];
  p.count = static_cast<uint32_t>(static_cast<int64_t>(p.count) + inc);
  if (p.count == 0 && p.map) {
    p.map.reset();
    ++missing_pages_;
  }
}

void ClassicCounters::set_pending(Sector offset) {
  bp_[counter_of(offset) / kCountersPerPage].pending = true;
}

bool ClassicCounters::mem_bit(uint64_t c) const { return (mem_[byte_of(c)].load() >> (c % 8)) & 1; }

void ClassicCounters::set_mem_bit(uint64_t c, bool v) {
  uint8_t m = static_cast<uint8_t>(1u << (c % 8));
  if (v) {
    mem_[byte_of(c)].fetch_or(m);
  } else {
    mem_[byte_of(c)].fetch_and(static_cast<uint8_t>(~m));
  }
}

void ClassicCounters::file_set_bit(Sector offset) {
  uint64_t c = chunk_of(offset);
  if (byte_of(c) / kBitmapPageBytes >= file_pages_) return;  // filemap_get_page: no page
  set_mem_bit(c, true);
  attrs_[byte_of(c) / kBitmapPageBytes].fetch_or(kPageDirty);
}

void ClassicCounters::file_clear_bit(Sector offset) {
  uint64_t c = chunk_of(offset);
  if (byte_of(c) / kBitmapPageBytes >= file_pages_) return;
  set_mem_bit(c, false);
  std::atomic<uint8_t>& a = attrs_[byte_of(c) / kBitmapPageBytes];
  if (!(a.load() & kPageNeedWrite)) {
    a.fetch_or(kPagePending);
    allclean_ = false;
  }
}

void ClassicCounters::set_memory_bits(Sector offset, bool needed) {
  uint64_t page = counter_of(offset) / kCountersPerPage;
  if (page >= counter_pages_) return;
  if (!bp_[page].map) {
    bp_[page].map = alloc_page();
    --missing_pages_;
  }
  Sector blocks = 0;
  BitmapCounter* bmc = get_counter(offset, &blocks);
  if (*bmc == 0) {
    *bmc = 2;
    count_page(offset, 1);
    set_pending(offset);
    allclean_ = false;
  }
  if (needed) *bmc |= kCounterNeeded;
}

void ClassicCounters::dirty_bits(uint64_t s, uint64_t e) {
  for (uint64_t c = s; c <= e && c < chunks_; ++c) {
    set_memory_bits(c * chunk_sectors_, true);
    file_set_bit(c * chunk_sectors_);
  }
}

// Every chunk whose bit is set gets counter 2 | NEEDED (recovery_cp = 0 after an unclean
// stop, so `needed` holds for all); the bits stay set in memory and on disk.
void ClassicCounters::load_image(std::span<const uint8_t> image) {
  BitmapSuper sb = read_bitmap_super(image);
  std::span<const uint8_t> bits = bitmap_image_bits(image);
  if (sb.ok()) {
    events_cleared_ = sb.events_cleared;
    sb_events_cleared_ = sb.events_cleared;
  }
  for (uint64_t c = 0; c < chunks_; ++c) {
    // A bad superblock: md would refuse the bitmap; be safe and resync everything.
    if (sb.ok() && !bitmap_bit(bits, c)) continue;
    set_memory_bits(c * chunk_sectors_, true);
    set_mem_bit(c, true);
    persisted_[byte_of(c)] |= static_cast<uint8_t>(1u << (c % 8));
  }
  if (sb.ok()) {
    size_t n = std::min(kBitmapSuperBytes, image.size());
    std::copy(image.begin(), image.begin() + static_cast<std::ptrdiff_t>(n), persisted_.begin());
  }
}

BitmapStats ClassicCounters::stats() const {
  BitmapStats s;
  s.events_cleared = events_cleared_;
  s.missing_pages = missing_pages_;
  s.file_pages = file_pages_;
  s.sync_size = geo_.sync_size;
  s.pages = counter_pages_;
  s.page_writes = page_writes_.load();
  for (uint64_t c = 0; c < chunks_; ++c) s.dirty_chunks += mem_bit(c);
  return s;
}

std::vector<uint8_t> ClassicCounters::disk_image() const {
  std::lock_guard<std::mutex> g(persist_mu_);
  return std::vector<uint8_t>(
      persisted_.begin(), persisted_.begin() + static_cast<std::ptrdiff_t>(byte_of(chunks_ + 7)));
}

bool ClassicCounters::persisted_dirty(uint64_t c) const {
  if (c >= chunks_) return false;
  std::lock_guard<std::mutex> g(persist_mu_);
  return (persisted_[byte_of(c)] >> (c % 8)) & 1;
}

std::array<uint8_t, kBitmapSuperBytes> ClassicCounters::encode_super(uint64_t events) const {
  BitmapSuper sb;
  sb.uuid = geo_.uuid;
  sb.events = events;
  sb.events_cleared = sb_events_cleared_;
  sb.sync_size = geo_.sync_size;
  sb.chunksize = static_cast<uint32_t>(geo_.chunk_bytes);
  sb.daemon_sleep = static_cast<uint32_t>(geo_.daemon_sleep / kSecond);
  sb.write_behind = static_cast<uint32_t>(geo_.max_write_behind);
  return encode_bitmap_super(sb);
}

}  // namespace mdsim
