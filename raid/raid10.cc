// raid10: see raid10.h.
#include "raid/raid10.h"

#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "raid/mddev.h"
#include "raid/raid10_bio.h"
#include "sim/join.h"

namespace mdsim {

namespace {

// raid1-10.c: a plug holding this many bios per copy is flushed on the spot.
constexpr int kMaxPlugBio = 32;

[[noreturn]] void config_bug(const std::string& what) {
  std::fprintf(stderr, "mdsim: internal error: raid10 config: %s\n", what.c_str());
  std::abort();
}

uint32_t parse_layout(const std::string& name) {
  if (name.empty()) return kRaid10DefaultLayout;
  if (name.size() > 2 && name[0] == '0' && (name[1] == 'x' || name[1] == 'X')) {
    char* end = nullptr;
    const unsigned long v = std::strtoul(name.c_str() + 2, &end, 16);
    if (*end != '\0' || v > std::numeric_limits<uint32_t>::max()) {
      config_bug("bad layout word \"" + name + "\"");
    }
    return static_cast<uint32_t>(v);
  }
  const std::optional<uint32_t> w = parse_raid10_layout(name);
  if (!w) config_bug("unknown layout \"" + name + "\"");
  return *w;
}

}  // namespace

Raid10::Raid10(Mddev& md) : Personality(md) {
  const ArrayConfig& cfg = md.config();
  geo_.layout = parse_layout(cfg.layout);
  geo_.raid_disks = md.raid_disks();
  geo_.chunk_sectors = cfg.chunk_bytes / kSectorBytes;
  geo_.member_sectors = md.member_sectors();
  if (cfg.chunk_bytes % kSectorBytes != 0) config_bug("chunk is not a whole number of sectors");
  const std::string why = geo_.validate();
  if (!why.empty()) config_bug(why);
  array_sectors_ = geo_.array_sectors();
  if (array_sectors_ == 0) config_bug("members too small for one chunk per copy");
  nonrot_.resize(static_cast<size_t>(md.raid_disks()));
  for (int i = 0; i < md.raid_disks(); ++i) {
    nonrot_[static_cast<size_t>(i)] = md.member(i).disk->profile().model != "hdd";
    nonrot_disks_ += nonrot_[static_cast<size_t>(i)] ? 1 : 0;
  }
}

uint32_t Raid10::piece_sectors(Sector sector, uint32_t sectors) const {
  const Sector chunk = geo_.chunk_sectors;
  const Sector in_chunk = sector & (chunk - 1);
  if (geo_.near_copies() < geo_.raid_disks && in_chunk + sectors > chunk) {
    return static_cast<uint32_t>(chunk - in_chunk);
  }
  return sectors;
}

void Raid10::split(const DiskRequest& bio, Pieces& pieces) const {
  size_t n = 0;
  for (uint32_t left = bio.sectors; left > 0;) {
    left -= piece_sectors(bio.sector + (bio.sectors - left), left);
    ++n;
  }
  pieces.resize(n);
  Sector s = bio.sector;
  uint32_t left = bio.sectors;
  for (R10Bio& r : pieces) {
    map_piece(r, s, piece_sectors(s, left));
    s += r.sectors;
    left -= r.sectors;
  }
}

void Raid10::map_piece(R10Bio& r, Sector sector, uint32_t sectors) const {
  r.sector = sector;
  r.sectors = sectors;
  r.copies.resize(static_cast<size_t>(geo_.copies()));
  raid10_find_phys(geo_, sector, r.copies.span());
}

bool Raid10::enough(int ignore) const {
  const int disks = geo_.raid_disks;
  int first = 0;
  do {
    int alive = 0;
    int d = first;
    for (int n = 0; n < geo_.copies(); ++n) {
      if (d != ignore && !md().member(d).faulty) ++alive;
      d = (d + 1) % disks;
    }
    if (alive == 0) return false;
    first = (first + geo_.near_copies()) % disks;
  } while (first != 0);
  return true;
}

Personality::ErrorVerdict Raid10::error(int member, bool fail_last_dev) {
  ErrorVerdict v;
  if (!enough(member)) {
    v.broken = true;
    v.faulty = fail_last_dev;
  }
  return v;
}

void Raid10::next_piece_cost(Cpu& cpu) {
  ++stats_.splits;
  cpu.charge(md().costs().md_request, md().kinds().md);
  cpu.charge(md().costs().pers_request, md().kinds().pers);
}

Task<MdCompletion> Raid10::make_request(Cpu& cpu, const DiskRequest& bio) {
  cpu.charge(md().costs().pers_request, md().kinds().pers);
  if (bio.op == DiskOp::kRead) return read_request(cpu, bio);
  // Nearly every write is one piece: its own, smaller coroutine.
  if (piece_sectors(bio.sector, bio.sectors) == bio.sectors) return write_one(cpu, bio);
  return write_request(cpu, bio);
}

Task<void> Raid10::flush_plug(Cpu& cpu, Plug& plug) {
  // raid10_unplug -> raid1_prepare_flush_writes (bitmap unplug), then flush_bio_list.
  co_await md().bitmap_unplug(cpu);
  for (size_t i = 0; i < plug.used; ++i) co_await md().issue(cpu, *plug.bios[i]);
  plug.used = 0;
  plug.count = 0;
}

Task<MdCompletion> Raid10::write_request(Cpu& cpu, const DiskRequest& bio) {
  const bool hooks = md().bitmap_enabled();  // per piece, either placement
  const bool plugged = md().bitmap_enabled();
  Pieces pieces;
  split(bio, pieces);
  Plug plug;
  if (plugged) plug.bios.resize(pieces.size() * static_cast<size_t>(geo_.copies()));
  Join j;
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (i > 0) next_piece_cost(cpu);
    R10Bio& r = pieces[i];
    const int live = add_member_bios(r, bio);
    if (hooks) co_await md().bitmap_startwrite(cpu, r.sector, r.sectors, r.cookie);
    if (live == 0) {  // no copy to write: one_write_done ends it at once, failed
      if (hooks) co_await md().bitmap_endwrite(cpu, r.sector, r.sectors, r.cookie);
      j.failed = true;
      continue;
    }
    ++j.remaining;
    for (MemberBio& b : r.bios) {  // raid10_write_one_disk
      if (!plugged) {
        co_await md().issue(cpu, b);
        continue;
      }
      plug.bios[plug.used++] = &b;
      if (++plug.count / kMaxPlugBio >= geo_.copies()) co_await flush_plug(cpu, plug);
    }
  }
  if (plug.used > 0) co_await flush_plug(cpu, plug);  // blk_finish_plug
  if (j.remaining == 0) co_return raid10_finished(md().sim(), &cpu, true);
  co_await cpu.settle();
  cpu.release();
  std::vector<Task<void>> waits;
  for (R10Bio& r : pieces) {
    if (!r.bios.empty()) waits.push_back(finish_write(cpu, r, j));
  }
  co_await all_of(std::move(waits));
  co_return raid10_finished(md().sim(), j.last, j.failed);
}

int Raid10::add_member_bios(R10Bio& r, const DiskRequest& bio) {
  ++stats_.r10bios;
  int live = 0;
  for (const Raid10Copy& c : r.copies) live += md().member(c.member).faulty ? 0 : 1;
  r.bios.resize(static_cast<size_t>(live));
  size_t k = 0;
  for (const Raid10Copy& c : r.copies) {
    if (md().member(c.member).faulty) continue;  // R10BIO_Degraded
    MemberBio& b = r.bios[k++];
    b.member = c.member;
    b.req = bio;  // keeps op (write or discard) and FUA
    b.req.preflush = false;
    b.req.sector = c.member_sector;
    b.req.sectors = r.sectors;
    r.written.add(b);
  }
  return live;
}

Task<MdCompletion> Raid10::write_one(Cpu& cpu, const DiskRequest& bio) {
  // write_request for a bio that is one piece: no pieces, join or plug array (the plug would
  // hold just this r10bio's bios, flushed by blk_finish_plug after the loop).
  const bool bitmap = md().bitmap_enabled();
  R10Bio r;
  map_piece(r, bio.sector, bio.sectors);
  const int live = add_member_bios(r, bio);
  if (bitmap) co_await md().bitmap_startwrite(cpu, r.sector, r.sectors, r.cookie);
  if (live == 0) {  // no copy to write: one_write_done ends it at once, failed
    if (bitmap) co_await md().bitmap_endwrite(cpu, r.sector, r.sectors, r.cookie);
    co_return raid10_finished(md().sim(), &cpu, true);
  }
  if (bitmap) co_await md().bitmap_unplug(cpu);  // raid10_unplug before the data
  co_await md().issue(cpu, r.bios.span());
  co_await cpu.settle();
  cpu.release();
  MdCompletion c = co_await r.written;
  update_head_pos(r);
  if (bitmap) co_await md().bitmap_endwrite(*c.cpu, r.sector, r.sectors, r.cookie);
  co_return raid10_finished(md().sim(), c.cpu, !c.result.ok());
}

void Raid10::update_head_pos(const R10Bio& r) {
  for (const MemberBio& b : r.bios) {
    md().member(b.member).head_position = b.req.sector + b.req.sectors;
  }
}

Task<void> Raid10::finish_write(Cpu& cpu, R10Bio& r, Join& j) {
  MdCompletion c = co_await r.written;
  update_head_pos(r);
  if (md().bitmap_enabled()) {  // close_write, or md_end_clone_io of the piece (6.14+)
    co_await md().bitmap_endwrite(*c.cpu, r.sector, r.sectors, r.cookie);
  }
  if (!c.result.ok()) j.failed = true;
  if (--j.remaining > 0) {
    co_await c.cpu->settle();
    c.cpu->release();
  } else {
    j.last = c.cpu;
  }
}

}  // namespace mdsim
