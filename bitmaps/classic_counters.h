// The state of md's classic write-intent bitmap (drivers/md/md-bitmap.c, Linux 6.12), shared by
// the variants built on it (`bitmap`, `scalaraid`): struct bitmap_counts (16-bit counters on
// lazily allocated 4 KiB counter pages), struct bitmap_storage (the bit pages and their
// DIRTY/PENDING/NEEDWRITE flags), the events_cleared/need_sync/allclean fields of struct bitmap,
// and what the members hold after each completed page write (for the crash checker).
//
// Nothing here locks: each *_locked method is the body a kernel function runs under the
// variant's counter lock, and the variant's declared synchronisation wraps it
// (classic_family.h). As in the kernel, counters are reached by sector offset through
// counter_of(), which a variant may remap (scalaraid); the on-disk bit is always the one of the
// offset's chunk (md_bitmap_file_set_bit / md_bitmap_file_clear_bit shift by chunkshift).
//
// Counter states (bitmap_counter_t, low 14 bits = COUNTER):
//   0              clean, on-disk bit clear (once the write that clears it completes)
//   1              no writes in flight, bit still set; the next daemon pass clears it
//   2              no writes in flight, bit set; the next daemon pass -> 1
//   n > 2          n - 2 writes in flight, bit set
//   16383          COUNTER_MAX: further startwrites sleep on overflow_wait
//   | NEEDED 0x8000  resync needed (degraded write, loaded dirty, aborted resync)
//   | RESYNC 0x4000  resync of the chunk in progress (start_sync .. end_sync/close_sync)
// Counter pages (struct bitmap_page): map (nullptr = missing), count of non-zero counters
// (md_bitmap_count_page; the page is freed when it drops to 0), pending (the daemon scans it).
// Storage pages: DIRTY (a bit was set: unplug writes it before data goes out), PENDING (a bit
// was cleared: the next daemon pass marks it NEEDWRITE), NEEDWRITE (the daemon or unplug
// writes it).
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "bitmaps/bitmap_ops.h"

namespace mdsim {

using BitmapCounter = uint16_t;
inline constexpr BitmapCounter kCounterNeeded = 0x8000;  // NEEDED_MASK
inline constexpr BitmapCounter kCounterResync = 0x4000;  // RESYNC_MASK
inline constexpr BitmapCounter kCounterMax = 0x3fff;     // COUNTER_MAX (also the COUNTER mask)
inline constexpr uint64_t kCountersPerPage = 2048;       // PAGE_COUNTER_RATIO
inline constexpr uint64_t kBitmapPageBytes = 4096;       // PAGE_SIZE

class ClassicCounters {
 public:
  ClassicCounters(const BitmapGeometry& g, uint64_t events);
  virtual ~ClassicCounters() = default;
  ClassicCounters(const ClassicCounters&) = delete;
  ClassicCounters& operator=(const ClassicCounters&) = delete;

  // The counter index md_bitmap_get_counter derives from a sector (chunk = offset >>
  // chunkshift); a variant may remap it. Pages are counter / 2048.
  virtual uint64_t counter_of(Sector offset) const { return chunk_of(offset); }
  uint64_t chunk_of(Sector offset) const {
    // md's chunks are powers of two (a shift, as chunkshift); others divide.
    return chunk_shift_ >= 0 ? offset >> chunk_shift_ : offset / chunk_sectors_;
  }

  uint64_t chunks() const { return chunks_; }
  Sector chunk_sectors() const { return chunk_sectors_; }
  uint64_t counter_pages() const { return counter_pages_; }
  uint64_t file_pages() const { return file_pages_; }

  // --- Bodies of the counter critical sections (the caller holds the counter lock). ---
  enum class Start { kDone, kAlloc, kFull, kNoCounter };
  // md_bitmap_startwrite for the chunk at `offset`: kAlloc when its counter page is missing
  // and `fresh` is empty (md_bitmap_checkpage drops the lock to allocate; call again with a
  // page), kFull at COUNTER_MAX, kNoCounter beyond the last counter page.
  Start startwrite_locked(Sector offset, Sector* blocks, std::unique_ptr<BitmapCounter[]>& fresh);
  struct End {
    bool missing = false;  // no counter: md_bitmap_endwrite returns
    bool wake = false;     // the counter was at COUNTER_MAX: wake overflow_wait
  };
  End endwrite_locked(Sector offset, Sector* blocks, bool degraded, uint64_t events);
  bool start_sync_locked(Sector offset, Sector* blocks, bool degraded);  // __bitmap_start_sync
  void end_sync_locked(Sector offset, Sector* blocks, bool aborted);     // __bitmap_end_sync
  // kzalloc(PAGE_SIZE) for a missing counter page.
  static std::unique_ptr<BitmapCounter[]> alloc_page();
  // overflow_wait's condition: the counter `offset` maps to is below COUNTER_MAX.
  bool below_max(Sector offset) const;

  // --- md_bitmap_daemon_work, in its three parts. ---
  // Returns false when allclean (nothing to do); else PENDING -> NEEDWRITE on storage pages and
  // the superblock's events_cleared when need_sync. No counter lock.
  bool daemon_begin();
  // The scan under the counter lock: returns the loop iterations it made (one per counter on a
  // pending counter page, one per page skipped).
  uint64_t daemon_scan_locked();
  // What daemon_scan_locked would walk now (the cost has to be declared before the lock is
  // taken, so this is an estimate: pages made pending while the daemon waits are not in it).
  uint64_t daemon_scan_units() const;

  // --- Storage pages to write, snapshotted at submit, persisted at completion. ---
  struct PageImage {
    uint64_t page;
    uint64_t seq;
    std::vector<uint8_t> bytes;
  };
  struct Batch {
    std::vector<uint64_t> pages;
    std::vector<PageImage> images;
  };
  // Page 0 carries the superblock, written with mddev->events = `events`.
  Batch unplug_collect(uint64_t events);  // __bitmap_unplug: every DIRTY or NEEDWRITE page
  Batch daemon_collect(uint64_t events);  // NEEDWRITE pages in order, up to the first DIRTY
  void complete(const Batch& b);

  // --- Unlocked (load, dirty_bits: not coroutines; the kernel takes the counter lock). ---
  void load_image(std::span<const uint8_t> image);  // md_bitmap_init_from_disk(start = 0)
  void dirty_bits(uint64_t s, uint64_t e);          // md_bitmap_dirty_bits
  BitmapStats stats() const;
  std::vector<uint8_t> disk_image() const;
  bool persisted_dirty(uint64_t c) const;
  bool allclean() const { return allclean_; }

 protected:
  struct CounterPage {
    std::unique_ptr<BitmapCounter[]> map;  // nullptr: missing
    uint32_t count = 0;                    // non-zero counters on the page
    bool pending = false;                  // the daemon scans it
  };

  // md_bitmap_get_counter(create = 0): nullptr when beyond the last page or the page is
  // missing; *blocks = rest of the chunk, or of the page's 2048-chunk span when missing.
  BitmapCounter* get_counter(Sector offset, Sector* blocks);
  void count_page(Sector offset, int inc);  // md_bitmap_count_page + md_bitmap_checkfree
  void set_pending(Sector offset);          // md_bitmap_set_pending
  void file_set_bit(Sector offset);         // md_bitmap_file_set_bit: bit, page DIRTY
  void file_clear_bit(Sector offset);       // md_bitmap_file_clear_bit: PENDING unless NEEDWRITE
  void set_memory_bits(Sector offset, bool needed);  // md_bitmap_set_memory_bits
  bool mem_bit(uint64_t c) const;
  void set_mem_bit(uint64_t c, bool v);
  std::vector<PageImage> snapshot(const std::vector<uint64_t>& pages, uint64_t events);
  std::array<uint8_t, 256> encode_super(uint64_t events) const;

  const BitmapGeometry geo_;
  const uint64_t chunks_;
  const Sector chunk_sectors_;
  const int chunk_shift_;  // log2(chunk_sectors_), or -1 if it is not a power of two
  const uint64_t counter_pages_;
  const uint64_t file_pages_;

  // struct bitmap_counts and the bitmap fields the counter lock covers.
  std::vector<CounterPage> bp_;
  uint64_t missing_pages_ = 0;
  uint64_t events_cleared_ = 0;
  bool need_sync_ = false;
  bool allclean_ = true;
  uint64_t unbalanced_endwrites_ = 0;  // endwrite on a counter at 0 (the kernel underflows)

  // The storage pages in memory (superblock bytes unused: encoded at write) and their flags.
  std::unique_ptr<std::atomic<uint8_t>[]> mem_;
  std::unique_ptr<std::atomic<uint8_t>[]> attrs_;
  uint64_t sb_events_cleared_ = 0;

  // What the members hold (bookkeeping, not modelled state).
  mutable std::mutex persist_mu_;
  std::vector<uint8_t> persisted_;
  std::vector<uint64_t> persisted_seq_;
  std::atomic<uint64_t> write_seq_{0};
  std::atomic<uint64_t> page_writes_{0};
};

}  // namespace mdsim
