// The personality interface's defaults: see personality.h.
#include "raid/personality.h"

#include "raid/mddev.h"

namespace mdsim {

Personality::ErrorVerdict Personality::error(int member, bool fail_last_dev) {
  (void)member;
  (void)fail_last_dev;
  ErrorVerdict v;
  v.broken = md().failed_members() + 1 == md().raid_disks();
  return v;
}

}  // namespace mdsim
