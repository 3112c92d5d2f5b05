// The bitmap operations interface: what md core and the personalities call, mirroring the
// kernel's struct bitmap_operations (drivers/md/md-bitmap.h).
//
// Names follow Linux 6.12 (startwrite/endwrite, start_sync/end_sync/close_sync/cond_end_sync,
// unplug, daemon_work, dirty_bits, get_stats, update_sb). Two later changes are adopted:
//   - 6.14 split write-behind out (start_behind_write/end_behind_write) and dropped the
//     success/behind arguments of startwrite/endwrite; endwrite reads mddev->degraded itself.
//     Callers choose the call sites (pre-6.14 per r1bio/r10bio/stripe-dev, 6.14+ once per bio
//     in md core): that choice lives in raid/, not here.
//   - 6.18 renamed startwrite/endwrite to start_write/end_write (and added start_discard,
//     skip_sync_blocks, blocks_synced, and md_submodule_head registration); mdsim keeps the
//     6.12 names so the code greps like the kernel most people run, and registers variants in
//     registry.cc the way md_submodule does.
// create/load/destroy map onto the constructor, load_image() and the destructor; flush and
// write_all onto unplug(sync = true); resize is not modelled yet.
//
// Every operation is a coroutine of declared-synchronisation steps (sync.h), run by whichever
// executor the caller passes; I/O the bitmap needs (its own pages, to every member) goes
// through BitmapIo, which raid/ implements on the member disks.
#pragma once

#include <array>
#include <functional>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bitmaps/sync.h"
#include "sim/task.h"
#include "sim/time.h"

namespace mdsim {

using Sector = uint64_t;  // 512-byte sectors, as sector_t

// What the bitmap covers and how it is tuned (bitmap_super_t fields and sysfs knobs).
struct BitmapGeometry {
  Sector sync_size = 0;           // sectors covered: per-device size (raid1/4/5/6), array (raid10)
  uint64_t chunk_bytes = 64 << 20;  // bitmap chunk
  Time daemon_sleep = 5 * kSecond;
  int max_write_behind = 0;
  bool raid456 = false;           // llbitmap: Unwritten+Startwrite -> NeedSync (lazy parity)
  bool assume_clean = false;      // created with --assume-clean
  std::array<uint8_t, 16> uuid{};

  uint64_t chunks() const {
    return (sync_size * 512 + chunk_bytes - 1) / chunk_bytes;
  }
  uint64_t chunk_of(Sector s) const { return s * 512 / chunk_bytes; }
  Sector chunk_sectors() const { return chunk_bytes / 512; }
};

// The parts of mddev a bitmap reads.
struct MddevView {
  bool degraded = false;
  uint64_t events = 1;
};

// md_bitmap_stats (6.12).
struct BitmapStats {
  uint64_t events_cleared = 0;
  int behind_writes = 0;
  bool behind_wait = false;
  uint64_t missing_pages = 0;  // counter pages not allocated
  uint64_t file_pages = 0;     // storage pages
  uint64_t sync_size = 0;
  uint64_t pages = 0;          // counter pages
  // mdsim additions, for reports.
  uint64_t page_writes = 0;    // storage page writes issued (each to every member)
  uint64_t dirty_chunks = 0;   // chunks dirty in memory now
};

// Per-write state a variant may keep with the write between startwrite and endwrite, as a
// bitmap could in md's per-bio clone (struct md_io_clone, 6.14+, where md core calls the
// bitmap once per bio): e.g. which SRCU-style epoch each spanned page was entered in. The
// kernel's interface has no such slot; mdsim's own `epoch` variant needs one (see its header).
struct WriteCookie {
  uint64_t bits = 0;
};

// I/O the bitmap issues through md: write storage pages to every member. Returns when all
// member writes completed. flush_fua: PREFLUSH|FUA, as md_bitmap_unplug's writes.
class BitmapIo {
 public:
  virtual ~BitmapIo() = default;
  virtual Task<void> write_pages(SyncExecutor& x, std::span<const uint64_t> pages,
                                 bool flush_fua) = 0;
};

class BitmapOps {
 public:
  BitmapOps(const BitmapGeometry& g, const MddevView* mddev) : geo_(g), mddev_(mddev) {}
  virtual ~BitmapOps() = default;
  BitmapOps(const BitmapOps&) = delete;
  BitmapOps& operator=(const BitmapOps&) = delete;

  virtual const char* name() const = 0;
  virtual bool enabled() const { return true; }
  const SyncDecls& decls() const { return decls_; }
  const BitmapGeometry& geometry() const { return geo_; }

  // bitmap_load after an unclean stop: every chunk dirty in `image` needs resync.
  virtual void load_image(std::span<const uint8_t> image) = 0;

  // Before a write to [offset, offset + sectors) is queued. The on-disk bits are written by
  // the next unplug, which md runs before it submits the queued data writes.
  virtual Task<void> startwrite(SyncExecutor& x, Sector offset, uint64_t sectors) = 0;
  // After the write completed on every member (or failed on some: md is then degraded).
  virtual Task<void> endwrite(SyncExecutor& x, Sector offset, uint64_t sectors) = 0;
  // The same, with the write's cookie (callers that own per-write state use these; variants
  // that need no cookie keep the defaults).
  virtual Task<void> startwrite_tracked(SyncExecutor& x, Sector offset, uint64_t sectors,
                                        WriteCookie& cookie) {
    (void)cookie;
    return startwrite(x, offset, sectors);
  }
  virtual Task<void> endwrite_tracked(SyncExecutor& x, Sector offset, uint64_t sectors,
                                      const WriteCookie& cookie) {
    (void)cookie;
    return endwrite(x, offset, sectors);
  }

  virtual Task<void> start_behind_write(SyncExecutor& x) = 0;
  virtual Task<void> end_behind_write(SyncExecutor& x) = 0;
  virtual Task<void> wait_behind_writes(SyncExecutor& x) = 0;

  // Whether [offset, ...) needs resync; *blocks = sectors this answer covers.
  virtual Task<bool> start_sync(SyncExecutor& x, Sector offset, Sector* blocks,
                                bool degraded) = 0;
  virtual Task<void> end_sync(SyncExecutor& x, Sector offset, Sector* blocks) = 0;
  virtual Task<void> close_sync(SyncExecutor& x) = 0;
  virtual Task<void> cond_end_sync(SyncExecutor& x, Sector sector, bool force) = 0;

  // Writes out dirty bitmap pages (before queued data writes are submitted). Its first step
  // is a compute step (the page test) and it reads no shared state before that step: md core
  // starts it without settling the caller's charged work first, which then runs into that
  // step (one event, not two; conformance_test checks it).
  virtual Task<void> unplug(SyncExecutor& x, BitmapIo& io, bool sync) = 0;
  // bitmap_operations.flush (array stop, suspend): everything the bitmap knows is written.
  // Default: a synchronous unplug.
  virtual Task<void> flush(SyncExecutor& x, BitmapIo& io) { return unplug(x, io, true); }
  // True if cleared states reach disk only with a later write or a flush (llbitmap's daemon
  // does not write the Clean states it makes), rather than by the daemon itself.
  virtual bool clears_on_disk_lazily() const { return false; }
  // The periodic daemon pass (md_check_recovery -> daemon_work every daemon_sleep).
  virtual Task<void> daemon_work(SyncExecutor& x, BitmapIo& io) = 0;
  Time daemon_sleep() const { return geo_.daemon_sleep; }

  // Marks chunks [s, e] dirty (md_bitmap_dirty_bits, used by resync of a degraded array).
  virtual void dirty_bits(uint64_t s, uint64_t e) = 0;
  virtual BitmapStats get_stats() const = 0;

  // The bitmap as persisted on the members now (what a crash at this instant leaves), in md's
  // format; empty when the variant has no on-disk bitmap.
  virtual std::vector<uint8_t> disk_image() const = 0;
  // Whether chunk c would be resynced after a crash now (its persisted bit, or always).
  virtual bool persisted_dirty(uint64_t c) const = 0;
  // Whether the variant ever clears bits (false for `none`: everything is always suspect).
  virtual bool clears_bits() const { return true; }

  // The invariant checker's hook: called whenever what disk_image()/persisted_dirty() say
  // changes (a bitmap page write completed), at that instant.
  void set_persist_observer(std::function<void()> f) { persist_observer_ = std::move(f); }

 protected:
  // Variants call this right after they update their persisted image.
  void persisted_changed() const {
    if (persist_observer_) persist_observer_();
  }

  BitmapGeometry geo_;
  const MddevView* mddev_;
  SyncDecls decls_;

 private:
  std::function<void()> persist_observer_;
};

}  // namespace mdsim
