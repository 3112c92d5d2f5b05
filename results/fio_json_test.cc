// Tests for the fio JSON / json+ writer against output of the real fio 3.33
// (tests/data/fio/*.json): fio's layout byte for byte, the same key structure (keys, nesting,
// order, value types) for an equivalent result, fio's values where they can be reproduced,
// units from known inputs, group reporting, disk aggregation and the "mdsim" section.
#include "results/fio_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "results/fio_test_support.h"

namespace mdsim {
namespace {

using Json = nlohmann::ordered_json;
using fio_test::read_json;
using fio_test::run_from_fio_json;

const char* type_name(const Json& v) {
  if (v.is_object()) return "object";
  if (v.is_array()) return "array";
  if (v.is_string()) return "string";
  if (v.is_number_float()) return "float";
  if (v.is_number()) return "integer";
  return v.type_name();
}

// Same keys in the same order, same nesting and same value types, values ignored.
void expect_same_structure(const Json& ours, const Json& fio, const std::string& path) {
  ASSERT_STREQ(type_name(ours), type_name(fio)) << path;
  if (fio.is_object()) {
    std::vector<std::string> ok;
    std::vector<std::string> fk;
    for (const auto& [k, v] : ours.items()) ok.push_back(k);
    for (const auto& [k, v] : fio.items()) fk.push_back(k);
    ASSERT_EQ(ok, fk) << path;
    for (const auto& [k, v] : fio.items()) expect_same_structure(ours[k], v, path + "/" + k);
  } else if (fio.is_array()) {
    ASSERT_EQ(ours.size(), fio.size()) << path;
    for (size_t i = 0; i < fio.size(); ++i) {
      expect_same_structure(ours[i], fio[i], path + "/" + std::to_string(i));
    }
  }
}

// Values fio computed that the rebuilt result must reproduce exactly (or to print precision).
void expect_fio_values(const Json& ours, const Json& fio, bool plus) {
  for (size_t j = 0; j < fio["jobs"].size(); ++j) {
    const Json& o = ours["jobs"][j];
    const Json& f = fio["jobs"][j];
    for (const char* dir : {"read", "write", "trim"}) {
      SCOPED_TRACE(std::string(f["jobname"]) + " " + dir);
      for (const char* key :
           {"io_bytes", "io_kbytes", "bw_bytes", "bw", "runtime", "total_ios", "bw_min", "bw_max",
            "bw_samples", "iops_min", "iops_max", "iops_samples"}) {
        EXPECT_EQ(o[dir][key], f[dir][key]) << key;
      }
      for (const char* key : {"iops", "bw_agg", "bw_mean", "bw_dev", "iops_mean", "iops_stddev"}) {
        EXPECT_NEAR(o[dir][key].get<double>(), f[dir][key].get<double>(), 1e-5) << key;
      }
      for (const char* lat : {"slat_ns", "clat_ns", "lat_ns"}) {
        EXPECT_EQ(o[dir][lat]["N"], f[dir][lat]["N"]) << lat;
        if (!plus) continue;
        EXPECT_EQ(o[dir][lat].value("percentile", Json()), f[dir][lat].value("percentile", Json()));
        EXPECT_EQ(o[dir][lat].value("bins", Json()), f[dir][lat].value("bins", Json())) << lat;
      }
    }
    EXPECT_EQ(o["sync"]["total_ios"], f["sync"]["total_ios"]);
    EXPECT_EQ(o["sync"]["lat_ns"]["N"], f["sync"]["lat_ns"]["N"]);
    if (plus) {
      EXPECT_EQ(o["sync"]["lat_ns"].value("percentile", Json()),
                f["sync"]["lat_ns"].value("percentile", Json()));
      EXPECT_EQ(o["sync"]["lat_ns"].value("bins", Json()),
                f["sync"]["lat_ns"].value("bins", Json()));
    }
    for (const char* key : {"iodepth_level", "iodepth_submit", "iodepth_complete"}) {
      for (const auto& [k, v] : f[key].items()) {
        EXPECT_NEAR(o[key][k].get<double>(), v.get<double>(), 1e-4) << key << " " << k;
      }
    }
    // Latency buckets come from histogram bins (split at bucket edges), fio's from exact
    // latencies: only bins straddling an edge differ. Plain JSON has no bins to rebuild from.
    if (!plus) continue;
    for (const char* key : {"latency_ns", "latency_us", "latency_ms"}) {
      for (const auto& [k, v] : f[key].items()) {
        EXPECT_NEAR(o[key][k].get<double>(), v.get<double>(), 0.05) << key << " " << k;
      }
    }
  }
  EXPECT_EQ(ours.value("disk_util", Json()), fio.value("disk_util", Json()));
}

class FioFixture : public testing::TestWithParam<const char*> {};

TEST_P(FioFixture, DumpReproducesFioLayoutByteForByte) {
  const std::string text = fio_test::read_file(fio_test::fixture_path(GetParam()));
  EXPECT_EQ(fio_json_dump(Json::parse(text)), text);
}

TEST_P(FioFixture, SameStructureAndValuesAsFio) {
  const Json fio = read_json(GetParam());
  const bool plus = fio_json_dump(fio).find("\"bins\"") != std::string::npos;
  const FioRunResult run = run_from_fio_json(fio);
  const Json ours = fio_json(run, plus ? FioJsonFormat::kJsonPlus : FioJsonFormat::kJson);
  expect_same_structure(ours, fio, "");
  expect_fio_values(ours, fio, plus);
  // Header fields come straight from the model.
  EXPECT_EQ(ours["time"], fio["time"]);  // fio's local time is UTC on the fixture machine
  EXPECT_EQ(ours["timestamp"], fio["timestamp"]);
}

INSTANTIATE_TEST_SUITE_P(Fio333, FioFixture,
                         testing::Values("null-json.json", "null-jsonplus.json", "randrw-rate.json",
                                         "randrw-group.json", "libaio-percentiles.json",
                                         "psync-fsync.json", "two-groups.json"));

TEST(FioJson, PlainJsonHasNoBins) {
  const Json fio = read_json("null-jsonplus.json");
  const Json ours = fio_json(run_from_fio_json(fio), FioJsonFormat::kJson);
  EXPECT_FALSE(ours["jobs"][0]["read"]["clat_ns"].contains("bins"));
  EXPECT_TRUE(ours["jobs"][0]["read"]["clat_ns"].contains("percentile"));
  expect_same_structure(ours, read_json("null-json.json"), "");
}

// 1000 reads of 4096 bytes in 1 s, bandwidth sampled every 500 ms.
FioRunResult one_second_of_reads() {
  FioRunResult run;
  FioJobResult job;
  job.name = "unit";
  FioDirStats& r = job.dir(FioDdir::kRead);
  r.io_bytes = 1000 * 4096;
  r.total_ios = 1000;
  r.runtime = kSecond;
  for (int i = 0; i < 1000; ++i) r.clat.add(151 * kMicrosecond + i);  // 151.000..151.999 us
  for (int w = 0; w < 2; ++w) {
    r.add_bw_sample(kFioDefaultAvgTime, 500 * 4096);
    r.add_iops_sample(kFioDefaultAvgTime, 500);
  }
  job.job_runtime = kSecond;
  job.usr_time = 250 * kMillisecond;
  job.sys_time = 125 * kMillisecond;
  job.mark_depth(1, 1000);
  run.jobs.push_back(job);
  return run;
}

TEST(FioJson, UnitsFromKnownInputs) {
  const Json j = fio_json(one_second_of_reads(), FioJsonFormat::kJsonPlus);
  const Json& r = j["jobs"][0]["read"];
  EXPECT_EQ(r["io_bytes"], 4096000);
  EXPECT_EQ(r["io_kbytes"], 4000);
  EXPECT_EQ(r["bw_bytes"], 4096000);  // B/s
  EXPECT_EQ(r["bw"], 4000);           // KiB/s
  EXPECT_DOUBLE_EQ(r["iops"].get<double>(), 1000.0);
  EXPECT_EQ(r["runtime"], 1000);  // ms
  EXPECT_EQ(r["clat_ns"]["min"], 151000);
  EXPECT_EQ(r["clat_ns"]["max"], 151999);
  EXPECT_DOUBLE_EQ(r["clat_ns"]["mean"].get<double>(), 151499.5);
  EXPECT_EQ(r["clat_ns"]["N"], 1000);
  // Between 2^17 and 2^18 ns bins are 2048 wide: [149504, 151552) reported at its middle
  // 150528 holds 151000..151551, [151552, 153600) at 152576 holds the other 448.
  EXPECT_EQ(r["clat_ns"]["bins"].size(), 2u);
  EXPECT_EQ(r["clat_ns"]["bins"]["150528"], 552);
  EXPECT_EQ(r["clat_ns"]["bins"]["152576"], 448);
  EXPECT_EQ(r["clat_ns"]["percentile"]["50.000000"], 150528);  // 500 <= 552
  EXPECT_EQ(r["clat_ns"]["percentile"]["60.000000"], 152576);
  EXPECT_EQ(r["bw_min"], 4000);  // 2048000 B per 500 ms = 4000 KiB/s
  EXPECT_EQ(r["bw_max"], 4000);
  EXPECT_EQ(r["bw_samples"], 2);
  EXPECT_DOUBLE_EQ(r["bw_agg"].get<double>(), 100.0);
  EXPECT_EQ(r["iops_min"], 1000);
  EXPECT_EQ(r["iops_samples"], 2);
  const Json& job = j["jobs"][0];
  EXPECT_EQ(job["job_runtime"], 1000);
  EXPECT_DOUBLE_EQ(job["usr_cpu"].get<double>(), 25.0);
  EXPECT_DOUBLE_EQ(job["sys_cpu"].get<double>(), 12.5);
  EXPECT_DOUBLE_EQ(job["iodepth_level"]["1"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(job["latency_us"]["250"].get<double>(), 100.0);  // [100, 250) us
  EXPECT_DOUBLE_EQ(job["latency_us"]["100"].get<double>(), 0.0);
  EXPECT_EQ(j["time"], "Thu Jan  1 00:00:00 1970");
  EXPECT_FALSE(j.contains("global options"));
  EXPECT_FALSE(j.contains("disk_util"));
  EXPECT_FALSE(job.contains("job options"));
}

TEST(FioJson, LatencyBucketsSplitBinsAtBucketEdges) {
  FioRunResult run = one_second_of_reads();
  FioDirStats& w = run.jobs[0].dir(FioDdir::kWrite);
  w.total_ios = 1000;
  w.clat.add(40, 250);                   // [20, 50) ns
  w.clat.add(3 * kMillisecond, 250);     // [2, 4) ms
  w.clat.add(2500 * kMillisecond, 250);  // >= 2000 ms
  w.clat.add(99900, 1);  // bin [99328, 100352): 672 of its 1024 values are below 100 us
  const Json j = fio_json(run, FioJsonFormat::kJson)["jobs"][0];
  EXPECT_DOUBLE_EQ(j["latency_ns"]["50"].get<double>(), 12.5);  // of 2000 read+write I/Os
  EXPECT_DOUBLE_EQ(j["latency_ms"]["4"].get<double>(), 12.5);
  EXPECT_DOUBLE_EQ(j["latency_ms"][">=2000"].get<double>(), 12.5);
  EXPECT_DOUBLE_EQ(j["latency_us"]["100"].get<double>(), 672.0 / 1024 / 2000 * 100);
  EXPECT_DOUBLE_EQ(j["latency_us"]["250"].get<double>(), (1000 + 352.0 / 1024) / 2000 * 100);
  run.jobs[0].dir(FioDdir::kRead).total_ios = 100000;  // 1 of 101000 is below 0.01%
  EXPECT_DOUBLE_EQ(fio_json(run, FioJsonFormat::kJson)["jobs"][0]["latency_us"]["100"], 0.01);
}

TEST(FioJson, RuntimeRoundsUpToWholeMilliseconds) {
  EXPECT_EQ(fio_runtime_ms(0), 0u);
  EXPECT_EQ(fio_runtime_ms(999), 0u);  // under 1 us
  EXPECT_EQ(fio_runtime_ms(1000), 1u);
  EXPECT_EQ(fio_runtime_ms(kMillisecond), 1u);
  EXPECT_EQ(fio_runtime_ms(kMillisecond + 1000), 2u);
  EXPECT_EQ(fio_runtime_ms(2001 * kMillisecond), 2001u);
}

TEST(FioJson, GroupReportingMergesLikeFio) {
  FioRunResult run = one_second_of_reads();
  FioJobResult b = run.jobs[0];
  b.name = "other";
  FioDirStats& r = b.dir(FioDdir::kRead);
  r.io_bytes = 3000 * 4096;
  r.total_ios = 3000;
  r.runtime = 2 * kSecond;
  r.clat.clear();
  r.clat.add(kMillisecond, 3000);
  r.bw = FioSampleStat();
  r.bw.add(5000);
  r.bw.add(7000);
  run.jobs[0].group_reporting = true;
  b.group_reporting = true;
  b.options = {{"name", "other"}};
  run.jobs.push_back(b);
  const Json j = fio_json(run, FioJsonFormat::kJson);
  ASSERT_EQ(j["jobs"].size(), 1u);
  const Json& job = j["jobs"][0];
  EXPECT_EQ(job["jobname"], "unit");               // the group's first job
  EXPECT_EQ(job["job options"]["name"], "other");  // options of the last, as fio
  const Json& g = job["read"];
  EXPECT_EQ(g["io_bytes"], 4000 * 4096);
  EXPECT_EQ(g["runtime"], 2000);  // the longest
  EXPECT_EQ(g["bw_bytes"], 4000 * 4096 / 2);
  EXPECT_EQ(g["total_ios"], 4000);
  EXPECT_EQ(g["clat_ns"]["N"], 4000);
  EXPECT_EQ(g["clat_ns"]["max"], 1000000);
  EXPECT_DOUBLE_EQ(g["clat_ns"]["mean"].get<double>(), (151499.5 * 1000 + 1e6 * 3000) / 4000);
  // bw/iops: fio's pure sum of min, max, mean and S and of the sample counts.
  EXPECT_EQ(g["bw_min"], 4000 + 5000);
  EXPECT_EQ(g["bw_max"], 4000 + 7000);
  EXPECT_EQ(g["bw_samples"], 4);
  EXPECT_DOUBLE_EQ(g["bw_mean"].get<double>(), 4000.0 + 6000.0);
  EXPECT_DOUBLE_EQ(g["bw_dev"].get<double>(), std::sqrt(2e6 / 3));  // S = 0 + 2e6, n = 4
  // agg = 4000*4096 B / 2 s = 8000 KiB/s; bw_mean 10000 KiB/s is capped at 100%.
  EXPECT_DOUBLE_EQ(g["bw_agg"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(job["usr_cpu"].get<double>(), 25.0);  // 500 ms of 2 s summed runtime
  // Without group_reporting each job is its own entry and bw_agg is its share of the group.
  run.jobs[0].group_reporting = run.jobs[1].group_reporting = false;
  const Json k = fio_json(run, FioJsonFormat::kJson);
  ASSERT_EQ(k["jobs"].size(), 2u);
  // Group agg = 16384000 B / 2000 ms = 8192000 B/s = 8000 KiB/s; job 1's mean 4000 -> 50%.
  EXPECT_DOUBLE_EQ(k["jobs"][0]["read"]["bw_agg"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(k["jobs"][1]["read"]["bw_agg"].get<double>(), 75.0);
}

TEST(FioJson, DiskAggregatesSlavesLikeFio) {
  FioRunResult run = one_second_of_reads();
  FioDiskUtil md{.name = "md0", .read_ios = 1000, .util = 0.0, .slaves = {"sda", "sdb"}};
  FioDiskUtil a{.name = "sda",
                .read_ios = 501,
                .write_ios = 10,
                .read_ticks = 40,
                .util = 97.5,
                .slaves = {}};
  FioDiskUtil b{.name = "sdb",
                .read_ios = 500,
                .write_ios = 11,
                .read_ticks = 43,
                .util = 98.25,
                .slaves = {}};
  run.disks = {md, a, b};
  const Json j = fio_json(run, FioJsonFormat::kJson);
  ASSERT_EQ(j["disk_util"].size(), 3u);
  const Json& m = j["disk_util"][0];
  EXPECT_EQ(m["name"], "md0");
  EXPECT_EQ(m["aggr_read_ios"], 500);  // (501 + 500) / 2, integer division
  EXPECT_EQ(m["aggr_write_ios"], 10);
  EXPECT_EQ(m["aggr_read_ticks"], 41);
  EXPECT_DOUBLE_EQ(m["aggr_util"].get<double>(), 98.25);  // the busiest member
  EXPECT_TRUE(m.contains("aggr_write_merge"));            // fio's spelling
  EXPECT_FALSE(j["disk_util"][1].contains("aggr_read_ios"));
}

TEST(FioJson, MdsimSectionGoesLastWithFullPrecision) {
  Json extra;
  extra["tiny"] = 1.5e-9;
  extra["nested"] = {{"b", 1}, {"a", "x"}};
  nlohmann::json unordered = {{"z", 1}, {"a", 2}};
  const std::string s = fio_json_string(one_second_of_reads(), FioJsonFormat::kJson, extra);
  const Json back = Json::parse(s);
  EXPECT_EQ(std::prev(back.end()).key(), "mdsim");
  EXPECT_DOUBLE_EQ(back["mdsim"]["tiny"].get<double>(), 1.5e-9);
  EXPECT_NE(s.find("\"iops\" : 1000.000000"), std::string::npos);
  EXPECT_NE(s.find("\"mdsim\" : {\n    \"tiny\" : "), std::string::npos);
  EXPECT_EQ(Json::parse(fio_json_string(one_second_of_reads(), FioJsonFormat::kJson,
                                        unordered))["mdsim"]["z"],
            1);
  EXPECT_FALSE(
      Json::parse(fio_json_string(one_second_of_reads(), FioJsonFormat::kJson)).contains("mdsim"));
}

TEST(FioJson, EmptyOptionValuesAreDroppedLikeFio) {
  FioRunResult run = one_second_of_reads();
  run.global_options = {{"ioengine", "libaio"}, {"description", ""}};
  run.jobs[0].options = {{"name", "unit"}};
  const Json j = fio_json(run, FioJsonFormat::kJson);
  EXPECT_EQ(j["global options"].size(), 1u);
  EXPECT_EQ(j["jobs"][0]["job options"]["name"], "unit");
}

}  // namespace
}  // namespace mdsim
