// The "array" section: defaults, every level's layout checks, and bad values with messages.
#include "app/array_config.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

namespace mdsim {
namespace {

constexpr Sector kDisk = Sector{1} << 31;  // 1 TiB members

ArrayConfig parse(const std::string& text, Sector disk = kDisk) {
  nlohmann::json j = parse_json_text(text, "t.json");
  ArrayConfig a;
  read_array_config(JsonObject(j, "t.json", "$.array"), a, disk);
  return a;
}

std::string error_of(const std::string& text, Sector disk = kDisk) {
  try {
    parse(text, disk);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

// A config text and the start of the error it must give.
struct BadCase {
  const char* text;
  const char* message;
};

void expect_errors(std::initializer_list<BadCase> cases) {
  for (const BadCase& c : cases) {
    std::string got = error_of(c.text);
    EXPECT_EQ(got.substr(0, std::string(c.message).size()), c.message) << c.text;
  }
}

TEST(ArrayConfig, DefaultsAreMdadms) {
  ArrayConfig a = parse("{}");
  EXPECT_EQ(a.level, "raid1");
  EXPECT_EQ(a.raid_disks, 2);
  EXPECT_EQ(a.chunk_bytes, 512u * 1024);
  EXPECT_EQ(a.bitmap, "bitmap");
  EXPECT_EQ(a.bitmap_chunk_bytes, uint64_t{64} << 20);
  EXPECT_EQ(a.hooks, HookPlacement::kMdCore);
  EXPECT_EQ(a.stripe_cache_size, 256);
  EXPECT_FALSE(a.fail_last_dev);
}

TEST(ArrayConfig, LevelsLayoutsAndRaid1Options) {
  ArrayConfig a = parse(R"({"level": "raid5", "raid_disks": 5, "layout": "ra",
                            "hooks": "pre-6.14", "stripe_cache_size": 4096})");
  EXPECT_EQ(a.level, "raid5");
  EXPECT_EQ(a.layout, "ra");
  EXPECT_EQ(a.hooks, HookPlacement::kPerPersonality);
  a = parse(R"({"level": "raid10", "raid_disks": 4, "layout": "f2"})");
  EXPECT_EQ(a.layout, "f2");
  a = parse(R"({"raid_disks": 3, "write_mostly": [2, 1], "max_write_behind": 256})");
  EXPECT_EQ(a.write_mostly, (std::vector<int>{2, 1}));
  EXPECT_EQ(a.max_write_behind, 256);
  EXPECT_FALSE(a.fail_last_dev);
  nlohmann::ordered_json j = to_json(a);
  EXPECT_EQ(j["hooks"], "6.14");
  EXPECT_EQ(j["fail_last_dev"], false);
  a = parse(R"({"fail_last_dev": true})");
  EXPECT_TRUE(a.fail_last_dev);
  EXPECT_EQ(j["write_mostly"].size(), 2u);
}

TEST(ArrayConfig, BadValuesNameTheirPath) {
  expect_errors({
      {R"({"level": "raid0"})",
       "t.json: $.array.level: unknown value \"raid0\" (expected one of: raid1, raid10, raid4, "
       "raid5, raid6)"},
      {R"({"chunk_bytes": 12288})", "t.json: $.array.chunk_bytes: must be a power of two, got 12288"},
      {R"({"level": "raid10", "layout": "x2"})",
       "t.json: $.array.layout: \"x2\" is not a raid10 layout (n2, f2, o2, n3, ...)"},
      {R"({"level": "raid5", "layout": "left-sideways"})",
       "t.json: $.array.layout: \"left-sideways\" is not an md raid5 layout"},
      {R"({"layout": "n2"})", "t.json: $.array.layout: raid1 takes no layout"},
      {R"({"write_mostly": [0, 2]})",
       "t.json: $.array.write_mostly[1]: must be between 0 and 1, got 2"},
      {R"({"write_mostly": [1, 1]})", "t.json: $.array.write_mostly[1]: 1 is listed twice"},
      {R"({"write_mostly": "1"})",
       "t.json: $.array.write_mostly: expected a list of integers, got a string"},
      {R"({"bitmap": "none", "max_write_behind": 10})",
       "t.json: $.array.max_write_behind: write-behind needs a bitmap (mdadm refuses "
       "--write-behind without one)"},
      {R"({"level": "raid5", "max_write_behind": 10})",
       "t.json: $.array.max_write_behind: write-behind is raid1 only"},
      {R"({"bitmap": "bitmapx"})",
       "t.json: $.array.bitmap: unknown value \"bitmapx\" (expected one of: none, bitmap, "
       "llbitmap, scalaraid, epoch)"},
      {R"({"hooks": "6.12"})",
       "t.json: $.array.hooks: unknown value \"6.12\" (expected one of: 6.14, pre-6.14)"},
      {R"({"member_sectors": 4294967296})",
       "t.json: $.array.member_sectors: larger than the members' usable size (2147221504 "
       "sectors after data_offset)"},
      {R"({"stripe_cache_size": 16})",
       "t.json: $.array.stripe_cache_size: must be between 17 and 32768, got 16"},
      {R"({"raid_discs": 2})", "t.json: $.array.raid_discs: unknown key"},
      {R"({"fail_last_dev": 1})", "t.json: $.array.fail_last_dev: expected true or false"},
  });
  // raid6 needs 4 members: md's own rule, through raid5_layout's validate().
  EXPECT_NE(error_of(R"({"level": "raid6", "raid_disks": 3})").find("$.array.raid_disks"),
            std::string::npos);
  // Tiny members cannot hold the data offset.
  EXPECT_EQ(error_of("{}", 1000).substr(0, 42), "t.json: $.array.data_offset_sectors: at or");
}

TEST(ArrayConfig, ResyncDefaultsValuesAndRoundTrip) {
  ArrayConfig a = parse("{}");
  EXPECT_EQ(a.resync.kind, ResyncKind::kNone);
  EXPECT_EQ(to_json(a)["resync"], nlohmann::ordered_json({{"kind", "none"}}));
  a = parse(R"({"raid_disks": 3, "resync": {"kind": "recovery", "recovery_member": 2,
              "re_add": true, "dirty_fraction": 0.25, "speed_min_kib": 5000,
              "speed_max_kib": 90000, "timeline_interval_ms": 250, "stop_with_jobs": true}})");
  EXPECT_EQ(a.resync.kind, ResyncKind::kRecovery);
  EXPECT_EQ(a.resync.recovery_member, 2);
  EXPECT_TRUE(a.resync.re_add);
  EXPECT_EQ(a.resync.dirty_fraction, 0.25);
  EXPECT_EQ(a.resync.speed_min_kib, 5000);
  EXPECT_EQ(a.resync.speed_max_kib, 90000);
  EXPECT_EQ(a.resync.timeline_interval, 250 * kMillisecond);
  EXPECT_TRUE(a.resync.stop_with_jobs);
  // The resolved form parses back to the same settings.
  nlohmann::json back = nlohmann::json::parse(to_json(a).dump());
  ArrayConfig b;
  read_array_config(JsonObject(back, "r.json", "$.array"), b, kDisk);
  EXPECT_EQ(b.resync.kind, a.resync.kind);
  EXPECT_EQ(b.resync.recovery_member, 2);
  EXPECT_EQ(b.resync.timeline_interval, a.resync.timeline_interval);
  EXPECT_EQ(to_json(b), to_json(a));
  // md's defaults: speed_limit_min/max 1000/200000 KiB/s.
  a = parse(R"({"resync": {"kind": "resync"}})");
  EXPECT_EQ(a.resync.speed_min_kib, 1000);
  EXPECT_EQ(a.resync.speed_max_kib, 200000);
  EXPECT_EQ(a.resync.dirty_fraction, 1.0);
}

TEST(ArrayConfig, BadResyncValuesNameTheirPath) {
  expect_errors({
      {R"({"resync": {"kind": "check"}})",
       "t.json: $.array.resync.kind: unknown value \"check\" (expected one of: none, resync, "
       "recovery)"},
      {R"({"resync": {"kind": "resync", "dirty_fraction": 1.5}})",
       "t.json: $.array.resync.dirty_fraction: must be between 0 and 1, got 1.5"},
      {R"({"resync": {"kind": "recovery", "recovery_member": 2}})",
       "t.json: $.array.resync.recovery_member: must be between 0 and 1, got 2"},
      {R"({"resync": {"kind": "resync", "speed_min_kib": 0}})",
       "t.json: $.array.resync.speed_min_kib: must be between 1 and 2147483647, got 0"},
      {R"({"resync": {"kind": "resync", "speed_min_kib": 300000}})",
       "t.json: $.array.resync.speed_min_kib: larger than speed_max_kib (200000), got 300000"},
      {R"({"resync": {"kind": "resync", "timeline_interval_ms": 0}})",
       "t.json: $.array.resync.timeline_interval_ms: must be between 1 and 86400000, got 0"},
      {R"({"resync": {"kind": "resync", "stop_with_jobs": 1}})",
       "t.json: $.array.resync.stop_with_jobs: expected"},
      {R"({"resync": {"kind": "resync", "speed": 5}})",
       "t.json: $.array.resync.speed: unknown key"},
      {R"({"resync": "resync"})", "t.json: $.array.resync: expected"},
      {R"({"level": "raid5", "raid_disks": 4, "resync": {"kind": "resync"}})",
       "t.json: $.array.resync: resync and recovery are modelled for raid1 only (not yet for "
       "raid5)"},
      {R"({"level": "raid10", "raid_disks": 4, "resync": {"kind": "recovery"}})",
       "t.json: $.array.resync: resync and recovery are modelled for raid1 only (not yet for "
       "raid10)"},
      {R"({"raid_disks": 1, "resync": {"kind": "recovery"}})",
       "t.json: $.array.resync.kind: recovery needs another member to read from (raid_disks "
       "is 1)"},
  });
  // A level without resync is fine while no resync is asked for.
  EXPECT_EQ(error_of(R"({"level": "raid5", "raid_disks": 4, "resync": {"kind": "none"}})"),
            "(no error)");
}

}  // namespace
}  // namespace mdsim
