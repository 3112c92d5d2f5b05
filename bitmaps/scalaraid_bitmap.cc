// `scalaraid`: the never-merged RFC "md/bitmap: Optimize lock contention" (ScalaRAID, Yi et al.,
// HotStorage '22; V8 on Linux 6.12-rc2, V9 on md-6.13), modelled as the patch wrote it on top
// of the classic bitmap (classic_family.h, md-bitmap.c 6.12). What it changes:
//   - counts.lock becomes the rwlock counts.mlock: read_lock in bitmap_startwrite,
//     bitmap_endwrite, __bitmap_start_sync, __bitmap_end_sync and md_bitmap_set_memory_bits,
//     write_lock_irq in bitmap_daemon_work's scan (and __bitmap_resize, not modelled).
//   - inside the read hold, spin_lock_irq(save) of bmclocks[lockid], one 4-byte spinlock per
//     counter, kvcalloc'd contiguously (16 per 64-byte line: false sharing), at most 65536.
//   - the "scattered" counter mapping of scalaraid_map.h: block b (4 KiB) -> counter
//     b mod 2^(bits - k), lock = counter. md_bitmap_file_set_bit/_clear_bit are unchanged, so
//     the on-disk bit stays the one of the offset's chunk while the counter that guards it is
//     shared by blocks of every chunk.
//   - md_bitmap_checkpage drops only the bmclock around kzalloc(GFP_NOIO): mlock stays
//     read-held while the allocation may sleep. Modelled as the allocation charged under a read
//     hold of mlock.
// lock_stat classes as lockdep names them: "&bitmap->counts.mlock" (-R and -W rows) and
// "bmclock" (spin_lock_init(bmclock) in a loop: one class for the whole array).
//
// The reviewers' suspicion holds: the remapping lets the daemon clear the on-disk bit of a chunk
// a write is in flight to. The daemon scans chunks j and reads counter cntid(j << chunkshift);
// with 64 MiB chunks and at most 16384 chunks that is counter 0 for every j. When counter 0
// was left at 2, the scan takes it 2 -> 1 at j = 0 and 1 -> 0 at j = 1, clearing chunk 1's bit
// whatever counters chunk 1's writes hold. Exact interleaving (128 chunks of 64 MiB, as
// scalaraid_bitmap_test.cc runs it):
//   1. W0 = startwrite(sector 131072, 8): block 16384 -> counter 0, 0 -> 3, sets chunk 1's bit.
//   2. W1 = startwrite(sector 131080, 8): block 16385 -> counter 1, 0 -> 3 (same bit, set).
//   3. unplug: chunk 1 is dirty on disk; both data writes go out.
//   4. endwrite(W0): counter 0 -> 2, its page pending; need_sync (events_cleared < events).
//   5. daemon pass: PENDING/NEEDWRITE pass, need_sync -> superblock page NEEDWRITE; scan
//      j = 0: counter 0 2 -> 1; j = 1: counter 0 1 -> 0, md_bitmap_file_clear_bit(chunk 1);
//      then page 0 (NEEDWRITE) is written: chunk 1 is clean on disk. (Without need_sync the
//      write comes one pass later, from PENDING.)
//   6. W1 is still in flight (counter 1 = 3): the write-intent invariant is violated. A crash
//      now leaves an all-clean bitmap; after reboot nothing is NEEDED, start_sync(chunk 1)
//      answers "not needed", and W1's chunk keeps mirrors that may differ.
// Simpler still, without the daemon: a write to a chunk whose counter another chunk's write
// holds (block 1 of chunk 0 and block 16385 of chunk 1 share counter 1) finds the counter
// non-zero and sets no bit, so that chunk is clean on disk while its write is in flight. (After a
// crash the patched kernel would still resync it if any bit was set, because every loaded bit
// and every chunk-aligned resync offset also lands on counter 0.) Other consequences: bits of
// chunks other than 1 are never cleared (the same counter-0 scan), counters other than those
// the scan reads never go back to 0, resync at chunk-aligned offsets only sees counter 0, and
// with a chunk count that is not a power of two, counter ids past the last counter page make
// startwrite give up on the write (no bit at all; scalaraid_map.h). Two conformance tests fail
// for these reasons, not for the model:
//   BitsClearAfterWritesEndAndDaemonPeriodsPass: chunk 5's bit never clears (the scan clears
//     chunk 1's instead);
//   AfterACrashDirtyChunksNeedResyncAndCleanOnesDoNot: chunk 20 answers "needed", because
//     start_sync(chunk 11) put counter 0, which both offsets read, in RESYNC.
//
// Left out (the model applies each step atomically): the patch's data races. Under mlock read
// plus different bmclocks, md_bitmap_count_page's `bp[page].count += inc` and
// md_bitmap_set_pending's `pending = 1` (bitfields of one word), the check-then-install of a
// counter page in md_bitmap_checkpage, and events_cleared/need_sync/allclean are all updated
// concurrently; lost updates there are not modelled in simulation (the native executor runs
// them for real). Also: the out-of-bounds bmclocks[] indices get locks of their own
// (scalaraid_map.h); an `mlock` read hold and the bmclock hold inside it are two consecutive
// steps (sync.h steps cannot nest), so a writer can slip between them; endwrite's read_lock
// from interrupt context queues behind a waiting writer (qrwlock lets it in); V9's unbalanced
// read_unlock in __bitmap_resize; everything classic_bitmap.cc leaves out.
#include <limits>

#include "bitmaps/classic_family.h"
#include "bitmaps/registry.h"
#include "bitmaps/scalaraid_map.h"

namespace mdsim {
namespace {

class ScalaraidCounters : public ClassicCounters {
 public:
  ScalaraidCounters(const BitmapGeometry& g, uint64_t events)
      : ClassicCounters(g, events), map_(g.chunks(), g.chunk_sectors()) {}
  uint64_t counter_of(Sector offset) const override { return map_.counter_of(offset); }

 private:
  ScalaraidMap map_;
};

class ScalaraidBitmap : public ClassicFamily {
 public:
  ScalaraidBitmap(const BitmapGeometry& g, const MddevView* m)
      : ClassicFamily(g, m, std::make_unique<ScalaraidCounters>(g, m ? m->events : 1)),
        map_(g.chunks(), g.chunk_sectors()) {
    if (map_.lock_ids() > static_cast<uint64_t>(std::numeric_limits<int>::max())) {
      throw std::invalid_argument("scalaraid: too many chunks for the bmclocks[] model");
    }
    ClassicLocking l;
    l.outer = decls_.lock("&bitmap->counts.mlock", LockKind::kRwlock);
    l.counter_lock = decls_.lock("bmclock", LockKind::kSpinlock, static_cast<int>(map_.lock_ids()),
                                 /*per_cache_line=*/16);
    l.scan_lock = l.outer;  // write_lock_irq(&counts->mlock) across the scan
    l.scan_access = Access::kExclusive;
    l.alloc_under_outer = true;
    set_locking(l);
  }
  const char* name() const override { return "scalaraid"; }

 protected:
  int counter_lock_index(Sector offset) const override {
    return static_cast<int>(map_.lock_of(offset));
  }

 private:
  ScalaraidMap map_;
};

}  // namespace

std::unique_ptr<BitmapOps> make_scalaraid_bitmap(const BitmapGeometry& g, const MddevView* m) {
  return std::make_unique<ScalaraidBitmap>(g, m);
}

}  // namespace mdsim
