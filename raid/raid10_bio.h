// raid10's per-request state, shared by the write path (raid10.cc) and the read path
// (raid10_read.cc); private to those two files.
#pragma once

#include <optional>
#include <vector>

#include "raid/mddev.h"
#include "raid/raid10.h"

namespace mdsim {

struct Raid10::R10Bio {
  Sector sector = 0;
  uint32_t sectors = 0;
  InlineArray<Raid10Copy, 4> copies;  // raid10_find_phys, slot order
  InlineArray<MemberBio, 4> bios;     // writes: one per copy on a member not Faulty
  BioGroup written;                   // writes: their completions
  std::optional<MemberBio> read;      // reads: the attempt in flight
  int slot = -1;                      // reads: read_slot
  std::vector<bool> blocked;          // reads: slots tried (IO_BLOCKED)
  WriteCookie cookie;
};

struct Raid10::Plug {
  InlineArray<MemberBio*, 8> bios;  // raid1_plug_cb->pending: [0, used)
  size_t used = 0;
  int count = 0;
};

struct Raid10::Join {
  int remaining = 0;
  Cpu* last = nullptr;
  bool failed = false;
};

// The host bio's end (md core fills in its times).
inline MdCompletion raid10_finished(Simulator& sim, Cpu* cpu, bool failed) {
  const Time t = sim.now();
  return MdCompletion{IoResult{failed ? IoStatus::kError : IoStatus::kOk, t, t}, cpu};
}

}  // namespace mdsim
