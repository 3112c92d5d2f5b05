// md's sync thread: resync after an unclean stop and recovery onto a replaced member
// (drivers/md/md.c md_do_sync, md_done_sync, is_mddev_idle, sync_speed_show; md-bitmap.c
// md_bitmap_cond_end_sync's pacing; Linux 6.12), plus the timeline mdsim reports.
//
// md_do_sync, as modelled: from the sync position (resync: 0; recovery: the new member's
// recovery_offset, 0) to max_sectors (resync_max_sectors / dev_sectors) it calls the
// personality's sync_request on its own core ("md_resync" kind; the last core) and counts the
// sectors it issued in recovery_active until md_done_sync; skipped sectors cost nothing more.
// Every `window` (32 pages = 256 sectors) of issued sync I/O it checks its speed, as the
// kernel does: currspeed = KiB completed since resync_mark / (whole seconds since it + 1) + 1,
// the marks stepping every SYNC_MARK_STEP (3 s) over SYNC_MARKS (10). Above speed_max it
// sleeps msleep(500) and checks again; above speed_min, if the array was not idle, it waits
// until its sync I/O in flight has completed (recovery_active == 0). is_mddev_idle: per
// member, sectors completed by the disk minus sync sectors issued (md_sync_acct) grew by more
// than 64 since the last check. It checkpoints (waits for recovery_active == 0, sets
// curr_resync_completed; resync: recovery_cp; recovery: the member's recovery_offset, which
// md_update_sb copies) when curr_resync ran more than max_sectors/16 ahead of the last
// checkpoint or UPDATE_FREQUENCY (5 min) passed. At the end it waits for recovery_active == 0
// and calls sync_request(max_sectors) to close; recovery then makes the member In_sync
// (raid1_spare_active) and resync sets recovery_cp to MaxSector; an interrupted resync keeps
// its checkpoint.
//
// Setup (the constructor): resync: recovery_cp = 0 and, with a bitmap, the chunks the crash
// left dirty - dirty_fraction of them, drawn from the seed - loaded through the variant's
// load_image as md's on-disk format (llbitmap's for llbitmap: Dirty states, which its Reload
// turns into NeedSync, and a 512-byte block holding two of them wholly dirty, as a running
// kernel's infection leaves it unless the array was degraded). Recovery: the member is not In_sync (recovery_offset 0) and the array
// is degraded; a re-added member (re_add, needs a bitmap) is recovered where the bitmap is
// dirty (dirty_fraction of the chunks), a fresh spare whole (raid1's conf->fullsync).
//
// Jiffies: HZ = 250 (Debian's CONFIG_HZ); msleep(500) sleeps msecs_to_jiffies(500) + 1.
// Left out: check/repair (MD_RECOVERY_REQUESTED), reshape, resync_min/resync_max windows,
// parallel-resync serialisation between arrays sharing disks (MD_RESYNC_DELAYED), the
// superblock writes at checkpoints (recovery_offset takes effect at once), md_sync_position's
// quiesce of a bitmap array before recovery, clustered md, md_check_recovery's restart of an
// interrupted sync, and a second pass for chunks dirtied behind the recovery position.
#pragma once

#include <algorithm>
#include <array>
#include <coroutine>
#include <cstdint>
#include <utility>
#include <vector>

#include "raid/array_config.h"
#include "raid/disk.h"
#include "sim/event.h"
#include "sim/machine.h"
#include "sim/task.h"

namespace mdsim {

class Mddev;

inline constexpr Sector kMaxSector = ~Sector{0};
inline constexpr Time kJiffy = 4 * kMillisecond;  // HZ = 250

// One timeline sample.
struct ResyncSample {
  Time time = 0;
  Sector done_sectors = 0;      // sync I/O completed (md_done_sync)
  Sector position_sectors = 0;  // curr_resync: issued or skipped up to here
  int64_t speed_kib = 0;        // sync_speed as /proc/mdstat shows it
  int64_t interval_kib = 0;     // KiB/s completed over the last interval
};

struct ResyncTimeline {
  ResyncKind kind = ResyncKind::kNone;
  int member = -1;  // recovery: the member rebuilt
  Time start = 0, end = -1;  // end: -1 while running
  bool interrupted = false;
  Sector start_sector = 0, max_sectors = 0;
  Sector to_do_sectors = 0;  // what needs syncing: dirty chunks' sectors, or the whole range
  Sector done_sectors = 0, skipped_sectors = 0;
  uint64_t dirty_chunks = 0;  // bitmap chunks set up as dirty (resync / re-add)
  uint64_t max_sleeps = 0;    // msleep(500)s above speed_max
  uint64_t idle_waits = 0;    // waits for recovery_active after a non-idle check
  std::vector<ResyncSample> samples;
};

class MdResync {
 public:
  // Sets up the array's state (see the header comment). md.config().resync.kind != kNone.
  explicit MdResync(Mddev& md);
  MdResync(const MdResync&) = delete;
  MdResync& operator=(const MdResync&) = delete;

  const ResyncConfig& config() const { return cfg_; }
  bool is_sync() const { return cfg_.kind == ResyncKind::kResync; }  // MD_RECOVERY_SYNC
  bool full_sync() const { return full_sync_; }  // raid1 conf->fullsync: a fresh spare
  int core() const { return core_; }

  Task<void> run();  // md_do_sync, spawned by Mddev::start
  void interrupt();  // MD_RECOVERY_INTR
  bool interrupted() const { return intr_; }
  bool finished() const { return finished_; }

  // For the personality's sync_request.
  Sector curr_resync() const { return curr_resync_; }
  void done_sync(Sector sectors, bool ok);  // md_done_sync (any context)
  // md_bitmap_cond_end_sync on `cpu` (held; given up while waiting for recovery_active):
  // at most once per daemon_sleep unless forced, after the sync I/O in flight completed.
  Task<void> bitmap_cond_end_sync(Cpu& cpu, Sector sector, bool force);
  // md_sync_acct: sync sectors issued to a member (is_mddev_idle subtracts them).
  void sync_acct(int member, Sector sectors) { sync_io_[static_cast<size_t>(member)] += sectors; }
  // Ranges sync I/O was issued for, merged, in order (for tests).
  void note_synced(Sector sector, Sector sectors) {
    if (!extents_.empty() && extents_.back().first + extents_.back().second == sector) {
      extents_.back().second += sectors;
    } else {
      extents_.emplace_back(sector, sectors);
    }
  }
  const std::vector<std::pair<Sector, Sector>>& synced_extents() const { return extents_; }
  const std::vector<uint64_t>& dirty_chunk_list() const { return dirty_; }

  // The timeline, sampled up to now.
  const ResyncTimeline& timeline() {
    tick();
    return tl_;
  }

 private:
  struct ActiveWait {  // wait_event(recovery_wait, !recovery_active)
    MdResync* r;
    ResumeNode node;
    bool await_ready() const noexcept { return r->recovery_active_ == 0; }
    void await_suspend(std::coroutine_handle<> h) {
      node.sim = r->sim_;
      node.handle = h;
      r->active_waiters_.push_back(&node);
    }
    void await_resume() const noexcept {}
  };
  ActiveWait wait_active() { return ActiveWait{this, {}}; }
  void mark_dirty_chunks();
  void infect_llbitmap_blocks(std::vector<uint8_t>& states, uint64_t chunks, bool raid456);
  bool is_mddev_idle(bool init);
  void checkpoint(Sector j);
  void finish();
  // sync_speed_show at t: KiB/s since the mark, over whole seconds (at least 1).
  int64_t sync_speed(Time t) const {
    const int64_t dt = std::max<int64_t>(1, (t - resync_mark_) / kSecond);
    const int64_t db = curr_mark_cnt_ - recovery_active_ - resync_mark_cnt_;
    return std::max<int64_t>(0, db / dt / 2);
  }
  void tick();                       // samples due up to now, from the state before a change
  void sample(Time t);

  Mddev& md_;
  Simulator* sim_;
  ResyncConfig cfg_;
  int core_ = 0;
  KindId kind_ = 0;
  bool full_sync_ = false;
  bool intr_ = false, finished_ = false, running_ = false;
  std::vector<uint64_t> dirty_;
  std::vector<std::pair<Sector, Sector>> extents_;
  std::vector<int64_t> last_events_;
  std::vector<Sector> sync_io_;
  // md_do_sync state.
  Sector max_sectors_ = 0, curr_resync_ = 0, curr_resync_completed_ = 0;
  // Signed, as the kernel's atomics: an r1bio may complete (md_done_sync) before md_do_sync
  // has added its sectors to recovery_active.
  int64_t io_sectors_ = 0, recovery_active_ = 0, curr_mark_cnt_ = 0;
  Time resync_mark_ = 0;
  int64_t resync_mark_cnt_ = 0;
  Time last_end_sync_ = 0;  // bitmap->last_end_sync
  WaitList active_waiters_;
  // Timeline.
  ResyncTimeline tl_;
  Time next_sample_ = 0;
  Sector last_sample_done_ = 0;
};

}  // namespace mdsim
