// The personality interface (struct md_personality, drivers/md/md.h): what md core calls for
// each host bio, plus the 6.14 bitmap_sector hook.
//
// make_request runs on the submitting core, which the caller holds: it does the personality's
// CPU work, queues and issues member bios (charging md_costs), gives the core up while they
// are in flight, runs each member completion in interrupt context on the core that issued it,
// and returns when the host bio is complete (for raid1 write-behind: when only behind writes
// remain), holding the core of the completion that finished it (irq context). md core then runs
// its own completion work there (6.14+ bitmap endwrite, bio_endio) and releases that core.
// Work may be left charged on either core (Cpu::charge) for the next settle().
//
// sync_request is md_do_sync's callback (pers->sync_request, 6.12; raid/md_resync.h): on the
// sync thread's core (held, and held again when it returns), start syncing at sector_nr and
// return how many sectors that covers (0: interrupted); *skipped when nothing was issued for
// them. Called with sector_nr >= max_sector once at the end, to close the sync.
#pragma once

#include <cstdint>
#include <optional>

#include "raid/disk.h"
#include "sim/machine.h"
#include "sim/task.h"

namespace mdsim {

class Mddev;

struct MdCompletion {
  IoResult result;
  Cpu* cpu = nullptr;  // the core the completion runs on, held
};

class Personality {
 public:
  explicit Personality(Mddev& md) : md_(&md) {}
  virtual ~Personality() = default;
  Personality(const Personality&) = delete;
  Personality& operator=(const Personality&) = delete;

  virtual const char* name() const = 0;
  // The array's size in sectors (md's array_sectors).
  virtual Sector array_sectors() const = 0;
  // What the bitmap covers: resync_max_sectors (per-member size for raid1/4/5/6, the array
  // for raid10).
  virtual Sector bitmap_sectors() const = 0;
  // Whether the personality calls bitmap startwrite/endwrite itself with the 6.14+ placement
  // too: md_clone_bio runs from md_account_bio, which raid10 calls once per piece it splits
  // off (the rest of the bio re-enters md_submit_bio), so each piece is counted on its own.
  virtual bool counts_bitmap_pieces() const { return false; }
  // pers->bitmap_sector (6.14+): the array range a bio covers -> the range the bitmap counts.
  virtual void bitmap_sector(Sector* offset, uint64_t* sectors) const {
    (void)offset;
    (void)sectors;
  }
  // Host bios (reads, writes, discards; flushes are md core's). `bio` lies inside the array.
  virtual Task<MdCompletion> make_request(Cpu& cpu, const DiskRequest& bio) = 0;
  // A member failed (md_error): the personality's error handler (pers->error_handler, 6.12)
  // says whether the member becomes Faulty and whether the array has failed (MD_BROKEN, after
  // which md_submit_bio fails every write). `fail_last_dev` is the sysfs knob of that name.
  // Default: Faulty, and failed once no member is left.
  struct ErrorVerdict {
    bool faulty = true;
    bool broken = false;
  };
  virtual ErrorVerdict error(int member, bool fail_last_dev);
  // Whether sync_request is implemented (resync and recovery; the config layer refuses a
  // resync for the others).
  virtual bool can_sync() const { return false; }
  // (Defined out of line: GCC 12 drops the destroy function of an inline virtual coroutine's
  // frame from a comdat group a non-PIE link still references.)
  virtual Task<Sector> sync_request(Cpu& cpu, Sector sector_nr, Sector max_sector,
                                    bool* skipped);
  // How resync and host I/O waited for each other at the personality's barrier (raid1's
  // wait_barrier/raise_barrier), for the resync report; nullopt if it keeps no such count.
  struct SyncBarrierStats {
    uint64_t io_waits = 0;       // host I/Os that slept at a raised barrier
    Time io_wait_ns = 0;         // ... and for how long in all
    uint64_t resync_waits = 0;   // raise_barrier calls that had to wait
    Time resync_wait_ns = 0;     // ... and for how long in all
    uint64_t nr_waiting_sleeps = 0;  // resync requests that waited for nr_waiting to drain
  };
  virtual std::optional<SyncBarrierStats> sync_barrier_stats() const { return std::nullopt; }
  // MD_RECOVERY_INTR was set: wake the sync thread out of the personality's waits (as
  // md_wakeup_thread_directly does for a sync thread asleep in raise_barrier).
  virtual void interrupt_sync() {}

 protected:
  Mddev& md() const { return *md_; }

 private:
  Mddev* md_;
};

}  // namespace mdsim
