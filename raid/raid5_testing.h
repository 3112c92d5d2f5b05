// Test helpers for raid4/5/6 arrays on null members: a rig that runs single bios or batches
// of concurrent ones, and per-member I/O counts.
#pragma once

#include <memory>
#include <vector>

#include "raid/md_testing.h"
#include "raid/raid5.h"
#include "sim/testing.h"

namespace mdsim::testing {

inline ArrayConfig raid5_config(int disks, uint64_t chunk_bytes = 64 * 1024,
                                const char* bitmap = "none", const char* level = "raid5") {
  ArrayConfig c;
  c.level = level;
  c.raid_disks = disks;
  c.chunk_bytes = chunk_bytes;
  c.bitmap = bitmap;
  c.data_offset_sectors = 2048;
  return c;
}

struct Raid5Rig {
  Simulator sim;
  Machine m;
  std::unique_ptr<Mddev> md;

  // `cores` per socket.
  explicit Raid5Rig(const ArrayConfig& cfg, int cores = 4, int sockets = 1,
                    const DiskProfile& member = null_member(10 * kMicrosecond))
      : m(sim, profile(sockets, cores)) {
    md = make_array(m, cfg, member);
  }
  Raid5& r5() { return static_cast<Raid5&>(md->personality()); }
  const DiskStats& disk(int i) { return md->member(i).disk->stats(); }
  uint64_t reads(int i) { return disk(i).op(DiskOp::kRead).ios; }
  uint64_t writes(int i) { return disk(i).op(DiskOp::kWrite).ios; }
  uint64_t total(DiskOp op) {
    uint64_t n = 0;
    for (int i = 0; i < md->raid_disks(); ++i) n += disk(i).op(op).ios;
    return n;
  }
  // Every bio of `bios` submitted now, bio k from core k % cores; runs until all ended.
  std::vector<IoResult> run(const std::vector<DiskRequest>& bios) {
    std::vector<IoResult> out(bios.size());
    auto body = [](Raid5Rig* r, DiskRequest q, IoResult* o, int core) -> Task<void> {
      *o = co_await host_io(*r->md, r->m.cpu(core), q);
    };
    for (size_t k = 0; k < bios.size(); ++k) {
      spawn(sim, body(this, bios[k], &out[k], static_cast<int>(k) % m.num_cpus()));
    }
    sim.run();
    return out;
  }
  IoResult io(DiskOp op, Sector sector, uint32_t sectors = 8) {
    return run({DiskRequest{op, sector, sectors}})[0];
  }
  // CPU time charged to `kind` on every core.
  Time cpu_time(KindId kind) const {
    Time t = 0;
    for (int i = 0; i < m.num_cpus(); ++i) t += m.cpu(i).time_in(kind);
    return t;
  }
};

}  // namespace mdsim::testing
