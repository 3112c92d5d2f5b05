// raid4/5/6: the stripe-cache personality (drivers/md/raid5.c, Linux 6.12; the 6.14 bitmap
// hook placement selectable), on the layout maths of raid5_layout.h.
//
// Writes (raid5_make_request -> make_stripe_request): the bio is walked in 4 KiB stripe units
// from raid5_bio_lowest_chunk_sector, wrapping; each unit's stripe_head comes from
// raid5_get_active_stripe (sleeping on wait_for_stripe when the cache has none free: counted
// with the time slept) and add_all_stripe_bios attaches the bio to every block of that
// stripe_head it covers (stripe_add CPU per block). Before 6.14 __add_stripe_bio calls bitmap
// startwrite for the first write to each block (per stripe_head and member: a 48 KiB write on
// a 4-disk, 8 KiB-chunk raid5 makes 12 calls); from 6.14 md core makes one call over
// raid5_bitmap_sector's range. Either way the first write sets STRIPE_BIT_DELAY with
// bm_seq = seq_flush + 1. The stripe_heads wait in the submitter's plug (release_stripe_plug)
// and are released together when make_request ends or before it sleeps (raid5_unplug); the bio
// completes when every unit's block is written (bi_remaining), in the raid5d or worker context
// that returned the last unit (handle_stripe_clean_event -> bio_endio): that core is handed to
// md core for its completion work. Host writes are taken as REQ_SYNC (O_DIRECT), so stripes are
// STRIPE_PREREAD_ACTIVE at once and never wait on delayed_list.
// Reads: on an array that is not degraded, chunk_aligned_read splits the bio at chunk
// boundaries and sends each piece straight to its member (raid5_read_one_chunk), bypassing the
// cache; a piece that fails is retried through the stripe cache (raid5_align_endio ->
// retry_aligned_read, done here by the submitter). On a degraded array reads go through the
// cache: a block on a failed member is computed from all the others (need_this_block reads
// every surviving member). Discards fail with kNotSupported (md advertises discard on raid4/5/6
// only with devices_handle_discard_safely, off by default).
// Stripe handling: raid5d and group_thread_cnt workers per socket (raid5_threads.cc),
// handle_stripe (raid5_handle.cc), rmw/rcw and the parity ops (raid5_dirtying.cc), member bios
// through raid5_plug.h's plug (ops_run_io and the completions in raid5_plug.cc), stripe_head
// setup and __add_stripe_bio (raid5_stripe_setup.cc), the stripe cache in raid5_stripe_cache.h.
// Hot paths avoid coroutine frames and events where nothing waits: a handle_stripe pass is a
// function call unless it may sleep, member completions are callbacks (raid5_plug.h), and a
// writer sleeps for a stripe_head inside stripe_request's own frame.
//
// Left out: resync/recovery/check (next issue), reshape, the r5c journal and PPL,
// full-stripe batching (stripe_add_to_batch_list: each stripe_head is handled on its own, so a
// full-stripe write pays stripe_handle per 4 KiB row), delayed_list/hold_list and
// preread_bypass_threshold (no non-REQ_SYNC writes), R5_Overlap waits, read-error rewrite
// (R5_ReadError/R5_ReWrite: md core fails the member on any error), bad blocks, replacement
// members, skip_copy, quiesce, REQ_NOWAIT, stripe_size other than 4 KiB.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "raid/personality.h"
#include "raid/raid5_layout.h"
#include "raid/raid5_plug.h"
#include "raid/raid5_stripe.h"
#include "raid/raid5_stripe_cache.h"

namespace mdsim {

inline constexpr int kMaxStripeBatch = 8;  // MAX_STRIPE_BATCH
inline constexpr int kParityDisableRmw = 0, kParityEnableRmw = 1, kParityPreferRmw = 2;

class Raid5 : public Personality {
 public:
  // Reads level, raid_disks, chunk, layout ("" is left-symmetric; raid4 is parity-last),
  // stripe_cache_size, group_thread_cnt and rmw_level from the array config; aborts on a
  // geometry md would refuse (the app layer reports those with their JSON paths first).
  explicit Raid5(Mddev& md);
  ~Raid5() override;

  const char* name() const override;
  Sector array_sectors() const override;
  // resync_max_sectors: the member size rounded down to a whole chunk.
  Sector bitmap_sectors() const override;
  // raid5_bitmap_sector (6.14): the array range rounded out to whole stripes, mapped to the
  // member sectors of those stripes.
  void bitmap_sector(Sector* offset, uint64_t* sectors) const override;
  Task<MdCompletion> make_request(Cpu& cpu, const DiskRequest& bio) override;
  // raid5_error (6.12): the member is always Faulty; more failures than the level survives
  // (has_failed) fail the array (MD_BROKEN).
  ErrorVerdict error(int member, bool fail_last_dev) override;

  const Raid5Geometry& geometry() const { return geo_; }
  const Raid5StripeCache& stripe_cache() const { return cache_; }
  Mddev& mddev() const { return md(); }

  // CPU kinds raid5 charges besides md core's: handle_stripe passes, xor/syndrome work, and
  // copies between bios and stripe pages (biodrain, biofill).
  struct Kinds {
    KindId handle, parity, copy;
  };
  const Kinds& kinds() const { return kinds_; }

  struct Stats {
    uint64_t aligned_reads = 0;       // chunk_aligned_read pieces sent straight to a member
    uint64_t stripe_reads = 0;        // host reads (or retried pieces) through the stripe cache
    uint64_t handle_passes = 0;       // handle_stripe calls
    uint64_t rmw = 0, rcw = 0;        // schedule_reconstruction: read-modify-write, reconstruct
    uint64_t full_stripe_writes = 0;  // rcw with every data block written (STRIPE_FULL_WRITE)
    uint64_t rmw_reads = 0, rcw_reads = 0, fill_reads = 0;  // block reads, by who asked
    uint64_t computes = 0;         // blocks computed from the others (degraded)
    uint64_t stripe_bios = 0;      // 4 KiB member bios ops_run_io submitted
    uint64_t member_requests = 0;  // member requests after the plug merged them
    uint64_t bit_delayed = 0;      // stripe_heads parked on bitmap_list
    uint64_t bitmap_batches = 0;   // raid5d bitmap unplugs for bitmap_list (seq_flush++)
    uint64_t raid5d_runs = 0, worker_runs = 0;        // thread wakeups
    uint64_t raid5d_handled = 0, worker_handled = 0;  // stripe_heads handled by each
    uint64_t failed_units = 0;  // stripe units failed (more members lost than the level has)
  };
  const Stats& stats() const { return stats_; }

  // raid5_end_{read,write}_request for block `dev` of `sh` (Raid5Plug, in interrupt context).
  void end_stripe_io(StripeHead& sh, int dev, DiskOp op, bool ok);

 private:
  friend class Raid5Plug;
  // raid5d or one worker: md_wakeup_thread / queue_work set `pending` and trigger `wake`.
  struct Thread {
    Thread(Simulator& sim, Raid5& r5, int home) : wake(sim), core(home), plug(r5) {}
    Event wake;
    bool pending = false;
    bool working = false;  // r5worker.working
    int core;              // where it last ran
    Raid5Plug plug;
  };
  // A running raid5d or worker: its core, its plug, host bios it ended (to hand over).
  struct Ctx {
    Cpu* cpu = nullptr;
    Raid5Plug* plug = nullptr;
    std::vector<R5HostBio*> endio;
  };
  // stripe_head_state: what analyse_stripe counts, and the ops this pass requests.
  struct State {
    int locked = 0, uptodate = 0, to_read = 0, to_write = 0, to_fill = 0;
    int non_overwrite = 0, written = 0, compute = 0;
    int failed = 0;
    int failed_num[2] = {-1, -1};
    bool op_biofill = false, op_compute = false, op_prexor = false, op_biodrain = false;
    bool op_reconstruct = false;
    int target = -1, target2 = -1;  // blocks to compute
  };

  // The submitter's raid5_plug_cb list: the stripe_heads of one make_request, in order.
  class R5SubmitPlug {
   public:
    void push_back(StripeHead* sh) {
      if (n_ < kInline) {
        inline_[n_++] = sh;
      } else {
        more_.push_back(sh);
      }
    }
    template <class F>
    void for_each(F f) const {
      for (size_t i = 0; i < n_; ++i) f(inline_[i]);
      for (StripeHead* sh : more_) f(sh);
    }
    void clear() {
      n_ = 0;
      more_.clear();
    }

   private:
    static constexpr size_t kInline = 4;
    StripeHead* inline_[kInline] = {};
    size_t n_ = 0;
    std::vector<StripeHead*> more_;
  };

  // raid5.cc: the request path.
  Task<MdCompletion> discard_request(Cpu& cpu);
  Task<MdCompletion> read_request(Cpu& cpu, const DiskRequest& bio);
  Task<MdCompletion> stripe_request(Cpu& cpu, const DiskRequest& bio, bool write);
  // raid5_get_active_stripe without sleeping: the cached stripe_head or a free one set up for
  // `sector`, or nullptr (stripe_request then sleeps for one).
  StripeHead* get_stripe_now(Cpu& cpu, Sector sector);
  void init_stripe(StripeHead& sh, Sector sector, int cpu);
  // __add_stripe_bio; true if the block's pre-6.14 bitmap startwrite is still to be made
  // (personality_startwrite).
  bool add_stripe_bio(StripeHead& sh, int dev, R5HostBio& bio, bool write);
  Task<void> personality_startwrite(Cpu& cpu, StripeHead& sh, int dev);
  void unplug(R5SubmitPlug& plug);
  Sector lowest_chunk_sector(const DiskRequest& bio) const;

  // raid5_threads.cc: lists, releases, raid5d and the workers.
  void release_stripe(StripeHead& sh);
  void release_stripe_locked(StripeHead& sh);
  int release_stripe_list();
  void do_release_stripe(StripeHead& sh);
  void wakeup_stripe_thread(StripeHead& sh);
  StripeHead* get_priority_stripe(int group);
  Task<int> handle_active_stripes(Ctx& ctx, int group);
  Task<void> handoff(Ctx& ctx, KindId kind);
  Task<void> raid5d();
  Task<void> worker(Thread& t, int group);
  Task<void> sleep(Thread& t);
  void wake(Thread& t);
  Cpu& pick_core(int prev, int socket) const;

  // raid5_handle.cc: handle_stripe. handle_stripe_now runs a pass without a coroutine when
  // nothing in it can wait: kHandleDone, or the member to continue ops_run_io from once the
  // plug is flushed (run_io), or kHandleAsync (nothing done: run handle_stripe instead).
  static constexpr int kHandleDone = -1, kHandleAsync = -2;
  int handle_stripe_now(Ctx& ctx, StripeHead& sh);
  Task<void> handle_stripe(Ctx& ctx, StripeHead& sh);
  bool begin_pass(Ctx& ctx, StripeHead& sh, State& s);
  void mark_drain_result(StripeHead& sh);
  bool clean_ready(const StripeHead& sh, const State& s) const;
  void plan_pass(Ctx& ctx, StripeHead& sh, State& s);
  void analyse_stripe(StripeHead& sh, State& s) const;
  bool need_this_block(StripeHead& sh, const State& s, int i) const;
  bool fetch_block(StripeHead& sh, State& s, int i);
  bool return_written(Ctx& ctx, StripeHead& sh, int i);
  Task<void> clean_event(Ctx& ctx, StripeHead& sh);
  Task<void> handle_failed_stripe(Ctx& ctx, StripeHead& sh, State& s);
  // ops_run_io from member `from` down: -1 when done, else the member whose request needs the
  // plug flushed first. run_io flushes and goes on from `pending` (if >= 0), then ends the pass.
  int submit_io(Ctx& ctx, StripeHead& sh, int from);
  Task<void> run_io(Ctx& ctx, StripeHead& sh, int pending);
  void unit_done(Ctx* ctx, R5BioRef ref, bool ok);
  bool insync(int member) const;
  // raid5_dirtying.cc: planning writes, and raid_run_ops.
  void handle_stripe_dirtying(StripeHead& sh, State& s);
  void schedule_reconstruction(StripeHead& sh, State& s, bool rcw);
  void run_ops(Ctx& ctx, StripeHead& sh, State& s);

  Raid5Geometry geo_;
  int disks_ = 0;
  int rmw_level_ = kParityEnableRmw;
  int chunk_shift_ = 0;  // chunk_sectors is a power of two (Raid5Geometry::validate)
  Kinds kinds_{};
  Raid5StripeCache cache_;
  // Stripe lists (conf->handle_list without workers, else one per worker group = socket).
  R5StripeList handle_list_;
  std::vector<R5StripeList> group_lists_;
  R5StripeList bitmap_list_;
  std::vector<StripeHead*> released_;   // conf->released_stripes
  std::vector<StripeHead*> releasing_;  // scratch for release_stripe_list, activate_bit_delay
  uint64_t seq_flush_ = 0, seq_write_ = 0;
  std::unique_ptr<Thread> raid5d_;
  std::vector<std::vector<std::unique_ptr<Thread>>> workers_;  // [group][worker]
  Stats stats_;
};

}  // namespace mdsim
