// FioRunResult helpers: fio 3.33's sample statistics (stat.c add_stat_sample, sum_stat,
// __add_samples), depth accounting (io_u.c io_u_mark_depth/submit/complete), job summing
// for group reporting (sum_thread_stats, __show_run_stats) and group_run_stats.
#include "workloads/fio_result.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace mdsim {

void FioSampleStat::add(uint64_t value) {
  if (samples == 0 || value > max) max = value;
  if (samples == 0 || value < min) min = value;
  const double v = static_cast<double>(value);
  const double delta = v - mean;
  mean += delta / (static_cast<double>(samples) + 1.0);
  s += delta * (v - mean);
  ++samples;
}

double FioSampleStat::stddev() const {
  if (samples <= 1) return 0.0;
  const double var = s / (static_cast<double>(samples) - 1.0);
  return var > 0.0 ? std::sqrt(var) : 0.0;
}

void FioSampleStat::sum_pure(const FioSampleStat& other) {
  if (other.samples == 0) return;
  if (samples == 0) {
    *this = other;
    return;
  }
  min += other.min;
  max += other.max;
  samples += other.samples;
  mean += other.mean;
  s += other.s;
}

namespace {

// One rate sample, computed in whole ms like fio's __add_samples; `kib` divides by 1024.
void add_rate(FioSampleStat& stat, Time spent, uint64_t delta, bool kib) {
  if (delta == 0) return;  // fio: "No entries for interval"
  const uint64_t ms = spent > 0 ? static_cast<uint64_t>(spent / kMillisecond) : 0;
  uint64_t rate = 0;
  if (ms != 0) rate = kib ? delta * 1000 / ms / 1024 : delta * 1000 / ms;
  stat.add(rate);
}

// fio's batch-size slots for submit/complete: 0, 1-4, 5-8, 9-16, 17-32, 33-64, >64.
size_t batch_slot(unsigned nr) {
  if (nr == 0) return 0;
  if (nr <= 4) return 1;
  if (nr <= 8) return 2;
  if (nr <= 16) return 3;
  if (nr <= 32) return 4;
  if (nr <= 64) return 5;
  return 6;
}

}  // namespace

void FioDirStats::add_bw_sample(Time spent, uint64_t bytes) { add_rate(bw, spent, bytes, true); }

void FioDirStats::add_iops_sample(Time spent, uint64_t ios) { add_rate(iops, spent, ios, false); }

void FioJobResult::mark_depth(unsigned depth, uint64_t nr) {
  size_t slot = 6;  // >= 64
  if (depth < 2) {
    slot = 0;
  } else if (depth < 4) {
    slot = 1;
  } else if (depth < 8) {
    slot = 2;
  } else if (depth < 16) {
    slot = 3;
  } else if (depth < 32) {
    slot = 4;
  } else if (depth < 64) {
    slot = 5;
  }
  io_u_map[slot] += nr;
}

void FioJobResult::mark_submit(unsigned nr) {
  ++io_u_submit[batch_slot(nr)];
  ++total_submit;
}

void FioJobResult::mark_complete(unsigned nr) {
  ++io_u_complete[batch_slot(nr)];
  ++total_complete;
}

void fio_sum_job(FioJobResult& dst, const FioJobResult& src) {
  for (size_t d = 0; d < kFioDdirs; ++d) {
    FioDirStats& a = dst.dirs[d];
    const FioDirStats& b = src.dirs[d];
    a.clat.merge(b.clat);
    a.slat.merge(b.slat);
    a.lat.merge(b.lat);
    a.bw.sum_pure(b.bw);
    a.iops.sum_pure(b.iops);
    a.io_bytes += b.io_bytes;
    a.runtime = std::max(a.runtime, b.runtime);
    a.total_ios += b.total_ios;
    a.short_ios += b.short_ios;
    a.drop_ios += b.drop_ios;
  }
  dst.sync_lat.merge(src.sync_lat);
  dst.sync_ios += src.sync_ios;
  dst.usr_time += src.usr_time;
  dst.sys_time += src.sys_time;
  dst.ctx += src.ctx;
  dst.majf += src.majf;
  dst.minf += src.minf;
  for (size_t k = 0; k < kFioDepthSlots; ++k) {
    dst.io_u_map[k] += src.io_u_map[k];
    dst.io_u_submit[k] += src.io_u_submit[k];
    dst.io_u_complete[k] += src.io_u_complete[k];
  }
  dst.job_runtime += src.job_runtime;
  dst.total_submit += src.total_submit;
  dst.total_complete += src.total_complete;
  dst.members += src.members;
  // Per-job settings: fio keeps the last member's (it overwrites them for every member).
  dst.options = src.options;
  dst.slat_percentiles = src.slat_percentiles;
  dst.clat_percentiles = src.clat_percentiles;
  dst.lat_percentiles = src.lat_percentiles;
  dst.percentile_list = src.percentile_list;
  dst.percentile_precision = src.percentile_precision;
  dst.latency_depth = src.latency_depth;
  dst.latency_target = src.latency_target;
  dst.latency_window = src.latency_window;
  dst.latency_percentile = src.latency_percentile;
  if (dst.error == 0 && src.error != 0) {
    dst.error = src.error;
    dst.verror = src.verror;
  }
}

std::vector<FioJobResult> fio_reported_jobs(const std::vector<FioJobResult>& jobs) {
  std::vector<FioJobResult> out;
  bool open = false;  // the last entry may take more members of its group
  for (const FioJobResult& job : jobs) {
    if (open && job.group_reporting && out.back().groupid == job.groupid) {
      fio_sum_job(out.back(), job);
      continue;
    }
    out.push_back(job);
    open = job.group_reporting;
  }
  return out;
}

uint64_t fio_runtime_ms(Time runtime) {
  if (runtime <= 0) return 0;
  const uint64_t us = static_cast<uint64_t>(runtime / kMicrosecond);
  return (us + 999) / 1000;
}

std::vector<FioGroupStats> fio_group_stats(const std::vector<FioJobResult>& reported) {
  int max_group = -1;
  for (const FioJobResult& j : reported) max_group = std::max(max_group, j.groupid);
  std::vector<FioGroupStats> groups(static_cast<size_t>(max_group + 1));
  for (size_t g = 0; g < groups.size(); ++g) groups[g].groupid = static_cast<int>(g);
  for (const FioJobResult& j : reported) {
    if (j.groupid < 0) continue;
    FioGroupStats& rs = groups[static_cast<size_t>(j.groupid)];
    for (size_t d = 0; d < kFioDdirs; ++d) {
      const uint64_t run = fio_runtime_ms(j.dirs[d].runtime);
      if (run == 0) continue;
      const bool first = rs.max_run[d] == 0;
      if (first || run < rs.min_run[d]) rs.min_run[d] = run;
      rs.max_run[d] = std::max(rs.max_run[d], run);
      const uint64_t bw = j.dirs[d].io_bytes * 1000 / run;
      if (first || bw < rs.min_bw[d]) rs.min_bw[d] = bw;
      rs.max_bw[d] = std::max(rs.max_bw[d], bw);
      rs.io_bytes[d] += j.dirs[d].io_bytes;
    }
  }
  for (FioGroupStats& rs : groups) {
    for (size_t d = 0; d < kFioDdirs; ++d) {
      if (rs.max_run[d] != 0) rs.agg[d] = rs.io_bytes[d] * 1000 / rs.max_run[d];
    }
  }
  return groups;
}

namespace {

// fio's latency ladders as one list of upper edges in ns: slots 0-9 are the nanosecond
// buckets, 10-19 the microsecond ones, 20-31 the millisecond ones (the last is >= 2000 ms).
constexpr std::array<uint64_t, 31> kLatencyEdges = {
    2,        4,         10,        20,        50,        100,        250,       500,
    750,      1000,      2000,      4000,      10000,     20000,      50000,     100000,
    250000,   500000,    750000,    1000000,   2000000,   4000000,    10000000,  20000000,
    50000000, 100000000, 250000000, 500000000, 750000000, 1000000000, 2000000000};

// Value range [lo, lo + width) of histogram bin i (fio's FIO_IO_U_PLAT geometry).
std::pair<uint64_t, uint64_t> bin_range(int i) {
  constexpr int kBits = LatencyHistogram::kPlatBits;
  if (i < (LatencyHistogram::kPlatVal << 1)) return {static_cast<uint64_t>(i), 1};
  const int error_bits = (i >> kBits) - 1;
  const uint64_t width = uint64_t{1} << error_bits;
  const uint64_t base = uint64_t{1} << (error_bits + kBits);
  return {base + static_cast<uint64_t>(i % LatencyHistogram::kPlatVal) * width, width};
}

double percent_of(double n, uint64_t total, double floor) {
  if (total == 0) return 0.0;
  const double p = n / static_cast<double>(total) * 100.0;
  return (p < floor && n > 0.0) ? floor : p;
}

}  // namespace

std::array<double, kFioDepthSlots> fio_depth_dist(const FioDepthMap& map, uint64_t total) {
  std::array<double, kFioDepthSlots> out{};
  for (size_t i = 0; i < out.size(); ++i) out[i] = percent_of(map[i], total, 0.1);
  return out;
}

FioLatencyBuckets fio_latency_buckets(const FioJobResult& job) {
  std::array<double, kLatencyEdges.size() + 1> slots{};
  uint64_t total = 0;
  for (const FioDirStats& d : job.dirs) {
    total += d.total_ios;
    for (int i = 0; i < LatencyHistogram::kPlatNr; ++i) {
      const uint64_t count = d.clat.bin_count(i);
      if (count == 0) continue;
      // Spread the bin's count evenly over its values, splitting it at bucket edges.
      const auto [lo, width] = bin_range(i);
      size_t slot = static_cast<size_t>(
          std::upper_bound(kLatencyEdges.begin(), kLatencyEdges.end(), lo) - kLatencyEdges.begin());
      uint64_t from = lo;
      const double per_value = static_cast<double>(count) / static_cast<double>(width);
      while (slot < kLatencyEdges.size() && kLatencyEdges[slot] < lo + width) {
        slots[slot] += per_value * static_cast<double>(kLatencyEdges[slot] - from);
        from = kLatencyEdges[slot];
        ++slot;
      }
      slots[slot] += per_value * static_cast<double>(lo + width - from);
    }
  }
  FioLatencyBuckets b;
  for (size_t i = 0; i < b.ns.size(); ++i) b.ns[i] = percent_of(slots[i], total, 0.01);
  for (size_t i = 0; i < b.us.size(); ++i) b.us[i] = percent_of(slots[10 + i], total, 0.01);
  for (size_t i = 0; i < b.ms.size(); ++i) b.ms[i] = percent_of(slots[20 + i], total, 0.01);
  return b;
}

double fio_cpu_percent(Time cpu, Time job_runtime) {
  if (job_runtime <= 0) return 0.0;
  return static_cast<double>(cpu) * 100.0 / static_cast<double>(job_runtime);
}

std::vector<std::pair<double, Time>> fio_percentiles(const LatencyHistogram& h,
                                                     const std::vector<double>& list) {
  std::vector<double> sorted = list;
  std::stable_sort(sorted.begin(), sorted.end());
  std::vector<std::pair<double, Time>> out;
  out.reserve(sorted.size());
  if (h.empty()) {
    for (double p : sorted) out.emplace_back(p, 0);
    return out;
  }
  // fio compares the running count with p / 100 * N in long double: with doubles, 99.95% of
  // 4000 rounds to exactly 3998 and would select a bin too early.
  const long double n = static_cast<long double>(h.count());
  uint64_t sum = 0;
  size_t j = 0;
  for (int i = 0; i < LatencyHistogram::kPlatNr && j < sorted.size(); ++i) {
    sum += h.bin_count(i);
    while (j < sorted.size() &&
           static_cast<long double>(sum) >= static_cast<long double>(sorted[j]) / 100.0L * n) {
      out.emplace_back(sorted[j], static_cast<Time>(LatencyHistogram::bin_value(i)));
      ++j;
    }
  }
  // Only a percentile above 100 is left; fio reports an error, here it gets the last bin.
  for (; j < sorted.size(); ++j) {
    out.emplace_back(sorted[j], static_cast<Time>(LatencyHistogram::bin_value(
                                    LatencyHistogram::bin_index(static_cast<uint64_t>(h.max())))));
  }
  return out;
}

std::string fio_ctime(int64_t seconds_since_epoch) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t t = static_cast<std::time_t>(seconds_since_epoch);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return "?";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %s %2d %02d:%02d:%02d %d",
                kDays[static_cast<size_t>(tm.tm_wday)], kMonths[static_cast<size_t>(tm.tm_mon)],
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
  return buf;
}

}  // namespace mdsim
