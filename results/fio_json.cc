// fio 3.33 JSON / json+ writer: see fio_json.h.
#include "results/fio_json.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace mdsim {

namespace {

using Json = nlohmann::ordered_json;

// fio drops a string member whose value is empty (json.c strdup_escape returns NULL).
void add_string(Json& obj, const char* key, const std::string& value) {
  if (!value.empty()) obj[key] = value;
}

std::string percent_key(double p) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%f", p);
  return buf;
}

// json_add_job_opts: nothing at all when there are no options.
void add_options(Json& obj, const char* key, const FioOptions& options) {
  if (options.empty()) return;
  Json o = Json::object();
  for (const auto& [name, value] : options) add_string(o, name.c_str(), value);
  obj[key] = o;
}

// add_ddir_lat_json: min/max/mean/stddev/N, then percentiles and (json+) bins.
Json lat_json(const LatencyHistogram& h, bool percentiles, const FioJobResult& job, bool plus) {
  Json o;
  o["min"] = h.min();
  o["max"] = h.max();
  o["mean"] = h.mean();
  o["stddev"] = h.stddev();
  o["N"] = h.count();
  if (percentiles && !h.empty()) {
    Json p = Json::object();
    for (const auto& [pct, value] : fio_percentiles(h, job.percentile_list)) {
      p[percent_key(pct)] = value;
    }
    o["percentile"] = p;
    if (plus) {
      Json bins = Json::object();
      h.for_each_bin([&](uint64_t value, uint64_t count) { bins[std::to_string(value)] = count; });
      o["bins"] = bins;
    }
  }
  return o;
}

// add_ddir_status_json for read/write/trim.
Json dir_json(const FioJobResult& job, size_t d, const FioGroupStats& rs, bool plus) {
  const FioDirStats& s = job.dirs[d];
  const uint64_t runt = fio_runtime_ms(s.runtime);
  uint64_t bw_bytes = 0;
  double iops = 0.0;
  if (runt != 0) {
    bw_bytes = s.io_bytes * 1000 / runt;
    iops = 1000.0 * static_cast<double>(s.total_ios) / static_cast<double>(runt);
  }
  Json o;
  o["io_bytes"] = s.io_bytes;
  o["io_kbytes"] = s.io_bytes >> 10;
  o["bw_bytes"] = bw_bytes;
  o["bw"] = bw_bytes / 1024;
  o["iops"] = iops;
  o["runtime"] = runt;
  o["total_ios"] = s.total_ios;
  o["short_ios"] = s.short_ios;
  o["drop_ios"] = s.drop_ios;
  o["slat_ns"] = lat_json(s.slat, job.slat_percentiles, job, plus);
  o["clat_ns"] = lat_json(s.clat, job.clat_percentiles, job, plus);
  o["lat_ns"] = lat_json(s.lat, job.lat_percentiles, job, plus);

  const FioSampleStat& bw = s.bw;
  double p_of_agg = 0.0;
  if (bw.samples != 0) {
    // convert_agg_kbytes_percent: the mean is truncated to an int first, as in fio.
    p_of_agg = 100.0;
    if (rs.agg[d] > 1024) {
      const double mean = static_cast<double>(static_cast<int>(bw.mean));
      p_of_agg = std::min(100.0, mean * 100.0 / (static_cast<double>(rs.agg[d]) / 1024.0));
    }
  }
  o["bw_min"] = bw.samples ? bw.min : 0;
  o["bw_max"] = bw.samples ? bw.max : 0;
  o["bw_agg"] = p_of_agg;
  o["bw_mean"] = bw.samples ? bw.mean : 0.0;
  o["bw_dev"] = bw.stddev();
  o["bw_samples"] = bw.samples;
  const FioSampleStat& io = s.iops;
  o["iops_min"] = io.samples ? io.min : 0;
  o["iops_max"] = io.samples ? io.max : 0;
  o["iops_mean"] = io.samples ? io.mean : 0.0;
  o["iops_stddev"] = io.stddev();
  o["iops_samples"] = io.samples;
  return o;
}

Json dist_json(const std::array<double, kFioDepthSlots>& dist, bool submit_labels) {
  static constexpr std::array<const char*, kFioDepthSlots> kLevel = {"1",  "2",  "4",   "8",
                                                                     "16", "32", ">=64"};
  static constexpr std::array<const char*, kFioDepthSlots> kSubmit = {"0",  "4",  "8",   "16",
                                                                      "32", "64", ">=64"};
  Json o;
  for (size_t i = 0; i < dist.size(); ++i) o[submit_labels ? kSubmit[i] : kLevel[i]] = dist[i];
  return o;
}

template <size_t N>
Json buckets_json(const std::array<double, N>& values, const std::array<const char*, N>& labels) {
  Json o;
  for (size_t i = 0; i < N; ++i) o[labels[i]] = values[i];
  return o;
}

// show_thread_status_json.
Json job_json(const FioJobResult& job, const FioGroupStats& rs, bool plus) {
  Json o;
  add_string(o, "jobname", job.name);
  o["groupid"] = job.groupid;
  o["error"] = job.error;
  o["eta"] = job.eta;
  o["elapsed"] = job.elapsed;
  add_options(o, "job options", job.options);
  for (size_t d = 0; d < kFioDdirs; ++d) o[kFioDdirNames[d]] = dir_json(job, d, rs, plus);
  Json sync;
  sync["total_ios"] = job.sync_ios;
  sync["lat_ns"] = lat_json(job.sync_lat, job.lat_percentiles || job.clat_percentiles, job, plus);
  o["sync"] = sync;

  o["job_runtime"] = static_cast<uint64_t>(std::max<Time>(job.job_runtime, 0) / kMillisecond);
  o["usr_cpu"] = fio_cpu_percent(job.usr_time, job.job_runtime);
  o["sys_cpu"] = fio_cpu_percent(job.sys_time, job.job_runtime);
  o["ctx"] = job.ctx;
  o["majf"] = job.majf;
  o["minf"] = job.minf;
  uint64_t rw_ios = 0;
  for (const FioDirStats& d : job.dirs) rw_ios += d.total_ios;
  o["iodepth_level"] = dist_json(fio_depth_dist(job.io_u_map, rw_ios), false);
  o["iodepth_submit"] = dist_json(fio_depth_dist(job.io_u_submit, job.total_submit), true);
  o["iodepth_complete"] = dist_json(fio_depth_dist(job.io_u_complete, job.total_complete), true);
  const FioLatencyBuckets lat = fio_latency_buckets(job);
  o["latency_ns"] = buckets_json(lat.ns, FioLatencyBuckets::kLabels);
  o["latency_us"] = buckets_json(lat.us, FioLatencyBuckets::kLabels);
  o["latency_ms"] = buckets_json(lat.ms, FioLatencyBuckets::kMsLabels);
  if (job.latency_depth != 0) {
    o["latency_depth"] = job.latency_depth;
    o["latency_target"] = job.latency_target;
    o["latency_percentile"] = job.latency_percentile;
    o["latency_window"] = job.latency_window;
  }
  add_string(o, "desc", job.description);
  return o;
}

const FioDiskUtil& find_disk(const FioRunResult& run, const FioDiskUtil& master,
                             const std::string& name) {
  for (const FioDiskUtil& d : run.disks) {
    if (d.name == name) return d;
  }
  std::fprintf(stderr, "fio_json: disk %s lists slave %s, which is not in the run's disks\n",
               master.name.c_str(), name.c_str());
  std::abort();
}

// json_array_add_disk_util, with aggregate_slaves_stats for disks that have slaves.
Json disk_json(const FioRunResult& run, const FioDiskUtil& d) {
  Json o;
  o["name"] = d.name;
  o["read_ios"] = d.read_ios;
  o["write_ios"] = d.write_ios;
  o["read_merges"] = d.read_merges;
  o["write_merges"] = d.write_merges;
  o["read_ticks"] = d.read_ticks;
  o["write_ticks"] = d.write_ticks;
  o["in_queue"] = d.in_queue;
  o["util"] = std::min(d.util, 100.0);
  if (d.slaves.empty()) return o;
  FioDiskUtil sum;
  double max_util = 0.0;
  for (const std::string& name : d.slaves) {
    const FioDiskUtil& s = find_disk(run, d, name);
    sum.read_ios += s.read_ios;
    sum.write_ios += s.write_ios;
    sum.read_merges += s.read_merges;
    sum.write_merges += s.write_merges;
    sum.read_ticks += s.read_ticks;
    sum.write_ticks += s.write_ticks;
    sum.in_queue += s.in_queue;
    max_util = std::max(max_util, s.util);
  }
  const uint64_t n = d.slaves.size();
  o["aggr_read_ios"] = sum.read_ios / n;
  o["aggr_write_ios"] = sum.write_ios / n;
  o["aggr_read_merges"] = sum.read_merges / n;
  o["aggr_write_merge"] = sum.write_merges / n;  // sic: fio's key
  o["aggr_read_ticks"] = sum.read_ticks / n;
  o["aggr_write_ticks"] = sum.write_ticks / n;
  o["aggr_in_queue"] = sum.in_queue / n;
  o["aggr_util"] = std::min(max_util, 100.0);
  return o;
}

void print_indent(std::string& out, int level) { out.append(static_cast<size_t>(level) * 2, ' '); }

void print_value(std::string& out, const Json& v, int level, bool fio_floats) {
  if (v.is_object()) {
    out += "{\n";
    bool first = true;
    for (const auto& [key, member] : v.items()) {
      if (!first) out += ",\n";
      first = false;
      print_indent(out, level + 1);
      out += Json(key).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      out += " : ";
      // The caller's "mdsim" section keeps full float precision.
      const bool inner_fio = fio_floats && !(level == 0 && key == "mdsim");
      print_value(out, member, level + 1, inner_fio);
    }
    out += "\n";
    print_indent(out, level);
    out += "}";
  } else if (v.is_array()) {
    out += "[\n";
    for (size_t i = 0; i < v.size(); ++i) {
      if (i > 0) out += ",\n";
      print_indent(out, level + 1);
      print_value(out, v[i], level + 1, fio_floats);
    }
    out += "\n";
    print_indent(out, level);
    out += "]";
  } else if (v.is_number_float() && fio_floats) {
    const double x = v.get<double>();
    if (!std::isfinite(x)) {
      out += "null";  // fio would print "nan", which is not JSON
    } else {
      char buf[512];
      std::snprintf(buf, sizeof buf, "%f", x);
      out += buf;
    }
  } else {
    out += v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
}

}  // namespace

nlohmann::ordered_json fio_json(const FioRunResult& run, FioJsonFormat format,
                                const nlohmann::ordered_json& mdsim) {
  const bool plus = format == FioJsonFormat::kJsonPlus;
  Json root;
  add_string(root, "fio version", run.fio_version);
  const int64_t seconds = run.timestamp_ms / 1000;
  root["timestamp"] = seconds;
  root["timestamp_ms"] = run.timestamp_ms;
  root["time"] = fio_ctime(seconds);
  add_options(root, "global options", run.global_options);
  const std::vector<FioJobResult> reported = fio_reported_jobs(run.jobs);
  const std::vector<FioGroupStats> groups = fio_group_stats(reported);
  Json jobs = Json::array();
  for (const FioJobResult& job : reported) {
    const FioGroupStats empty;
    const FioGroupStats& rs = job.groupid >= 0 ? groups[static_cast<size_t>(job.groupid)] : empty;
    jobs.push_back(job_json(job, rs, plus));
  }
  root["jobs"] = jobs;
  if (!run.disks.empty()) {
    Json disks = Json::array();
    for (const FioDiskUtil& d : run.disks) disks.push_back(disk_json(run, d));
    root["disk_util"] = disks;
  }
  if (!mdsim.is_null()) root["mdsim"] = mdsim;
  return root;
}

std::string fio_json_dump(const nlohmann::ordered_json& doc) {
  std::string out;
  print_value(out, doc, 0, true);
  out += "\n";
  return out;
}

std::string fio_json_string(const FioRunResult& run, FioJsonFormat format,
                            const nlohmann::ordered_json& mdsim) {
  return fio_json_dump(fio_json(run, format, mdsim));
}

}  // namespace mdsim
