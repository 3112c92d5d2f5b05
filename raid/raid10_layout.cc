// raid10 layout maths; see raid10_layout.h. Follows Linux 6.12 raid10.c setup_geo(),
// calc_sectors(), raid10_size(), __raid10_find_phys() and raid10_find_virt().
#include "raid/raid10_layout.h"

#include <bit>
#include <cstdio>

namespace mdsim {
namespace {

// log2 of a power-of-two chunk (geo->chunk_shift; validate() refuses other chunks).
int chunk_shift(Sector chunk) { return std::countr_zero(chunk); }

// The far set a member belongs to for the copy-shifting rules: md treats the members after
// the last whole set as part of the last set ("last_far_set_start", "last_far_set_size").
struct FarSets {
  int size;        // geo->far_set_size
  int last_start;  // first member of the last set
  int last_size;   // members in the last set
  bool ragged;     // raid_disks is not a multiple of the set size
};
FarSets far_sets(const Raid10Geometry& g) {
  FarSets f;
  f.size = g.far_set_size();
  f.last_start = (g.raid_disks / f.size - 1) * f.size;
  f.last_size = f.size + g.raid_disks % f.size;
  f.ragged = g.raid_disks % f.size != 0;
  return f;
}

}  // namespace

std::optional<uint32_t> parse_raid10_layout(std::string_view name) {
  if (name.size() < 2 || name.size() > 4) return std::nullopt;
  const char kind = name[0];
  if (kind != 'n' && kind != 'f' && kind != 'o') return std::nullopt;
  int copies = 0;
  for (char c : name.substr(1)) {
    if (c < '0' || c > '9') return std::nullopt;
    copies = copies * 10 + (c - '0');
  }
  if (copies < 1 || copies > 200) return std::nullopt;
  if (kind == 'n') return raid10_layout_word(copies, 1);
  return raid10_layout_word(1, copies, kind == 'o');
}

std::string raid10_layout_name(uint32_t layout) {
  const int nc = layout & 255, fc = (layout >> 8) & 255;
  const bool fo = (layout >> 16) & 1;
  const bool plain = (layout >> 17) == 0;
  char buf[32];
  if (plain && fc == 1 && !fo && nc >= 1) {
    std::snprintf(buf, sizeof buf, "n%d", nc);
  } else if (plain && nc == 1 && fc >= 1) {
    std::snprintf(buf, sizeof buf, "%c%d", fo ? 'o' : 'f', fc);
  } else {
    std::snprintf(buf, sizeof buf, "0x%x", layout);
  }
  return buf;
}

int Raid10Geometry::far_set_size() const {
  switch (far_set_mode()) {
    case 0:
      return raid_disks;  // original layout
    case 1:
      return far_copies() ? raid_disks / far_copies() : 0;  // "improved", buggy
    case 2:
      return near_copies() * far_copies();  // "improved", fixed
    default:
      return 0;
  }
}

Sector Raid10Geometry::dev_sectors() const {
  const int shift = chunk_shift(chunk_sectors);
  Sector chunks = (member_sectors >> shift) / far_copies();
  chunks = chunks * raid_disks / near_copies();  // chunks in the array
  const Sector per_member = (chunks * copies() + raid_disks - 1) / raid_disks;
  return per_member << shift;
}

Sector Raid10Geometry::stride() const {
  if (far_offset()) return chunk_sectors;
  const int shift = chunk_shift(chunk_sectors);
  return ((dev_sectors() >> shift) / far_copies()) << shift;
}

Sector Raid10Geometry::array_sectors() const {
  const int shift = chunk_shift(chunk_sectors);
  Sector chunks = (dev_sectors() >> shift) / far_copies();
  chunks = chunks * raid_disks / near_copies();
  return chunks << shift;
}

std::string Raid10Geometry::validate() const {
  // setup_geo()'s order: the layout word's high bits, the chunk, the far-set mode; then
  // setup_conf()'s copy count.
  char buf[160];
  const auto unsupported = [&](const char* why) {
    std::snprintf(buf, sizeof buf, "unsupported raid10 layout: 0x%8x (%s)", layout, why);
    return std::string(buf);
  };
  if ((layout >> 19) != 0) return unsupported("bits above 18 set");
  if (chunk_sectors < 8 || (chunk_sectors & (chunk_sectors - 1)) != 0 ||
      chunk_sectors > 0x7fffffff) {
    std::snprintf(buf, sizeof buf,
                  "chunk size must be at least PAGE_SIZE(4096) and be a power of 2 (got %llu "
                  "bytes)",
                  static_cast<unsigned long long>(chunk_sectors * 512));
    return buf;
  }
  if (far_set_mode() == 3) return unsupported("far-set mode 3");
  if (copies() < 2) return unsupported("fewer than 2 copies");
  if (copies() > raid_disks) return unsupported("more copies than raid_disks");
  if (far_copies() > 1 && !far_offset() && member_sectors < chunk_sectors * far_copies())
    return "far layout: member_sectors must hold at least far_copies chunks";
  return "";
}

void raid10_find_phys(const Raid10Geometry& g, Sector array_sector, std::span<Raid10Copy> out) {
  const int shift = chunk_shift(g.chunk_sectors);
  const int nc = g.near_copies(), fc = g.far_copies();
  const Sector stride = fc > 1 ? g.stride() : 0;
  const FarSets sets = fc > 1 ? far_sets(g) : FarSets{};

  // Near copies occupy nc consecutive (member, row) slots in raid0 order.
  const Sector slot = (array_sector >> shift) * nc;
  Sector row = slot / g.raid_disks;
  int dev = static_cast<int>(slot % g.raid_disks);
  if (g.far_offset()) row *= fc;  // offset layouts interleave each far copy's row
  Sector sector = (row << shift) + (array_sector & (g.chunk_sectors - 1));

  size_t k = 0;
  for (int n = 0; n < nc; ++n) {
    int d = dev;
    Sector s = sector;
    out[k++] = {d, s};
    for (int f = 1; f < fc; ++f) {
      // Each far copy moves nc members on, wrapping within its far set.
      const int set = d / sets.size;
      d += nc;
      if (sets.ragged && d > sets.last_start) {
        d = (d - sets.last_start) % sets.last_size + sets.last_start;
      } else {
        d = d % sets.size + sets.size * set;
      }
      s += stride;
      out[k++] = {d, s};
    }
    if (++dev >= g.raid_disks) {
      dev = 0;
      sector += g.chunk_sectors;
    }
  }
}

std::vector<Raid10Copy> raid10_find_phys(const Raid10Geometry& g, Sector array_sector) {
  std::vector<Raid10Copy> out(g.copies());
  raid10_find_phys(g, array_sector, out);
  return out;
}

Sector raid10_find_virt(const Raid10Geometry& g, int member, Sector member_sector) {
  const int shift = chunk_shift(g.chunk_sectors);
  const int nc = g.near_copies(), fc = g.far_copies();
  const FarSets sets = far_sets(g);
  int set_start = member / sets.size * sets.size;
  int set_size = sets.size;
  if (sets.ragged && member >= sets.last_start) {
    set_start = sets.last_start;
    set_size = sets.last_size;
  }

  const Sector offset = member_sector & (g.chunk_sectors - 1);
  Sector row;
  int dev = member;
  if (g.far_offset()) {
    // Row r holds far copy r % fc of row-group r / fc; undo that copy's member shift.
    Sector chunk = member_sector >> shift;
    const int f = static_cast<int>(chunk % fc);
    row = chunk / fc;
    dev -= f * nc;
    if (dev < set_start) dev += set_size;
  } else {
    // Each stride further down is one more far copy: step the member back by nc each time.
    const Sector stride = fc > 1 ? g.stride() : ~Sector{0};
    while (member_sector >= stride) {
      member_sector -= stride;
      if (dev < nc + set_start) {
        dev += set_size - nc;
      } else {
        dev -= nc;
      }
    }
    row = member_sector >> shift;
  }
  const Sector vchunk = (row * g.raid_disks + dev) / nc;
  return (vchunk << shift) + offset;
}

}  // namespace mdsim
