// `bitmap`: the classic md write-intent bitmap (drivers/md/md-bitmap.c, Linux 6.12), with
// 16-bit in-memory counters per chunk under the one global spinlock counts.lock.
//
// What it models (kernel function names, 6.12; write-behind and endwrite's use of
// mddev->degraded as split out in 6.14, see bitmap_ops.h):
//   - bitmap_startwrite (md_bitmap_startwrite): per chunk, spin_lock_irq(counts.lock),
//     md_bitmap_get_counter(create=1), overflow wait at COUNTER_MAX, 0 -> set the in-memory
//     on-disk bit (md_bitmap_file_set_bit: storage page DIRTY) and md_bitmap_count_page(+1),
//     0/1 -> 2, then ++. Lazy counter-page allocation as md_bitmap_checkpage: the lock is
//     dropped around the allocation and retaken (so a first touch costs two acquisitions).
//   - bitmap_endwrite (md_bitmap_endwrite): per chunk, spin_lock_irqsave; not degraded ->
//     events_cleared = mddev->events and need_sync; degraded -> NEEDED; wake overflow_wait at
//     COUNTER_MAX; --; <= 2 -> the counter page is pending (md_bitmap_set_pending).
//   - __bitmap_unplug: every storage page DIRTY or NEEDWRITE (PENDING cleared too) is written
//     (PREFLUSH|FUA, md_super_write) and waited for. The page content is snapshotted at submit
//     and becomes the persisted image only when the write completes.
//   - md_bitmap_daemon_work: skipped while allclean; storage pages PENDING -> NEEDWRITE;
//     need_sync -> events_cleared into the superblock, page 0 NEEDWRITE; then ONE hold of
//     counts.lock across the scan of every pending counter page: 2 -> 1 (stays pending),
//     1 -> 0 (md_bitmap_count_page(-1), which frees the counter page when its count drops to
//     zero, and md_bitmap_file_clear_bit: bit cleared, storage page PENDING unless NEEDWRITE);
//     counters with NEEDED/RESYNC are > 2 and left alone. Then NEEDWRITE pages are written in
//     page order, stopping at the first DIRTY page (bitmap_unplug writes the rest).
//     So a chunk's persisted bit clears on the third pass after its last endwrite (2 -> 1,
//     1 -> 0 + PENDING, PENDING -> NEEDWRITE + write): REFERENCE.md's "2-3 periods".
//   - bitmap_start_sync / __bitmap_start_sync: NEEDED or RESYNC -> true, NEEDED -> RESYNC when
//     not degraded, repeated until at least PAGE_SIZE>>9 sectors are covered; a missing
//     counter page answers "not needed" for its whole 2048-chunk span.
//   - __bitmap_end_sync (aborted = 0: the interface has no aborted flag): clear RESYNC, pending
//     when <= 2. bitmap_close_sync walks [0, sync_size). bitmap_cond_end_sync ends sync below
//     `sector` rounded down to a chunk.
//   - md_bitmap_init_from_disk + md_bitmap_set_memory_bits (load_image): every chunk whose bit
//     is set gets counter 2 | NEEDED (recovery_cp = 0 after an unclean stop), bits stay set.
//   - md_bitmap_dirty_bits; md_bitmap_start/end_behind_write and md_bitmap_wait_behind_writes
//     (an atomic + wait queue, not under counts.lock); md_bitmap_get_stats.
//
// What it leaves out: hijacked counter pages (allocation never fails); clustered bitmaps and
// external (file) bitmaps; the daemon's own time check and md_bitmap_wait_writes (the caller
// runs daemon_work every daemon_sleep, and each write here is waited for where it is issued,
// the daemon's included, where the kernel leaves daemon writes in flight until the next pass);
// bitmap_update_sb (the superblock is written with page 0, carrying mddev->events then);
// BITMAP_STALE/write errors; resize; cond_end_sync's daemon_sleep rate limit and wait for
// recovery_active (it runs whenever called, and walks only from where its previous call
// stopped, not from 0 as the kernel does, since ending sync there again is a no-op);
// the recovery_cp argument of init_from_disk (every loaded bit is NEEDED). The daemon's scan
// is charged a fixed CPU cost per pass ("bitmap.daemon_scan"), not one proportional to the
// counters it walks, since a step's cost is a declared constant.
//
// Counter states (bitmap_counter_t, low 14 bits = COUNTER):
//   0              clean, on-disk bit clear (after the write that clears it completes)
//   1              no writes in flight, bit still set; next daemon pass clears it
//   2              no writes in flight, bit set; next daemon pass -> 1
//   n > 2          n - 2 writes in flight, bit set
//   16383          COUNTER_MAX: further startwrites sleep on overflow_wait
//   | NEEDED 0x8000  resync needed (degraded write, or loaded dirty); daemon leaves it
//   | RESYNC 0x4000  resync of the chunk in progress (start_sync .. end_sync)
// Storage page flags: DIRTY (bit set, unplug must write), PENDING (bit cleared, the next
// daemon pass writes it), NEEDWRITE (write it at the next unplug or daemon pass).
#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>

#include "bitmaps/bitmap_image.h"
#include "bitmaps/registry.h"

namespace mdsim {
namespace {

using Counter = uint16_t;
constexpr Counter kNeeded = 0x8000;
constexpr Counter kResync = 0x4000;
constexpr Counter kCounterMask = 0x3fff;
constexpr Counter kCounterMax = 0x3fff;      // COUNTER_MAX, 16383
constexpr uint64_t kCountersPerPage = 2048;  // PAGE_COUNTER_RATIO
constexpr uint64_t kPageBytes = 4096;
constexpr uint8_t kPageDirty = 1;      // BITMAP_PAGE_DIRTY
constexpr uint8_t kPagePending = 2;    // BITMAP_PAGE_PENDING
constexpr uint8_t kPageNeedWrite = 4;  // BITMAP_PAGE_NEEDWRITE

Counter count_of(Counter b) { return b & kCounterMask; }

class ClassicBitmap : public BitmapOps {
 public:
  ClassicBitmap(const BitmapGeometry& g, const MddevView* m)
      : BitmapOps(g, m),
        chunks_(g.chunks()),
        chunk_sectors_(std::max<Sector>(g.chunk_sectors(), 1)),
        counter_pages_((chunks_ + kCountersPerPage - 1) / kCountersPerPage),
        file_pages_((kBitmapSuperBytes + (chunks_ + 7) / 8 + kPageBytes - 1) / kPageBytes),
        bp_(counter_pages_),
        mem_(new std::atomic<uint8_t>[file_pages_ * kPageBytes]),
        attrs_(new std::atomic<uint8_t>[file_pages_]),
        persisted_(file_pages_ * kPageBytes, 0),
        persisted_seq_(file_pages_, 0) {
    lock_ = decls_.lock("&bitmap->counts.lock", LockKind::kSpinlock);
    overflow_wait_ = decls_.wait_queue("bitmap->overflow_wait");
    behind_line_ = decls_.line("bitmap->behind_writes");
    behind_wait_ = decls_.wait_queue("bitmap->behind_wait");
    cost_counter_ = decls_.cost("bitmap.counter_update", 30);
    cost_alloc_ = decls_.cost("bitmap.page_alloc", 400);
    cost_daemon_scan_ = decls_.cost("bitmap.daemon_scan", 5 * kMicrosecond);
    cost_page_scan_ = decls_.cost("bitmap.page_attr_scan", 50);
    cost_behind_ = decls_.cost("bitmap.behind_atomic", 10);
    for (uint64_t i = 0; i < file_pages_ * kPageBytes; ++i) mem_[i].store(0);
    for (uint64_t i = 0; i < file_pages_; ++i) attrs_[i].store(0);
    missing_pages_ = counter_pages_;
    // The superblock as written at creation (mdadm --create): no bits set.
    std::array<uint8_t, kBitmapSuperBytes> sb = encode_super(m ? m->events : 1);
    std::copy(sb.begin(), sb.end(), persisted_.begin());
  }

  const char* name() const override { return "bitmap"; }

  void load_image(std::span<const uint8_t> image) override {
    BitmapSuper sb = read_bitmap_super(image);
    std::span<const uint8_t> bits = bitmap_image_bits(image);
    if (sb.ok()) {
      events_cleared_ = sb.events_cleared;
      sb_events_cleared_ = sb.events_cleared;
    }
    for (uint64_t c = 0; c < chunks_; ++c) {
      // A bad superblock: md would refuse the bitmap; be safe and resync everything.
      if (sb.ok() && !bitmap_bit(bits, c)) continue;
      set_memory_bits(c, true);
      set_mem_bit(c, true);
      size_t byte = kBitmapSuperBytes + c / 8;
      persisted_[byte] |= static_cast<uint8_t>(1u << (c % 8));
    }
    if (sb.ok()) {
      size_t n = std::min(kBitmapSuperBytes, image.size());
      std::copy(image.begin(), image.begin() + static_cast<std::ptrdiff_t>(n), persisted_.begin());
    }
  }

  Task<void> startwrite(SyncExecutor& x, Sector offset, uint64_t sectors) override {
    std::unique_ptr<Counter[]> fresh;  // a page allocated with the lock dropped
    while (sectors > 0) {
      uint64_t c = chunk_of(offset);
      if (c >= chunks_) co_return;  // md_bitmap_get_counter: beyond the bitmap
      Sector blocks = chunk_sectors_ - offset % chunk_sectors_;
      enum { kDone, kAlloc, kFull } r = kDone;
      co_await x.critical(lock_, 0, Access::kExclusive, cost_counter_, [&] {
        CounterPage& p = bp_[c / kCountersPerPage];
        if (!p.map) {
          if (!fresh) {
            r = kAlloc;
            return;
          }
          p.map = std::move(fresh);
          --missing_pages_;
        }
        Counter& b = p.map[c % kCountersPerPage];
        if (count_of(b) == kCounterMax) {
          r = kFull;
          return;
        }
        if (b == 0) {
          file_set_bit(c);
          ++p.count;  // md_bitmap_count_page(+1)
        }
        if (b == 0 || b == 1) b = 2;
        ++b;
      });
      if (r == kAlloc) {
        // md_bitmap_checkpage: spin_unlock_irq, kzalloc(PAGE_SIZE, GFP_NOIO), spin_lock_irq.
        co_await x.compute(cost_alloc_, [&] { fresh.reset(new Counter[kCountersPerPage]()); });
        continue;
      }
      if (r == kFull) {
        co_await x.wait(overflow_wait_, [&] { return below_max(c); });
        continue;
      }
      offset += blocks;
      sectors -= std::min<uint64_t>(sectors, blocks);
    }
  }

  Task<void> endwrite(SyncExecutor& x, Sector offset, uint64_t sectors) override {
    while (sectors > 0) {
      uint64_t c = chunk_of(offset);
      if (c >= chunks_) co_return;
      Sector blocks = chunk_sectors_ - offset % chunk_sectors_;
      bool missing = false;
      bool wake = false;
      co_await x.critical(lock_, 0, Access::kExclusive, cost_counter_, [&] {
        CounterPage& p = bp_[c / kCountersPerPage];
        if (!p.map) {
          missing = true;
          return;
        }
        Counter& b = p.map[c % kCountersPerPage];
        if (!degraded()) {
          if (events_cleared_ < events()) {
            events_cleared_ = events();
            need_sync_ = true;
          }
        } else {
          b |= kNeeded;
        }
        if (count_of(b) == kCounterMax) wake = true;
        if (count_of(b) == 0) {
          ++unbalanced_endwrites_;  // an endwrite without startwrite: the kernel would underflow
          return;
        }
        --b;
        if (b <= 2) {
          p.pending = true;  // md_bitmap_set_pending
          allclean_ = false;
        }
      });
      if (missing) co_return;  // as the kernel: no counter, stop
      if (wake) co_await x.wake(overflow_wait_);
      offset += blocks;
      sectors -= std::min<uint64_t>(sectors, blocks);
    }
  }

  Task<void> start_behind_write(SyncExecutor& x) override {
    co_await x.atomic(behind_line_, 0, cost_behind_, [&] {
      int n = behind_writes_.fetch_add(1) + 1;
      int seen = behind_writes_used_.load();
      while (n > seen && !behind_writes_used_.compare_exchange_weak(seen, n)) {
      }
    });
  }

  Task<void> end_behind_write(SyncExecutor& x) override {
    bool zero = false;
    co_await x.atomic(behind_line_, 0, cost_behind_,
                      [&] { zero = behind_writes_.fetch_sub(1) == 1; });  // atomic_dec_and_test
    if (zero) co_await x.wake(behind_wait_);
  }

  Task<void> wait_behind_writes(SyncExecutor& x) override {
    if (behind_writes_.load() == 0) co_return;
    behind_waiters_.fetch_add(1);
    co_await x.wait(behind_wait_, [&] { return behind_writes_.load() == 0; });
    behind_waiters_.fetch_sub(1);
  }

  Task<bool> start_sync(SyncExecutor& x, Sector offset, Sector* blocks, bool degraded) override {
    bool rv = false;
    *blocks = 0;
    while (*blocks < kPageBytes / 512) {  // bitmap_start_sync: at least PAGE_SIZE>>9
      Sector b1 = 0;
      co_await x.critical(lock_, 0, Access::kExclusive, cost_counter_, [&] {
        Counter* bmc = get_counter(offset, &b1);
        if (!bmc) return;
        if (*bmc & kResync) {
          rv = true;
        } else if (*bmc & kNeeded) {
          rv = true;
          if (!degraded) {  // don't set/clear bits if degraded
            *bmc |= kResync;
            *bmc &= static_cast<Counter>(~kNeeded);
          }
        }
      });
      offset += b1;
      *blocks += b1;
    }
    co_return rv;
  }

  Task<void> end_sync(SyncExecutor& x, Sector offset, Sector* blocks) override {
    co_await end_sync_one(x, offset, blocks);
  }

  Task<void> close_sync(SyncExecutor& x) override {
    Sector sector = 0;
    while (sector < geo_.sync_size) {
      Sector blocks = 0;
      co_await end_sync_one(x, sector, &blocks);
      sector += blocks;
    }
  }

  Task<void> cond_end_sync(SyncExecutor& x, Sector sector, bool /*force*/) override {
    if (sector == 0) {
      last_end_sync_ = 0;
      co_return;
    }
    sector -= sector % chunk_sectors_;
    Sector s = std::min(last_end_sync_, sector);
    while (s < sector && s < geo_.sync_size) {
      Sector blocks = 0;
      co_await end_sync_one(x, s, &blocks);
      s += blocks;
    }
    last_end_sync_ = std::max(last_end_sync_, s);
  }

  Task<void> unplug(SyncExecutor& x, BitmapIo& io, bool /*sync: both wait*/) override {
    std::vector<uint64_t> pages;
    std::vector<PageImage> images;
    co_await x.compute(cost_page_scan_, [&] {
      for (uint64_t i = 0; i < file_pages_; ++i) {
        uint8_t old = attrs_[i].fetch_and(static_cast<uint8_t>(~(kPageDirty | kPageNeedWrite)));
        if (old & (kPageDirty | kPageNeedWrite)) {
          attrs_[i].fetch_and(static_cast<uint8_t>(~kPagePending));
          pages.push_back(i);
        }
      }
      images = snapshot(pages);
    });
    if (pages.empty()) co_return;
    co_await io.write_pages(x, pages, true);
    complete(images);
  }

  Task<void> daemon_work(SyncExecutor& x, BitmapIo& io) override {
    if (allclean_) co_return;
    allclean_ = true;
    // Storage pages PENDING now are written this pass; sb events_cleared if need_sync.
    co_await x.compute(cost_page_scan_, [&] {
      for (uint64_t i = 0; i < file_pages_; ++i) {
        if (attrs_[i].fetch_and(static_cast<uint8_t>(~kPagePending)) & kPagePending)
          attrs_[i].fetch_or(kPageNeedWrite);
      }
      if (need_sync_) {
        need_sync_ = false;
        sb_events_cleared_ = events_cleared_;
        attrs_[0].fetch_or(kPageNeedWrite);
      }
    });
    // One hold of counts.lock across the scan of every pending counter page.
    co_await x.critical(lock_, 0, Access::kExclusive, cost_daemon_scan_, [&] {
      for (uint64_t pg = 0; pg < counter_pages_; ++pg) {
        CounterPage& p = bp_[pg];
        if (!p.pending) continue;
        p.pending = false;
        if (!p.map) continue;
        uint64_t end = std::min(chunks_, (pg + 1) * kCountersPerPage);
        for (uint64_t c = pg * kCountersPerPage; c < end; ++c) {
          Counter& b = p.map[c % kCountersPerPage];
          if (b == 1 && !need_sync_) {
            b = 0;
            file_clear_bit(c);
            if (--p.count == 0) {  // md_bitmap_count_page(-1) -> md_bitmap_checkfree
              p.map.reset();
              ++missing_pages_;
              break;
            }
          } else if (b != 0 && b <= 2) {
            b = 1;
            p.pending = true;
            allclean_ = false;
          }
        }
      }
    });
    std::vector<uint64_t> pages;
    std::vector<PageImage> images;
    co_await x.compute(cost_page_scan_, [&] {
      for (uint64_t i = 0; i < file_pages_; ++i) {
        if (attrs_[i].load() & kPageDirty) break;  // bitmap_unplug will handle the rest
        if (attrs_[i].fetch_and(static_cast<uint8_t>(~kPageNeedWrite)) & kPageNeedWrite)
          pages.push_back(i);
      }
      images = snapshot(pages);
    });
    if (pages.empty()) co_return;
    co_await io.write_pages(x, pages, true);
    complete(images);
  }

  void dirty_bits(uint64_t s, uint64_t e) override {
    for (uint64_t c = s; c <= e && c < chunks_; ++c) {
      set_memory_bits(c, true);
      file_set_bit(c);
    }
  }

  BitmapStats get_stats() const override {
    BitmapStats s;
    s.events_cleared = events_cleared_;
    s.behind_writes = behind_writes_.load();
    s.behind_wait = behind_waiters_.load() > 0;
    s.missing_pages = missing_pages_;
    s.file_pages = file_pages_;
    s.sync_size = geo_.sync_size;
    s.pages = counter_pages_;
    s.page_writes = page_writes_.load();
    uint64_t dirty = 0;
    for (uint64_t c = 0; c < chunks_; ++c) dirty += mem_bit(c);
    s.dirty_chunks = dirty;
    return s;
  }

  std::vector<uint8_t> disk_image() const override {
    std::lock_guard<std::mutex> g(persist_mu_);
    size_t n = kBitmapSuperBytes + (chunks_ + 7) / 8;
    return std::vector<uint8_t>(persisted_.begin(),
                                persisted_.begin() + static_cast<std::ptrdiff_t>(n));
  }

  bool persisted_dirty(uint64_t c) const override {
    if (c >= chunks_) return false;
    std::lock_guard<std::mutex> g(persist_mu_);
    return (persisted_[kBitmapSuperBytes + c / 8] >> (c % 8)) & 1;
  }

 private:
  struct CounterPage {
    std::unique_ptr<Counter[]> map;  // nullptr: missing
    uint32_t count = 0;              // non-zero counters (md_bitmap_count_page)
    bool pending = false;            // bp[].pending: the daemon scans this page
  };
  struct PageImage {
    uint64_t page;
    uint64_t seq;
    std::vector<uint8_t> bytes;
  };

  bool degraded() const { return mddev_ && mddev_->degraded; }
  uint64_t events() const { return mddev_ ? mddev_->events : 1; }
  uint64_t chunk_of(Sector s) const { return s / chunk_sectors_; }

  std::array<uint8_t, kBitmapSuperBytes> encode_super(uint64_t ev) const {
    BitmapSuper sb;
    sb.uuid = geo_.uuid;
    sb.events = ev;
    sb.events_cleared = sb_events_cleared_;
    sb.sync_size = geo_.sync_size;
    sb.chunksize = static_cast<uint32_t>(geo_.chunk_bytes);
    sb.daemon_sleep = static_cast<uint32_t>(geo_.daemon_sleep / kSecond);
    sb.write_behind = static_cast<uint32_t>(geo_.max_write_behind);
    return encode_bitmap_super(sb);
  }

  // Bit c of the bitmap area lives at byte 256 + c/8 (after the superblock).
  static uint64_t byte_of(uint64_t c) { return kBitmapSuperBytes + c / 8; }
  static uint64_t file_page_of(uint64_t c) { return byte_of(c) / kPageBytes; }
  bool mem_bit(uint64_t c) const { return (mem_[byte_of(c)].load() >> (c % 8)) & 1; }
  void set_mem_bit(uint64_t c, bool v) {
    uint8_t m = static_cast<uint8_t>(1u << (c % 8));
    if (v) {
      mem_[byte_of(c)].fetch_or(m);
    } else {
      mem_[byte_of(c)].fetch_and(static_cast<uint8_t>(~m));
    }
  }
  // md_bitmap_file_set_bit: set the bit, storage page DIRTY.
  void file_set_bit(uint64_t c) {
    set_mem_bit(c, true);
    attrs_[file_page_of(c)].fetch_or(kPageDirty);
  }
  // md_bitmap_file_clear_bit: clear the bit; PENDING unless already NEEDWRITE.
  void file_clear_bit(uint64_t c) {
    set_mem_bit(c, false);
    std::atomic<uint8_t>& a = attrs_[file_page_of(c)];
    if (!(a.load() & kPageNeedWrite)) {
      a.fetch_or(kPagePending);
      allclean_ = false;
    }
  }

  // md_bitmap_set_memory_bits (the counts.lock hold is not modelled: load/dirty_bits are not
  // coroutines).
  void set_memory_bits(uint64_t c, bool needed) {
    CounterPage& p = bp_[c / kCountersPerPage];
    if (!p.map) {
      p.map.reset(new Counter[kCountersPerPage]());
      --missing_pages_;
    }
    Counter& b = p.map[c % kCountersPerPage];
    if (b == 0) {
      b = 2;
      ++p.count;
      p.pending = true;
      allclean_ = false;
    }
    if (needed) b |= kNeeded;
  }

  // md_bitmap_get_counter(create = 0): nullptr when the page is missing, then *blocks covers
  // the rest of the page's span; else the rest of the chunk.
  Counter* get_counter(Sector offset, Sector* blocks) {
    uint64_t c = chunk_of(offset);
    if (c >= chunks_) {
      *blocks = chunk_sectors_ - offset % chunk_sectors_;
      return nullptr;
    }
    CounterPage& p = bp_[c / kCountersPerPage];
    if (!p.map) {
      Sector span = chunk_sectors_ * kCountersPerPage;
      *blocks = span - offset % span;
      return nullptr;
    }
    *blocks = chunk_sectors_ - offset % chunk_sectors_;
    return &p.map[c % kCountersPerPage];
  }

  bool below_max(uint64_t c) const {
    const CounterPage& p = bp_[c / kCountersPerPage];
    return !p.map || count_of(p.map[c % kCountersPerPage]) < kCounterMax;
  }

  // __bitmap_end_sync(aborted = 0).
  Task<void> end_sync_one(SyncExecutor& x, Sector offset, Sector* blocks) {
    co_await x.critical(lock_, 0, Access::kExclusive, cost_counter_, [&] {
      Counter* bmc = get_counter(offset, blocks);
      if (!bmc) return;
      if (*bmc & kResync) {
        *bmc &= static_cast<Counter>(~kResync);
        if (*bmc <= 2) {
          bp_[chunk_of(offset) / kCountersPerPage].pending = true;
          allclean_ = false;
        }
      }
    });
  }

  // The content of each page as submitted (page 0 carries the superblock).
  std::vector<PageImage> snapshot(const std::vector<uint64_t>& pages) {
    std::vector<PageImage> out;
    for (uint64_t p : pages) {
      PageImage im{p, ++write_seq_, std::vector<uint8_t>(kPageBytes)};
      for (uint64_t i = 0; i < kPageBytes; ++i) im.bytes[i] = mem_[p * kPageBytes + i].load();
      if (p == 0) {
        std::array<uint8_t, kBitmapSuperBytes> sb = encode_super(events());
        std::copy(sb.begin(), sb.end(), im.bytes.begin());
      }
      out.push_back(std::move(im));
    }
    page_writes_.fetch_add(pages.size());
    return out;
  }

  // The writes completed: their content is now what a crash leaves (a later-submitted
  // write of the same page wins whatever the completion order).
  void complete(const std::vector<PageImage>& images) {
    std::lock_guard<std::mutex> g(persist_mu_);
    for (const PageImage& im : images) {
      if (im.seq < persisted_seq_[im.page]) continue;
      persisted_seq_[im.page] = im.seq;
      std::copy(im.bytes.begin(), im.bytes.end(),
                persisted_.begin() + static_cast<std::ptrdiff_t>(im.page * kPageBytes));
    }
  }

  const uint64_t chunks_;
  const Sector chunk_sectors_;
  const uint64_t counter_pages_;
  const uint64_t file_pages_;

  // Under counts.lock.
  std::vector<CounterPage> bp_;
  uint64_t missing_pages_ = 0;
  uint64_t events_cleared_ = 0;
  bool need_sync_ = false;
  bool allclean_ = true;
  uint64_t unbalanced_endwrites_ = 0;

  // The storage pages in memory (superblock bytes unused: encoded at write) and their flags.
  std::unique_ptr<std::atomic<uint8_t>[]> mem_;
  std::unique_ptr<std::atomic<uint8_t>[]> attrs_;
  uint64_t sb_events_cleared_ = 0;  // sb->events_cleared in the superblock page
  Sector last_end_sync_ = 0;

  // What the members hold (bookkeeping, not modelled state).
  mutable std::mutex persist_mu_;
  std::vector<uint8_t> persisted_;
  std::vector<uint64_t> persisted_seq_;
  std::atomic<uint64_t> write_seq_{0};
  std::atomic<uint64_t> page_writes_{0};

  std::atomic<int> behind_writes_{0};
  std::atomic<int> behind_writes_used_{0};
  std::atomic<int> behind_waiters_{0};

  LockId lock_;
  WaitId overflow_wait_;
  LineId behind_line_;
  WaitId behind_wait_;
  CostId cost_counter_;
  CostId cost_alloc_;
  CostId cost_daemon_scan_;
  CostId cost_page_scan_;
  CostId cost_behind_;
};

}  // namespace

std::unique_ptr<BitmapOps> make_classic_bitmap(const BitmapGeometry& g, const MddevView* m) {
  return std::make_unique<ClassicBitmap>(g, m);
}

}  // namespace mdsim
