// raid4/5/6 layout maths; see raid5_layout.h. The forward map follows the cases of Linux 6.12
// raid5_compute_sector(), the inverse those of raid5_compute_blocknr(), written here as
// "raid5-style placement on m members" plus the raid6 variants built on it. Layout names and
// geometry validation are raid5_layout_names.cc.
#include "raid/raid5_layout.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstdlib>

namespace mdsim {
namespace {

// Every md layout is one of a few shapes.
//   Where P goes in stripe s over a window of m members: kLeft starts on the last member and
//   moves one left per stripe, kRight starts on the first and moves right, kFirst/kLast stay,
//   kLeftShifted is kLeft one stripe on (rotating_n_restart: D D D P Q first).
//   Data either restarts at member 0 skipping the parity ("asymmetric", parity_*) or
//   continues after the parity and wraps ("symmetric").
// raid4/5 and the raid6 *_6 layouts are raid5 shapes on m = n or n-1 members (Q on the last
// member); the other raid6 layouts put Q next to P (after it, or before it for
// rotating_n_continue) and skip or continue after the pair.
enum class Rot { kLeft, kRight, kFirst, kLast, kLeftShifted };
struct Shape {
  Rot rot = Rot::kLast;
  bool cont = false;  // data continues after the parity
  bool q_last = false;
  bool q_before = false;
};

// Indexed by ALGORITHM_* 0-10 (6 and 7 unused); a *_6 layout uses the entry 16 below it.
// clang-format off
constexpr Shape kShapes[11] = {
    {Rot::kLeft, false},  {Rot::kRight, false},  {Rot::kLeft, true},  {Rot::kRight, true},
    {Rot::kFirst, false}, {Rot::kLast, false},   {}, {},
    {Rot::kRight, false}, {Rot::kLeftShifted, false}, {Rot::kLeft, true, false, true}};
// clang-format on

Shape shape(const Raid5Geometry& g) {
  if (g.level == 4) return {Rot::kLast, false};
  const int v = static_cast<int>(g.algorithm);
  if (v < 16) return kShapes[v];
  Shape s = kShapes[v - 16];
  s.q_last = true;
  return s;
}

// x / d with the remainder in *rem, in 32-bit arithmetic when both fit (the same result for
// less: these run for every stripe unit of every bio), and a shift for a power-of-two d.
Sector div_rem(Sector x, Sector d, Sector* rem) {
  if ((d & (d - 1)) == 0) {
    *rem = x & (d - 1);
    return x >> std::countr_zero(d);
  }
  if (((x | d) >> 32) == 0) {
    const auto q = static_cast<uint32_t>(x) / static_cast<uint32_t>(d);
    *rem = static_cast<uint32_t>(x) - q * static_cast<uint32_t>(d);
    return q;
  }
  *rem = x % d;
  return x / d;
}

// v % m for 0 <= v.
int mod(int v, int m) {
  if (v < m) return v;
  return v < 2 * m ? v - m : v % m;
}

int rotate(Rot r, int m, Sector stripe) {
  Sector rem;
  div_rem(stripe, static_cast<Sector>(m), &rem);
  const int step = static_cast<int>(rem);
  if (r == Rot::kLeft) return m - 1 - step;
  if (r == Rot::kRight) return step;
  if (r == Rot::kFirst) return 0;
  if (r == Rot::kLast) return m - 1;
  return m - 1 - mod(step + 1, m);  // kLeftShifted
}

// A raid5-style layout (parity in a window of `m` members: all of raid4/5, the *_6 layouts).
bool raid5_style(const Raid5Geometry& g, const Shape& s) { return g.level != 6 || s.q_last; }

int data_member(const Raid5Geometry& g, const Raid5Parity& p, int i) {
  const Shape s = shape(g);
  const int n = g.raid_disks;
  if (raid5_style(g, s)) {
    const int m = s.q_last ? n - 1 : n;
    return s.cont ? mod(p.pd_idx + 1 + i, m) : (i >= p.pd_idx ? i + 1 : i);
  }
  if (s.cont) return mod(p.pd_idx + (s.q_before ? 1 : 2) + i, n);  // after the P,Q pair
  const int lo = std::min(p.pd_idx, p.qd_idx), hi = std::max(p.pd_idx, p.qd_idx);
  int m = i;  // the i-th member that is neither P nor Q (Q D D D P, D D P Q D)
  if (m >= lo) ++m;
  if (m >= hi) ++m;
  return m;
}

int data_index(const Raid5Geometry& g, const Raid5Parity& p, int member) {
  const Shape s = shape(g);
  const int n = g.raid_disks;
  if (raid5_style(g, s)) {
    const int m = s.q_last ? n - 1 : n;
    return s.cont ? mod(member - p.pd_idx - 1 + m, m) : member - (member > p.pd_idx);
  }
  if (s.cont) return mod(member - p.pd_idx - (s.q_before ? 1 : 2) + 2 * n, n);
  return member - (member > p.pd_idx) - (member > p.qd_idx);
}

}  // namespace

Raid5Parity raid5_stripe_parity(const Raid5Geometry& g, Sector stripe) {
  const Shape s = shape(g);
  const int n = g.raid_disks;
  Raid5Parity p;
  if (raid5_style(g, s)) {
    p.pd_idx = rotate(s.rot, s.q_last ? n - 1 : n, stripe);
    if (s.q_last) p.qd_idx = n - 1;
    return p;
  }
  // raid6 with Q beside P; parity_n leaves the last member to Q.
  p.pd_idx = s.rot == Rot::kLast ? n - 2 : rotate(s.rot, n, stripe);
  p.qd_idx = s.q_before ? mod(p.pd_idx + n - 1, n) : mod(p.pd_idx + 1, n);
  p.ddf_layout = static_cast<int>(g.algorithm) >= 8;
  return p;
}

Raid5Location raid5_compute_sector(const Raid5Geometry& g, Sector array_sector) {
  Sector offset, data_index;
  const Sector chunk = div_rem(array_sector, g.chunk_sectors, &offset);
  Raid5Location loc;
  loc.stripe = div_rem(chunk, static_cast<Sector>(g.data_disks()), &data_index);
  loc.data_index = static_cast<int>(data_index);
  loc.parity = raid5_stripe_parity(g, loc.stripe);
  loc.dd_idx = data_member(g, loc.parity, loc.data_index);
  loc.member_sector = loc.stripe * g.chunk_sectors + offset;
  return loc;
}

Raid5MemberRole raid5_member_role(const Raid5Geometry& g, Sector stripe, int member) {
  const Raid5Parity p = raid5_stripe_parity(g, stripe);
  if (member == p.pd_idx) return {Raid5Role::kP, -1};
  if (member == p.qd_idx) return {Raid5Role::kQ, -1};
  return {Raid5Role::kData, data_index(g, p, member)};
}

int raid5_data_member(const Raid5Geometry& g, const Raid5Parity& p, int data_index) {
  return data_member(g, p, data_index);
}

std::vector<int> raid5_data_members(const Raid5Geometry& g, Sector stripe) {
  const Raid5Parity p = raid5_stripe_parity(g, stripe);
  std::vector<int> out(g.data_disks());
  for (int i = 0; i < g.data_disks(); ++i) out[i] = data_member(g, p, i);
  return out;
}

std::optional<Sector> raid5_compute_blocknr(const Raid5Geometry& g, int member,
                                            Sector member_sector) {
  const Sector stripe = member_sector / g.chunk_sectors;
  const Sector offset = member_sector % g.chunk_sectors;
  const Raid5MemberRole r = raid5_member_role(g, stripe, member);
  if (r.role != Raid5Role::kData) return std::nullopt;
  const Sector chunk = stripe * static_cast<Sector>(g.data_disks()) + r.data_index;
  const Sector array_sector = chunk * g.chunk_sectors + offset;
  const Raid5Location check = raid5_compute_sector(g, array_sector);
  if (check.dd_idx != member || check.member_sector != member_sector) {
    std::fprintf(stderr,
                 "raid5_compute_blocknr: map not correct: raid%d %d disks algorithm %d member %d "
                 "sector %llu -> array %llu -> member %d sector %llu\n",
                 g.level, g.raid_disks, static_cast<int>(g.algorithm), member,
                 static_cast<unsigned long long>(member_sector),
                 static_cast<unsigned long long>(array_sector), check.dd_idx,
                 static_cast<unsigned long long>(check.member_sector));
    std::abort();
  }
  return array_sector;
}

Raid5ReadPlan raid5_degraded_read_plan(const Raid5Geometry& g, Sector stripe, int target_member,
                                       std::span<const int> failed_members) {
  Raid5ReadPlan plan;
  std::vector<bool> failed(g.raid_disks, false);
  int nfailed = 0;
  for (int f : failed_members) {
    if (f < 0 || f >= g.raid_disks) {
      plan.error = "failed member " + std::to_string(f) + " out of range";
      return plan;
    }
    if (!failed[f]) failed[f] = true, ++nfailed;
  }
  if (target_member < 0 || target_member >= g.raid_disks) {
    plan.error = "target member " + std::to_string(target_member) + " out of range";
    return plan;
  }
  if (nfailed > g.max_degraded()) {
    plan.error = std::to_string(nfailed) + " members failed; raid" + std::to_string(g.level) +
                 " survives " + std::to_string(g.max_degraded());
    return plan;
  }
  if (!failed[target_member]) {
    plan.sources = plan.kernel_reads = {target_member};
    return plan;
  }
  const Raid5Parity p = raid5_stripe_parity(g, stripe);
  int missing_data = 0;
  for (int m = 0; m < g.raid_disks; ++m) {
    if (!failed[m]) plan.kernel_reads.push_back(m);
    if (m == p.pd_idx || m == p.qd_idx) continue;
    if (failed[m])
      ++missing_data;
    else
      plan.sources.push_back(m);
  }
  const bool p_alive = !failed[p.pd_idx];
  if (missing_data == 0) {
    plan.method = Raid5Recovery::kRecomputeParity;
  } else if (missing_data == 1 && p_alive) {
    plan.method = Raid5Recovery::kXorP, plan.uses_p = true;
  } else if (missing_data == 1) {
    plan.method = Raid5Recovery::kDataViaQ, plan.uses_q = true;
  } else {
    plan.method = Raid5Recovery::kTwoDataPQ, plan.uses_p = plan.uses_q = true;
  }
  if (plan.uses_p) plan.sources.push_back(p.pd_idx);
  if (plan.uses_q) plan.sources.push_back(p.qd_idx);
  std::sort(plan.sources.begin(), plan.sources.end());
  return plan;
}

}  // namespace mdsim
