// Test support for the fio writers (tests only): locating the fixtures in tests/data/fio/
// (made by the real fio 3.33, see tests/data/fio/README.md) and rebuilding a FioRunResult
// from fio's own JSON, so the writers can be run on exactly the numbers fio reported.
//
// The rebuild is exact for counters, runtimes, bw/iops sample statistics and (json+) the
// histogram bins, hence for percentiles and bins; a histogram refilled from its bins has its
// samples at the bin values, so its min/max/mean/stddev differ slightly from fio's exact ones.
// fio's JSON lacks the raw depth counts, so they are rebuilt from the percentages.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "workloads/fio_result.h"

namespace mdsim::fio_test {

// The project's source directory: $MDSIM_SOURCE_DIR (set by ctest) or this file's parent.
inline std::string source_dir() {
  if (const char* env = std::getenv("MDSIM_SOURCE_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  std::string here = __FILE__;  // .../results/fio_test_support.h
  for (int i = 0; i < 2; ++i) here = here.substr(0, here.find_last_of('/'));
  return here;
}

inline std::string fixture_path(const std::string& name) {
  return source_dir() + "/tests/data/fio/" + name;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline nlohmann::ordered_json read_json(const std::string& name) {
  return nlohmann::ordered_json::parse(read_file(fixture_path(name)));
}

inline FioOptions options_from(const nlohmann::ordered_json& obj) {
  FioOptions out;
  for (const auto& [k, v] : obj.items()) out.emplace_back(k, v.get<std::string>());
  return out;
}

// Refills a histogram from fio's "bins"; without bins, N samples at the rounded mean.
inline void histogram_from(const nlohmann::ordered_json& lat, LatencyHistogram& h) {
  if (lat.contains("bins")) {
    for (const auto& [k, v] : lat["bins"].items()) {
      h.add(static_cast<Time>(std::stoull(k)), v.get<uint64_t>());
    }
  } else if (lat["N"].get<uint64_t>() > 0) {
    h.add(static_cast<Time>(std::llround(lat["mean"].get<double>())), lat["N"].get<uint64_t>());
  }
}

inline FioSampleStat sample_stat_from(const nlohmann::ordered_json& dir, const std::string& p,
                                      const char* dev_key) {
  FioSampleStat s;
  s.samples = dir[p + "_samples"].get<uint64_t>();
  s.min = dir[p + "_min"].get<uint64_t>();
  s.max = dir[p + "_max"].get<uint64_t>();
  s.mean = dir[p + "_mean"].get<double>();
  const double dev = dir[dev_key].get<double>();
  s.s = s.samples > 1 ? dev * dev * static_cast<double>(s.samples - 1) : 0.0;
  return s;
}

// Depth counts that reproduce fio's percentages over `total` I/Os.
inline FioDepthMap depth_from(const nlohmann::ordered_json& dist, uint64_t total) {
  FioDepthMap m{};
  size_t i = 0;
  for (const auto& [k, v] : dist.items()) {
    m[i++] =
        static_cast<uint64_t>(std::llround(v.get<double>() * static_cast<double>(total) / 100));
  }
  return m;
}

inline FioRunResult run_from_fio_json(const nlohmann::ordered_json& doc) {
  FioRunResult run;
  run.fio_version = doc["fio version"].get<std::string>();
  run.timestamp_ms = doc["timestamp_ms"].get<int64_t>();
  if (doc.contains("global options")) run.global_options = options_from(doc["global options"]);
  for (const auto& j : doc["jobs"]) {
    FioJobResult job;
    job.name = j["jobname"].get<std::string>();
    job.groupid = j["groupid"].get<int>();
    job.error = j["error"].get<int>();
    job.eta = j["eta"].get<uint64_t>();
    job.elapsed = j["elapsed"].get<uint64_t>();
    if (j.contains("job options")) job.options = options_from(j["job options"]);
    job.clat_percentiles = false;
    uint64_t rw_ios = 0;
    for (size_t d = 0; d < kFioDdirs; ++d) {
      const auto& dj = j[kFioDdirNames[d]];
      FioDirStats& s = job.dirs[d];
      s.io_bytes = dj["io_bytes"].get<uint64_t>();
      s.total_ios = dj["total_ios"].get<uint64_t>();
      s.short_ios = dj["short_ios"].get<uint64_t>();
      s.drop_ios = dj["drop_ios"].get<uint64_t>();
      s.runtime = static_cast<Time>(dj["runtime"].get<uint64_t>()) * kMillisecond;
      histogram_from(dj["slat_ns"], s.slat);
      histogram_from(dj["clat_ns"], s.clat);
      histogram_from(dj["lat_ns"], s.lat);
      job.slat_percentiles |= dj["slat_ns"].contains("percentile");
      job.clat_percentiles |= dj["clat_ns"].contains("percentile");
      job.lat_percentiles |= dj["lat_ns"].contains("percentile");
      s.bw = sample_stat_from(dj, "bw", "bw_dev");
      s.iops = sample_stat_from(dj, "iops", "iops_stddev");
      rw_ios += s.total_ios;
    }
    job.sync_ios = j["sync"]["total_ios"].get<uint64_t>();
    histogram_from(j["sync"]["lat_ns"], job.sync_lat);
    job.job_runtime = static_cast<Time>(j["job_runtime"].get<uint64_t>()) * kMillisecond;
    const double runtime = static_cast<double>(job.job_runtime);
    job.usr_time = static_cast<Time>(std::llround(j["usr_cpu"].get<double>() * runtime / 100));
    job.sys_time = static_cast<Time>(std::llround(j["sys_cpu"].get<double>() * runtime / 100));
    job.ctx = j["ctx"].get<uint64_t>();
    job.majf = j["majf"].get<uint64_t>();
    job.minf = j["minf"].get<uint64_t>();
    job.io_u_map = depth_from(j["iodepth_level"], rw_ios);
    job.total_submit = job.total_complete = 1000000;
    job.io_u_submit = depth_from(j["iodepth_submit"], job.total_submit);
    job.io_u_complete = depth_from(j["iodepth_complete"], job.total_complete);
    job.latency_depth = j.value("latency_depth", 0u);
    job.latency_target = j.value("latency_target", uint64_t{0});
    job.latency_percentile = j.value("latency_percentile", 100.0);
    job.latency_window = j.value("latency_window", uint64_t{0});
    run.jobs.push_back(std::move(job));
  }
  if (doc.contains("disk_util")) {
    for (const auto& d : doc["disk_util"]) {
      FioDiskUtil disk;
      disk.name = d["name"].get<std::string>();
      disk.read_ios = d["read_ios"].get<uint64_t>();
      disk.write_ios = d["write_ios"].get<uint64_t>();
      disk.read_merges = d["read_merges"].get<uint64_t>();
      disk.write_merges = d["write_merges"].get<uint64_t>();
      disk.read_ticks = d["read_ticks"].get<uint64_t>();
      disk.write_ticks = d["write_ticks"].get<uint64_t>();
      disk.in_queue = d["in_queue"].get<uint64_t>();
      disk.util = d["util"].get<double>();
      run.disks.push_back(std::move(disk));
    }
  }
  return run;
}

}  // namespace mdsim::fio_test
