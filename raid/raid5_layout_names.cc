// raid4/5/6 layout names (mdadm's) and geometry validation (md's run-time checks); see
// raid5_layout.h. The layout maths is raid5_layout.cc.
#include "raid/raid5_layout.h"

#include <array>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mdsim {
namespace {

using A = Raid5Algorithm;

constexpr std::array<A, 14> kAll = {
    A::kLeftAsymmetric,    A::kRightAsymmetric, A::kLeftSymmetric,       A::kRightSymmetric,
    A::kParity0,           A::kParityN,         A::kRotatingZeroRestart, A::kRotatingNRestart,
    A::kRotatingNContinue, A::kLeftAsymmetric6, A::kRightAsymmetric6,    A::kLeftSymmetric6,
    A::kRightSymmetric6,   A::kParity0_6};

struct NameEntry {
  std::string_view name;
  A algorithm;
};
// mdadm maps.c r6layout; r5layout is the same except that the ddf-* names map to the raid5
// layouts they equal and the *-6 names are absent.
// clang-format off
constexpr NameEntry kR6Names[] = {
    {"left-asymmetric", A::kLeftAsymmetric},     {"right-asymmetric", A::kRightAsymmetric},
    {"left-symmetric", A::kLeftSymmetric},       {"right-symmetric", A::kRightSymmetric},
    {"default", A::kLeftSymmetric},              {"la", A::kLeftAsymmetric},
    {"ra", A::kRightAsymmetric},                 {"ls", A::kLeftSymmetric},
    {"rs", A::kRightSymmetric},                  {"parity-first", A::kParity0},
    {"parity-last", A::kParityN},                {"ddf-zero-restart", A::kRotatingZeroRestart},
    {"ddf-N-restart", A::kRotatingNRestart},     {"ddf-N-continue", A::kRotatingNContinue},
    {"left-asymmetric-6", A::kLeftAsymmetric6},  {"right-asymmetric-6", A::kRightAsymmetric6},
    {"left-symmetric-6", A::kLeftSymmetric6},    {"right-symmetric-6", A::kRightSymmetric6},
    {"parity-first-6", A::kParity0_6},
};
// clang-format on

}  // namespace

std::span<const Raid5Algorithm> all_raid5_algorithms() { return kAll; }

bool raid5_algorithm_valid(int level, Raid5Algorithm a) {
  const int v = static_cast<int>(a);
  if (level == 4) return true;
  if (level == 5) return v >= 0 && v <= 5;  // algorithm_valid_raid5
  if (level == 6) return (v >= 0 && v <= 5) || (v >= 8 && v <= 10) || (v >= 16 && v <= 20);
  return false;
}

std::string_view raid5_algorithm_name(Raid5Algorithm a) {
  for (const NameEntry& e : kR6Names)
    if (e.algorithm == a) return e.name;  // first match is the canonical name
  return "unknown";
}

std::optional<Raid5Algorithm> parse_raid5_algorithm(int level, std::string_view name) {
  if (level != 4 && level != 5 && level != 6) return std::nullopt;
  for (const NameEntry& e : kR6Names) {
    if (e.name != name) continue;
    if (level == 6) return e.algorithm;
    switch (e.algorithm) {  // r5layout
      case A::kRotatingZeroRestart:
        return A::kRightAsymmetric;
      case A::kRotatingNRestart:
        return A::kLeftAsymmetric;
      case A::kRotatingNContinue:
        return A::kLeftSymmetric;
      default:
        return raid5_algorithm_valid(5, e.algorithm) ? std::optional(e.algorithm) : std::nullopt;
    }
  }
  return std::nullopt;
}

Sector Raid5Geometry::array_sectors(Sector member_sectors) const {
  const Sector whole = member_sectors - member_sectors % chunk_sectors;
  return whole * static_cast<Sector>(data_disks());
}

std::string Raid5Geometry::validate() const {
  char buf[200];
  if (level != 4 && level != 5 && level != 6) {
    std::snprintf(buf, sizeof buf, "raid level not set to 4/5/6 (%d)", level);
    return buf;
  }
  if (!raid5_algorithm_valid(level, algorithm)) {
    std::snprintf(buf, sizeof buf, "layout %d (%s) not supported for raid%d",
                  static_cast<int>(algorithm), std::string(raid5_algorithm_name(algorithm)).c_str(),
                  level);
    return buf;
  }
  if (level == 6 && raid_disks < 4) {
    std::snprintf(buf, sizeof buf, "not enough configured devices (%d, minimum 4)", raid_disks);
    return buf;
  }
  if (level != 6 && raid_disks < 2) {
    std::snprintf(buf, sizeof buf, "not enough configured devices (%d, minimum 2 for raid%d)",
                  raid_disks, level);
    return buf;
  }
  if (chunk_sectors == 0 || (chunk_sectors * 512) % 4096 != 0 ||
      (chunk_sectors & (chunk_sectors - 1)) != 0 || chunk_sectors > 0x7fffffff) {
    std::snprintf(buf, sizeof buf,
                  "invalid chunk size %llu: must be a power of two and a multiple of 4096 bytes",
                  static_cast<unsigned long long>(chunk_sectors * 512));
    return buf;
  }
  return "";
}

}  // namespace mdsim
