// raid1: mirrored writes, read balancing, write-mostly members and write-behind
// (drivers/md/raid1.c, Linux 6.12).
//
// Writes (raid1_write_request): one member bio per member not Faulty. With a bitmap,
// max_write_behind > 0, a write-mostly target, and the bitmap reporting fewer behind writes
// than max_write_behind and no reader waiting (get_stats: behind_writes, behind_wait), the
// r1bio becomes a behind write: the data is copied (alloc_behind_master_bio, copy_per_kib),
// start_behind_write is called, and the host bio completes as soon as only write-mostly
// members remain (raid1_end_write_request: behind_remaining >= remaining - 1); the r1bio
// itself ends when the last member completes (close_write: end_behind_write, and before 6.14
// the bitmap endwrite). With the 6.14+ placement md core's endwrite runs when the host bio
// completes — i.e. before the behind writes land (the model does what the code says; the crash
// checker is the place to judge it). The bios go out through the plug: bitmap unplug first
// (raid1_unplug -> flush_bio_list -> raid1_prepare_flush_writes), then each member bio.
// A failed member write fails that member (md_error; the kernel first tries narrow_write_error
// in raid1d); the bio succeeds if any member took it.
//
// Reads (raid1_read_request, read_balance): choose_best_rdev over readable members (not
// Faulty, not write-mostly): a sequential read (next_seq_sect or head_position equals its
// sector) stays on its member; otherwise the member with the fewest pending bios when any
// member is non-rotational (or one is idle), else the one whose head is closest;
// choose_slow_rdev falls back to write-mostly members. Reading from a write-mostly member
// waits for behind writes (wait_behind_writes). A failed read fails the member and raid1d
// retries on another (handle_read_error, without fix_read_error's rewrite).
//
// Barriers (raid1_barrier.h): a write waits in wait_barrier while resync holds its 64 MiB
// unit's bucket and counts in nr_pending until the r1bio ends (after behind writes too); a
// read counts in nr_pending only (wait_read_barrier). Resync (raid1_resync.cc): sync_request
// with raise_barrier per 64 KiB r1bio. While an unclean array resyncs, reads at or past
// recovery_cp go to the first readable member (raid1_should_read_first -> choose_first_rdev);
// a member being recovered is read only below its recovery_offset (rdev_readable).
//
// Left out: bio splitting at 64 MiB barrier units (a bio crossing one counts in its first
// unit's bucket) and max_sectors, bad blocks and failfast, write-behind collision checks
// (wait_for_serialization), opt_iosize switching of long sequential reads (should_choose_next:
// NVMe reports no io_opt), the r1bio mempool.
#pragma once

#include <cstdint>
#include <memory>

#include "raid/personality.h"
#include "raid/raid1_barrier.h"

namespace mdsim {

class Raid1 : public Personality {
 public:
  explicit Raid1(Mddev& md);
  const char* name() const override { return "raid1"; }
  Sector array_sectors() const override;
  Sector bitmap_sectors() const override { return array_sectors(); }
  Task<MdCompletion> make_request(Cpu& cpu, const DiskRequest& bio) override;
  bool can_sync() const override { return true; }
  Task<Sector> sync_request(Cpu& cpu, Sector sector_nr, Sector max_sector,
                            bool* skipped) override;
  void interrupt_sync() override { barrier_.interrupt(); }
  std::optional<SyncBarrierStats> sync_barrier_stats() const override;
  const Raid1Barrier& barrier() const { return barrier_; }

  // read_balance (6.12): the member a read of [sector, +sectors) goes to, or -1; `blocked`
  // has a bit per member already tried (IO_BLOCKED). Records the read's position.
  int read_balance(Sector sector, uint32_t sectors, uint64_t blocked);
  // raid1_error (6.12): the last In_sync member fails the array (MD_BROKEN) and, unless
  // fail_last_dev, stays In_sync so reads still reach it.
  ErrorVerdict error(int member, bool fail_last_dev) override;

  struct Stats {
    uint64_t behind_writes = 0;  // r1bios written behind
    uint64_t read_retries = 0;   // reads re-issued after a member error
    uint64_t sync_r1bios = 0;    // resync/recovery r1bios issued
    uint64_t sync_nr_waiting_sleeps = 0;  // sync_request's 1-jiffy sleeps for waiting I/O
  };
  const Stats& stats() const { return stats_; }

 private:
  struct Write;
  struct SyncR1bio;
  Task<MdCompletion> read_request(Cpu& cpu, const DiskRequest& bio);
  Task<MdCompletion> write_request(Cpu& cpu, const DiskRequest& bio);
  Task<void> behind_tail(std::shared_ptr<Write> w);
  Task<void> close_write(Cpu& cpu, Write& w);
  bool needs_close(const Write& w) const;  // close_write has work (else skip its frame)
  int choose_first(Sector sector, uint32_t sectors, uint64_t blocked);
  Task<void> sync_tail(SyncR1bio* r);  // end_sync_read .. put_sync_write_buf

  bool nonrot_ = true;
  Raid1Barrier barrier_;
  Stats stats_;
};

}  // namespace mdsim
