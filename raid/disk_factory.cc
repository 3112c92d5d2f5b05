// make_disk: the profile's model name -> the model.
#include <cstdio>
#include <cstdlib>

#include "raid/disk.h"
#include "raid/hdd.h"
#include "raid/null_disk.h"
#include "raid/nvme_disk.h"
#include "raid/ramdisk.h"
#include "raid/sata_ssd.h"

namespace mdsim {

std::unique_ptr<Disk> make_disk(const DiskProfile& profile, Simulator& sim, RandomStreams streams,
                                const std::string& name) {
  Rng rng = streams.stream("disk." + name);
  const std::string& m = profile.model;
  if (m == "null") return std::make_unique<NullDisk>(sim, profile, rng, name);
  if (m == "ramdisk") return std::make_unique<Ramdisk>(sim, profile, rng, name);
  if (m == "nvme") return std::make_unique<NvmeDisk>(sim, profile, rng, name);
  if (m == "sata_ssd") return std::make_unique<SataSsd>(sim, profile, rng, name);
  if (m == "hdd") return std::make_unique<Hdd>(sim, profile, rng, name);
  std::fprintf(stderr, "mdsim: internal error: unknown disk model \"%s\"\n", m.c_str());
  std::abort();
}

}  // namespace mdsim
