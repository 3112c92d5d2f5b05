// raid1 has no layout maths: array sector s is sector s on every member (Linux 6.12 raid1.c
// raid1_read_request/raid1_write_request use r1_bio->sector on each mirror, offset only by
// the member's data_offset, which mdsim's members do not have), and the array is as large as
// the smallest member (raid1_size() returns mddev->dev_sectors, mdadm's --size).
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>

namespace mdsim {

using Sector = uint64_t;  // 512-byte sectors, as sector_t

inline constexpr Sector raid1_member_sector(Sector array_sector) { return array_sector; }

inline Sector raid1_array_sectors(std::span<const Sector> member_sectors) {
  if (member_sectors.empty()) return 0;
  return *std::min_element(member_sectors.begin(), member_sectors.end());
}

}  // namespace mdsim
