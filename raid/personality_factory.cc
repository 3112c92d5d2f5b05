// make_personality: the array's level -> its personality (md's register_md_personality
// table, by hand). One line per personality.
#include <cstdio>
#include <cstdlib>

#include "raid/mddev.h"
#include "raid/raid1.h"
#include "raid/raid10.h"
#include "raid/raid5.h"

namespace mdsim {

std::unique_ptr<Personality> make_personality(Mddev& md) {
  const std::string& level = md.config().level;
  if (level == "raid1") return std::make_unique<Raid1>(md);
  if (level == "raid10") return std::make_unique<Raid10>(md);
  if (level == "raid4" || level == "raid5" || level == "raid6") {
    return std::make_unique<Raid5>(md);
  }
  std::fprintf(stderr, "mdsim: internal error: no personality for level \"%s\"\n", level.c_str());
  std::abort();
}

}  // namespace mdsim
