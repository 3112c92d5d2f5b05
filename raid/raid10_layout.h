// The block layout of md raid10 as pure functions: md's layout word, where every copy of an
// array sector lives, the inverse map, md's geometry checks and the usable sizes.
//
// Mirrors Linux 6.12 drivers/md/raid10.c: setup_geo() (layout word decoding and checks),
// setup_conf() (copies between 2 and raid_disks), calc_sectors() (per-member used size and
// the far stride), raid10_size() (array size), __raid10_find_phys() (forward map, copies in
// r10bio->devs[] slot order), raid10_find_virt() (inverse); mdadm util.c parse_layout_10() for
// the names n2/f2/o2. No 6.12 copy of raid10.c was at hand: the code was read in a 4.x
// raid10.c, and __raid10_find_phys's far-set loop seen identical in every other stored copy
// (3.13 on); the 2026 stable fix 9aa6d860 ("fix divide-by-zero in setup_geo() with zero
// far_copies") only rejects what setup_conf's copy check rejects here anyway.
//
// The layout word: bits 0-7 near_copies, bits 8-15 far_copies, bit 16 far_offset, bits 17-18
// the far-set mode (0: one set of all members; 1: the buggy first "improved" layout,
// far_set_size = raid_disks / far_copies; 2: far_set_size = near_copies * far_copies); any bit
// from 19 up is refused.
//
// md itself puts two chunks' copies on one member sector in two corners that mdadm's names
// cannot create (offset + near > 1 with raid_disks % near != 0; far sets with near > 1 and a
// ragged last set); they are modelled as md has them and validate() accepts them as md does
// (raid10_layout_test.cc, KernelCollisionsAreModelled).
//
// Left out: reshape (conf->prev, reshape_progress), read balancing (read_balance belongs to
// the personality).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mdsim {

using Sector = uint64_t;  // 512-byte sectors, as sector_t

// Builds md's layout word.
constexpr uint32_t raid10_layout_word(int near_copies, int far_copies, bool far_offset = false,
                                      int far_set_mode = 0) {
  return static_cast<uint32_t>(near_copies & 255) | static_cast<uint32_t>(far_copies & 255) << 8 |
         (far_offset ? 1u << 16 : 0u) | static_cast<uint32_t>(far_set_mode & 3) << 17;
}
inline constexpr uint32_t kRaid10DefaultLayout = raid10_layout_word(2, 1);  // mdadm: n2 = 0x102

// mdadm's --layout for raid10: 'n', 'f' or 'o' followed by the copy count (1..200), e.g. "n2"
// -> 0x102, "f2" -> 0x201, "o2" -> 0x10201. nullopt if mdadm would refuse the name.
std::optional<uint32_t> parse_raid10_layout(std::string_view name);
// The mdadm name of a layout word if it has one ("n3", "f2", "o2"), else "0x" and the word in
// hex (combined near+far layouts, far sets).
std::string raid10_layout_name(uint32_t layout);

struct Raid10Geometry {
  uint32_t layout = kRaid10DefaultLayout;
  int raid_disks = 4;
  Sector chunk_sectors = 1024;  // mdadm's default chunk, 512 KiB
  // Each member's usable size (rdev->sectors, what calc_sectors() is given). It sets the far
  // layouts' stride, so it is part of the geometry; near and offset layouts ignore it for the
  // mapping.
  Sector member_sectors = 0;

  int near_copies() const { return static_cast<int>(layout & 255); }
  int far_copies() const { return static_cast<int>((layout >> 8) & 255); }
  bool far_offset() const { return (layout >> 16) & 1; }
  int far_set_mode() const { return static_cast<int>(layout >> 17); }
  int copies() const { return near_copies() * far_copies(); }
  // geo->far_set_size (setup_geo); 0 if the mode is invalid.
  int far_set_size() const;
  // calc_sectors(): sectors of each member the array uses (conf->dev_sectors, a whole number
  // of chunks) and the distance between far copies on a member (geo->stride: one chunk for
  // offset layouts, dev_sectors / far_copies rounded down to a chunk otherwise).
  Sector dev_sectors() const;
  Sector stride() const;
  // raid10_size() over dev_sectors(): the array's size in sectors.
  Sector array_sectors() const;
  // "" if md would run this geometry, else why not, in md's words (setup_geo/setup_conf).
  // A far (not offset) layout also needs member_sectors >= far_copies chunks here.
  std::string validate() const;
};

struct Raid10Copy {
  int member = 0;
  Sector member_sector = 0;
  bool operator==(const Raid10Copy&) const = default;
};

// __raid10_find_phys: every copy of `array_sector`, in md's slot order (for each near copy,
// then its far copies). `out` must hold copies() entries. The geometry must be valid.
void raid10_find_phys(const Raid10Geometry& g, Sector array_sector, std::span<Raid10Copy> out);
std::vector<Raid10Copy> raid10_find_phys(const Raid10Geometry& g, Sector array_sector);

// raid10_find_virt: the array sector whose copy is at (member, member_sector). Defined for
// member sectors below dev_sectors(); as in md, a sector in the unused tail of the last row
// maps past array_sectors().
Sector raid10_find_virt(const Raid10Geometry& g, int member, Sector member_sector);

}  // namespace mdsim
