// raid1 resync and recovery I/O (drivers/md/raid1.c, Linux 6.12): raid1_sync_request,
// end_sync_read, sync_request_write, end_sync_write / put_sync_write_buf, abort_sync_write,
// close_sync.
//
// raid1_sync_request(sector_nr), on md's sync thread core:
//   - at max_sector: a sync stopped short gives its chunk back (bitmap end_sync), then bitmap
//     close_sync and close_sync (every barrier waited out); returns 0;
//   - no bitmap, recovery_cp = MaxSector and no full sync: nothing to do, skip to the end;
//   - bitmap start_sync(degraded = 1) says the range is clean and this is no full sync (a
//     fresh spare's recovery is: conf->fullsync): skip the blocks it covers;
//   - normal I/O waiting in this bucket: sleep a jiffy first; bitmap cond_end_sync (paced by
//     md core, raid/md_resync.h); raise_barrier (interrupted: return 0);
//   - one r1bio of up to RESYNC_PAGES (16 x 4 KiB = 64 KiB), cut at the barrier unit's end
//     and where the bitmap's start_sync (still_degraded) says the blocks are clean: In_sync
//     members are read targets (the first not write-mostly, else a write-mostly one, is
//     read), members not In_sync write targets; resync (MD_RECOVERY_SYNC) also writes every
//     other read target. No read or write target: put_buf and skip to the end.
//   - the read is issued now (md_sync_acct, charged pers_request + member_submit).
// end_sync_read (irq on the sync core) -> reschedule_retry -> raid1d (core 0, thread_wakeup)
// -> sync_request_write: a write to every target (Faulty ones: abort_sync_write, the bitmap
// range given back); end_sync_write (irq on core 0) -> put_sync_write_buf: put_buf
// (lower_barrier) and md_done_sync.
//
// Left out: check/repair (process_checks, MD_RECOVERY_REQUESTED); fix_sync_read_error (a
// failed sync read fails the r1bio and md_done_sync(ok = 0) interrupts the sync); bad blocks
// (is_badblock, rdev_set_badblocks, R1BIO_MadeGood); failfast; the r1buf_pool mempool;
// replacement devices (mirrors[raid_disks + i]); clustered md.
#include <algorithm>
#include <memory>
#include <vector>

#include "raid/md_resync.h"
#include "raid/mddev.h"
#include "raid/raid1.h"

namespace mdsim {

namespace {

constexpr Sector kResyncSectors = (64 * 1024) >> 9;  // RESYNC_SECTORS
constexpr int kResyncPages = 16;                     // RESYNC_PAGES
constexpr Sector kPageSectors = 4096 >> 9;

}  // namespace

struct Raid1::SyncR1bio {
  Sector sector = 0;
  Sector sectors = 0;
  int read_disk = -1;
  std::vector<int> targets;  // members written by sync_request_write
  MemberBio read;
  BioGroup read_group;
  std::vector<MemberBio> writes;
  BioGroup write_group;
};

std::optional<Personality::SyncBarrierStats> Raid1::sync_barrier_stats() const {
  const Raid1Barrier::Stats& b = barrier_.stats();
  SyncBarrierStats s;
  s.io_waits = b.io_waits;
  s.io_wait_ns = b.io_wait_time;
  s.resync_waits = b.raise_waits;
  s.resync_wait_ns = b.raise_wait_time;
  s.nr_waiting_sleeps = stats_.sync_nr_waiting_sleeps;
  return s;
}

Task<Sector> Raid1::sync_request(Cpu& cpu, Sector sector_nr, Sector max_sector,
                                 bool* skipped) {
  MdResync& rs = *md().resync();
  const KindId kind = md().kinds().resync;
  const bool sync = rs.is_sync();
  const bool fullsync = rs.full_sync();
  if (sector_nr >= max_sector) {
    if (rs.curr_resync() < max_sector) {  // aborted: this chunk needs syncing again
      Sector blocks = 0;
      co_await md().bitmap_end_sync(cpu, rs.curr_resync(), &blocks);
    }
    co_await md().bitmap_close_sync(cpu);
    if (barrier_.nr_sync_pending() > 0) {  // close_sync
      co_await cpu.settle();
      cpu.release();
      co_await barrier_.close_sync();
      co_await cpu.acquire(kind);
    }
    co_return 0;
  }
  if (!md().bitmap_enabled() && md().recovery_cp() == kMaxSector && !fullsync) {
    *skipped = true;
    co_return max_sector - sector_nr;
  }
  // Before building a request, see whether the bitmap lets these blocks be skipped
  // (degraded = 1: this call marks nothing).
  Sector sync_blocks = 0;
  bool need = co_await md().bitmap_start_sync(cpu, sector_nr, &sync_blocks, true);
  if (!need && !fullsync) {
    *skipped = true;
    co_return std::max(sync_blocks, kPageSectors);
  }
  // Normal I/O waiting in this bucket: let it through before raising the barrier again.
  if (barrier_.nr_waiting(Raid1Barrier::sector_to_idx(sector_nr)) > 0) {
    ++stats_.sync_nr_waiting_sleeps;
    co_await cpu.settle();
    cpu.release();
    co_await md().sim().delay(kJiffy);  // schedule_timeout_uninterruptible(1)
    co_await cpu.acquire(kind);
  }
  co_await rs.bitmap_cond_end_sync(cpu, sector_nr, false);
  co_await cpu.settle();
  cpu.release();
  const bool raised = co_await barrier_.raise(sector_nr);
  co_await cpu.acquire(kind);
  if (!raised) co_return 0;

  int disk = -1, wonly = -1, read_targets = 0, write_targets = 0;
  bool still_degraded = false;
  std::vector<int> readers, writers;
  for (int d = 0; d < md().raid_disks(); ++d) {
    const Member& m = md().member(d);
    if (m.faulty) {
      still_degraded = true;
    } else if (!m.in_sync) {
      writers.push_back(d);
      ++write_targets;
    } else {
      if (m.write_mostly) {
        if (wonly < 0) wonly = d;
      } else if (disk < 0) {
        disk = d;
      }
      readers.push_back(d);
      ++read_targets;
    }
  }
  if (disk < 0) disk = wonly;
  if (sync && read_targets > 0) write_targets += read_targets - 1;
  if (write_targets == 0 || read_targets == 0) {  // nothing can be synced: skip the rest
    barrier_.lower(sector_nr);                     // put_buf
    *skipped = true;
    co_return max_sector - sector_nr;
  }
  const Sector good = Raid1Barrier::unit_end_sectors(sector_nr, kResyncSectors);
  const Sector max = std::min(max_sector, sector_nr + good);
  Sector nr = 0;
  sync_blocks = 0;
  for (int page = 0; page < kResyncPages; ++page) {
    Sector len = std::min(kPageSectors, max - (sector_nr + nr));
    if (len == 0) break;
    if (sync_blocks == 0) {
      need = co_await md().bitmap_start_sync(cpu, sector_nr + nr, &sync_blocks, still_degraded);
      if (!need && !fullsync) break;
      len = std::min(len, sync_blocks);
    }
    nr += len;
    sync_blocks -= std::min(sync_blocks, len);
  }
  if (nr == 0) {  // the bitmap changed its mind: nothing to issue
    barrier_.lower(sector_nr);
    *skipped = true;
    co_return kPageSectors;
  }
  auto* r = new SyncR1bio;
  r->sector = sector_nr;
  r->sectors = nr;
  r->read_disk = disk;
  r->targets = writers;
  if (sync) {
    for (int d : readers) {
      if (d != disk) r->targets.push_back(d);
    }
    std::sort(r->targets.begin(), r->targets.end());
  }
  ++stats_.sync_r1bios;
  rs.note_synced(sector_nr, nr);
  cpu.charge(md().costs().pers_request, md().kinds().pers);  // r1buf, bios set up
  r->read.member = disk;
  r->read.req = DiskRequest{DiskOp::kRead, sector_nr, static_cast<uint32_t>(nr)};
  r->read_group.add(r->read);
  rs.sync_acct(disk, nr);
  co_await md().issue(cpu, r->read);
  spawn(md().sim(), sync_tail(r));
  co_return nr;
}

Task<void> Raid1::sync_tail(SyncR1bio* raw) {
  std::unique_ptr<SyncR1bio> r(raw);
  MdResync& rs = *md().resync();
  MdCompletion c = co_await r->read_group;  // end_sync_read, in irq on the sync core
  md().member(r->read_disk).head_position = r->sector + r->sectors;
  const bool read_ok = c.result.ok();
  co_await c.cpu->settle();
  c.cpu->release();
  // reschedule_retry: raid1d, the md thread on core 0, runs sync_request_write.
  Cpu& cpu = md().machine().cpu(0);
  const KindId kind = md().kinds().raid_thread;
  co_await cpu.acquire(kind);
  cpu.charge(md().costs().thread_wakeup, kind);
  if (!read_ok) {
    barrier_.lower(r->sector);
    rs.done_sync(r->sectors, false);
    co_await cpu.settle();
    cpu.release();
    co_return;
  }
  bool abort = false;  // abort_sync_write: some target went Faulty
  std::vector<int> live;
  for (int d : r->targets) {
    if (md().member(d).faulty) {
      abort = true;
    } else {
      live.push_back(d);
    }
  }
  r->writes = std::vector<MemberBio>(live.size());
  for (size_t i = 0; i < live.size(); ++i) {
    MemberBio& b = r->writes[i];
    b.member = live[i];
    b.req = DiskRequest{DiskOp::kWrite, r->sector, static_cast<uint32_t>(r->sectors)};
    r->write_group.add(b);
    rs.sync_acct(live[i], r->sectors);
  }
  Cpu* end = &cpu;
  if (!r->writes.empty()) {
    co_await md().issue(cpu, std::span<MemberBio>(r->writes));
    co_await cpu.settle();
    cpu.release();
    MdCompletion w = co_await r->write_group;  // end_sync_write, in irq on core 0
    end = w.cpu;
    for (const MemberBio& b : r->writes) {
      md().member(b.member).head_position = r->sector + r->sectors;
      abort = abort || !b.result.ok();
    }
  }
  if (abort) {  // the range stays dirty in the bitmap (abort_sync_write)
    Sector s = r->sector;
    const Sector e = r->sector + r->sectors;
    while (s < e) {
      Sector blocks = 0;
      co_await md().bitmap_end_sync(*end, s, &blocks);
      s += std::max<Sector>(blocks, 1);
    }
  }
  barrier_.lower(r->sector);  // put_buf
  rs.done_sync(r->sectors, true);
  co_await end->settle();
  end->release();
}

}  // namespace mdsim
