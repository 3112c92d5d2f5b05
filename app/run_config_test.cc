// RunConfig: defaults, overrides, round trip, and a table of bad configs with their messages.
#include "app/run_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "app/run.h"

namespace mdsim {
namespace {

RunConfig parse(const std::string& text) {
  return parse_run_config(parse_json_text(text, "t.json"), "t.json");
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(RunConfig, EmptyObjectGivesDocumentedDefaults) {
  RunConfig c = parse("{}");
  EXPECT_EQ(c.seed, 1u);
  EXPECT_EQ(c.scenario, "lock_loop");
  EXPECT_EQ(c.machine.cores(), 16);
  EXPECT_EQ(c.machine.cross_socket_ns, 120);
  EXPECT_EQ(c.lock_loop.lock, "spinlock");
  EXPECT_EQ(c.lock_loop.duration_ns, 2 * kMillisecond);
}

TEST(RunConfig, CoresSplitOverSocketsAndOverridesApply) {
  RunConfig c = parse(R"({"machine": {"cores": 64, "cross_socket_ns": 150}})");
  EXPECT_EQ(c.machine.sockets, 2);
  EXPECT_EQ(c.machine.cores_per_socket, 32);
  EXPECT_EQ(c.machine.cross_socket_ns, 150);
  RunConfig one = parse(R"({"machine": {"cores": 1}})");
  EXPECT_EQ(one.machine.sockets, 1);
  RunConfig amd = parse(R"({"machine": {"profile": "amd-epyc-2s"}})");
  EXPECT_EQ(amd.machine.cores(), 96);
  EXPECT_EQ(amd.machine.cores_per_ccx, 8);
}

TEST(RunConfig, ResolvedConfigParsesBackToTheSameConfig) {
  RunConfig c = parse(R"({"seed": 9, "machine": {"cores": 8, "costs": {"bio": 300}},
                          "lock_loop": {"lock": "rwlock_mixed", "think": "fixed"}})");
  std::string once = to_json(c).dump();
  RunConfig again = parse(once);
  EXPECT_EQ(to_json(again).dump(), once);
  EXPECT_EQ(again.machine.costs.at("bio"), 300);
}

struct BadCase {
  const char* config;
  const char* message;
};

TEST(RunConfig, BadConfigsNameTheJsonPath) {
  const BadCase cases[] = {
      {R"({"sed": 1})", "t.json: $.sed: unknown key (known here: array, bitmap_loop, disks, fio, lock_loop, "
       "machine, scenario, seed)"},
      {R"({"seed": -1})", "t.json: $.seed: expected a non-negative integer, got -1"},
      {R"({"seed": "1"})", "t.json: $.seed: expected a non-negative integer, got a string"},
      {R"({"scenario": "raid9"})",
       "t.json: $.scenario: unknown value \"raid9\" (expected one of: lock_loop, bitmap_loop, fio)"},
      {R"({"bitmap_loop": {"variant": "bitmap2"}})",
       "t.json: $.bitmap_loop.variant: unknown value \"bitmap2\" (expected one of: none, bitmap"},
      {R"({"bitmap_loop": {"pattern": "zipf"}})",
       "t.json: $.bitmap_loop.pattern: unknown value \"zipf\" (expected one of: rand, seq, same)"},
      {R"({"bitmap_loop": {"chunk_bytes": 65537}})",
       "t.json: $.bitmap_loop.chunk_bytes: must be a power of two, got 65537"},
      {R"({"bitmap_loop": {"sync_size_sectors": 4, "bs_sectors": 8}})",
       "t.json: $.bitmap_loop.bs_sectors: larger than sync_size_sectors (4)"},
      {R"({"bitmap_loop": {"duration_ns": 1000, "crash_at_ns": 1000}})",
       "t.json: $.bitmap_loop.crash_at_ns: must be before duration_ns (1000)"},
      {R"({"bitmap_loop": {"iodepth": 0}})",
       "t.json: $.bitmap_loop.iodepth: must be between 1 and 4096, got 0"},
      {R"({"bitmap_loop": {"iodepth": 2}})",
       "t.json: $.bitmap_loop: this section is for scenario \"bitmap_loop\", but the scenario is "
       "\"lock_loop\" (the default; set \"scenario\")"},
      {R"({"scenario": "bitmap_loop", "array": {"level": "raid1"}})",
       "t.json: $.array: this section is for scenario \"fio\", but the scenario is "
       "\"bitmap_loop\""},
      {R"({"scenario": "fio", "fio": {"job_file": "j.fio"}, "lock_loop": {}})",
       "t.json: $.lock_loop: this section is for scenario \"lock_loop\", but the scenario is "
       "\"fio\""},
      {R"({"machine": []})", "t.json: $.machine: expected an object, got an array"},
      {R"({"machine": {"cores": 0}})", "t.json: $.machine.cores: must be between 1 and 4096, got 0"},
      {R"({"machine": {"cores": 6, "sockets": 4}})",
       "t.json: $.machine.cores: 6 cores cannot be split evenly over 4 sockets"},
      {R"({"machine": {"cores": 2.5}})", "t.json: $.machine.cores: expected an integer, got a number"},
      {R"({"machine": {"profile": "nosuch"}})",
       "t.json: $.machine.profile: no built-in profile or file named \"nosuch\""},
      {R"({"machine": {"costs": {"bio": -5}}})",
       "t.json: $.machine.costs.bio: must be between 0 and"},
      {R"({"lock_loop": {"lock": "mutex"}})",
       "t.json: $.lock_loop.lock: unknown value \"mutex\" (expected one of: spinlock,"},
      {R"({"lock_loop": {"duration_ns": 0}})", "t.json: $.lock_loop.duration_ns: must be between 1"},
      {R"({"lock_loop": {"write_percent": 101}})",
       "t.json: $.lock_loop.write_percent: must be between 0 and 100, got 101"},
      {R"({"lock_loop": {"hold": 5}})", "t.json: $.lock_loop.hold: unknown key"},
      {R"({"lock_loop": {"think": "poisson"}})",
       "t.json: $.lock_loop.think: unknown value \"poisson\" (expected one of: exponential, fixed)"},
      {R"({"seed": 1,
           "machine": {)", "t.json:2:24: syntax error while parsing object key"},
      {R"([1, 2])", "t.json: $: expected an object, got an array"},
      {R"({"scenario": "fio"})", "t.json: $.fio.job_file: the fio scenario needs a job file"},
      {R"({"disks": {"profile": "nvme-980pro-1tb", "queue_depth": -1}})",
       "t.json: $.disks.queue_depth: must be between"},
      {R"({"array": {"level": "raid5", "raid_disks": 1}})", "t.json: $.array.raid_disks:"},
  };
  for (const BadCase& c : cases) {
    std::string err = error_of(c.config);
    EXPECT_EQ(err.rfind(c.message, 0), 0u) << "config: " << c.config << "\n got: " << err;
  }
}

TEST(RunConfig, BitmapLoopRoundTrips) {
  RunConfig c = parse(R"({"scenario": "bitmap_loop",
                          "bitmap_loop": {"variant": "none", "pattern": "seq", "iodepth": 3,
                                          "degraded": true, "crash_at_ns": 100}})");
  EXPECT_EQ(c.bitmap_loop.variant, "none");
  EXPECT_EQ(c.bitmap_loop.iodepth, 3);
  std::string once = to_json(c).dump();
  EXPECT_EQ(to_json(parse(once)).dump(), once);
}

TEST(Run, BitmapLoopIsDeterministicAndReportsTheVariant) {
  RunConfig c = parse(R"({"scenario": "bitmap_loop", "machine": {"cores": 4},
                          "bitmap_loop": {"duration_ns": 200000, "daemon_sleep_ns": 50000}})");
  RunOutput a = run_simulation(c);
  EXPECT_EQ(a.result.dump(), run_simulation(c).result.dump());
  EXPECT_TRUE(a.has_bitmap_image);
  EXPECT_FALSE(a.bitmap_image.empty());
  EXPECT_GT(a.result["mdsim"]["bitmap_loop"]["writes"].get<uint64_t>(), 0u);
  EXPECT_NE(a.lock_stat_text.find("&bitmap->counts.lock"), std::string::npos);
}

TEST(Run, SameConfigAndSeedGiveByteIdenticalResults) {
  RunConfig c = parse(R"({"seed": 5, "machine": {"cores": 8},
                          "lock_loop": {"lock": "rwlock_mixed", "duration_ns": 500000}})");
  std::string a = run_simulation(c).result.dump();
  std::string b = run_simulation(c).result.dump();
  EXPECT_EQ(a, b);
  c.seed = 6;
  EXPECT_NE(run_simulation(c).result.dump(), a);
}

}  // namespace
}  // namespace mdsim

namespace mdsim {
namespace {

// The fio scenario end to end: a job file next to the config, a raid1 of null disks, fio's
// JSON with the mdsim section; a bad job file is a ConfigError naming its line.
TEST(FioScenario, RunsAJobFileOnAnArrayAndReportsLikeFio) {
  std::string dir = ::testing::TempDir() + "/mdsim_fio_scenario";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/job.fio") << "[w]\nrw=randwrite\nbs=4k\niodepth=4\nnumber_ios=200\n";
  std::ofstream(dir + "/bad.fio") << "[w]\nrw=randwrite\nverify=md5\n";
  auto config = [&](const char* job) {
    std::string text = std::string(R"({"scenario": "fio", "machine": {"cores": 2},
        "disks": {"profile": "null"}, "array": {"level": "raid1", "raid_disks": 2},
        "fio": {"job_file": ")") + job + "\"}}";
    return parse_run_config(parse_json_text(text, dir + "/run.json"), dir + "/run.json");
  };
  RunOutput out = run_simulation(config("job.fio"));
  const auto& j = out.result;
  ASSERT_EQ(j["jobs"].size(), 1u);
  EXPECT_EQ(j["jobs"][0]["jobname"], "w");
  EXPECT_EQ(j["jobs"][0]["write"]["total_ios"], 200);
  EXPECT_EQ(j["jobs"][0]["write"]["io_bytes"], 200 * 4096);
  EXPECT_EQ(j["mdsim"]["array"]["host_bios"]["writes"], 200);
  EXPECT_EQ(j["mdsim"]["array"]["members"][0]["write"]["ios"].get<int>(),
            200 + j["mdsim"]["array"]["bitmap_page_writes"].get<int>());
  EXPECT_TRUE(out.has_bitmap_image);
  EXPECT_EQ(j["mdsim"]["config"]["array"]["level"], "raid1");

  std::string err;
  try {
    run_simulation(config("bad.fio"));
  } catch (const ConfigError& e) {
    err = e.what();
  }
  EXPECT_NE(err.find("bad.fio:3:"), std::string::npos) << err;
  EXPECT_NE(err.find("verify"), std::string::npos) << err;
}

}  // namespace
}  // namespace mdsim
