// The member-disk interface: what md's personalities submit bios to.
//
// Two ways to submit, both ending at the simulated completion time:
//
//   Kernel-shaped (no allocation per request; the caller owns a DiskIo, e.g. in its r1bio):
//     co_await cpu.acquire(kind);              // submit_bio runs on a core
//     co_await disk.issue(cpu, request, io);   // returns when submit_bio would: at once for
//     cpu.release();                           //   queued devices, after brd's copy (charged
//     IoResult r = co_await io;                //   to `cpu`, which the caller holds)
//   Convenience (caller holds no core; a coroutine frame from the frame pool per request):
//     IoResult r = co_await disk.submit(cpu, request);
//
// Either way completion work (bi_end_io, md's endio) is the caller's to run on some core.
//
// Request semantics follow the block layer (blk-flush.c): a request is {op, sector, sectors,
// fua, preflush}. On a device with a volatile write cache, PREFLUSH becomes a FLUSH command
// before the data, and FUA either travels with the write (fua_native) or becomes a FLUSH after
// it; on a device without one both are dropped and an empty FLUSH completes at once. Each device
// command takes a tag of the submitting core's hardware queue (queue = cpu id modulo
// nr_hw_queues, queue_depth tags each; requests without a tag wait FIFO). A non-queued command
// (SATA FLUSH CACHE, non-NCQ TRIM) waits until the device is idle and runs alone.
//
// IoResult.submitted is when submit_bio was entered, so a synchronous device's latency (brd's
// copy inside submit_bio) counts; the queue-depth statistics count from the hand-off.
//
// Failure injection: fail() makes every request in flight, and every later one, complete with
// IoStatus::kError `delay` after fail() (or after its issue); recover() ends that for later
// requests. Commands the device had already started still run to their end inside the model
// (they occupy it), but their outcome is the error.
//
// Models implement start(slot) and call finish(slot) (or finish_at) when the device completes
// the command; finish() may re-enter start() and resume callers, so a model calls it last.
// Left out: request merging and plugging (md and the block layer above do that), I/O schedulers
// (none/mq-deadline: FIFO dispatch here), timeouts and retries, partial completions.
#pragma once

#include <coroutine>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "raid/disk_profile.h"
#include "raid/disk_stats.h"
#include "sim/machine.h"
#include "sim/random.h"
#include "sim/simulator.h"
#include "sim/task.h"

namespace mdsim {

using Sector = uint64_t;  // 512-byte sectors, as sector_t
inline constexpr uint64_t kSectorBytes = 512;

struct DiskRequest {
  DiskOp op = DiskOp::kRead;
  Sector sector = 0;
  uint32_t sectors = 0;   // 0 for a flush
  bool fua = false;       // REQ_FUA (writes)
  bool preflush = false;  // REQ_PREFLUSH
  uint64_t bytes() const { return uint64_t{sectors} * kSectorBytes; }
};

enum class IoStatus : uint8_t { kOk, kError, kNotSupported };

struct IoResult {
  IoStatus status = IoStatus::kOk;
  Time submitted = 0;
  Time completed = 0;
  bool ok() const { return status == IoStatus::kOk; }
  Time latency() const { return completed - submitted; }
};

class Disk;
class DiskIo;

// One device command (a stage of a request), as a model sees it.
struct DiskCommand {
  DiskOp op = DiskOp::kRead;
  bool fua = false;
  bool exclusive = false;  // non-queued: runs alone
  Sector sector = 0;
  uint32_t sectors = 0;
  uint64_t bytes() const { return uint64_t{sectors} * kSectorBytes; }
};

// A request inside a disk: owned by the disk (pooled), so a failure can complete the caller's
// DiskIo while the model still holds the command.
struct DiskSlot {
  Disk* disk = nullptr;
  DiskIo* owner = nullptr;  // cleared at delivery, or when the DiskIo goes away
  DiskRequest req;
  DiskCommand cmd;
  IoStatus status = IoStatus::kOk;  // a model may set kError / kNotSupported before finish
  uint8_t stages = 0;               // remaining stages (bits: preflush, data, postflush)
  int queue = 0;
  Time issued = 0;
  bool live = false, in_device = false, doom_pending = false, delivered = false;
  DiskSlot* next = nullptr;  // wait list / free list
  // Model scratch.
  Time t0 = 0;
  int64_t aux = 0;
};

// The caller's handle on one request: `co_await io` waits for and returns its result.
class DiskIo {
 public:
  DiskIo() = default;
  DiskIo(const DiskIo&) = delete;
  DiskIo& operator=(const DiskIo&) = delete;
  ~DiskIo() {
    if (slot_ != nullptr) slot_->owner = nullptr;  // e.g. a crash destroyed the waiting frame
  }

  bool done() const { return done_; }
  bool in_flight() const { return slot_ != nullptr; }
  const IoResult& result() const { return result_; }

  struct Awaiter {
    DiskIo* io;
    bool await_ready() const noexcept { return io->done_; }
    void await_suspend(std::coroutine_handle<> h) noexcept { io->waiter_ = h; }
    IoResult await_resume() const noexcept { return io->result_; }
  };
  Awaiter operator co_await() noexcept { return Awaiter{this}; }

  // Instead of awaiting: fn(ctx) runs when the next request issued with this DiskIo
  // completes (bi_end_io), at its completion time and never from inside issue(). Set before
  // issuing; one-shot.
  void on_complete(void (*fn)(void*), void* ctx) {
    notify_ = fn;
    notify_ctx_ = ctx;
  }

 private:
  friend class Disk;
  IoResult result_;
  std::coroutine_handle<> waiter_;
  void (*notify_)(void*) = nullptr;
  void* notify_ctx_ = nullptr;
  DiskSlot* slot_ = nullptr;
  bool done_ = false;
};

class Disk {
 public:
  Disk(Simulator& sim, DiskProfile profile, Rng rng, std::string name);
  Disk(const Disk&) = delete;
  Disk& operator=(const Disk&) = delete;
  virtual ~Disk();

  const std::string& name() const { return name_; }
  const DiskProfile& profile() const { return profile_; }
  Simulator& sim() const { return *sim_; }
  Sector capacity_sectors() const { return profile_.capacity_bytes / kSectorBytes; }
  // Whether FLUSH/FUA reach the device (a volatile write cache is enabled).
  virtual bool volatile_cache() const = 0;

  struct IssueAwaiter {
    Disk* disk;
    Cpu* cpu;
    DiskRequest req;
    DiskIo* io;
    std::coroutine_handle<> handle;
    KindId prev_kind = 0;
    Time start = 0;  // when submit_bio was entered
    void (*then)(void*) = nullptr;  // see start_then
    void* then_ctx = nullptr;
    bool await_ready();
    void await_suspend(std::coroutine_handle<> h);
    void await_resume() const noexcept {}
    // await_suspend for callers that are not a coroutine: after await_ready() returned false,
    // runs the submitter work and then fn(ctx) instead of resuming a handle.
    void start_then(void (*fn)(void*), void* ctx) {
      then = fn;
      then_ctx = ctx;
      await_suspend({});
    }
    static void after_cost(void* self);
  };
  // submit_bio: the caller holds `submitter`. Returns when the request is handed off; `io`
  // (not in flight) then tracks it. Bad requests (past the end, empty) abort: caller bugs.
  IssueAwaiter issue(Cpu& submitter, const DiskRequest& r, DiskIo& io) {
    return IssueAwaiter{this, &submitter, r, &io, {}};
  }
  // Issue and wait; the caller holds no core (it is taken only for synchronous device work).
  Task<IoResult> submit(Cpu& submitter, DiskRequest r);

  void fail() { fail(profile_.fail_delay_ns); }
  void fail(Time delay);
  void recover() { failed_ = false; }
  bool failed() const { return failed_; }

  const DiskStats& stats() const { return stats_; }
  Time busy_time() const { return stats_.busy_time(sim_->now()); }
  double utilisation() const { return stats_.utilisation(sim_->now()); }
  double avg_queue_depth() const { return stats_.avg_queue_depth(sim_->now()); }
  void reset_stats() { stats_.reset(sim_->now()); }
  int in_flight() const { return stats_.queue_depth(); }

 protected:
  // Begins a device command (s->cmd); the model calls finish(s) when the device completes it.
  virtual void start(DiskSlot* s) = 0;
  // CPU the submitter spends inside submit_bio (brd's copy), charged to kind submitter_kind().
  virtual Time submitter_cost(const DiskRequest&) const { return 0; }
  virtual const char* submitter_kind() const { return "disk_submit"; }
  virtual bool fua_native() const { return true; }
  virtual bool non_queued(DiskOp) const { return false; }

  void finish(DiskSlot* s);
  void finish_at(DiskSlot* s, Time t) { sim_->schedule_at(t, &finish_event, s, kPrioHigh); }
  Rng& rng() { return rng_; }
  Time now() const { return sim_->now(); }

 private:
  struct WaitQueue {
    DiskSlot* head = nullptr;
    DiskSlot* tail = nullptr;
    int inflight = 0;
  };
  static void finish_event(void* p) {
    auto* s = static_cast<DiskSlot*>(p);
    s->disk->finish(s);
  }
  static void doom_event(void* s);

  void issue_now(Cpu& cpu, const DiskRequest& r, DiskIo& io, Time submitted);
  bool next_stage(DiskSlot* s);
  DiskCommand data_command(const DiskRequest& r) const;
  // Admits a request whose only stage is its data when nothing is in its way; false if
  // something is (then it takes next_stage and the wait queue).
  bool start_at_once(DiskSlot* s);
  void enqueue(DiskSlot* s);
  // Admits what queue q (every queue when `all`) may start now.
  void pump(int q, bool all = false);
  void admit_from(WaitQueue& w);
  void admit(DiskSlot* s);
  void deliver(DiskSlot* s, IoStatus st);
  void maybe_free(DiskSlot* s);
  DiskSlot* alloc_slot();
  KindId kind_for(Cpu& cpu);

  Simulator* sim_;
  DiskProfile profile_;
  Rng rng_;
  std::string name_;
  DiskStats stats_;
  std::deque<DiskSlot> slots_;  // stable addresses
  DiskSlot* free_ = nullptr;
  std::vector<WaitQueue> queues_;
  int device_inflight_ = 0;
  bool exclusive_active_ = false;
  int exclusive_waiting_ = 0;  // non-queued commands enqueued and not yet admitted
  bool failed_ = false;
  Time fail_delay_ = 0;
  bool pumping_ = false;
  bool repump_ = false;
  int nesting_ = 0;  // > 0 inside issue/pump: callers are resumed through the queue
  const Machine* kind_machine_ = nullptr;
  KindId kind_ = 0;
};

// Builds the model the profile names; its random stream is streams.stream("disk." + name).
std::unique_ptr<Disk> make_disk(const DiskProfile& profile, Simulator& sim, RandomStreams streams,
                                const std::string& name);

}  // namespace mdsim
