// The counter and lock mapping of the ScalaRAID RFC "md/bitmap: Optimize lock contention"
// (Shushu Yi, Yiming Xu; V8 on 6.12-rc2, V9 on md-6.13; never merged), as the patch computes it
// in md_bitmap_get_counter, md_bitmap_count_page, md_bitmap_set_pending and
// md_bitmap_get_bmclock (our own code, same arithmetic):
//
//   blockno = offset >> 3                           the 4 KiB block of the sector
//   k       = chunkshift - 3                        log2(4 KiB blocks per chunk)
//   bits    = fls(chunks << k - 1)                  bits of the largest block number
//   cntid   = blockno & (~0 << bits | ~(~0 << (bits - k)))
//           = blockno mod 2^(bits - k)              for blocks inside the bitmap
//   lockid  = cntid & (~0 << fls(chunks - 1) | ~(~0 << (fls(chunks - 1) - 0)))  = cntid
//   bmclocks[] has min(chunks, 65536) entries (BITMAP_COUNTER_LOCK_RATIO 1, _MAX 65536)
//
// So consecutive 4 KiB blocks go to consecutive counters, wrapping every 2^(bits - k) blocks
// (= `chunks` when it is a power of two): a counter covers blocks strided across the whole
// device, not a chunk. Consequences the patch does not handle:
//   - lockid can exceed the array: when chunks is not a power of two (2^(bits - k) > chunks)
//     or above 65536; the kernel would take a spinlock in whatever memory follows bmclocks[].
//     lock_ids() is the range lock_of() really covers; the model gives each id a lock.
//   - cntid can reach past the last counter page (2^(bits - k) > pages * 2048, e.g. 4097
//     chunks): md_bitmap_get_counter then returns NULL and startwrite gives up on the write.
//   - the chunk-aligned offsets md_bitmap_daemon_work and resync use (j << chunkshift) all map
//     to counter (j << k) mod 2^(bits - k): counter 0 whenever k >= bits - k, i.e. whenever
//     chunks <= 4 KiB blocks per chunk (16384 for 64 MiB chunks).
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <stdexcept>

#include "bitmaps/bitmap_ops.h"

namespace mdsim {

class ScalaraidMap {
 public:
  static constexpr uint64_t kLockMax = 65536;  // BITMAP_COUNTER_LOCK_MAX
  static constexpr int kLockRatioShift = 0;    // BITMAP_COUNTER_LOCK_RATIO_SHIFT

  ScalaraidMap(uint64_t chunks, Sector chunk_sectors) {
    if (!std::has_single_bit(chunk_sectors) || chunk_sectors < 8) {
      throw std::invalid_argument(
          "scalaraid: the bitmap chunk must be a power of two of at least 4 KiB (the RFC shifts "
          "by chunkshift - 3)");
    }
    const int k = std::countr_zero(chunk_sectors) - 3;
    const uint64_t totblocks = chunks << k;
    const int bits = totblocks ? std::bit_width(totblocks - 1) : 0;
    cnt_mask_ = chunks ? shl(~uint64_t{0}, bits) | ~shl(~uint64_t{0}, bits - k) : 0;
    const int bitslock = chunks ? std::bit_width(chunks - 1) : 0;
    lock_mask_ = shl(~uint64_t{0}, bitslock) | ~shl(~uint64_t{0}, bitslock - kLockRatioShift);
    allocated_ = std::min((chunks + (1u << kLockRatioShift) - 1) >> kLockRatioShift, kLockMax);
    ids_ = std::max<uint64_t>({allocated_, 1, chunks ? (uint64_t{1} << (bits - k)) : 0});
  }

  uint64_t counter_of(Sector offset) const { return (offset >> 3) & cnt_mask_; }
  uint64_t lock_of(Sector offset) const { return counter_of(offset) & lock_mask_; }
  // kvcalloc'd bmclocks[] entries, and 1 + the largest lock_of() inside the bitmap.
  uint64_t locks_allocated() const { return allocated_; }
  uint64_t lock_ids() const { return ids_; }

 private:
  static uint64_t shl(uint64_t v, int n) { return n >= 64 ? 0 : v << n; }

  uint64_t cnt_mask_ = 0;
  uint64_t lock_mask_ = 0;
  uint64_t allocated_ = 0;
  uint64_t ids_ = 0;
};

}  // namespace mdsim
