// `epoch`: this project's own write-intent bitmap. llbitmap's lockless hot path (a state byte
// per chunk, per-page percpu_refs) with SRCU-style epochs, so that writers never wait for the
// daemon and the daemon cleans idle chunks of pages that never go idle.
//
// It mirrors drivers/md/md-llbitmap.c (Linux 6.18) for the state bytes, the per-page percpu_ref
// barrier, infection, write-behind and the resync hooks, and md-bitmap.c for the on-disk
// format: md's bitmap_super_t and one bit per chunk, set when the chunk is not Clean, so
// Debian's `mdadm --examine-bitmap` reads it. A page is one 4 KiB page of that image: page 0
// holds the superblock and chunks 0..30719, page k >= 1 chunks 30720 + 32768 (k - 1) onwards.
//
// Chunk states (one byte each, 64 to a modelled cache line "epoch->state"); bit = on-disk bit:
//   Clean     bit 0   not written since the daemon cleaned it
//   Dirty     bit 1   written since the last daemon pass over its page
//   Idle      bit 1   not written since the last pass (aged): the next pass cleans it
//   Cleaning  bit 1   picked by the pass running now; a writer turns it back to Dirty
//   NeedSync  bit 1   needs resync (degraded write, loaded dirty, dirty_bits): never cleaned
//   Syncing   bit 1   resync in progress (start_sync .. end_sync)
// startwrite: Clean -> Dirty (the page must be written before the data: bump its version, set
//   its NeedWrite|Pending flags if not set yet; if another chunk of the line is not Clean, the
//   line's other Clean chunks go Dirty in the same RMW: llbitmap's infection, per 64 chunks
//   instead of per 512-byte block, not when degraded), Idle or Cleaning -> Dirty (one RMW, no
//   page write), Dirty/NeedSync/Syncing -> unchanged (a read only: the steady state).
// endwrite: degraded -> NeedSync. start_sync: NeedSync -> Syncing (not degraded); end_sync,
//   close_sync, cond_end_sync: Syncing -> Dirty. load_image: bit -> NeedSync, else Clean.
// Idle is the age threshold without a timestamp per write: a chunk is cleaned by the second
// pass after its last write (1-2 daemon periods); a hot chunk pays one RMW per period.
//
// Per page: the epoch e (0/1) on its own read-mostly line "epoch->page_epoch", two percpu_refs
// "epoch->active" [2p + e], flags on "epoch->page_flags" (Pending: the daemon has work there;
// NeedWrite), and the write bookkeeping (version, set_version, one snapshot in flight).
//
// PROTOCOL
// startwrite, per page spanned: e = epoch; percpu_ref_tryget_live(ref[e]), which fails only if
//   the daemon flipped the epoch and killed e: retry; re-read the epoch and if it moved, put
//   ref[e] and retry (*). The epoch goes into the WriteCookie (bit i: the epoch of the i-th page
//   spanned; bit 63: tracked). Then the transitions above. endwrite: the degraded transition,
//   then put ref[e]. Nothing on this path waits.
// unplug: for each page whose set_version (its latest bit-setting change) has not completed on
//   disk: write a snapshot, or wait for the write in flight and write again if that one is older.
// daemon_work, per page with Pending, one pass at a time per page:
//   (1) one RMW per line that changes: Idle -> Cleaning (the candidates), Dirty -> Idle.
//       No candidate: done (no flip, no I/O).
//   (2) flip the epoch e -> 1-e, percpu_ref_kill(ref[e]) and wait: an RCU grace period, then
//       until writes that entered in e have ended. New writers use 1-e and never wait.
//   (3) Cleaning -> Clean for chunks still Cleaning (a writer's Cleaning -> Dirty wins).
//   (4) write the page (and page 0 if events_cleared moved), serialised as below.
//   (5) percpu_ref_resurrect(ref[e]): e is live again before the next pass flips back to it.
// Page writes: at most one in flight per page. The content is snapshotted at submit and is the
//   disk's when the write completes, so snapshots complete in the order they were taken and a
//   daemon's Clean snapshot can never land after a later Dirty one. disk_image() = completed.
//
// WHY NO CHUNK IS CLEAN ON DISK WHILE A WRITE TO IT IS IN FLIGHT
// Let W write chunk c of page p. W's state step at ts (its read of Dirty/NeedSync/Syncing, or
// its RMW) comes after its tryget and its re-check at trc (epoch == eW there), and before its
// put, which comes after its data completed. Clean is made only by step (3) of some pass D, at
// t3, for a chunk Cleaning without a break since D's step (1) at t1 (a writer's step turns
// Cleaning into Dirty, endwrite into NeedSync, and only (1) makes Cleaning; load_image and
// creation make Clean with no write in flight; infection only sets bits). Suppose W is in
// flight at t3. No writer step touched c in (t1, t3), so trc < ts < t1 < D's flip. The first
// flip after trc flips away from eW and kills ref[eW], which W got before the kill, so that
// pass waits for W's put: if it is D, W ended before t3; if it is an earlier pass, W ended
// before it resurrected, before t1. Both contradict W in flight at t3. (A write without a
// cookie holds both refs from before ts until its put: D's kill waits for it.) So in memory c
// is never Clean under a write in flight: every snapshot taken while W is in flight has c set.
// On disk: c's last Clean -> non-Clean step bumped set_version; every unplug after it waits
// until a snapshot at least that new completed, so W's unplug (after ts) leaves on disk a
// snapshot taken after c left Clean, with c set; later snapshots until W ends have c set, and
// they complete in order. Hence Cleaning -> Dirty (like Idle -> Dirty and Dirty -> Dirty) needs
// no write of its own: c has had its bit in every snapshot since it last left Clean, whose
// version any unplug waits for, and the daemon's snapshot (4) is taken after (3). A writer that
// read Dirty (or Idle) just before step (1): its step precedes t1, the case above: the pass
// that picks c kills its epoch (or an earlier one did) and waits for it.
// (*) Without the re-check, a writer that read e, stalled across a whole pass that flipped e
// away, drained and resurrected it, then got ref[e], would hold the epoch the next pass does
// not kill (SRCU's ABA); with it, the epoch is current at trc, which the proof uses.
//
// MEMORY ORDERING (the simulation is sequentially consistent; a kernel implementation needs):
// writer: e = READ_ONCE(epoch); percpu_ref_tryget_live(&ref[e]); smp_rmb(); then the re-check
// smp_load_acquire(&epoch) == e. A tryget that sees a resurrected ref then sees the flip that
// preceded the resurrect; one that sees the new epoch sees step (1)'s Cleaning (the daemon
// publishes the flip with smp_store_release after (1)). State changes are cmpxchg on the byte:
// Cleaning -> Dirty races (3)'s Cleaning -> Clean and one wins (if (3) does, the writer sees
// Clean and takes the Clean -> Dirty path); Clean -> Dirty, smp_mb__before_atomic(),
// set_bit(NeedWrite). percpu_ref_kill's RCU grace period orders every tryget either before the
// atomic-mode sum (it is waited for) or after the kill (it fails), and the release after the
// last put orders endwrite's stores before (3). unplug: test_and_clear_bit(NeedWrite), a full
// barrier, before copying the page; a per-page writing bit and wait queue keep one write in
// flight, with a sequence number per page standing in for the versions.
//
// COST against llbitmap and classic. Hot path on a Dirty chunk: three reads of read-mostly
// lines (epoch, epoch again, state byte), a percpu get and later a percpu put: no shared-line
// RMW at all (llbitmap: the same minus the re-check, plus a store to pctl->expire per write;
// classic: counts.lock twice per chunk). Once per daemon period per written chunk one RMW
// (Idle -> Dirty). Clean -> Dirty: one RMW, the page flag, a page write before the data, as in
// both; infection makes that once or twice per line. The daemon: per page with work one epoch
// flip, one RCU grace period and the drain of the writes already in flight on the page (a long
// write delays its page's cleaning, never a writer); chunks of busy pages are cleaned 1-2
// periods after their last write (llbitmap: only pages idle for barrier_idle, 5 s; classic:
// 2-3 periods, under the global lock), at the price of a page write per pass that cleans. An
// unplug may wait for a write of the same page in flight (one page write), as md_super_wait
// waits for every bitmap write in flight.
// A kernel implementation needs the epoch bits per page spanned kept with the bio: md core
// allocates struct md_io_clone per bio since 6.14 and calls start_write/end_write from it, so
// one unsigned long there, passed to end_write (bitmap_operations would grow that argument).
//
// WITHOUT A COOKIE (plain startwrite/endwrite): the write takes BOTH epochs' refs of each page
// and puts both, so every drain covers it. If one of them is being drained it sleeps until the
// resurrect, llbitmap's behaviour, paid only by callers that cannot carry the cookie (pages
// are taken in ascending order, so a drain waiting for such a writer cannot wait on itself).
// An untracked cookie (bit 63 clear) ends through this path; the two must pair.
//
// LEFT OUT: Unwritten and lazy raid456 parity (the one-bit format cannot persist it: the model
// starts all Clean like the classic one); discard; resize; 512-byte sub-block writes (whole
// pages are written); a timeout on the drain (llbitmap's suspend gives up after daemon_sleep;
// ref_kill here waits for zero, so a write that never ends stalls the daemon at its page: a
// kill-with-timeout step in sync.h would fix it); write errors; clustered bitmaps.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "bitmaps/bitmap_ops.h"

namespace mdsim {

enum class EpochState : uint8_t { kClean, kDirty, kIdle, kCleaning, kNeedSync, kSyncing };

// Protocol events, for tests and reports.
struct EpochCounters {
  uint64_t flips = 0;            // page passes that flipped an epoch and drained
  uint64_t cleaned = 0;          // Cleaning -> Clean
  uint64_t rescued = 0;          // Cleaning -> Dirty by a writer during a pass
  uint64_t infected = 0;         // Clean -> Dirty by a neighbour's first write (infect_line)
  uint64_t tryget_retries = 0;   // tryget_live failed: the epoch was being drained
  uint64_t recheck_retries = 0;  // the epoch moved between the read and the re-check
  uint64_t write_waits = 0;      // a page write waited for the one in flight
  uint64_t uncookied_waits = 0;  // an uncookied writer slept until a resurrect
};

class EpochBitmap : public BitmapOps {
 public:
  EpochBitmap(const BitmapGeometry& g, const MddevView* m);
  ~EpochBitmap() override;

  const char* name() const override { return "epoch"; }
  void load_image(std::span<const uint8_t> image) override;

  Task<void> startwrite(SyncExecutor& x, Sector offset, uint64_t sectors) override;
  Task<void> endwrite(SyncExecutor& x, Sector offset, uint64_t sectors) override;
  Task<void> startwrite_tracked(SyncExecutor& x, Sector offset, uint64_t sectors,
                                WriteCookie& cookie) override;
  Task<void> endwrite_tracked(SyncExecutor& x, Sector offset, uint64_t sectors,
                              const WriteCookie& cookie) override;

  Task<void> start_behind_write(SyncExecutor& x) override;
  Task<void> end_behind_write(SyncExecutor& x) override;
  Task<void> wait_behind_writes(SyncExecutor& x) override;

  Task<bool> start_sync(SyncExecutor& x, Sector offset, Sector* blocks, bool degraded) override;
  Task<void> end_sync(SyncExecutor& x, Sector offset, Sector* blocks) override;
  Task<void> close_sync(SyncExecutor& x) override;
  Task<void> cond_end_sync(SyncExecutor& x, Sector sector, bool force) override;

  Task<void> unplug(SyncExecutor& x, BitmapIo& io, bool sync) override;
  Task<void> daemon_work(SyncExecutor& x, BitmapIo& io) override;

  void dirty_bits(uint64_t s, uint64_t e) override;
  BitmapStats get_stats() const override;
  std::vector<uint8_t> disk_image() const override;
  bool persisted_dirty(uint64_t c) const override;

  // Introspection (tests, reports).
  EpochState state(uint64_t c) const { return static_cast<EpochState>(state_[c].load()); }
  uint64_t pages() const { return pages_; }
  uint64_t page_of(uint64_t c) const { return (kSuperBits + c) / kBitsPerPage; }
  int page_epoch(uint64_t p) const { return page_[p].epoch.load(); }
  // Between a pass's flip and its resurrect.
  bool draining(uint64_t p) const { return page_[p].killed[0] || page_[p].killed[1]; }
  EpochCounters counters() const;

  static constexpr uint64_t kTracked = uint64_t{1} << 63;  // WriteCookie: epochs recorded
  static constexpr uint64_t kCookiePages = 63;             // pages a tracked cookie can span

 private:
  static constexpr uint64_t kPageBytes = 4096;
  static constexpr uint64_t kBitsPerPage = kPageBytes * 8;
  static constexpr uint64_t kSuperBits = 256 * 8;  // the superblock, in bits
  static constexpr uint64_t kChunksPerLine = 64;
  static constexpr uint8_t kPending = 1;    // the daemon has Dirty/Idle chunks to look at
  static constexpr uint8_t kNeedWrite = 2;  // a bit was set since the last snapshot

  struct Page {
    std::atomic<uint8_t> epoch{0};
    std::atomic<uint8_t> flags{0};
    std::atomic<bool> killed[2] = {false, false};  // ref[e] killed and not yet resurrected
    std::atomic<uint64_t> version{0};              // content changes (bits set or cleared, sb)
    std::atomic<uint64_t> set_version{0};          // the latest change that set a bit
    bool busy = false;                             // a daemon pass is on this page
    bool inflight = false;                         // a write of this page is in flight (write_mu_)
    uint64_t done_version = 0;                     // of the last completed write (write_mu_)
  };
  struct Snapshot {
    uint64_t page;
    uint64_t version;
    std::vector<uint8_t> bytes;
  };
  struct Need {
    uint64_t page;
    uint64_t version;  // a snapshot at least this new must complete
  };
  struct Range {
    uint64_t first = 1, last = 0;  // chunks [first, last]; empty if first > last
    bool empty() const { return first > last; }
  };

  // Hot path (epoch_bitmap.cc).
  Range range(Sector offset, uint64_t sectors) const;
  uint64_t first_chunk(uint64_t p) const { return p == 0 ? 0 : p * kBitsPerPage - kSuperBits; }
  uint64_t end_chunk(uint64_t p) const;  // one past the page's last chunk
  int ref_index(uint64_t p, int e) const { return static_cast<int>(2 * p) + e; }
  int line_of(uint64_t c) const { return static_cast<int>(c / kChunksPerLine); }
  Task<int> enter_epoch(SyncExecutor& x, uint64_t p);
  Task<void> enter_both(SyncExecutor& x, uint64_t p);
  Task<void> mark_chunks(SyncExecutor& x, uint64_t p, uint64_t a, uint64_t b);
  Task<void> leave_chunks(SyncExecutor& x, uint64_t a, uint64_t b);
  bool start_transition(uint64_t c, Page& pg);  // true: the page flags need setting
  void infect_line(uint64_t c);
  void set_state(uint64_t c, EpochState s);  // bumps versions when a bit gets set
  Task<void> set_pending(SyncExecutor& x, uint64_t p);
  Task<void> end_sync_range(SyncExecutor& x, uint64_t a, uint64_t b);
  bool degraded() const { return mddev_ && mddev_->degraded; }
  uint64_t events() const { return mddev_ ? mddev_->events : 1; }

  // Daemon and page writes (epoch_bitmap_daemon.cc).
  Task<void> clean_page(SyncExecutor& x, BitmapIo& io, uint64_t p);
  Task<void> write_upto(SyncExecutor& x, BitmapIo& io, std::vector<Need> need);
  Snapshot snapshot(uint64_t p);
  void complete(const std::vector<Snapshot>& snaps);
  std::vector<uint8_t> encode_super() const;

  const uint64_t chunks_;
  const Sector chunk_sectors_;
  const uint64_t pages_;
  const size_t image_bytes_;  // superblock + ceil(chunks / 8)
  std::unique_ptr<std::atomic<uint8_t>[]> state_;
  std::unique_ptr<Page[]> page_;
  std::atomic<uint64_t> events_cleared_{0};
  uint64_t sb_events_cleared_ = 0;  // as in the last page-0 snapshot
  uint64_t last_end_sync_ = 0;      // chunk below which cond_end_sync has ended sync

  mutable std::mutex write_mu_;  // bookkeeping: page writes in flight and the disk's content
  std::vector<uint8_t> persisted_;
  std::atomic<uint64_t> page_writes_{0};

  std::atomic<int> behind_writes_{0};
  std::atomic<int> behind_waiters_{0};

  struct AtomicCounters {
    std::atomic<uint64_t> flips{0}, cleaned{0}, rescued{0}, infected{0}, tryget_retries{0},
        recheck_retries{0}, write_waits{0}, uncookied_waits{0};
  } ctr_;

  LineId state_line_, epoch_line_, flags_line_, behind_line_;
  RefId ref_;
  WaitId write_wait_, resurrect_wait_, behind_wait_;
  CostId cost_read_, cost_update_, cost_flag_, cost_scan_, cost_page_scan_, cost_snapshot_,
      cost_behind_;
};

}  // namespace mdsim
