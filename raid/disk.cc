// The disk base: request stages (pre-flush, data, post-flush), hardware-queue tags, non-queued
// commands, failure injection, statistics and delivery to the caller. See disk.h.
#include "raid/disk.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

namespace mdsim {

namespace {

constexpr uint8_t kStagePreflush = 1;
constexpr uint8_t kStageData = 2;
constexpr uint8_t kStagePostflush = 4;

[[noreturn]] void bug(const std::string& disk, const char* what) {
  std::fprintf(stderr, "mdsim: internal error: disk %s: %s\n", disk.c_str(), what);
  std::abort();
}

}  // namespace

Disk::Disk(Simulator& sim, DiskProfile profile, Rng rng, std::string name)
    : sim_(&sim),
      profile_(std::move(profile)),
      rng_(rng),
      name_(std::move(name)),
      stats_(sim.now()),
      queues_(static_cast<size_t>(profile_.nr_hw_queues > 0 ? profile_.nr_hw_queues : 1)) {}

Disk::~Disk() {
  // Callers' DiskIos may outlive the disk (frames destroyed later by the simulator).
  for (DiskSlot& s : slots_) {
    if (s.owner != nullptr) s.owner->slot_ = nullptr;
  }
}

bool Disk::IssueAwaiter::await_ready() {
  if (!cpu->busy()) bug(disk->name_, "issue() needs the submitter's core held (use submit())");
  start = disk->now();
  Time cost = disk->failed_ ? 0 : disk->submitter_cost(req);
  if (cost == 0) {
    disk->issue_now(*cpu, req, *io, start);
    return true;
  }
  return false;
}

void Disk::IssueAwaiter::await_suspend(std::coroutine_handle<> h) {
  handle = h;
  prev_kind = cpu->kind();
  cpu->set_kind(disk->kind_for(*cpu));
  disk->sim_->schedule_in(disk->submitter_cost(req), &after_cost, this);
}

void Disk::IssueAwaiter::after_cost(void* self) {
  auto* a = static_cast<IssueAwaiter*>(self);
  a->cpu->set_kind(a->prev_kind);
  a->disk->issue_now(*a->cpu, a->req, *a->io, a->start);
  if (a->then != nullptr) {
    a->then(a->then_ctx);
  } else {
    a->handle.resume();
  }
}

Task<IoResult> Disk::submit(Cpu& submitter, DiskRequest r) {
  DiskIo io;
  if (!failed_ && submitter_cost(r) > 0) {
    co_await submitter.acquire(kind_for(submitter));
    co_await issue(submitter, r, io);
    submitter.release();
  } else {
    issue_now(submitter, r, io, now());
  }
  co_return co_await io;
}

KindId Disk::kind_for(Cpu& cpu) {
  if (&cpu.machine() != kind_machine_) {
    kind_ = cpu.machine().kind(submitter_kind());
    kind_machine_ = &cpu.machine();
  }
  return kind_;
}

DiskSlot* Disk::alloc_slot() {
  DiskSlot* s = free_;
  if (s != nullptr) {
    free_ = s->next;
    *s = DiskSlot{};
  } else {
    s = &slots_.emplace_back();
  }
  s->disk = this;
  s->live = true;
  return s;
}

void Disk::maybe_free(DiskSlot* s) {
  // (!live: freed already, e.g. by a synchronous finish inside issue_now.)
  if (!s->live || !s->delivered || s->in_device || s->doom_pending) return;
  s->live = false;
  s->owner = nullptr;
  s->next = free_;
  free_ = s;
}

void Disk::issue_now(Cpu& cpu, const DiskRequest& r, DiskIo& io, Time submitted) {
  if (io.slot_ != nullptr) bug(name_, "DiskIo issued while still in flight");
  if (r.op == DiskOp::kFlush) {
    if (r.sectors != 0) bug(name_, "a flush carries no sectors");
  } else if (r.sectors == 0 || r.sector >= capacity_sectors() ||
             r.sectors > capacity_sectors() - r.sector) {
    bug(name_, "request empty or past the end of the device");
  }
  ++nesting_;
  const Time t = now();
  io.done_ = false;
  io.waiter_ = {};
  io.result_ = IoResult{IoStatus::kOk, submitted, t};
  DiskSlot* s = alloc_slot();
  s->owner = &io;
  io.slot_ = s;
  s->req = r;
  s->issued = submitted;
  const int nq = static_cast<int>(queues_.size());
  s->queue = cpu.id() < nq ? cpu.id() : cpu.id() % nq;  // (no division in the common case)
  stats_.issued(t);
  if (failed_) {
    s->doom_pending = true;
    sim_->schedule_in(fail_delay_, &doom_event, s, kPrioHigh);
  } else {
    const bool vwc = volatile_cache();
    uint8_t st = 0;
    if (r.op == DiskOp::kFlush) {
      if (vwc) st = kStageData;
    } else {
      if (r.preflush && vwc) st |= kStagePreflush;
      st |= kStageData;
      if (r.op == DiskOp::kWrite && r.fua && vwc && !fua_native()) st |= kStagePostflush;
    }
    s->stages = st;
    if (st == kStageData && start_at_once(s)) {
      // admitted without the wait queue
    } else if (next_stage(s)) {
      pump(s->queue);
    } else {
      deliver(s, IoStatus::kOk);  // nothing reaches the device (flush without a cache)
    }
  }
  maybe_free(s);
  --nesting_;
}

bool Disk::next_stage(DiskSlot* s) {
  if (s->stages == 0) return false;
  DiskCommand c;
  if ((s->stages & kStagePreflush) != 0) {
    s->stages &= static_cast<uint8_t>(~kStagePreflush);
    c.op = DiskOp::kFlush;
  } else if ((s->stages & kStageData) != 0) {
    s->stages &= static_cast<uint8_t>(~kStageData);
    c = data_command(s->req);
  } else {
    s->stages = 0;
    c.op = DiskOp::kFlush;
  }
  c.exclusive = non_queued(c.op);
  s->cmd = c;
  enqueue(s);
  return true;
}

DiskCommand Disk::data_command(const DiskRequest& r) const {
  DiskCommand c;
  c.op = r.op;
  c.sector = r.sector;
  c.sectors = r.op == DiskOp::kFlush ? 0 : r.sectors;
  c.fua = r.op == DiskOp::kWrite && r.fua && volatile_cache() && fua_native();
  return c;
}

bool Disk::start_at_once(DiskSlot* s) {
  // The common case of a request that is only its data command: nothing waits in its queue,
  // the queue has a free tag, no command runs alone and this one is queued. Then next_stage +
  // pump would admit it at once; so does this, without the wait queue.
  WaitQueue& w = queues_[static_cast<size_t>(s->queue)];
  const int depth = profile_.queue_depth;
  if (w.head != nullptr || pumping_ || exclusive_active_ || (depth > 0 && w.inflight >= depth)) {
    return false;
  }
  DiskCommand c = data_command(s->req);
  if (non_queued(c.op)) return false;
  s->stages = 0;
  s->cmd = c;
  const int q = s->queue;
  ++w.inflight;
  pumping_ = true;  // as pump(): a synchronous finish inside start() only asks for a repump
  repump_ = false;
  admit(s);  // s may be finished and freed on return
  pumping_ = false;
  if (repump_) pump(q, true);
  return true;
}

void Disk::enqueue(DiskSlot* s) {
  WaitQueue& w = queues_[static_cast<size_t>(s->queue)];
  s->next = nullptr;
  if (w.tail != nullptr) {
    w.tail->next = s;
  } else {
    w.head = s;
  }
  w.tail = s;
  if (s->cmd.exclusive) ++exclusive_waiting_;
}

void Disk::pump(int q, bool all) {
  // Nothing waits for a tag of q (admit_from's loop rereads the head after each start, so a
  // pump from inside a synchronous finish needs nothing either).
  if (!all && queues_[static_cast<size_t>(q)].head == nullptr) return;
  if (pumping_) {  // a model finished a command synchronously inside start()
    repump_ = true;
    return;
  }
  pumping_ = true;
  ++nesting_;
  repump_ = all;
  if (!all) admit_from(queues_[static_cast<size_t>(q)]);
  while (repump_) {
    repump_ = false;
    for (WaitQueue& w : queues_) admit_from(w);
  }
  --nesting_;
  pumping_ = false;
}

void Disk::admit_from(WaitQueue& w) {
  const int depth = profile_.queue_depth;
  while (DiskSlot* s = w.head) {
    if (exclusive_active_) return;
    if (s->cmd.exclusive) {
      if (device_inflight_ > 0) return;  // a non-queued command waits for the queue to drain
    } else if (depth > 0 && w.inflight >= depth) {
      return;
    }
    w.head = s->next;
    if (w.head == nullptr) w.tail = nullptr;
    s->next = nullptr;
    ++w.inflight;
    admit(s);
  }
}

void Disk::admit(DiskSlot* s) {
  s->in_device = true;
  ++device_inflight_;
  if (s->cmd.exclusive) {
    exclusive_active_ = true;
    --exclusive_waiting_;
  }
  if (s->cmd.op == DiskOp::kFlush) stats_.flush_command();
  if (s->cmd.fua) stats_.fua_write();
  start(s);  // may finish s synchronously (and free it): s is not touched afterwards
}

void Disk::finish(DiskSlot* s) {
  if (!s->in_device) bug(name_, "finish() of a command not in the device");
  s->in_device = false;
  --queues_[static_cast<size_t>(s->queue)].inflight;
  --device_inflight_;
  if (s->cmd.exclusive) exclusive_active_ = false;
  bool deliver_now = false;
  if (!s->delivered && !s->doom_pending) {
    deliver_now = s->status != IoStatus::kOk || !next_stage(s);
  }
  // Other queues may be waiting for a non-queued command to end, or one of theirs for the
  // device to drain.
  pump(s->queue, s->cmd.exclusive || (exclusive_waiting_ > 0 && device_inflight_ == 0));
  if (deliver_now) deliver(s, s->status);
  maybe_free(s);
}

void Disk::deliver(DiskSlot* s, IoStatus st) {
  s->delivered = true;
  const Time t = now();
  const DiskRequest& r = s->req;
  stats_.completed(t, r.op, r.bytes(), st == IoStatus::kOk, t - s->issued);
  DiskIo* io = s->owner;
  s->owner = nullptr;
  if (io == nullptr) return;
  io->slot_ = nullptr;
  io->result_ = IoResult{st, s->issued, t};
  io->done_ = true;
  if (io->waiter_) {
    std::coroutine_handle<> h = std::exchange(io->waiter_, {});
    if (nesting_ > 0) {
      sim_->resume_at(t, h, kPrioHigh);  // never resume a caller from inside issue/pump
    } else {
      h.resume();
    }
  } else if (io->notify_ != nullptr) {
    auto fn = std::exchange(io->notify_, nullptr);
    if (nesting_ > 0) {
      sim_->schedule_at(t, fn, io->notify_ctx_, kPrioHigh);
    } else {
      fn(io->notify_ctx_);
    }
  }
}

void Disk::doom_event(void* p) {
  auto* s = static_cast<DiskSlot*>(p);
  Disk* d = s->disk;
  s->doom_pending = false;
  if (!s->delivered) d->deliver(s, IoStatus::kError);
  d->maybe_free(s);
}

void Disk::fail(Time delay) {
  failed_ = true;
  fail_delay_ = delay;
  // Every request not yet delivered is doomed; those waiting for a tag never reach the device.
  for (WaitQueue& w : queues_) w.head = w.tail = nullptr;
  exclusive_waiting_ = 0;
  for (DiskSlot& s : slots_) {
    if (!s.live || s.delivered || s.doom_pending) continue;
    s.next = nullptr;
    s.doom_pending = true;
    sim_->schedule_in(delay, &doom_event, &s, kPrioHigh);
  }
}

}  // namespace mdsim
