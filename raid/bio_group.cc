// BioGroup: member completions as callbacks (see mddev.h). Per bio: the disk delivers
// (delivered), the bio takes its issuing core in interrupt context at once or queued behind
// the holder (granted, at the grant time: inline or through endio_event), md's endio work is
// charged (endio), and then the core is given back when that work is done
// (Cpu::release_charged), except by the last bio of the group, which hands the core to the
// waiting caller.
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "raid/mddev.h"

namespace mdsim {

BioGroup::BioGroup(BioGroup&& o) noexcept {
  if (o.pending_ != 0 || o.waiter_) {
    std::fprintf(stderr, "mdsim: internal error: a BioGroup in use was moved\n");
    std::abort();
  }
}

void BioGroup::add(MemberBio& b) {
  b.group = this;
  ++pending_;
}

void BioGroup::delivered(void* bio) {
  auto& b = *static_cast<MemberBio*>(bio);
  b.result = b.io.result();
  b.irq.kind = b.group->md_->kinds().endio;
  b.irq.wake = &BioGroup::granted;
  b.irq.bio = &b;
  if (b.cpu->acquire_or_queue(&b.irq, /*irq=*/true)) b.group->endio(b);
}

void BioGroup::granted(WaitNode* irq) {
  // Called from inside the releasing holder's release(). A successful bio that is not the
  // group's last only charges its endio work and gives the core back lazily, which is safe
  // there; the last one resumes the waiter and a failed one may fail the member, so those
  // continue from the event queue, at the same time.
  MemberBio* b = static_cast<MemberBio::IrqWaiter*>(irq)->bio;
  BioGroup& g = *b->group;
  if (g.pending_ > 1 && b->result.ok()) {
    g.endio(*b);
    return;
  }
  Simulator& sim = g.md_->sim();
  sim.schedule_at(sim.now(), &BioGroup::endio_event, b);
}

void BioGroup::endio_event(void* bio) {
  auto& b = *static_cast<MemberBio*>(bio);
  b.group->endio(b);
}

void BioGroup::endio(MemberBio& b) {
  Cpu& cpu = *b.cpu;
  md_->end_member_io(cpu, b.member, b.result);
  if (b.result.ok()) any_ = true;
  const Time now = md_->sim().now();
  result_.submitted = seen_ ? std::min(result_.submitted, b.result.submitted)
                            : b.result.submitted;
  seen_ = true;
  if (--pending_ > 0) {
    cpu.release_charged();
    result_.completed = now;
    return;
  }
  last_ = &cpu;
  result_.status = any_ ? IoStatus::kOk : IoStatus::kError;
  result_.completed = now;
  if (waiter_) std::exchange(waiter_, {}).resume();
}

}  // namespace mdsim
