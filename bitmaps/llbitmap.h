// `llbitmap`: the lockless bitmap of Linux 6.18 (drivers/md/md-llbitmap.c).
//
// What it models (6.18 function names):
//   - One state byte per chunk from byte 1024 of the bitmap area, in 4 KiB pages each with an
//     llbitmap_page_ctl; the state machine of llbitmap_states.h (llbitmap_state_machine).
//   - No global lock. llbitmap_start_write: llbitmap_raise_barrier on every page the range
//     spans (percpu_ref_tryget_live on pctl->active, else wait_event(pctl->wait, !dying) and
//     retry; then WRITE_ONCE(pctl->expire)), then Startwrite per chunk with plain stores.
//     llbitmap_end_write: percpu_ref_put per page. Modelled cache lines: the state bytes
//     (64 per line: a store that changes a state is an RMW of its line, Dirty -> Dirty is only
//     a read), pctl's first line (expire, flags, the ref's pointer: written by every
//     raise_barrier) and pctl->dirty (test_and_set_bit of the sub-block).
//   - llbitmap_write / llbitmap_set_page_dirty / llbitmap_infect_dirty_bits exactly: a state
//     becoming Dirty or NeedSync sets LLPageDirty and its 512-byte block's dirty bit; if the
//     bit was already set, or another state in the block is Dirty/NeedSync, every Unwritten
//     (-> Dirty, NeedSync on raid456) and Clean (-> Dirty) state of the block is infected;
//     degraded arrays never infect.
//   - llbitmap_unplug (llbitmap_unplug_fn on md_llbitmap_unplug_wq): return at once when no page
//     is LLPageDirty; else write each dirty block (md_write_metadata, PREFLUSH|FUA) and
//     md_super_wait, which waits for every metadata write in flight, not only its own.
//   - md_llbitmap_daemon_fn, fired by pending_timer (armed daemon_sleep after the first Dirty):
//     returns if degraded; for each page not expired (pctl->expire = last raise_barrier +
//     barrier_idle) re-arms the timer; otherwise llbitmap_suspend_timeout (percpu_ref_kill,
//     wait until in-flight writes drop the ref), Daemon (Dirty -> Clean) over the page's
//     chunks, llbitmap_resume (expire = never, resurrect, wake writers). A timer firing while
//     the work runs sets BITMAP_DAEMON_BUSY and the work rescans (llbitmap_pending_timer_fn).
//   - start_sync/end_sync (Abortsync from offset to the end)/close_sync (expire all pages,
//     Endsync)/cond_end_sync (every daemon_sleep: Endsync below the chunk-rounded sector and
//     __llbitmap_flush); skip_sync_blocks, blocks_synced, start/end_discard, flush; load =
//     llbitmap_load (Reload, or Stale when sb events < mddev events; a chunk-order walk: in a
//     block with two dirty chunks every chunk from the reload that infects the block to its
//     end is resynced, clean ones behind it are left Dirty, as in the kernel: see load_image);
//     dirty_bits (Startwrite); behind_writes atomic + behind_wait; llbitmap_get_stats. A new
//     array is all Unwritten (all Clean with assume_clean) and flushed whole (llbitmap_init).
//   - persisted_dirty(c) reads chunk c's persisted byte alone (a Dirty, Syncing, NeedSync or
//     invalid byte): a crash can resync more than that (the reload's infection), never less.
//
// Deviations, and what it leaves out:
//   - Time: the interface gives variants no clock, so llbitmap counts daemon_work calls (the
//     caller makes one every daemon_sleep) as its clock. An event between calls t and t+1 is
//     taken to happen just before call t+1: pending_timer armed then fires at call t+2; a page
//     last entered then is idle from call t+1+ceil(barrier_idle/daemon_sleep); cond_end_sync
//     runs again one call later. (With barrier_idle <= daemon_sleep: cleaned at the second
//     call after its last write, where the kernel cleans between the first and the second.)
//   - The daemon's kernel pass does NOT write the states it cleans: Clean reaches disk only
//     with a later write of its 512-byte block (or a flush), so more is resynced after a
//     crash than the in-memory states say. The registered variant does the same
//     (clears_on_disk_lazily()); LlbitmapOptions::daemon_writes_cleaned = true writes the
//     blocks a pass cleaned, after the pass (an alternative to measure, not the kernel).
//   - llbitmap_suspend_timeout's daemon_sleep timeout is not modelled (a step cannot time out):
//     the daemon waits for in-flight writes however long they take.
//   - BitmapIo takes page ids: a call carries each page with dirty blocks once; the 512-byte
//     block writes the kernel issues are counted in LlbitmapCounters::block_writes.
//   - cond_end_sync has no BitmapIo: its __llbitmap_flush runs at the next unplug/daemon_work.
//   - Not modelled: llbitmap_update_sb (the superblock is written with page 0 at creation and
//     at flushes), resize/reshape, write errors (BITMAP_WRITE_ERROR), md recovery flags set by
//     the state machine, the reshape_lock and *Unwritten states of kernels after 6.18.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "bitmaps/bitmap_ops.h"
#include "bitmaps/llbitmap_image.h"
#include "bitmaps/llbitmap_states.h"

namespace mdsim {

struct LlbitmapOptions {
  Time barrier_idle = kLlbitmapBarrierIdle;           // sysfs llbitmap/barrier_idle
  bool daemon_writes_cleaned = false;  // false: the kernel; true: write what a pass cleaned
  uint64_t space_bytes = kLlbitmapDefaultSpaceBytes;  // bitmap_info.space (pages allocated)
};

// Model counters beyond md_bitmap_stats.
struct LlbitmapCounters {
  uint64_t block_writes = 0;     // 512-byte blocks written (each to every member)
  uint64_t page_writes = 0;      // pages passed to BitmapIo
  uint64_t infections = 0;       // llbitmap_infect_dirty_bits calls
  uint64_t barrier_waits = 0;    // raise_barrier found the page dying and slept
  uint64_t daemon_passes = 0;    // md_llbitmap_daemon_fn runs
  uint64_t daemon_busy = 0;      // pending_timer fired while a pass was running
  uint64_t pages_suspended = 0;  // llbitmap_suspend_timeout calls
  uint64_t chunks_cleaned = 0;   // Dirty -> Clean by the daemon
};

class Llbitmap final : public BitmapOps {
 public:
  static constexpr uint64_t kPageBytes = 4096;
  static constexpr uint64_t kIoSize = 512;  // io_size: the array's logical block size
  static constexpr uint64_t kBlocksPerPage = kPageBytes / kIoSize;

  Llbitmap(const BitmapGeometry& g, const MddevView* m, const LlbitmapOptions& o = {});

  const char* name() const override { return "llbitmap"; }
  void load_image(std::span<const uint8_t> image) override;
  Task<void> startwrite(SyncExecutor& x, Sector offset, uint64_t sectors) override;
  Task<void> endwrite(SyncExecutor& x, Sector offset, uint64_t sectors) override;
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

  // 6.18 operations bitmap_ops.h does not have.
  Task<void> start_discard(SyncExecutor& x, Sector offset, uint64_t sectors);
  Task<void> end_discard(SyncExecutor& x, Sector offset, uint64_t sectors);
  Task<void> flush(SyncExecutor& x, BitmapIo& io) override;  // llbitmap_flush
  bool clears_on_disk_lazily() const override { return !opts_.daemon_writes_cleaned; }
  // resync: MD_RECOVERY_SYNC (else recovery); requested: MD_RECOVERY_REQUESTED.
  Sector skip_sync_blocks(Sector offset, bool resync, bool requested) const;
  bool blocks_synced(Sector offset) const;

  // Inspection (tests, reports).
  uint64_t chunks() const { return chunks_; }
  uint64_t pages() const { return nr_pages_; }
  static uint64_t page_of_chunk(uint64_t c) { return (c + kLlbitmapDataOffset) / kPageBytes; }
  uint8_t state(uint64_t c) const;
  uint8_t persisted_state(uint64_t c) const;
  bool page_dying(uint64_t page) const { return pctl_[page].dying.load(); }
  LlbitmapCounters counters() const;
  void set_state_for_test(uint64_t c, uint8_t s) { byte(pos_of(c)).store(s); }

 private:
  static constexpr uint8_t kPageFlush = 1;  // LLPageFlush
  static constexpr uint8_t kPageDirty = 2;  // LLPageDirty
  static constexpr int64_t kNever = INT64_MAX;
  static constexpr uint64_t kLinesPerBlock = kIoSize / 64;

  struct PageCtl {
    std::atomic<uint8_t> flags{0};
    std::atomic<uint8_t> dirty{0};   // one bit per 512-byte block
    std::atomic<bool> dying{false};  // percpu_ref_is_dying(&active)
    std::atomic<int64_t> expire{0};  // in daemon ticks (kzalloc: 0, already expired)
  };
  struct BlockImage {
    uint64_t page;
    uint32_t block;
    uint64_t seq;
    std::vector<uint8_t> bytes;
  };

  static uint64_t pos_of(uint64_t c) { return c + kLlbitmapDataOffset; }
  std::atomic<uint8_t>& byte(uint64_t pos) const { return mem_[pos]; }
  uint8_t read(uint64_t c) const { return byte(pos_of(c)).load(std::memory_order_relaxed); }
  bool degraded() const { return mddev_ && mddev_->degraded; }
  uint64_t events() const { return mddev_ ? mddev_->events : 1; }
  uint64_t chunk_of(Sector s) const { return s / chunk_sectors_; }
  WaitId page_wait(uint64_t page) const { return page_wait0_ + static_cast<WaitId>(page); }
  uint8_t next(uint64_t c, LlAction a) const {
    return llbitmap_next_state(read(c), a, degraded(), geo_.raid456);
  }
  void arm_timer(int64_t due);

  // The state machine applied at once (bulk callers charge it as one step).
  uint8_t state_machine(uint64_t start, uint64_t end, LlAction a);
  void write(uint64_t c, uint8_t s);  // llbitmap_write
  void set_page_dirty(uint64_t pos);  // llbitmap_set_page_dirty
  void infect(uint64_t page, uint64_t block);
  bool other_dirty(uint64_t page, uint64_t block, uint64_t pos) const;
  // The same as steps, for the I/O paths.
  Task<uint8_t> state_machine_steps(SyncExecutor& x, uint64_t start, uint64_t end, LlAction a);
  Task<void> set_page_dirty_steps(SyncExecutor& x, uint64_t pos);
  Task<void> raise_barrier(SyncExecutor& x, uint64_t page);
  bool range(Sector offset, uint64_t sectors, bool discard, uint64_t* start, uint64_t* end) const;

  Task<void> daemon_pass(SyncExecutor& x, BitmapIo& io);  // md_llbitmap_daemon_fn
  uint8_t daemon_clean(uint64_t page);  // Daemon over the page's chunks; changed blocks
  BlockImage snapshot(uint64_t page, uint32_t block);
  std::vector<BlockImage> take_dirty_blocks();  // llbitmap_unplug_fn's scan
  std::vector<BlockImage> take_all_blocks();    // __llbitmap_flush
  Task<void> write_blocks(SyncExecutor& x, BitmapIo& io, std::vector<BlockImage> blocks);
  void encode_super();
  void persist_all_now();

  const LlbitmapOptions opts_;
  const uint64_t chunks_;
  const Sector chunk_sectors_;
  const uint64_t nr_pages_;
  const int64_t idle_ticks_;  // ceil(barrier_idle / daemon_sleep)

  std::unique_ptr<std::atomic<uint8_t>[]> mem_;  // nr_pages_ pages; superblock at 0
  std::unique_ptr<PageCtl[]> pctl_;
  std::atomic<int64_t> tick_{0};  // daemon_work calls so far: the model's clock
  std::atomic<bool> timer_pending_{false};
  std::atomic<int64_t> timer_due_{0};
  bool daemon_running_ = false;  // work_busy(&daemon_work)
  bool daemon_busy_ = false;     // BITMAP_DAEMON_BUSY
  std::atomic<bool> flush_pending_{false};
  int64_t last_end_sync_ = 0;
  std::atomic<int> pending_writes_{0};  // mddev->pending_writes (bitmap writes only)

  mutable std::mutex persist_mu_;
  std::vector<uint8_t> persisted_;
  std::vector<uint64_t> persisted_seq_;  // per block
  std::atomic<uint64_t> write_seq_{0};

  std::atomic<int> behind_writes_{0};
  std::atomic<int> behind_waiters_{0};
  std::atomic<uint64_t> n_blocks_{0}, n_pages_{0}, n_infect_{0}, n_barrier_waits_{0};
  uint64_t n_passes_ = 0, n_busy_ = 0, n_suspended_ = 0, n_cleaned_ = 0;

  RefId active_;
  LineId state_line_, expire_line_, dirty_line_, behind_line_;
  WaitId page_wait0_, behind_wait_, sb_wait_;
  CostId cost_read_, cost_store_, cost_bitop_, cost_expire_, cost_scan_, cost_timer_;
  CostId cost_unplug_, cost_flag_, cost_daemon_, cost_bulk_, cost_behind_;
};

std::unique_ptr<Llbitmap> make_llbitmap_with(const BitmapGeometry& g, const MddevView* m,
                                             const LlbitmapOptions& o);

}  // namespace mdsim
