// raid10's read path: read_balance, raid10_read_request and the retry of a failed read on
// another copy (raid10d's handle_read_error). See raid10.h.
#include <limits>
#include <utility>
#include <vector>

#include "raid/raid10.h"
#include "raid/raid10_bio.h"
#include "sim/join.h"

namespace mdsim {

int Raid10::read_balance(std::span<const Raid10Copy> copies,
                         const std::vector<bool>& blocked) const {
  int best_dist_slot = -1, best_pending_slot = -1;
  int min_pending = std::numeric_limits<int>::max();
  Sector best_dist = std::numeric_limits<Sector>::max();
  for (size_t slot = 0; slot < copies.size(); ++slot) {
    if (slot < blocked.size() && blocked[slot]) continue;
    const int d = copies[slot].member;
    const Member& m = md().member(d);
    if (m.faulty) continue;
    const int pending = m.nr_pending;
    if (min_pending > pending && nonrot_[static_cast<size_t>(d)]) {
      min_pending = pending;
      best_pending_slot = static_cast<int>(slot);
    }
    const Sector addr = copies[slot].member_sector;
    Sector dist;
    if (geo_.near_copies() > 1 && pending == 0) {
      dist = 0;
    } else if (geo_.far_copies() > 1) {
      dist = addr;  // far/offset: always the lowest address
    } else {
      dist = addr > m.head_position ? addr - m.head_position : m.head_position - addr;
    }
    if (dist < best_dist) {
      best_dist = dist;
      best_dist_slot = static_cast<int>(slot);
    }
  }
  // 6.12 takes best_pending_slot whenever the array has a non-rotational member; in a mixed
  // array whose candidate copies are all rotational that slot is unset there, so fall back to
  // the distance choice.
  if (nonrot_disks_ > 0 && best_pending_slot >= 0) return best_pending_slot;
  return best_dist_slot;
}

Task<MdCompletion> Raid10::read_request(Cpu& cpu, const DiskRequest& bio) {
  Pieces pieces;
  split(bio, pieces);
  Join j;
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (i > 0) next_piece_cost(cpu);
    ++stats_.r10bios;
    R10Bio& r = pieces[i];
    r.slot = read_balance(r.copies.span(), r.blocked);
    if (r.slot < 0) {  // no copy readable: raid_end_bio_io with an error
      j.failed = true;
      continue;
    }
    co_await issue_read(cpu, r);
    ++j.remaining;
  }
  if (j.remaining == 0) co_return raid10_finished(md().sim(), &cpu, true);  // fail on the submitter
  co_await cpu.settle();
  cpu.release();
  std::vector<Task<void>> waits;
  for (R10Bio& r : pieces) {
    if (r.read) waits.push_back(finish_read(cpu, r, j));
  }
  co_await all_of(std::move(waits));
  co_return raid10_finished(md().sim(), j.last, j.failed);
}

Task<void> Raid10::issue_read(Cpu& cpu, R10Bio& r) {
  const Raid10Copy& c = r.copies[static_cast<size_t>(r.slot)];
  r.read.emplace();
  r.read->member = c.member;
  r.read->req = DiskRequest{DiskOp::kRead, c.member_sector, r.sectors};
  co_await md().issue(cpu, c.member, r.read->req, r.read->io);
}

Task<void> Raid10::finish_read(Cpu& cpu, R10Bio& r, Join& j) {
  for (;;) {
    const int d = r.read->member;
    // raid10_end_read_request: a failed read is not retried when the array would not have
    // enough copies without this member, and the member is then not failed either (the
    // error goes up); otherwise raid10d's handle_read_error reads another copy, and md core
    // fails the member (for fix_read_error, which is left out).
    IoResult res = co_await r.read->io;
    co_await cpu.acquire(md().kinds().endio, /*irq=*/true);
    md().end_member_io(cpu, d, res, /*fail_member=*/res.ok() || enough(d));
    md().member(d).head_position = r.read->req.sector + r.sectors;  // update_head_pos
    if (res.ok()) break;
    if (!enough(d)) {
      j.failed = true;
      break;
    }
    r.blocked.resize(r.copies.size());
    r.blocked[static_cast<size_t>(r.slot)] = true;
    ++stats_.read_retries;
    co_await cpu.settle();
    cpu.release();
    co_await cpu.acquire(md().kinds().raid_thread);
    co_await cpu.work(md().costs().thread_wakeup, md().kinds().raid_thread);
    r.slot = read_balance(r.copies.span(), r.blocked);
    if (r.slot < 0) {
      j.failed = true;
      break;
    }
    co_await issue_read(cpu, r);
    cpu.release();
  }
  if (--j.remaining > 0) {
    co_await cpu.settle();
    cpu.release();
  } else {
    j.last = &cpu;
  }
}

}  // namespace mdsim
