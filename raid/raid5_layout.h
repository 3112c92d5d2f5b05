// The block layout of md raid4/5/6 as pure functions: which member holds an array sector, where
// P and Q sit in each stripe, the inverse map, md's geometry checks, and which members a
// degraded read must touch. No simulation state.
//
// Mirrors Linux 6.12 drivers/md/raid5.c: raid5_compute_sector() (forward map),
// raid5_compute_blocknr() (inverse), setup_conf() (geometry checks), raid5_size() (usable
// size), need_this_block() / ops_run_compute5 / ops_run_compute6_1 / ops_run_compute6_2
// (degraded reads); the ALGORITHM_* values of raid5.h; mdadm's layout names (maps.c r5layout,
// r6layout). The formulas have not changed since the raid6 DDF layouts were added in 2.6.30.
// No 6.12 copy of raid5.c was at hand: the switch statements were read in a 3.13-era raid5.c
// (and seen unchanged in the context of a 5.x patch to raid5_compute_blocknr), the ALGORITHM_*
// values in a 4.x raid5.h, setup_conf()'s checks in a 6.9/6.10 listing, need_this_block()
// from memory of 5.x/6.x. See raid5_layout_test.cc for how the tables were checked.
//
// Vocabulary: a "stripe" here is one chunk-high row across all members (the kernel's `stripe`
// in raid5_compute_sector); stripe s occupies member sectors [s*chunk, (s+1)*chunk) on every
// member. md's stripe cache works in 4 KiB-high stripe_heads (kRaid5StripeSectors) inside that.
// Data chunks of a stripe are numbered 0..data_disks-1 in array order (D0, D1, ...).
//
// Left out: reshape (previous geometry, reshape_progress), the DDF syndrome ordering of the
// rotating_* layouts beyond the ddf_layout flag (Q's byte maths is not modelled), PAGE_SIZE
// other than 4 KiB, raid_disks limits of the superblock formats.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mdsim {

using Sector = uint64_t;  // 512-byte sectors, as sector_t

// md's stripe_head height: DEFAULT_STRIPE_SIZE (4 KiB) in sectors.
inline constexpr Sector kRaid5StripeSectors = 8;

// md's ALGORITHM_* values (drivers/md/raid5.h), stored as the array's layout.
enum class Raid5Algorithm : int {
  kLeftAsymmetric = 0,       // rotating parity N with data restart
  kRightAsymmetric = 1,      // rotating parity 0 with data restart
  kLeftSymmetric = 2,        // rotating parity N with data continuation (the default)
  kRightSymmetric = 3,       // rotating parity 0 with data continuation
  kParity0 = 4,              // P (or P,Q) on the first members
  kParityN = 5,              // P (or P,Q) on the last members; raid4's layout
  kRotatingZeroRestart = 8,  // raid6 DDF PRL=6 RLQ=1
  kRotatingNRestart = 9,     // raid6 DDF PRL=6 RLQ=2
  kRotatingNContinue = 10,   // raid6 DDF PRL=6 RLQ=3
  kLeftAsymmetric6 = 16,     // raid6: the raid5 layout on members 0..n-2, Q on the last
  kRightAsymmetric6 = 17,
  kLeftSymmetric6 = 18,
  kRightSymmetric6 = 19,
  kParity0_6 = 20,  // (ALGORITHM_PARITY_N_6 is ALGORITHM_PARITY_N)
};

// Every value above, in numeric order.
std::span<const Raid5Algorithm> all_raid5_algorithms();
// md's algorithm_valid_raid5 / algorithm_valid_raid6; level 4 ignores the algorithm.
bool raid5_algorithm_valid(int level, Raid5Algorithm a);
// mdadm's canonical name ("left-symmetric", "ddf-N-restart", "parity-first-6", ...).
std::string_view raid5_algorithm_name(Raid5Algorithm a);
// mdadm's --layout names for `level` (maps.c: r5layout for 5, r6layout for 6), including the
// short forms la/ra/ls/rs and "default". For raid5, mdadm maps the ddf-* names onto the raid5
// layouts they equal. nullopt if mdadm would not understand the name. (mdadm takes no layout
// for raid4 and md ignores it; level 4 is given the r5layout names here.)
std::optional<Raid5Algorithm> parse_raid5_algorithm(int level, std::string_view name);

struct Raid5Geometry {
  int level = 5;  // 4, 5 or 6
  int raid_disks = 4;
  Sector chunk_sectors = 1024;  // mdadm's default chunk, 512 KiB
  Raid5Algorithm algorithm = Raid5Algorithm::kLeftSymmetric;

  int max_degraded() const { return level == 6 ? 2 : 1; }
  int data_disks() const { return raid_disks - max_degraded(); }
  // Array sectors in one stripe: the size of a full-stripe write.
  Sector stripe_data_sectors() const { return chunk_sectors * data_disks(); }
  // Array sectors given each member's usable size (raid5_size: member size rounded down to a
  // whole chunk, times data disks).
  Sector array_sectors(Sector member_sectors) const;
  // "" if md would run this geometry, else why not, in md's words plus the rule (setup_conf;
  // raid4/5 below 2 members is mdadm's refusal — the kernel would divide by zero).
  std::string validate() const;
};

// Where P and Q sit in one stripe (sh->pd_idx, sh->qd_idx, sh->ddf_layout).
struct Raid5Parity {
  int pd_idx = -1;
  int qd_idx = -1;          // -1 for raid4/5
  bool ddf_layout = false;  // Q's syndrome uses DDF source order (rotating_* layouts)
};

// raid5_compute_sector's result for one array sector.
struct Raid5Location {
  Sector stripe = 0;   // stripe number
  int data_index = 0;  // which data chunk of the stripe (0 = first in array order)
  int dd_idx = 0;      // member holding that chunk
  Raid5Parity parity;
  Sector member_sector = 0;  // sector on member dd_idx (= stripe*chunk + offset in chunk)
};

// The geometry must be valid (validate() == "").
Raid5Location raid5_compute_sector(const Raid5Geometry& g, Sector array_sector);
Raid5Parity raid5_stripe_parity(const Raid5Geometry& g, Sector stripe);

enum class Raid5Role { kData, kP, kQ };
struct Raid5MemberRole {
  Raid5Role role = Raid5Role::kData;
  int data_index = -1;  // for kData
};
Raid5MemberRole raid5_member_role(const Raid5Geometry& g, Sector stripe, int member);
// The data members of `stripe` in array order: result[i] holds data chunk i.
std::vector<int> raid5_data_members(const Raid5Geometry& g, Sector stripe);
// The member holding data chunk `data_index` of the stripe whose parity is `p`.
int raid5_data_member(const Raid5Geometry& g, const Raid5Parity& p, int data_index);

// raid5_compute_blocknr: the array sector stored at (member, member_sector), or nullopt when
// that block is P or Q. Aborts if the inverse disagrees with the forward map (the kernel's
// "compute_blocknr: map not correct" check, here a broken invariant).
std::optional<Sector> raid5_compute_blocknr(const Raid5Geometry& g, int member,
                                            Sector member_sector);

// The stripe_head (4 KiB row) a location belongs to: sh->sector.
inline Sector raid5_stripe_head_sector(const Raid5Location& loc) {
  return loc.member_sector & ~(kRaid5StripeSectors - 1);
}

// How a block of a stripe is obtained when members have failed.
enum class Raid5Recovery {
  kDirect,           // the member is fine: read it
  kRecomputeParity,  // target is P or Q and no data is missing: compute it from all data
  kXorP,             // one data block missing: XOR of the other data and P (compute5, 6_1)
  kDataViaQ,         // raid6, data and P missing: data from the other data and Q (datap_recov)
  kTwoDataPQ,        // raid6, two data missing: both from the other data, P and Q (2data_recov)
};

struct Raid5ReadPlan {
  std::string error;  // non-empty: more members failed than the level survives
  Raid5Recovery method = Raid5Recovery::kDirect;
  bool uses_p = false;
  bool uses_q = false;
  // Members whose blocks the computation consumes (the minimum to read), ascending.
  std::vector<int> sources;
  // Members md 6.12 actually reads for it: need_this_block() reads every surviving member of
  // the stripe once a failed member has a pending read ("we need to actually read every other
  // device"), so on raid6 this includes the syndrome the maths does not need. Ascending.
  std::vector<int> kernel_reads;
};

// Plan for obtaining `target_member`'s block of `stripe` with `failed_members` unavailable
// (any order, duplicates ignored). A target that has not failed is a direct read; a failed
// P/Q target is recomputed after any missing data is recovered.
Raid5ReadPlan raid5_degraded_read_plan(const Raid5Geometry& g, Sector stripe, int target_member,
                                       std::span<const int> failed_members);

}  // namespace mdsim
