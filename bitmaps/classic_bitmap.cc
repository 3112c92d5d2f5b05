// `bitmap`: the classic md write-intent bitmap (drivers/md/md-bitmap.c, Linux 6.12): 16-bit
// in-memory counters per chunk, all under the one global spinlock counts.lock. The counters,
// storage pages and daemon pass are in classic_counters.h / classic_writeout.cc, the operations
// in classic_family.h; this file is the lock policy and the registration.
//
// Checked against the kernel source (md-bitmap.c as of 6.12's bitmap_operations conversion;
// the stored copy read is later, 6.15+, where the functions below are unchanged except for
// the 6.14/6.18 renames noted in bitmap_ops.h):
//   - bitmap_startwrite: per chunk spin_lock_irq(counts.lock), md_bitmap_get_counter(create),
//     COUNTER_MAX -> prepare_to_wait(overflow_wait), unlock, sleep, retry; 0 ->
//     md_bitmap_file_set_bit (page DIRTY) + md_bitmap_count_page(+1); 0/1 -> 2; then ++.
//     md_bitmap_checkpage drops counts.lock around kzalloc(GFP_NOIO) and retakes it (a first
//     touch of a counter page costs two acquisitions; a page installed meanwhile wins).
//   - bitmap_endwrite: spin_lock_irqsave; not degraded -> events_cleared/need_sync; degraded
//     -> NEEDED; COUNTER_MAX -> wake overflow_wait; --; <= 2 (whole value, so NEEDED/RESYNC
//     never) -> md_bitmap_set_pending and allclean = 0.
//   - bitmap_daemon_work: allclean -> nothing; storage PENDING -> NEEDWRITE; need_sync ->
//     superblock; ONE hold of counts.lock (spin_lock_irq) across the scan of every chunk, a
//     page not pending skipped whole; then NEEDWRITE pages written up to the first DIRTY one.
//     A bit clears on disk on the third pass after its last endwrite (classic_writeout.cc).
//     The scan is now charged per iteration ("bitmap.daemon_counter" x counters and skipped
//     pages walked), no longer a fixed 5 us per pass.
//   - __bitmap_start_sync: a missing counter page answers "not needed" for the rest of its
//     2048-chunk span; bitmap_start_sync repeats until PAGE_SIZE >> 9 sectors are covered.
//   - bitmap_end_sync is __bitmap_end_sync(aborted = true): md only calls it for a resync that
//     stopped short, so RESYNC turns back into NEEDED. (The model had aborted = false, i.e.
//     end_sync finished the chunk; corrected, with classic_bitmap_test.cc.) bitmap_close_sync
//     and bitmap_cond_end_sync end with aborted = false.
//   - __bitmap_unplug: every DIRTY or NEEDWRITE page (PENDING cleared) written and waited for.
//   - md_bitmap_init_from_disk / md_bitmap_set_memory_bits: set bits -> counter 2 | NEEDED,
//     counter page pending, allclean = 0.
//   - get_counter stops at the last counter page, not the last chunk, as the kernel does.
//
// Left out: hijacked counter pages (allocation never fails; a hijacked page would give two
// counters for its 2048 chunks); clustered and file bitmaps; the daemon's jiffies check and
// md_bitmap_wait_writes (the caller runs daemon_work every daemon_sleep; every write is waited
// for where it is issued); bitmap_update_sb (the superblock goes out with page 0, carrying
// mddev->events then); BITMAP_STALE and write errors; resize; cond_end_sync's rate limit and
// recovery_active wait; init_from_disk's recovery_cp (every loaded bit is NEEDED); counts.lock
// around set_memory_bits at load (load_image is not a coroutine).
#include "bitmaps/classic_family.h"
#include "bitmaps/registry.h"

namespace mdsim {
namespace {

class ClassicBitmap : public ClassicFamily {
 public:
  ClassicBitmap(const BitmapGeometry& g, const MddevView* m)
      : ClassicFamily(g, m, std::make_unique<ClassicCounters>(g, m ? m->events : 1)) {
    ClassicLocking l;
    l.counter_lock = decls_.lock("&bitmap->counts.lock", LockKind::kSpinlock);
    l.scan_lock = l.counter_lock;  // spin_lock_irq(&counts->lock) across the scan
    set_locking(l);
  }
  const char* name() const override { return "bitmap"; }
};

}  // namespace

std::unique_ptr<BitmapOps> make_classic_bitmap(const BitmapGeometry& g, const MddevView* m) {
  return std::make_unique<ClassicBitmap>(g, m);
}

}  // namespace mdsim
