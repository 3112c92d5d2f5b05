// bssplit and random_distribution values: see fio_distribution_parse.h.
#include "workloads/fio_distribution_parse.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string>

#include "workloads/fio_value.h"

namespace mdsim {

namespace {

constexpr size_t kMaxBsSplit = 64;  // fio BSSPLIT_MAX
constexpr size_t kMaxZones = 256;   // fio ZONESPLIT_MAX

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

[[noreturn]] void bad(std::string_view v, const std::string& what) {
  throw FioValueError("\"" + std::string(v) + "\": " + what);
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    size_t p = s.find(sep);
    out.push_back(trim(s.substr(0, p)));
    if (p == std::string_view::npos) break;
    s.remove_prefix(p + 1);
  }
  return out;
}

// A percentage after '/', fio style: clamped to 100; -1 when missing or 0.
int split_percent(std::string_view whole, std::string_view p) {
  if (p.empty()) return -1;
  int64_t x = parse_fio_int(p, 0, INT64_MAX);
  (void)whole;
  if (x > 100) return 100;
  return x == 0 ? -1 : static_cast<int>(x);
}

double parse_double(std::string_view whole, std::string_view s) {
  std::string t(trim(s));
  char* end = nullptr;
  double x = std::strtod(t.c_str(), &end);
  if (t.empty() || end != t.c_str() + t.size()) bad(whole, "\"" + t + "\" is not a number");
  return x;
}

std::vector<FioZone> parse_zones(std::string_view whole, std::string_view s, bool absolute,
                                 int kb_base) {
  std::vector<FioZone> zones;
  if (s.empty()) return zones;
  int access = 0, sizes = 0, size_missing = 0;
  for (std::string_view e : split(s, ':')) {
    if (e.empty()) break;  // fio stops at an empty entry
    if (zones.size() == kMaxZones) bad(whole, "more than 256 zones");
    size_t slash = e.find('/');
    FioZone z;
    z.access_percent = static_cast<int>(parse_fio_int(e.substr(0, slash), 0, 100, kb_base));
    std::string_view rest = slash == std::string_view::npos ? "" : trim(e.substr(slash + 1));
    if (absolute) {
      z.size_bytes = rest.empty() ? 0 : parse_fio_size(rest, kb_base);
    } else {
      z.size_percent = split_percent(whole, rest);
      if (z.size_percent < 0) {
        ++size_missing;
      } else {
        sizes += z.size_percent;
      }
    }
    access += z.access_percent;
    zones.push_back(z);
  }
  if (access > 100 || sizes > 100) bad(whole, "zone_split percentages add to more than 100%");
  if (access < 100) {
    bad(whole, "access percentage don't add up to 100 for zoned random distribution (got=" +
                   std::to_string(access) + ")");
  }
  for (FioZone& z : zones) {
    if (!absolute && z.size_percent < 0) z.size_percent = (100 - sizes) / size_missing;
  }
  return zones;
}

}  // namespace

std::vector<FioBsSplitEntry> parse_fio_bssplit(std::string_view v, int kb_base) {
  std::vector<FioBsSplitEntry> out;
  int sum = 0, missing = 0;
  for (std::string_view e : split(trim(v), ':')) {
    if (e.empty()) break;  // fio stops at an empty entry
    if (out.size() == kMaxBsSplit) bad(v, "more than 64 block sizes");
    size_t slash = e.find('/');
    FioBsSplitEntry b;
    b.bs = parse_fio_size(e.substr(0, slash), kb_base);
    if (b.bs == 0) bad(v, "block sizes must be at least 1");
    b.percent = split_percent(v, slash == std::string_view::npos ? "" : trim(e.substr(slash + 1)));
    if (b.percent < 0) {
      ++missing;
    } else {
      sum += b.percent;
    }
    out.push_back(b);
  }
  if (out.empty()) bad(v, "expected bs/percent entries separated by ':'");
  if (sum > 100 && missing > 1) bad(v, "bssplit percentages add to more than 100%");
  for (FioBsSplitEntry& b : out) {
    // One missing entry after more than 100%: fio wraps an unsigned; mdsim gives it nothing.
    if (b.percent < 0) b.percent = sum >= 100 ? 0 : (100 - sum) / missing;
  }
  std::stable_sort(out.begin(), out.end(), [](const FioBsSplitEntry& a, const FioBsSplitEntry& b) {
    return a.percent > b.percent;
  });
  return out;
}

FioRandomDistribution parse_fio_random_distribution(std::string_view v, int kb_base) {
  std::string_view s = trim(v);
  FioRandomDistribution d;
  size_t colon = s.find(':');
  std::string_view kind = s.substr(0, colon);
  std::string_view arg = colon == std::string_view::npos ? "" : s.substr(colon + 1);
  if (kind == "random") {
    if (!arg.empty()) bad(v, "random takes no value");
    return d;
  }
  if (kind == "zoned" || kind == "zoned_abs") {
    bool absolute = kind == "zoned_abs";
    d.kind = absolute ? FioDistribution::kZonedAbs : FioDistribution::kZoned;
    if (colon == std::string_view::npos) bad(v, "mismatch in zoned input <" + std::string(s) + ">");
    std::vector<std::string_view> dirs = split(arg, ',');
    if (dirs.size() > 3) bad(v, "more than three zone lists (read,write,trim)");
    for (int op = 0; op < kFioOps; ++op) {
      std::string_view part = dirs[std::min<size_t>(op, dirs.size() - 1)];
      d.zones[op] = parse_zones(v, part, absolute, kb_base);
    }
    return d;
  }
  if (kind == "zipf") {
    d.kind = FioDistribution::kZipf;
    d.param = 1.1;
  } else if (kind == "pareto") {
    d.kind = FioDistribution::kPareto;
    d.param = 0.2;
  } else if (kind == "normal") {
    d.kind = FioDistribution::kNormal;
  } else {
    bad(v, std::string(kind == "gauss" ? "fio 3.33 calls it \"normal\"; " : "") +
               "expected one of: random zipf pareto normal zoned zoned_abs");
  }
  if (!arg.empty()) {
    std::vector<std::string_view> nums = split(arg, ':');
    if (nums.size() > 2) bad(v, "at most two values after the distribution's name");
    d.param = parse_double(v, nums[0]);
    if (nums.size() == 2) {
      d.center = parse_double(v, nums[1]);
      if (d.center < 0 || d.center > 1) {
        bad(v, "distribution center out of range (0 <= center <= 1.0)");
      }
    }
  }
  if (d.kind == FioDistribution::kZipf && (d.param == 1.0 || d.param < 0)) {
    bad(v, "zipf theta must be different than 1.0 (and not negative)");
  }
  if (d.kind == FioDistribution::kPareto && (d.param <= 0 || d.param >= 1)) {
    bad(v, "pareto input out of range (0 < input < 1.0)");
  }
  if (d.kind == FioDistribution::kNormal && (d.param < 0 || d.param >= 100)) {
    bad(v, "normal deviation out of range (0 <= input < 100.0)");
  }
  return d;
}

}  // namespace mdsim
