// The "array" section of a run configuration: see array_config.h.
#include "app/array_config.h"

#include <algorithm>

#include "bitmaps/registry.h"
#include "raid/raid10_layout.h"
#include "raid/raid5_layout.h"

namespace mdsim {

namespace {

constexpr int64_t kMaxNs = int64_t{1} << 50;

bool power_of_two(int64_t v) { return v > 0 && (v & (v - 1)) == 0; }

std::vector<std::string> bitmap_names() {
  std::vector<std::string> v;
  for (const BitmapVariant& b : bitmap_variants()) v.push_back(b.name);
  return v;
}

const std::vector<std::string>& resync_kinds() {
  static const std::vector<std::string> k = {"none", "resync", "recovery"};
  return k;
}

const char* resync_kind_name(ResyncKind k) {
  return k == ResyncKind::kResync ? "resync" : k == ResyncKind::kRecovery ? "recovery" : "none";
}

// "array"."resync" (raid/md_resync.h). Keys that do not apply to the kind chosen (e.g.
// dirty_fraction without a bitmap) are checked and then have no effect, so one suite can sweep
// kinds and bitmap variants with fixed resync settings; docs/RESYNC.md says what applies.
void read_resync_config(JsonObject& array, ArrayConfig& a) {
  JsonObject o = array.child("resync");
  ResyncConfig& r = a.resync;
  std::string kind = resync_kind_name(r.kind);
  o.get_enum("kind", kind, resync_kinds());
  r.kind = kind == "resync" ? ResyncKind::kResync
           : kind == "recovery" ? ResyncKind::kRecovery : ResyncKind::kNone;
  o.get("dirty_fraction", r.dirty_fraction, 0.0, 1.0);
  o.get("recovery_member", r.recovery_member, 0, a.raid_disks - 1);
  o.get("re_add", r.re_add);
  o.get("speed_min_kib", r.speed_min_kib, 1, int64_t{INT32_MAX});
  o.get("speed_max_kib", r.speed_max_kib, 1, int64_t{INT32_MAX});
  int64_t ms = r.timeline_interval / kMillisecond;
  o.get("timeline_interval_ms", ms, 1, int64_t{24} * 3600 * 1000);
  r.timeline_interval = ms * kMillisecond;
  o.get("stop_with_jobs", r.stop_with_jobs);
  o.finish();
  if (r.speed_min_kib > r.speed_max_kib) {  // md's sync_min_store refuses min > max
    o.fail("speed_min_kib", "larger than speed_max_kib (" + std::to_string(r.speed_max_kib) +
                                "), got " + std::to_string(r.speed_min_kib));
  }
  if (r.kind == ResyncKind::kNone) return;
  if (a.level != "raid1") {
    array.fail("resync", "resync and recovery are modelled for raid1 only (not yet for " +
                             a.level + ")");
  }
  if (r.kind == ResyncKind::kRecovery && a.raid_disks < 2) {
    o.fail("kind", "recovery needs another member to read from (raid_disks is 1)");
  }
}

int level_number(const std::string& level) {
  return level == "raid1" ? 1 : level == "raid10" ? 10 : level == "raid4" ? 4
         : level == "raid5" ? 5 : 6;
}

}  // namespace

const std::vector<std::string>& array_levels() {
  static const std::vector<std::string> k = {"raid1", "raid10", "raid4", "raid5", "raid6"};
  return k;
}

void read_array_config(JsonObject o, ArrayConfig& a, Sector member_capacity_sectors) {
  o.get_enum("level", a.level, array_levels());
  o.get("raid_disks", a.raid_disks, 1, 64);
  o.get("layout", a.layout);
  int64_t chunk = static_cast<int64_t>(a.chunk_bytes);
  o.get("chunk_bytes", chunk, 4096, int64_t{1} << 30);
  if (!power_of_two(chunk)) o.fail("chunk_bytes", "must be a power of two, got " + std::to_string(chunk));
  a.chunk_bytes = static_cast<uint64_t>(chunk);
  int64_t v = static_cast<int64_t>(a.data_offset_sectors);
  o.get("data_offset_sectors", v, 24, int64_t{1} << 40);
  a.data_offset_sectors = static_cast<uint64_t>(v);
  if (a.data_offset_sectors >= member_capacity_sectors) {
    o.fail("data_offset_sectors", "at or past the end of the member disks (" +
                                      std::to_string(member_capacity_sectors) + " sectors)");
  }
  v = static_cast<int64_t>(a.member_sectors);
  o.get("member_sectors", v, 0, int64_t{1} << 46);
  a.member_sectors = static_cast<uint64_t>(v);
  const Sector usable = member_capacity_sectors - a.data_offset_sectors;
  if (a.member_sectors > usable) {
    o.fail("member_sectors", "larger than the members' usable size (" + std::to_string(usable) +
                                 " sectors after data_offset)");
  }
  const Sector member = a.member_sectors > 0 ? a.member_sectors : usable;

  o.get_enum("bitmap", a.bitmap, bitmap_names());
  v = static_cast<int64_t>(a.bitmap_chunk_bytes);
  o.get("bitmap_chunk_bytes", v, 4096, int64_t{1} << 40);
  if (!power_of_two(v)) o.fail("bitmap_chunk_bytes", "must be a power of two, got " + std::to_string(v));
  a.bitmap_chunk_bytes = static_cast<uint64_t>(v);
  o.get("daemon_sleep_ns", a.daemon_sleep, 0, kMaxNs);
  std::string hooks = a.hooks == HookPlacement::kMdCore ? "6.14" : "pre-6.14";
  o.get_enum("hooks", hooks, {"6.14", "pre-6.14"});
  a.hooks = hooks == "6.14" ? HookPlacement::kMdCore : HookPlacement::kPerPersonality;
  o.get("fail_last_dev", a.fail_last_dev);
  o.get("max_write_behind", a.max_write_behind, 0, 16383);  // COUNTER_MAX / 2
  o.get("stripe_cache_size", a.stripe_cache_size, 17, 32768);  // raid5_set_cache_size bounds
  o.get("group_thread_cnt", a.group_thread_cnt, 0, 8192);
  o.get("rmw_level", a.rmw_level, 0, 2);

  const int n = level_number(a.level);
  if (n == 1) {
    if (!a.layout.empty()) o.fail("layout", "raid1 takes no layout");
  } else if (n == 10) {
    std::string name = a.layout.empty() ? "n2" : a.layout;
    auto word = parse_raid10_layout(name);
    if (!word) o.fail("layout", "\"" + name + "\" is not a raid10 layout (n2, f2, o2, n3, ...)");
    Raid10Geometry g;
    g.layout = *word;
    g.raid_disks = a.raid_disks;
    g.chunk_sectors = a.chunk_bytes / 512;
    g.member_sectors = member;
    std::string why = g.validate();
    if (!why.empty()) o.fail("layout", why);
  } else {
    Raid5Geometry g;
    g.level = n;
    g.raid_disks = a.raid_disks;
    g.chunk_sectors = a.chunk_bytes / 512;
    if (!a.layout.empty()) {
      auto alg = parse_raid5_algorithm(n, a.layout);
      if (!alg) o.fail("layout", "\"" + a.layout + "\" is not an md " + a.level + " layout");
      g.algorithm = *alg;
    } else if (n == 4) {
      g.algorithm = Raid5Algorithm::kParityN;
    }
    std::string why = g.validate();
    if (!why.empty()) o.fail("raid_disks", why);
  }
  if (n != 1 && a.max_write_behind > 0) o.fail("max_write_behind", "write-behind is raid1 only");
  if (a.max_write_behind > 0 && a.bitmap == "none") {
    o.fail("max_write_behind", "write-behind needs a bitmap (mdadm refuses --write-behind without one)");
  }
  a.write_mostly.clear();
  o.get_int_list("write_mostly", a.write_mostly, 0, a.raid_disks - 1);
  if (n != 1 && !a.write_mostly.empty()) o.fail("write_mostly", "write-mostly is raid1 only");
  read_resync_config(o, a);
  o.finish();
}

nlohmann::ordered_json to_json(const ArrayConfig& a) {
  nlohmann::ordered_json j;
  j["level"] = a.level;
  j["raid_disks"] = a.raid_disks;
  j["layout"] = a.layout;
  j["chunk_bytes"] = a.chunk_bytes;
  j["data_offset_sectors"] = a.data_offset_sectors;
  j["member_sectors"] = a.member_sectors;
  j["bitmap"] = a.bitmap;
  j["bitmap_chunk_bytes"] = a.bitmap_chunk_bytes;
  j["daemon_sleep_ns"] = a.daemon_sleep;
  j["hooks"] = a.hooks == HookPlacement::kMdCore ? "6.14" : "pre-6.14";
  j["fail_last_dev"] = a.fail_last_dev;
  j["write_mostly"] = a.write_mostly;
  j["max_write_behind"] = a.max_write_behind;
  j["stripe_cache_size"] = a.stripe_cache_size;
  j["group_thread_cnt"] = a.group_thread_cnt;
  j["rmw_level"] = a.rmw_level;
  const ResyncConfig& r = a.resync;
  nlohmann::ordered_json rj;
  rj["kind"] = resync_kind_name(r.kind);
  if (r.kind != ResyncKind::kNone) {
    rj["dirty_fraction"] = r.dirty_fraction;
    if (r.kind == ResyncKind::kRecovery) {
      rj["recovery_member"] = r.recovery_member;
      rj["re_add"] = r.re_add;
    }
    rj["speed_min_kib"] = r.speed_min_kib;
    rj["speed_max_kib"] = r.speed_max_kib;
    rj["timeline_interval_ms"] = r.timeline_interval / kMillisecond;
    rj["stop_with_jobs"] = r.stop_with_jobs;
  }
  j["resync"] = rj;
  return j;
}

}  // namespace mdsim
