// The personality interface's defaults: see personality.h.
#include "raid/personality.h"

#include <cstdio>
#include <cstdlib>

#include "raid/mddev.h"

namespace mdsim {

Personality::ErrorVerdict Personality::error(int member, bool fail_last_dev) {
  (void)member;
  (void)fail_last_dev;
  ErrorVerdict v;
  v.broken = md().failed_members() + 1 == md().raid_disks();
  return v;
}

Task<Sector> Personality::sync_request(Cpu& cpu, Sector sector_nr, Sector max_sector,
                                       bool* skipped) {
  (void)cpu;
  (void)sector_nr;
  (void)max_sector;
  (void)skipped;
  std::fprintf(stderr, "mdsim: internal error: %s has no sync_request\n", name());
  std::abort();
  co_return 0;
}

}  // namespace mdsim
