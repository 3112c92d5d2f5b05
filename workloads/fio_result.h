// FioRunResult: what a simulated run reports, in fio's terms, for the fio-compatible writers
// (results/fio_json.h, results/fio_text.h). It mirrors fio 3.33's per-job `struct thread_stat` (stat.h), the
// per-group `struct group_run_stats` and `struct disk_util_stat` (diskutil.h), holding raw
// counters, never derived numbers: percentages, rates and the latency_ns/us/ms buckets are
// computed by the writers exactly where fio computes them, so group reporting can merge jobs
// the way fio's sum_thread_stats does (fio_sum_job).
//
// Units: every duration is simulated nanoseconds (Time); the writers convert to fio's ms/us.
// Left out (never produced by the simulator): per-priority clat stats (cmdprio), steady state,
// block-info histograms, zoned-device resets (written as 0 like a non-zoned fio run),
// continue_on_error counters, cache hits, unified_rw_reporting, kb_base=1000, unit_base=bits
// and sig_figs other than 4. fio 3.33 writes no "job_start" (later versions do), so neither
// does this model.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/histogram.h"
#include "sim/time.h"

namespace mdsim {

// fio's default bw_avg_time and iops_avg_time: one bandwidth/IOPS sample per 500 ms.
inline constexpr Time kFioDefaultAvgTime = 500 * kMillisecond;

// fio's data directions (enum fio_ddir, the read/write/trim part).
enum class FioDdir : int { kRead = 0, kWrite = 1, kTrim = 2 };
inline constexpr int kFioDdirs = 3;
inline constexpr std::array<const char*, kFioDdirs> kFioDdirNames = {"read", "write", "trim"};

// Ordered (name, value) option strings, as fio lists "job options" and "global options".
using FioOptions = std::vector<std::pair<std::string, std::string>>;

// fio's struct io_stat as used for bandwidth and IOPS samples (stat.c add_stat_sample): exact
// min/max, Welford mean and sum of squared deviations S over integer samples.
struct FioSampleStat {
  uint64_t samples = 0;
  uint64_t min = 0;  // meaningful only when samples > 0
  uint64_t max = 0;
  double mean = 0.0;
  double s = 0.0;  // fio's S: sum of squared deviations from the mean

  void add(uint64_t value);
  // Sample standard deviation, sqrt(S / (n - 1)); 0 when n <= 1 (fio's calc_lat).
  double stddev() const;
  // fio's sum_stat(..., pure_sum=true) used by group reporting for bw/iops: min, max, mean, S
  // and the sample count are ADDED (the group's bandwidth is the sum of its jobs').
  void sum_pure(const FioSampleStat& other);
};

// One data direction of one job (fio thread_stat fields indexed by ddir).
struct FioDirStats {
  uint64_t io_bytes = 0;   // bytes completed
  uint64_t total_ios = 0;  // I/Os issued (total_io_u)
  uint64_t short_ios = 0;  // short_io_u
  uint64_t drop_ios = 0;   // drop_io_u
  Time runtime = 0;        // time the job spent doing this direction; reported in ms, rounded up
  LatencyHistogram slat;   // submission latency (fio only records it for async engines)
  LatencyHistogram clat;   // completion latency: issue -> completion
  LatencyHistogram lat;    // total latency: submission start -> completion
  FioSampleStat bw;        // bandwidth samples in KiB/s
  FioSampleStat iops;      // IOPS samples

  // fio's __add_samples for this direction: `bytes` (resp. `ios`) completed during a window of
  // `spent` (normally kFioDefaultAvgTime). A window with nothing done adds no sample; the rate
  // is computed in whole milliseconds and truncated like fio (bytes * 1000 / ms / 1024 KiB/s).
  void add_bw_sample(Time spent, uint64_t bytes);
  void add_iops_sample(Time spent, uint64_t ios);
};

// fio's seven-slot I/O depth histograms (io_u_map / io_u_submit / io_u_complete).
inline constexpr int kFioDepthSlots = 7;
using FioDepthMap = std::array<uint64_t, kFioDepthSlots>;

// One fio job (thread_stat) or, after fio_sum_job, one group-reporting entry.
struct FioJobResult {
  std::string name;
  std::string description;  // fio "description"; written as "desc" when not empty
  int groupid = 0;
  bool group_reporting = false;  // fio group_reporting: merge with the group's other jobs
  int members = 1;               // jobs summed into this entry ("jobs=" in the text)
  int pid = 0;                   // shown in the text header only
  int error = 0;                 // errno-style job error, 0 when fine
  std::string verror;            // its message (text header only)
  uint64_t eta = 0;              // seconds still to run when reported ("eta")
  uint64_t elapsed = 0;          // seconds since the run started ("elapsed")
  FioOptions options;            // "job options", in the order given

  std::array<FioDirStats, kFioDdirs> dirs;
  uint64_t sync_ios = 0;      // fsync/fdatasync issued (total_io_u[DDIR_SYNC])
  LatencyHistogram sync_lat;  // their latency (sync_stat)

  Time job_runtime = 0;  // time from the job's start to its end (total_run_time)
  Time usr_time = 0;     // CPU time charged to the job in user and system mode
  Time sys_time = 0;
  uint64_t ctx = 0;   // context switches
  uint64_t majf = 0;  // page faults
  uint64_t minf = 0;

  FioDepthMap io_u_map{};       // I/Os by queue depth when issued: 1, 2, 4, 8, 16, 32, >=64
  FioDepthMap io_u_submit{};    // submit calls by batch size: 0, 1-4, 5-8, ..., 33-64, >64
  FioDepthMap io_u_complete{};  // reap calls by batch size, same slots
  uint64_t total_submit = 0;
  uint64_t total_complete = 0;

  // Percentile reporting (fio slat_percentiles, clat_percentiles, lat_percentiles,
  // percentile_list and the precision fio derives from that list's decimals).
  bool slat_percentiles = false;
  bool clat_percentiles = true;
  bool lat_percentiles = false;
  std::vector<double> percentile_list{LatencyHistogram::kDefaultPercentiles.begin(),
                                      LatencyHistogram::kDefaultPercentiles.end()};
  int percentile_precision = 2;

  // fio's latency-target block, printed whenever latency_depth != 0 (fio 3.33 sets the
  // depth to the job's iodepth, so it is always printed); target/window as fio stores them.
  unsigned latency_depth = 1;
  uint64_t latency_target = 0;
  uint64_t latency_window = 0;
  double latency_percentile = 100.0;

  FioDirStats& dir(FioDdir d) { return dirs[static_cast<size_t>(d)]; }
  const FioDirStats& dir(FioDdir d) const { return dirs[static_cast<size_t>(d)]; }

  // fio io_u_mark_depth: `nr` I/Os issued while `depth` I/Os were in flight (depth >= 1).
  void mark_depth(unsigned depth, uint64_t nr = 1);
  // fio io_u_mark_submit / io_u_mark_complete: one call submitting (reaping) `nr` I/Os.
  void mark_submit(unsigned nr);
  void mark_complete(unsigned nr);
};

// One entry of fio's disk_util list (/proc/diskstats deltas over the run).
struct FioDiskUtil {
  std::string name;
  uint64_t read_ios = 0;
  uint64_t write_ios = 0;
  uint64_t read_merges = 0;
  uint64_t write_merges = 0;
  uint64_t read_ticks = 0;   // ms spent on reads
  uint64_t write_ticks = 0;  // ms spent on writes
  uint64_t in_queue = 0;     // weighted ms in queue
  double util = 0.0;         // % of the run the disk was busy (capped at 100)
  // Names of member disks (md0's slaves). Each must also be an entry of the run's disk list;
  // the writers add fio's averaged "aggr*" fields and the busiest member's util.
  std::vector<std::string> slaves;
};

// A whole report: fio's header fields, the jobs and the disks.
struct FioRunResult {
  // fio tools read this key as a free-form string; the format written is fio 3.33's.
  std::string fio_version = "fio-3.33 (mdsim)";
  int64_t timestamp_ms = 0;  // report time, ms since the epoch (caller-chosen: deterministic)
  FioOptions global_options;
  std::vector<FioJobResult> jobs;
  std::vector<FioDiskUtil> disks;
};

// fio's sum_thread_stats: adds `src` into `dst` (latency stats merged, bw/iops pure-summed,
// runtimes maxed, counters summed, members added).
void fio_sum_job(FioJobResult& dst, const FioJobResult& src);

// fio __show_run_stats: the entries fio reports. Consecutive jobs of one group that have
// group_reporting set are merged into one entry named after the group's first job (whose
// name, description, pid and groupid it keeps; options come from the last job, like fio).
std::vector<FioJobResult> fio_reported_jobs(const std::vector<FioJobResult>& jobs);

// fio's group_run_stats of one group, from the reported entries: runtimes in ms, bandwidths
// in bytes/s; `agg` is the group's aggregate bandwidth (all bytes / longest runtime).
struct FioGroupStats {
  int groupid = 0;
  std::array<uint64_t, kFioDdirs> min_run{};
  std::array<uint64_t, kFioDdirs> max_run{};
  std::array<uint64_t, kFioDdirs> min_bw{};
  std::array<uint64_t, kFioDdirs> max_bw{};
  std::array<uint64_t, kFioDdirs> io_bytes{};
  std::array<uint64_t, kFioDdirs> agg{};
};
// One entry per group id from 0 to the largest in `reported`.
std::vector<FioGroupStats> fio_group_stats(const std::vector<FioJobResult>& reported);

// A direction's runtime as fio reports it: whole ms, rounded up from whole us.
uint64_t fio_runtime_ms(Time runtime);

// ---- Numbers fio derives at report time (stat.c), shared by the JSON and text writers ----

// fio stat_calc_dist: each slot as a % of `total`; a non-zero slot below 0.1% shows as 0.1.
std::array<double, kFioDepthSlots> fio_depth_dist(const FioDepthMap& map, uint64_t total);

// fio's latency distribution (io_u_lat_n/u/m via stat_calc_lat): completions by completion
// latency as a % of all read/write/trim I/Os (a non-zero bucket below 0.01% shows as 0.01).
// Buckets are labelled by their upper end: ns/us "2" = [0,2), "4" = [2,4), ..., "1000" =
// [750,1000); ms adds "2000" = [1000,2000) and ">=2000". fio counts exact latencies; here
// they come from the clat histograms, a bin that straddles a bucket edge being split in
// proportion to the values on each side (so only such bins, < 1.6% wide, are approximate).
struct FioLatencyBuckets {
  static constexpr std::array<const char*, 10> kLabels = {"2",   "4",   "10",  "20",  "50",
                                                          "100", "250", "500", "750", "1000"};
  static constexpr std::array<const char*, 12> kMsLabels = {
      "2", "4", "10", "20", "50", "100", "250", "500", "750", "1000", "2000", ">=2000"};
  std::array<double, 10> ns{};
  std::array<double, 10> us{};
  std::array<double, 12> ms{};
};
FioLatencyBuckets fio_latency_buckets(const FioJobResult& job);

// usr_cpu / sys_cpu: CPU time as a % of the job's runtime (0 when the runtime is 0).
double fio_cpu_percent(Time cpu, Time job_runtime);

// fio calc_clat_percentiles: the job's percentile list sorted ascending (fio sorts it in
// place), each with the value of the first bin whose running count reaches p/100 * N, the
// comparison done in long double exactly like fio (LatencyHistogram::percentiles uses double
// and can pick a bin one too early when p/100 * N is a whole number, e.g. 99.95% of 4000).
std::vector<std::pair<double, Time>> fio_percentiles(const LatencyHistogram& h,
                                                     const std::vector<double>& list);

// ctime(3) text without the newline ("Thu Jan  1 00:00:00 1970"), in UTC so that reports do
// not depend on the host's time zone.
std::string fio_ctime(int64_t seconds_since_epoch);

}  // namespace mdsim
