// Mddev: one md array (struct mddev, drivers/md/md.c, Linux 6.12 with the 6.14 bitmap hook
// placement selectable) — its members, the bitmap and its daemon, the personality, and the
// host I/O entry point.
//
// Host I/O (md_submit_bio -> md_handle_request -> pers->make_request), per bio:
//   1. on the submitting core (held by the caller): md_request CPU work (md_clone_bio); with
//      the kMdCore placement and a write, bitmap startwrite over pers->bitmap_sector's range;
//   2. the personality queues member bios; when it submits them it first runs the bitmap's
//      unplug (raid1_unplug -> flush_bio_list -> raid1_prepare_flush_writes; raid10 and raid5
//      likewise), so dirty bitmap pages reach every member (PREFLUSH|FUA) before the data; a
//      bio is its own plug (fio's default iodepth_batch_submit=1);
//   3. member completions run in interrupt context on the core that issued each;
//   4. at the end (on the completing core): kMdCore placement endwrite (md_end_clone_io),
//      bio_endio, then the core is released and submit() returns.
// PREFLUSH on a host bio (md_flush_request) is sent to every member before the data; an empty
// flush completes when every member has flushed.
// The bitmap daemon (md_check_recovery -> bitmap daemon_work every daemon_sleep) runs as the
// md thread on core 0 (the personality thread's core; configurable later).
// Resync and recovery: md's sync thread (raid/md_resync.h), started by start() when the
// config asks for one; the personality's sync_request does the I/O.
// Left out so far: the superblock and its events updates on every write-pending transition
// (md_write_start: MD_SB_CHANGE_PENDING on a clean array), suspend/quiesce, reshape,
// bad-block lists, failfast.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bitmaps/bitmap_ops.h"
#include "bitmaps/sim_sync.h"
#include "raid/array_config.h"
#include "raid/disk.h"
#include "raid/md_costs.h"
#include "raid/personality.h"
#include "sim/machine.h"
#include "sim/settled.h"

namespace mdsim {

// One member (struct md_rdev plus the personality's per-mirror state).
struct Member {
  std::unique_ptr<Disk> disk;
  bool faulty = false;
  bool write_mostly = false;
  // raid1 read balancing (struct raid1_info): where the last request ended, and the current
  // sequential run.
  Sector head_position = 0;
  Sector next_seq_sect = 0;
  Sector seq_start = 0;
  int nr_pending = 0;  // rdev->nr_pending: member bios in flight
  // In_sync, and for a member being recovered how far it is (rdev->recovery_offset).
  bool in_sync = true;
  Sector recovery_offset = ~Sector{0};
  // Whether a read of [sector, sector + sectors) may go here (not Faulty; In_sync or
  // recovered past its end).
  bool readable(Sector sector, uint64_t sectors) const {
    return !faulty && (in_sync || recovery_offset >= sector + sectors);
  }
};

// Where md puts the internal bitmap on each member (1.2 metadata: superblock at 4 KiB, the
// bitmap 4 KiB after it) and how big a bitmap storage page is.
inline constexpr Sector kBitmapStartSector = 16;
inline constexpr uint32_t kBitmapPageSectors = 8;

class MdResync;
class MemberBitmapIo;
class Mddev;
class BioGroup;

// One member bio of a host bio (the bios[] slot of an r1bio/r10bio).
struct MemberBio {
  int member = -1;
  DiskRequest req;  // sector relative to the member's data area
  DiskIo io;
  IoResult result;
  // Completion handling by a BioGroup (set by BioGroup::add and Mddev::issue).
  BioGroup* group = nullptr;
  Cpu* cpu = nullptr;  // the core that issued it, where its bi_end_io runs
  struct IrqWaiter : CpuWaiter {
    MemberBio* bio = nullptr;
  } irq;  // taking that core in interrupt context
};

// Member bios whose completions md handles as each arrives - bi_end_io in interrupt context
// on the core that issued the bio (raid1_end_write_request, raid10_end_write_request,
// raid5_end_write_request: member_endio CPU work, then the core is given back) - and which
// the caller then waits for together, as an r1bio/r10bio's `remaining` count does. Add each
// bio before issuing it; `co_await group` returns when all have completed, holding the core
// of the last completion (its charged endio work not yet settled). Without coroutine frames:
// the completions are plain callbacks.
class BioGroup {
 public:
  BioGroup() = default;
  // Movable until a bio is added (so it can sit in a vector being filled).
  BioGroup(BioGroup&& o) noexcept;
  BioGroup& operator=(BioGroup&&) = delete;

  void add(MemberBio& b);
  bool done() const { return pending_ == 0; }

  struct Awaiter {
    BioGroup* g;
    bool await_ready() const noexcept { return g->pending_ == 0; }
    void await_suspend(std::coroutine_handle<> h) noexcept { g->waiter_ = h; }
    MdCompletion await_resume() const noexcept { return MdCompletion{g->result_, g->last_}; }
  };
  // result.status: kOk if any bio succeeded (md's R1BIO_Uptodate), else the error;
  // submitted: the earliest bio's; completed: the last completion.
  Awaiter operator co_await() noexcept { return Awaiter{this}; }

 private:
  friend class Mddev;
  static void delivered(void* bio);
  static void granted(WaitNode* irq);
  static void endio_event(void* bio);
  void endio(MemberBio& b);

  Mddev* md_ = nullptr;  // set when a bio is issued
  int pending_ = 0;
  bool any_ = false;
  bool seen_ = false;
  IoResult result_{IoStatus::kError, 0, 0};
  Cpu* last_ = nullptr;
  std::coroutine_handle<> waiter_;
};

class Mddev {
 public:
  // `disks` become the members, in order. Aborts on a config raid/ cannot build (the app
  // layer validates configs first and reports errors with their JSON paths).
  Mddev(Machine& m, const ArrayConfig& cfg, std::vector<std::unique_ptr<Disk>> disks);
  ~Mddev();
  Mddev(const Mddev&) = delete;
  Mddev& operator=(const Mddev&) = delete;

  Machine& machine() const { return *machine_; }
  Simulator& sim() const { return machine_->sim(); }
  const ArrayConfig& config() const { return cfg_; }
  const MdCosts& costs() const { return costs_; }
  Personality& personality() const { return *pers_; }
  Sector array_sectors() const { return pers_->array_sectors(); }
  Sector member_sectors() const { return member_sectors_; }
  int raid_disks() const { return static_cast<int>(members_.size()); }
  Member& member(int i) { return members_[static_cast<size_t>(i)]; }
  const Member& member(int i) const { return members_[static_cast<size_t>(i)]; }
  bool degraded() const { return view_.degraded; }
  // MD_BROKEN: the personality's error handler found the array failed; writes fail in
  // md_submit_bio from then on (reads still go to what is left).
  bool broken() const { return broken_; }
  int failed_members() const;

  BitmapOps& bitmap() const { return *bitmap_; }
  bool bitmap_enabled() const { return bitmap_->enabled(); }

  // Starts the md thread's bitmap daemon and, if configured, the sync thread; stop() ends
  // the daemon (so the simulation can drain) and, with resync.stop_with_jobs, interrupts the
  // sync (else it runs to its end).
  void start();
  void stop();

  // The sync thread (null without a configured resync/recovery) and recovery_cp (resync
  // position of an unclean array, MaxSector when clean).
  MdResync* resync() const { return resync_.get(); }
  Sector recovery_cp() const { return recovery_cp_; }

  // A host bio from a task on `cpu`, which the caller holds; the core is given up while the
  // bio is in flight and is not held when this returns (at bio_endio).
  Task<IoResult> submit(Cpu& cpu, DiskRequest bio);

  // --- For personalities ----------------------------------------------------------------
  // Bitmap operations on `cpu` (held), charged to the "bitmap" kind (synchronisation to
  // "bitmap_sync"); each starts after the core's charged work (awaitables, no frame of
  // their own). unplug starts at once: its first step is a compute step, into which the
  // charged work runs (see BitmapOps::unplug).
  Settled bitmap_startwrite(Cpu& cpu, Sector offset, uint64_t sectors, WriteCookie& c);
  Settled bitmap_endwrite(Cpu& cpu, Sector offset, uint64_t sectors, const WriteCookie& c);
  Task<void> bitmap_unplug(Cpu& cpu);
  Settled bitmap_start_behind_write(Cpu& cpu);
  Settled bitmap_end_behind_write(Cpu& cpu);
  Settled bitmap_wait_behind_writes(Cpu& cpu);
  // The resync hooks (resync path: coroutine frames are fine here).
  Task<bool> bitmap_start_sync(Cpu& cpu, Sector offset, Sector* blocks, bool degraded);
  Settled bitmap_end_sync(Cpu& cpu, Sector offset, Sector* blocks) {
    return Settled(cpu, bitmap_->end_sync(executor(cpu), offset, blocks));
  }
  Settled bitmap_close_sync(Cpu& cpu) { return Settled(cpu, bitmap_->close_sync(executor(cpu))); }
  Settled bitmap_cond_end_sync(Cpu& cpu, Sector sector, bool force) {
    return Settled(cpu, bitmap_->cond_end_sync(executor(cpu), sector, force));
  }
  bool hooks_in_personality() const {
    return cfg_.hooks == HookPlacement::kPerPersonality && bitmap_enabled();
  }
  // Issues a member bio from `cpu` (held): member_submit CPU work, then the disk's submit_bio.
  // `r.sector` is relative to the member's data area. Counts it in the member's nr_pending.
  Task<void> issue(Cpu& cpu, int member, DiskRequest r, DiskIo& io);
  // issue() of MemberBios in order, as an awaitable without a coroutine frame of its own:
  // each bio's member_submit work, then (settled) the disk's submit_bio, and the caller is
  // resumed once, after the last hand-off. A bio that belongs to a BioGroup has its completion
  // handled by the group.
  class IssueBios {
   public:
    IssueBios(Mddev& md, Cpu& cpu, std::span<MemberBio> bios)
        : md_(&md), cpu_(&cpu), bios_(bios) {}
    bool await_ready() { return run(); }
    void await_suspend(std::coroutine_handle<> h) { waiter_ = h; }  // run() arranged the rest
    void await_resume() const noexcept {}

   private:
    // Hands bios to their disks from next_ on; false when one waits for time to pass (an
    // event then carries on), true when all are handed off.
    bool run();
    void go_on();                  // the current bio is handed off: the next, or resume
    static void settled(void* self);  // the current bio's member_submit work is done
    static void submitted(void* self);  // the disk's own submitter work for it is done
    // prepare() of b's request, with b's BioGroup hooked to its completion.
    DiskRequest prepared(MemberBio& b);
    Mddev* md_;
    Cpu* cpu_;
    std::span<MemberBio> bios_;
    size_t next_ = 0;
    Disk::IssueAwaiter disk_{};
    std::coroutine_handle<> waiter_;
  };
  IssueBios issue(Cpu& cpu, std::span<MemberBio> bios) { return IssueBios(*this, cpu, bios); }
  IssueBios issue(Cpu& cpu, MemberBio& b) { return IssueBios(*this, cpu, {&b, 1}); }
  // The bookkeeping half of issue(): charges member_submit to `cpu` (Cpu::charge), maps
  // r.sector onto the member, counts the bio. The caller settles and calls the disk's issue.
  void prepare(Cpu& cpu, int member, DiskRequest& r);
  // Waits for a member bio, then runs its completion in interrupt context on `cpu` (the core
  // that issued it): takes the core and charges member_endio (Cpu::charge: the caller settles
  // before anything visible). Returns holding it. A failed write or read marks the member
  // faulty (md_error). The bitmap_* calls above settle first.
  Task<IoResult> complete(Cpu& cpu, int member, DiskIo& io);
  // The md side of a member completion, on `cpu` (held): member_endio work (charged), the
  // member's nr_pending, md_error on a failure unless `fail_member` is false.
  void end_member_io(Cpu& cpu, int member, const IoResult& r, bool fail_member = true);
  // Issues every bio of `bios` from `cpu` (held), gives the core up, and returns when all are
  // done, as a BioGroup of them (holding the core of the last completion).
  Task<MdCompletion> fan_out(Cpu& cpu, std::span<MemberBio> bios);
  // md_error: the personality's error handler decides (Personality::error): normally the
  // member is Faulty from now on and the array degraded; raid1/raid10 keep the last copy of
  // the data working and mark the array failed instead (MD_BROKEN).
  void md_error(int member);

  // Kinds of CPU work, for reports (CPU time by kind).
  struct Kinds {
    KindId md, pers, submit, endio, bio_endio, bitmap, bitmap_sync, daemon, raid_thread, resync;
  };
  const Kinds& kinds() const { return kinds_; }

  // Counters.
  struct Stats {
    uint64_t reads = 0, writes = 0, flushes = 0, discards = 0;  // host bios completed
    uint64_t errors = 0;                                         // host bios failed
    uint64_t member_ios = 0;                                     // member bios issued
    uint64_t bitmap_page_writes = 0;  // bitmap pages written (each to every member)
    uint64_t daemon_passes = 0;
    // Bitmap calls (where the hooks are placed decides how many per bio).
    uint64_t bitmap_startwrites = 0, bitmap_endwrites = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  friend class MemberBitmapIo;
  friend class MdResync;
  Task<void> daemon();
  SimExecutor& executor(Cpu& cpu);
  Task<IoResult> flush_members(Cpu& cpu);

  Machine* machine_;
  ArrayConfig cfg_;
  MdCosts costs_;
  Kinds kinds_;
  std::vector<Member> members_;
  Sector member_sectors_ = 0;
  MddevView view_;
  std::unique_ptr<BitmapOps> bitmap_;
  std::unique_ptr<SimSyncDomain> domain_;
  std::vector<std::unique_ptr<SimExecutor>> executors_;  // bitmap calls, per core
  std::unique_ptr<MemberBitmapIo> bitmap_io_;
  std::unique_ptr<Personality> pers_;
  std::unique_ptr<MdResync> resync_;
  Sector recovery_cp_ = ~Sector{0};
  Stats stats_;
  bool broken_ = false;
  bool started_ = false;
  bool stopping_ = false;
};

// Builds the personality cfg.level names (raid1, raid10, raid4/5/6); aborts on an unknown one.
std::unique_ptr<Personality> make_personality(Mddev& md);

}  // namespace mdsim
