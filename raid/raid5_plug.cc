// Plugging and merging of raid5's member bios: see raid5_plug.h. Also ops_run_io and
// raid5_end_{read,write}_request (drivers/md/raid5.c, Linux 6.12), the raid5 side of that I/O:
// ops_run_io submits a pass's reads and writes one 4 KiB bio per block (skipping Faulty
// members: the block is unlocked and the stripe handled again) to the running thread's plug,
// which may have to be flushed before a new request (blk_add_rq_to_plug): submit_io stops
// there and run_io, a coroutine, flushes and goes on, so a pass that never waits needs no
// coroutine. Each in-flight bio holds a stripe reference, so the stripe is handled again only
// when all have completed (end_stripe_io releases it).
#include "raid/raid5_plug.h"

#include <cstdio>
#include <cstdlib>

#include "raid/mddev.h"
#include "raid/raid5.h"

namespace mdsim {

bool Raid5Plug::merge(int member, DiskOp op, Sector sector, R5Part part) {
  // blk_attempt_plug_merge: only the most recent request of the same queue is tried.
  if (static_cast<size_t>(member) >= last_.size()) return false;
  R5MemberReq* last = last_[static_cast<size_t>(member)];
  if (last == nullptr) return false;
  R5MemberReq& rq = *last;
  if (rq.op != op || rq.sectors + kRaid5StripeSectors > kMaxMergeSectors) return false;
  if (rq.sector + rq.sectors == sector) {  // back merge
    rq.sectors += kRaid5StripeSectors;
    rq.parts.push_back(part);
    return true;
  }
  if (sector + kRaid5StripeSectors == rq.sector) {  // front merge
    rq.sector = sector;
    rq.sectors += kRaid5StripeSectors;
    rq.parts.insert(rq.parts.begin(), part);
    return true;
  }
  return false;
}

bool Raid5Plug::should_flush() const {
  if (plugged_.empty()) return false;
  // blk_plug_max_rq_count: twice BLK_MAX_REQUEST_COUNT once several queues are plugged.
  const int max = multiple_queues_ ? 2 * kPlugMaxRequests : kPlugMaxRequests;
  return requests() >= max || plugged_.back()->sectors >= kPlugFlushSectors;
}

void Raid5Plug::add(int member, DiskOp op, Sector sector, R5Part part) {
  R5MemberReq* rq;
  if (free_.empty()) {
    rq = &storage_.emplace_back();
    rq->plug = this;
    rq->irq.rq = rq;
    rq->irq.wake = &Raid5Plug::granted;
  } else {
    rq = free_.back();
    free_.pop_back();
  }
  rq->member = member;
  rq->op = op;
  rq->sector = sector;
  rq->sectors = kRaid5StripeSectors;
  rq->parts.clear();
  rq->parts.push_back(part);
  if (!plugged_.empty() && plugged_[0]->member != member) multiple_queues_ = true;
  plugged_.push_back(rq);
  if (static_cast<size_t>(member) >= last_.size()) last_.resize(static_cast<size_t>(member) + 1);
  last_[static_cast<size_t>(member)] = rq;
}

Task<void> Raid5Plug::flush(Cpu& cpu) {
  if (!flushing_.empty()) {
    std::fprintf(stderr, "mdsim: internal error: raid5 plug flushed re-entrantly\n");
    std::abort();
  }
  flushing_.swap(plugged_);
  multiple_queues_ = false;
  for (R5MemberReq* rq : flushing_) last_[static_cast<size_t>(rq->member)] = nullptr;
  Mddev& md = r5_->mddev();
  for (R5MemberReq* rq : flushing_) {
    DiskRequest r;
    r.op = rq->op;
    r.sector = rq->sector;
    r.sectors = rq->sectors;
    md.prepare(cpu, rq->member, r);
    ++r5_->stats_.member_requests;
    rq->cpu = &cpu;
    rq->io.on_complete(&Raid5Plug::delivered, rq);
    co_await cpu.settle();
    co_await md.member(rq->member).disk->issue(cpu, r, rq->io);
  }
  flushing_.clear();
}

void Raid5Plug::delivered(void* p) {
  auto* rq = static_cast<R5MemberReq*>(p);
  rq->result = rq->io.result();
  rq->irq.kind = rq->plug->r5_->mddev().kinds().endio;
  if (rq->cpu->acquire_or_queue(&rq->irq, /*irq=*/true)) rq->plug->endio(rq, /*granted=*/false);
}

void Raid5Plug::granted(WaitNode* irq) {
  R5MemberReq* rq = static_cast<R5MemberReq::IrqWaiter*>(irq)->rq;
  rq->plug->endio(rq, /*granted=*/true);
}

void Raid5Plug::endio(R5MemberReq* rq, bool granted) {
  Mddev& md = r5_->mddev();
  md.end_member_io(*rq->cpu, rq->member, rq->result);
  const Time t = rq->cpu->commit_owed();
  // From inside the holder's release() (granted), the rest runs from the event queue.
  if (t == 0 && !granted) {
    done(rq);
    return;
  }
  md.sim().schedule_at(md.sim().now() + t, &Raid5Plug::done_event, rq);
}

void Raid5Plug::done_event(void* p) {
  auto* rq = static_cast<R5MemberReq*>(p);
  rq->plug->done(rq);
}

void Raid5Plug::done(R5MemberReq* rq) {
  const bool ok = rq->result.ok();
  for (const R5Part& p : rq->parts) r5_->end_stripe_io(*p.sh, p.dev, rq->op, ok);
  rq->parts.clear();
  free_.push_back(rq);
  rq->cpu->release();
}

int Raid5::submit_io(Ctx& ctx, StripeHead& sh, int from) {
  Raid5Plug& plug = *ctx.plug;
  for (int i = from; i >= 0; --i) {
    R5Dev& dev = sh.dev[static_cast<size_t>(i)];
    DiskOp op;
    if (dev.want_write) {
      op = DiskOp::kWrite;
    } else if (dev.want_read) {
      op = DiskOp::kRead;
    } else {
      continue;
    }
    bool& want = op == DiskOp::kWrite ? dev.want_write : dev.want_read;
    if (!insync(i)) {  // no rdev: skip the I/O, look again
      want = false;
      dev.locked = false;
      sh.handle = true;
      continue;
    }
    const R5Part part{&sh, i};
    if (!plug.merge(i, op, sh.sector, part)) {
      if (plug.should_flush()) return i;  // blk_add_rq_to_plug flushes first
      plug.add(i, op, sh.sector, part);
    }
    ++stats_.stripe_bios;
    want = false;
    ++sh.count;
  }
  return -1;
}

Task<void> Raid5::run_io(Ctx& ctx, StripeHead& sh, int pending) {
  while (pending >= 0) {
    co_await ctx.plug->flush(*ctx.cpu);
    pending = submit_io(ctx, sh, pending);
  }
  sh.active = false;
}

void Raid5::end_stripe_io(StripeHead& sh, int dev, DiskOp op, bool ok) {
  R5Dev& d = sh.dev[static_cast<size_t>(dev)];
  if (op == DiskOp::kRead && ok) d.uptodate = true;
  d.locked = false;
  sh.handle = true;
  release_stripe(sh);
}

}  // namespace mdsim
