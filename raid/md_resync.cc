// md's sync thread: see md_resync.h (its setup is md_resync_setup.cc).
#include "raid/md_resync.h"

#include <algorithm>
#include <cmath>

#include "raid/mddev.h"

namespace mdsim {

namespace {

constexpr int kSyncMarks = 10;                             // SYNC_MARKS
constexpr Time kSyncMarkStep = 3 * kSecond;                // SYNC_MARK_STEP
constexpr Time kUpdateFrequency = 5 * 60 * kSecond;        // UPDATE_FREQUENCY
constexpr int64_t kWindow = 32 * (4096 / 512);             // md_do_sync's window
constexpr Time kMsleep500 = 500 * kMillisecond + kJiffy;  // msleep(500)

}  // namespace

void MdResync::interrupt() {
  if (intr_ || finished_) return;
  intr_ = true;
  md_.personality().interrupt_sync();
}

void MdResync::done_sync(Sector sectors, bool ok) {
  tick();
  recovery_active_ -= static_cast<int64_t>(sectors);
  tl_.done_sectors += sectors;
  if (!ok) interrupt();  // MD_RECOVERY_INTR | MD_RECOVERY_ERROR
  if (recovery_active_ == 0) {
    while (WaitNode* n = active_waiters_.pop_front()) n->wake(n);
  }
}

bool MdResync::is_mddev_idle(bool init) {
  bool idle = true;
  for (int i = 0; i < md_.raid_disks(); ++i) {
    const DiskStats& st = md_.member(i).disk->stats();
    const uint64_t bytes = st.op(DiskOp::kRead).bytes + st.op(DiskOp::kWrite).bytes +
                           st.op(DiskOp::kDiscard).bytes;
    const int64_t curr = static_cast<int64_t>(bytes / kSectorBytes) -
                         static_cast<int64_t>(sync_io_[static_cast<size_t>(i)]);
    int64_t& last = last_events_[static_cast<size_t>(i)];
    if (init || curr - last > 64) {
      last = curr;
      idle = false;
    }
  }
  return idle;
}

void MdResync::checkpoint(Sector j) {
  tick();
  curr_resync_completed_ = j;
  if (is_sync()) {
    if (j > md_.recovery_cp_) md_.recovery_cp_ = j;
  } else {
    Member& m = md_.member(cfg_.recovery_member);  // md_update_sb's recovery_offset update
    if (!m.in_sync && !m.faulty && j > m.recovery_offset) m.recovery_offset = j;
  }
}

Task<void> MdResync::bitmap_cond_end_sync(Cpu& cpu, Sector sector, bool force) {
  if (!md_.bitmap_enabled()) co_return;
  Simulator& sim = md_.sim();
  if (sector == 0) {
    last_end_sync_ = sim.now();
    co_await md_.bitmap_cond_end_sync(cpu, 0, force);
    co_return;
  }
  if (!force && sim.now() < last_end_sync_ + md_.config().daemon_sleep) co_return;
  if (recovery_active_ != 0) {
    co_await cpu.settle();
    cpu.release();
    co_await wait_active();
    co_await cpu.acquire(kind_);
  }
  tick();
  curr_resync_completed_ = sector;
  co_await md_.bitmap_cond_end_sync(cpu, sector, force);
  last_end_sync_ = sim.now();
}

Task<void> MdResync::run() {
  Simulator& sim = md_.sim();
  Cpu& cpu = md_.machine().cpu(core_);
  Personality& pers = md_.personality();
  running_ = true;
  tl_.start = sim.now();
  next_sample_ = tl_.start;
  // md_sync_max_sectors / md_sync_position.
  max_sectors_ = is_sync() ? pers.bitmap_sectors() : md_.member_sectors();
  Sector j = 0;
  if (is_sync()) {
    j = md_.bitmap_enabled() ? 0 : md_.recovery_cp_;
  } else {
    j = std::min(md_.member(cfg_.recovery_member).recovery_offset, max_sectors_);
  }
  tl_.start_sector = j;
  tl_.max_sectors = max_sectors_;
  tl_.to_do_sectors = max_sectors_ - j;
  if (md_.bitmap_enabled() && !full_sync_) {  // only the dirty chunks
    const Sector cs = md_.bitmap().geometry().chunk_sectors();
    tl_.to_do_sectors = 0;
    for (uint64_t c : dirty_) tl_.to_do_sectors += std::min(cs, max_sectors_ - c * cs);
  }
  is_mddev_idle(true);
  std::array<Time, kSyncMarks> mark;
  std::array<int64_t, kSyncMarks> mark_cnt;
  mark.fill(sim.now());
  mark_cnt.fill(0);
  int last_mark = 0;
  resync_mark_ = sim.now();
  resync_mark_cnt_ = 0;
  int64_t last_check = 0;
  curr_resync_ = curr_resync_completed_ = j;
  Time update_time = sim.now();
  const int64_t speed_min = cfg_.speed_min_kib, speed_max = cfg_.speed_max_kib;
  while (j < max_sectors_) {
    if ((curr_resync_ > curr_resync_completed_ &&
         curr_resync_ - curr_resync_completed_ > (max_sectors_ >> 4)) ||
        sim.now() >= update_time + kUpdateFrequency) {
      co_await wait_active();  // time to update curr_resync_completed
      checkpoint(j);
      update_time = sim.now();
    }
    if (intr_) break;
    co_await cpu.acquire(kind_);
    bool skipped = false;
    const Sector sectors = co_await pers.sync_request(cpu, j, max_sectors_, &skipped);
    co_await cpu.settle();
    cpu.release();
    if (sectors == 0) {
      interrupt();
      break;
    }
    tick();
    if (!skipped) {
      io_sectors_ += static_cast<int64_t>(sectors);
      recovery_active_ += static_cast<int64_t>(sectors);
    } else {
      tl_.skipped_sectors += std::min(sectors, max_sectors_ - j);
    }
    if (intr_) break;
    j = std::min(j + sectors, max_sectors_);  // skipping may return more than is left
    curr_resync_ = j;
    curr_mark_cnt_ = io_sectors_;
    if (last_check + kWindow > io_sectors_ || j == max_sectors_) continue;
    last_check = io_sectors_;
    for (;;) {  // repeat:
      if (sim.now() >= mark[static_cast<size_t>(last_mark)] + kSyncMarkStep) {
        tick();
        const int next = (last_mark + 1) % kSyncMarks;
        resync_mark_ = mark[static_cast<size_t>(next)];
        resync_mark_cnt_ = mark_cnt[static_cast<size_t>(next)];
        mark[static_cast<size_t>(next)] = sim.now();
        mark_cnt[static_cast<size_t>(next)] = io_sectors_ - recovery_active_;
        last_mark = next;
      }
      if (intr_) break;
      const int64_t done = io_sectors_ - recovery_active_;
      const int64_t currspeed = (done - resync_mark_cnt_) / 2 /
                                    ((sim.now() - resync_mark_) / kSecond + 1) + 1;
      if (currspeed > speed_min) {
        if (currspeed > speed_max) {
          ++tl_.max_sleeps;
          co_await sim.delay(kMsleep500);
          continue;
        }
        if (!is_mddev_idle(false)) {
          ++tl_.idle_waits;  // give other I/O more of a chance
          co_await wait_active();
        }
      }
      break;
    }
    if (intr_) break;
  }
  co_await wait_active();
  co_await cpu.acquire(kind_);
  bool skipped = false;
  co_await pers.sync_request(cpu, max_sectors_, max_sectors_, &skipped);  // close the sync
  co_await cpu.settle();
  cpu.release();
  finish();
}

void MdResync::finish() {
  tick();
  if (is_sync()) {
    if (!intr_) {
      md_.recovery_cp_ = kMaxSector;
    } else if (curr_resync_ >= md_.recovery_cp_) {
      md_.recovery_cp_ = curr_resync_;  // checkpointing
    }
  } else {
    Member& m = md_.member(cfg_.recovery_member);
    const Sector reached = intr_ ? curr_resync_ : kMaxSector;
    if (!m.faulty && !m.in_sync && m.recovery_offset < reached) m.recovery_offset = reached;
    if (!m.faulty && m.recovery_offset == kMaxSector) m.in_sync = true;  // raid1_spare_active
    bool degraded = false;
    for (int i = 0; i < md_.raid_disks(); ++i) {
      degraded = degraded || md_.member(i).faulty || !md_.member(i).in_sync;
    }
    md_.view_.degraded = degraded;
  }
  running_ = false;
  finished_ = true;
  tl_.end = md_.sim().now();
  tl_.interrupted = intr_;
  if (tl_.samples.empty() || tl_.samples.back().time < tl_.end) sample(tl_.end);
}

void MdResync::tick() {
  if (!running_) return;
  const Time now = md_.sim().now();
  while (next_sample_ <= now) {
    sample(next_sample_);
    next_sample_ += cfg_.timeline_interval;
  }
}

void MdResync::sample(Time t) {
  ResyncSample s;
  s.time = t;
  s.done_sectors = tl_.done_sectors;
  s.position_sectors = curr_resync_;
  s.speed_kib = sync_speed(t);
  if (!tl_.samples.empty() && t > tl_.samples.back().time) {
    const double kib = static_cast<double>(tl_.done_sectors - last_sample_done_) / 2.0;
    s.interval_kib = std::llround(kib * kSecond / static_cast<double>(t - tl_.samples.back().time));
  }
  last_sample_done_ = tl_.done_sectors;
  tl_.samples.push_back(s);
}

}  // namespace mdsim
