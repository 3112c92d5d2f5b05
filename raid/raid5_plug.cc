// Plugging and merging of raid5's member bios: see raid5_plug.h.
#include "raid/raid5_plug.h"

#include <cstdio>
#include <cstdlib>

#include "raid/mddev.h"
#include "raid/raid5.h"

namespace mdsim {

bool Raid5Plug::merge(int member, DiskOp op, Sector sector, R5Part part) {
  ++r5_->stats_.stripe_bios;
  // blk_attempt_plug_merge: only the most recent request of the same queue is tried.
  for (auto it = plugged_.rbegin(); it != plugged_.rend(); ++it) {
    R5MemberReq& rq = **it;
    if (rq.member != member) continue;
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
  return false;
}

bool Raid5Plug::should_flush() const {
  if (plugged_.empty()) return false;
  // blk_plug_max_rq_count: twice BLK_MAX_REQUEST_COUNT once several queues are plugged.
  bool multiple_queues = false;
  for (const R5MemberReq* rq : plugged_) multiple_queues |= rq->member != plugged_[0]->member;
  const int max = multiple_queues ? 2 * kPlugMaxRequests : kPlugMaxRequests;
  return requests() >= max || plugged_.back()->sectors >= kPlugFlushSectors;
}

Task<void> Raid5Plug::add(Cpu& cpu, int member, DiskOp op, Sector sector, R5Part part) {
  if (should_flush()) co_await flush(cpu);
  R5MemberReq* rq;
  if (free_.empty()) {
    rq = &storage_.emplace_back();
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
  plugged_.push_back(rq);
}

Task<void> Raid5Plug::flush(Cpu& cpu) {
  if (!flushing_.empty()) {
    std::fprintf(stderr, "mdsim: internal error: raid5 plug flushed re-entrantly\n");
    std::abort();
  }
  flushing_.swap(plugged_);
  Mddev& md = r5_->mddev();
  for (R5MemberReq* rq : flushing_) {
    DiskRequest r;
    r.op = rq->op;
    r.sector = rq->sector;
    r.sectors = rq->sectors;
    md.prepare(cpu, rq->member, r);
    ++r5_->stats_.member_requests;
    co_await cpu.settle();
    co_await md.member(rq->member).disk->issue(cpu, r, rq->io);
    spawn(md.sim(), end_io(cpu, rq));
  }
  flushing_.clear();
}

Task<void> Raid5Plug::end_io(Cpu& cpu, R5MemberReq* rq) {
  IoResult res = co_await r5_->mddev().complete(cpu, rq->member, rq->io);  // holds cpu (irq)
  co_await cpu.settle();
  for (const R5Part& p : rq->parts) r5_->end_stripe_io(*p.sh, p.dev, rq->op, res.ok());
  rq->parts.clear();
  free_.push_back(rq);
  cpu.release();
}

}  // namespace mdsim
