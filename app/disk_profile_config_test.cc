// Disk profile JSON: every built-in profile parses and agrees with raid/disk_profile.h's
// defaults where the header says it does; overrides merge field by field; profile files load;
// the resolved profile round-trips; and a table of bad inputs gives exactly these messages.
#include "app/disk_profile_config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>

namespace mdsim {
namespace {

DiskProfile resolve(const std::string& text) {
  return resolve_disk_config(parse_json_text(text, "t.json"), "t.json", "$.disks");
}

std::string error_of(const std::string& text) {
  try {
    resolve(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string write_temp(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

TEST(DiskProfileConfig, EveryBuiltinProfileParsesAndCitesItsSources) {
  std::set<std::string> names;
  for (const BuiltinProfile& b : builtin_disk_profiles()) {
    SCOPED_TRACE(b.name);
    DiskProfile p = load_disk_profile(b.name, "t.json", "$.disks.profile");
    EXPECT_EQ(p.name, b.name);  // the file name is the profile's name
    EXPECT_FALSE(p.description.empty());
    EXPECT_GE(p.sources.size(), 2u);
    EXPECT_GT(p.expect.qd1_randread_lat_us, 0);
    names.insert(p.model);
  }
  EXPECT_EQ(names, (std::set<std::string>{"null", "ramdisk", "nvme", "sata_ssd", "hdd"}));
  EXPECT_GE(builtin_disk_profiles().size(), 5u);
}

// disk_profile.h says which JSON file each group of its defaults comes from.
TEST(DiskProfileConfig, HeaderDefaultsAreTheProfilesTheyName) {
  const DiskProfile d;
  auto group = [](const DiskProfile& p, const char* g) { return to_json(p)[g].dump(); };
  DiskProfile null = load_disk_profile("null", "t.json", "$");
  EXPECT_EQ(group(null, "null_disk"), group(d, "null_disk"));
  EXPECT_EQ(null.capacity_bytes, d.capacity_bytes);
  EXPECT_EQ(null.nr_hw_queues, d.nr_hw_queues);
  EXPECT_EQ(null.queue_depth, d.queue_depth);
  EXPECT_EQ(null.model, d.model);
  EXPECT_EQ(group(load_disk_profile("brd", "t.json", "$"), "ramdisk"), group(d, "ramdisk"));
  EXPECT_EQ(group(load_disk_profile("nvme-980pro-1tb", "t.json", "$"), "flash"), group(d, "flash"));
  EXPECT_EQ(group(load_disk_profile("hdd-7200-4tb", "t.json", "$"), "hdd"), group(d, "hdd"));
}

TEST(DiskProfileConfig, OverridesMergeFieldByFieldOntoTheNamedProfile) {
  std::string source;
  DiskProfile p = resolve_disk_config(
      parse_json_text(R"({"profile": "nvme-980pro-1tb", "queue_depth": 64,
                          "flash": {"read": {"p99_ns": 120000}, "fua_native": false}})",
                      "t.json"),
      "t.json", "$.disks", &source);
  EXPECT_EQ(source, "nvme-980pro-1tb");
  EXPECT_EQ(p.name, "nvme-980pro-1tb");
  EXPECT_EQ(p.model, "nvme");
  EXPECT_EQ(p.queue_depth, 64);
  EXPECT_EQ(p.nr_hw_queues, 128);  // untouched
  EXPECT_EQ(p.flash.read.min_ns, 30000);
  EXPECT_EQ(p.flash.read.mean_ns, 43900);
  EXPECT_EQ(p.flash.read.p99_ns, 120000);
  EXPECT_FALSE(p.flash.fua_native);
  EXPECT_EQ(p.flash.read_mbps, 7000);
  EXPECT_EQ(p.expect.randread_iops_qd_high, 1000000);
  // No "profile": null_blk's defaults.
  DiskProfile n = resolve(R"({"null_disk": {"completion_ns": 2000}})");
  EXPECT_EQ(n.model, "null");
  EXPECT_EQ(n.null_disk.completion_ns, 2000);
  EXPECT_EQ(n.queue_depth, 64);
}

TEST(DiskProfileConfig, AProfileFileLoadsByPathAndResolvedProfilesRoundTrip) {
  std::string path = write_temp("disk_profile_config_test_ok.json", R"({
      "name": "slow-nvme", "model": "nvme", "sources": ["made up for a test"],
      "capacity_bytes": 1048576, "nr_hw_queues": 2, "queue_depth": 8,
      "flash": {"read": {"min_ns": 100, "mean_ns": 200, "p99_ns": 900}, "read_mbps": 100.5}})");
  DiskProfile p = resolve(R"({"profile": ")" + path + R"(", "fail_delay_ns": 5})");
  EXPECT_EQ(p.name, "slow-nvme");
  EXPECT_EQ(p.capacity_bytes, 1048576u);
  EXPECT_EQ(p.flash.read.p99_ns, 900);
  EXPECT_EQ(p.flash.read_mbps, 100.5);
  EXPECT_EQ(p.flash.write.mean_ns, DiskProfile{}.flash.write.mean_ns);
  EXPECT_EQ(p.fail_delay_ns, 5);
  for (const BuiltinProfile& b : builtin_disk_profiles()) {
    std::string once = to_json(load_disk_profile(b.name, "t.json", "$")).dump();
    EXPECT_EQ(to_json(resolve(once)).dump(), once) << b.name;
  }
  std::string once = to_json(p).dump();
  EXPECT_EQ(to_json(resolve(once)).dump(), once);
}

struct BadCase {
  std::string config;
  std::string message;
};

TEST(DiskProfileConfig, BadInputsGiveTheseExactMessages) {
  const std::string after = " (after merging onto disk profile ";
  std::string bad_file = write_temp("disk_profile_config_test_bad.json",
                                    R"({"model": "nvme", "flash": {"write":
                                        {"min_ns": 5, "mean_ns": 4, "p99_ns": 9}}})");
  std::string syntax_file = write_temp("disk_profile_config_test_syntax.json", "{\"model\": }");
  const BadCase cases[] = {
      {R"({"profile": "nosuch"})",
       "t.json: $.disks.profile: no built-in disk profile or file named \"nosuch\" (built-in: "
       "brd, hdd-7200-4tb, null, nvme-980pro-1tb, sata-870evo-1tb)"},
      {R"({"profile": 5})", "t.json: $.disks.profile: expected a string, got an integer"},
      {R"({"profile": "nvme-980pro-1tb", "flash": {"read": {"p99_ns": 40000}}})",
       "t.json: $.disks.flash.read.p99_ns: p99_ns must be above mean_ns" + after +
           "\"nvme-980pro-1tb\")"},
      {R"({"profile": "sata-870evo-1tb", "flash": {"write": {"p99_ns": 1000000}}})",
       "t.json: $.disks.flash.write.p99_ns: p99_ns - min_ns may be at most 14.9 times mean_ns - "
       "min_ns for a lognormal fit" + after + "\"sata-870evo-1tb\")"},
      {R"({"profile": "hdd-7200-4tb", "hdd": {"full_stroke_ns": 7000000}})",
       "t.json: $.disks.hdd.full_stroke_ns: full_stroke_ns must be above average_seek_ns" + after +
           "\"hdd-7200-4tb\")"},
      {R"({"profile": "hdd-7200-4tb", "hdd": {"full_stroke_ns": 40000000}})",
       "t.json: $.disks.hdd.average_seek_ns: average_seek_ns - track_to_track_ns must lie "
       "between 1/3 and 11/15 "
       "of full_stroke_ns - track_to_track_ns for a monotone seek curve" + after +
           "\"hdd-7200-4tb\")"},
      {R"({"profile": "sata-870evo-1tb", "nr_hw_queues": 4})",
       "t.json: $.disks.nr_hw_queues: a SATA device (sata_ssd) has one NCQ queue: must be 1, got "
       "4" + after + "\"sata-870evo-1tb\")"},
      {R"({"profile": "hdd-7200-4tb", "queue_depth": 64})",
       "t.json: $.disks.queue_depth: a SATA device (hdd) has 1 to 32 NCQ tags: must be between 1 "
       "and 32, got 64" + after + "\"hdd-7200-4tb\")"},
      {R"({"capacity_bytes": 1000})",
       "t.json: $.disks.capacity_bytes: must be a multiple of 512, got 1000" + after + "\"null\")"},
      {R"({"capacity_bytes": 0})",
       "t.json: $.disks.capacity_bytes: must be between 1 and 1152921504606846976, got 0"},
      {R"({"model": "ssd"})",
       "t.json: $.disks.model: unknown value \"ssd\" (expected one of: null, ramdisk, nvme, "
       "sata_ssd, hdd)"},
      {R"({"queue_depth": -1})",
       "t.json: $.disks.queue_depth: must be between 0 and 65536, got -1"},
      {R"({"fail_delay_ns": 1e3})",
       "t.json: $.disks.fail_delay_ns: expected an integer, got a number"},
      {R"({"flash": {"reed": {}}})",
       "t.json: $.disks.flash.reed: unknown key (known here: discard_ns, drain_mbps, flush_ns, "
       "fua_native, parallel_units, program_ns, queued_discard, read, read_iops_max, read_mbps, "
       "write, write_cache_bytes, write_iops_max, write_mbps)"},
      {R"({"flash": {"read": {"mean_ns": 2.5}}})",
       "t.json: $.disks.flash.read.mean_ns: expected an integer, got a number"},
      {R"({"flash": {"read_mbps": 0}})",
       "t.json: $.disks.flash.read_mbps: must be between 0.001 and 1e+07, got 0"},
      {R"({"flash": {"write_iops_max": 0}})",
       "t.json: $.disks.flash.write_iops_max: must be between 1 and 10000000000, got 0"},
      {R"({"null_disk": {"volatile_cache": 1}})",
       "t.json: $.disks.null_disk.volatile_cache: expected true or false, got an integer"},
      {R"({"null_disk": {"iops_limit": -3}})",
       "t.json: $.disks.null_disk.iops_limit: expected a non-negative integer, got -3"},
      {R"({"hdd": {"queue_order": "elevator"}})",
       "t.json: $.disks.hdd.queue_order: unknown value \"elevator\" (expected one of: sptf, fifo)"},
      {R"({"hdd": {"rpm": 100}})",
       "t.json: $.disks.hdd.rpm: must be between 1000 and 30000, got 100"},
      {R"({"hdd": []})", "t.json: $.disks.hdd: expected an object, got an array"},
      {R"({"expect": {"qd_high": 0}})",
       "t.json: $.disks.expect.qd_high: must be between 1 and 65536, got 0"},
      {R"({"sources": "a data sheet"})", "t.json: $.disks.sources: expected an array of strings"},
      {R"({"sources": ["a", 2]})", "t.json: $.disks.sources[1]: expected a string"},
      {R"({"profile": ")" + bad_file + R"("})",
       bad_file + ": $.flash.write.mean_ns: mean_ns must be at least min_ns"},
      {R"({"profile": ")" + syntax_file + R"("})",
       syntax_file + ":1:11: syntax error while parsing value - unexpected '}'; expected '[', '{', "
                     "or a literal"},
      {R"([])", "t.json: $.disks: expected an object, got an array"},
  };
  for (const BadCase& c : cases) {
    EXPECT_EQ(error_of(c.config), c.message) << "config: " << c.config;
  }
}

}  // namespace
}  // namespace mdsim
