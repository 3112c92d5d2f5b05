// raid1: see raid1.h.
#include "raid/raid1.h"

#include <cstddef>
#include <limits>
#include <memory>
#include <utility>

#include "raid/mddev.h"
#include "sim/inline_array.h"
#include "sim/join.h"

namespace mdsim {

// An r1bio's write state. Lives in write_request's frame, or on the heap when a behind
// group outlives it.
struct Raid1::Write {
  InlineArray<MemberBio, 4> bios;  // [0, normal): ordinary; [normal, size): behind
  BioGroup ordinary, mostly;       // their completions
  size_t normal = 0;
  bool behind = false;
  int groups = 1;  // groups of bios still in flight (ordinary, behind)
  Sector sector = 0;
  uint32_t sectors = 0;
  WriteCookie cookie;
};

Raid1::Raid1(Mddev& md) : Personality(md), barrier_(md.sim()) {
  for (int i = 0; i < md.raid_disks(); ++i) {
    if (md.member(i).disk->profile().model == "hdd") nonrot_ = false;
  }
}

Sector Raid1::array_sectors() const { return md().member_sectors(); }

Task<MdCompletion> Raid1::make_request(Cpu& cpu, const DiskRequest& bio) {
  cpu.charge(md().costs().pers_request, md().kinds().pers);
  return bio.op == DiskOp::kRead ? read_request(cpu, bio) : write_request(cpu, bio);
}

Personality::ErrorVerdict Raid1::error(int member, bool fail_last_dev) {
  ErrorVerdict v;
  int working = 0;
  for (int d = 0; d < md().raid_disks(); ++d) {
    const Member& m = md().member(d);
    working += !m.faulty && m.in_sync ? 1 : 0;
  }
  if (md().member(member).in_sync && working == 1) {
    v.broken = true;
    v.faulty = fail_last_dev;
  }
  return v;
}

// choose_first_rdev: the first readable member (resync in progress past recovery_cp).
int Raid1::choose_first(Sector sector, uint32_t sectors, uint64_t blocked) {
  for (int d = 0; d < md().raid_disks(); ++d) {
    Member& m = md().member(d);
    if ((blocked >> d) & 1 || !m.readable(sector, sectors)) continue;
    if (m.next_seq_sect != sector) m.seq_start = sector;  // update_read_sectors
    m.next_seq_sect = sector + sectors;
    return d;
  }
  return -1;
}

int Raid1::read_balance(Sector sector, uint32_t sectors, uint64_t blocked) {
  // raid1_should_read_first: resync in progress at or before this range.
  if (md().recovery_cp() < sector + sectors) [[unlikely]] {
    return choose_first(sector, sectors, blocked);
  }
  // choose_best_rdev
  int min_pending_disk = -1, closest_disk = -1, sequential_disk = -1, chosen = -1;
  uint64_t min_pending = std::numeric_limits<uint64_t>::max();
  Sector closest = std::numeric_limits<Sector>::max();
  for (int d = 0; d < md().raid_disks() && chosen < 0; ++d) {
    const Member& m = md().member(d);
    if ((blocked >> d) & 1 || !m.readable(sector, sectors) || m.write_mostly) continue;
    uint64_t pending = static_cast<uint64_t>(m.nr_pending);
    Sector dist = sector > m.head_position ? sector - m.head_position : m.head_position - sector;
    if (m.next_seq_sect == sector || m.head_position == sector) {
      chosen = d;  // should_choose_next is false: our members report no io_opt
      break;
    }
    if (pending < min_pending) {
      min_pending = pending;
      min_pending_disk = d;
    }
    if (dist < closest) {
      closest = dist;
      closest_disk = d;
    }
  }
  if (chosen < 0 && sequential_disk >= 0 && min_pending != 0) chosen = sequential_disk;
  if (chosen < 0) {
    chosen = min_pending_disk >= 0 && (nonrot_ || min_pending == 0) ? min_pending_disk
                                                                    : closest_disk;
  }
  if (chosen < 0) {  // choose_slow_rdev: a write-mostly member if nothing else
    for (int d = 0; d < md().raid_disks(); ++d) {
      const Member& m = md().member(d);
      if (!((blocked >> d) & 1) && m.readable(sector, sectors) && m.write_mostly) {
        chosen = d;
        break;
      }
    }
  }
  if (chosen >= 0) {  // update_read_sectors
    Member& m = md().member(chosen);
    if (m.next_seq_sect != sector) m.seq_start = sector;
    m.next_seq_sect = sector + sectors;
  }
  return chosen;
}

Task<MdCompletion> Raid1::read_request(Cpu& cpu, const DiskRequest& bio) {
  uint64_t blocked = 0;
  const int bidx = Raid1Barrier::sector_to_idx(bio.sector);
  barrier_.wait_read(bidx);
  for (;;) {
    const int d = read_balance(bio.sector, bio.sectors, blocked);
    if (d < 0) {  // no readable member left
      barrier_.allow(bidx);
      const Time t = md().sim().now();
      co_return MdCompletion{IoResult{IoStatus::kError, t, t}, &cpu};
    }
    if (md().member(d).write_mostly && md().bitmap_enabled()) {
      co_await md().bitmap_wait_behind_writes(cpu);
    }
    MemberBio b;
    b.member = d;
    b.req = bio;
    co_await md().issue(cpu, d, b.req, b.io);
    cpu.release();
    IoResult r = co_await md().complete(cpu, d, b.io);  // holds cpu (irq)
    if (r.ok()) {
      md().member(d).head_position = bio.sector + bio.sectors;  // update_head_pos
      barrier_.allow(bidx);  // raid_end_bio_io
      co_return MdCompletion{r, &cpu};
    }
    // raid1d: handle_read_error re-reads from another member.
    blocked |= uint64_t{1} << d;
    ++stats_.read_retries;
    co_await cpu.settle();
    cpu.release();
    co_await cpu.acquire(md().kinds().raid_thread);
    co_await cpu.work(md().costs().thread_wakeup, md().kinds().raid_thread);
  }
}

bool Raid1::needs_close(const Write& w) const {
  return w.behind || md().hooks_in_personality();
}

Task<void> Raid1::close_write(Cpu& cpu, Write& w) {
  if (w.behind) co_await md().bitmap_end_behind_write(cpu);
  if (md().hooks_in_personality()) {
    co_await md().bitmap_endwrite(cpu, w.sector, w.sectors, w.cookie);
  }
}

Task<MdCompletion> Raid1::write_request(Cpu& cpu, const DiskRequest& bio) {
  // wait_barrier: the fast path is two array accesses; a raised barrier puts the writer to
  // sleep (its core given up) until resync lowers it.
  const int bidx = Raid1Barrier::sector_to_idx(bio.sector);
  if (!barrier_.wait_fast(bidx)) [[unlikely]] {
    co_await cpu.settle();
    cpu.release();
    co_await barrier_.wait_slow(bidx);
    co_await cpu.acquire(md().kinds().pers);
  }
  int ordinary = 0, mostly = 0;
  for (int d = 0; d < md().raid_disks(); ++d) {
    const Member& m = md().member(d);
    if (m.faulty) continue;
    (m.write_mostly ? mostly : ordinary) += 1;
  }
  // Behind I/O? Not if there are too many, or a reader on a write-mostly member waits.
  bool behind = false;
  if (mostly > 0 && ordinary > 0 && md().bitmap_enabled() && md().config().max_write_behind > 0) {
    BitmapStats st = md().bitmap().get_stats();
    behind = !st.behind_wait && st.behind_writes < md().config().max_write_behind;
  }
  Write local;
  std::shared_ptr<Write> shared;  // a behind write's state outlives this frame
  if (behind) shared = std::make_shared<Write>();
  Write* w = behind ? shared.get() : &local;
  w->behind = behind;
  w->sector = bio.sector;
  w->sectors = bio.sectors;
  if (ordinary + mostly == 0) {  // every member Faulty: fail on the submitter
    barrier_.allow(bidx);
    const Time t = md().sim().now();
    co_return MdCompletion{IoResult{IoStatus::kError, t, t}, &cpu};
  }
  w->bios.resize(static_cast<size_t>(ordinary + mostly));
  size_t k = 0;
  for (int pass = 0; pass < 2; ++pass) {  // ordinary members first, then write-mostly ones
    for (int d = 0; d < md().raid_disks(); ++d) {
      const Member& m = md().member(d);
      if (m.faulty || m.write_mostly != (pass == 1)) continue;
      MemberBio& b = w->bios[k++];
      b.member = d;
      b.req = bio;
    }
  }
  w->normal = w->behind ? static_cast<size_t>(ordinary) : w->bios.size();
  for (size_t i = 0; i < w->bios.size(); ++i) {
    (i < w->normal ? w->ordinary : w->mostly).add(w->bios[i]);
  }
  if (w->behind) {
    ++stats_.behind_writes;
    cpu.charge(md().costs().copy_per_kib * bio.bytes() / 1024, md().kinds().pers);
    co_await md().bitmap_start_behind_write(cpu);
    w->groups = 2;
  }
  if (md().hooks_in_personality()) {
    co_await md().bitmap_startwrite(cpu, w->sector, w->sectors, w->cookie);
  }
  // blk_finish_plug -> raid1_unplug -> flush_bio_list: bitmap pages first, then the data.
  if (md().bitmap_enabled()) co_await md().bitmap_unplug(cpu);
  co_await md().issue(cpu, w->bios.span());
  cpu.release();
  if (w->behind) spawn(md().sim(), behind_tail(shared));
  MdCompletion c = co_await w->ordinary;
  if (--w->groups == 0) {
    if (needs_close(*w)) co_await close_write(*c.cpu, *w);
    barrier_.allow(bidx);  // raid_end_bio_io
  }
  co_return c;
}

Task<void> Raid1::behind_tail(std::shared_ptr<Write> w) {
  MdCompletion c = co_await w->mostly;
  if (--w->groups == 0) {
    if (needs_close(*w)) co_await close_write(*c.cpu, *w);
    barrier_.allow(Raid1Barrier::sector_to_idx(w->sector));
  }
  co_await c.cpu->settle();
  c.cpu->release();
}

}  // namespace mdsim
